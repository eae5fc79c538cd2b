using System.Threading.Channels;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// "There is work": set by the producers, awaited by one background loop. Signals while the loop is busy fold into
/// one, so a burst of producers costs the loop one more pass, not one per signal.
/// </summary>
public sealed class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until set (returns at once when it already is); does not reset it.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _channel.Reader.WaitToReadAsync(ct);

    /// <summary>Resets it: signals from now on count for the next pass.</summary>
    public void Reset() => _channel.Reader.TryRead(out _);
}
