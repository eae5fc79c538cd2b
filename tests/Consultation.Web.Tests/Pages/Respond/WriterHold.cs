using Consultation.Web.Pages.Respond;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>
/// Every loop of the group writer (several on PostgreSQL) held by a write that waits — each queued only once the
/// previous one holds its loop, so that no loop takes two. Writes queued meanwhile wait; <see cref="ReleaseFirstAsync"/>
/// lets one loop go, which takes them all as one batch; <see cref="ReleaseAllAsync"/> lets the others go.
/// </summary>
internal sealed class WriterHold
{
    private readonly List<(TaskCompletionSource Gate, Task<int> Write)> _holders = [];

    private WriterHold()
    {
    }

    public static async Task<WriterHold> HoldAsync(ResponseWriter writer)
    {
        var hold = new WriterHold();
        for (var i = 0; i < writer.Parallelism; i++)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hold._holders.Add((gate, writer.WriteAsync(async (_, _) => { entered.TrySetResult(); await gate.Task; return 0; }, CancellationToken.None)));
            await entered.Task;
        }
        return hold;
    }

    public async Task ReleaseFirstAsync()
    {
        _holders[0].Gate.TrySetResult();
        await _holders[0].Write;
    }

    public async Task ReleaseAllAsync()
    {
        foreach (var (gate, write) in _holders)
        {
            gate.TrySetResult();
            await write;
        }
    }
}
