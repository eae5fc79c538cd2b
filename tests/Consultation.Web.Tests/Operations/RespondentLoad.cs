using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Operations;

/// <summary>One autosave or submission as the browser sends it, and what the server acknowledged for it.</summary>
public sealed class SentOp
{
    public required string Kind { get; init; } // "save" or "submit"
    public required long BaseRevision { get; init; }
    public required string DataJson { get; init; }
    public string? Key { get; init; }
    public bool Acknowledged { get; set; }
    public long AckRevision { get; set; }
    public long? AckRevisionNo { get; set; }
    public string? AckBody { get; set; }
}

/// <summary>
/// One respondent's browser tab, as HTTP: signs in, opens the form (antiforgery token, revision), then autosaves
/// and every third time submits, each request with the revision of the last acknowledged one — exactly what
/// respond.js sends. Every request is kept; the acknowledged ones are what the server promised to keep.
/// </summary>
public sealed class RespondentClient(int index, Uri baseUrl, long questionnaireId) : IDisposable
{
    public int Index { get; } = index;
    public string Email { get; } = DurabilitySeed.Email(index);
    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public List<SentOp> Sent { get; } = [];
    /// <summary>The acknowledged requests so far (a copy: the load adds to <see cref="Sent"/> meanwhile).</summary>
    public IReadOnlyList<SentOp> Acked
    {
        get { lock (Sent) return [.. Sent.Where(o => o.Acknowledged)]; }
    }
    public int Unavailable { get; private set; }
    public List<string> Unexpected { get; } = [];
    private string _token = "";
    private long _revision;

    public async Task OpenAsync()
    {
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl };
        var login = await Forms.LoginAsync(Http, Email);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var form = await OpenFormAsync(Http, questionnaireId);
        _token = form.Token;
        _revision = form.State.GetProperty("revision").GetInt64();
    }

    /// <summary>Autosaves and submits until <paramref name="stop"/> or until the server goes away.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        for (var k = 1; !stop.IsCancellationRequested; k++)
        {
            var submit = k % 3 == 0;
            var data = JsonSerializer.Serialize(new
            {
                score = k % 5 + 1, trend = k % 2 == 0 ? "UP" : "DOWN", note = $"{Email} edit {k}: {new string('ž', k % 40)}",
            });
            var op = new SentOp { Kind = submit ? "submit" : "save", BaseRevision = _revision, DataJson = data, Key = submit ? $"durability-{Index}-{k}" : null };
            lock (Sent) Sent.Add(op);
            try
            {
                using var response = submit
                    ? await SubmitAsync(Http, questionnaireId, _token, data, _revision, op.Key!)
                    : await SaveAsync(Http, questionnaireId, _token, data, page: k % 2, _revision);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var json = JsonDocument.Parse(body).RootElement;
                    op.AckRevision = json.GetProperty("revision").GetInt64();
                    if (submit) op.AckRevisionNo = json.GetProperty("revisionNo").GetInt64();
                    op.AckBody = body;
                    op.Acknowledged = true;
                    _revision = op.AckRevision;
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Unavailable++;
                    await Task.Delay(200, CancellationToken.None);
                }
                else
                {
                    Unexpected.Add($"{op.Kind} at revision {op.BaseRevision}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                return; // the server is gone: this request was never acknowledged
            }
        }
    }

    public void Dispose() => Http?.Dispose();
}

/// <summary>Fifty respondents at once.</summary>
public sealed class RespondentLoad(Uri baseUrl, long questionnaireId, int count = DurabilitySeed.Count) : IDisposable
{
    public IReadOnlyList<RespondentClient> Clients { get; } =
        [.. Enumerable.Range(0, count).Select(i => new RespondentClient(i, baseUrl, questionnaireId))];
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];

    public int AckedSaves => Clients.Sum(c => c.Acked.Count(o => o.Kind == "save"));
    public int AckedSubmits => Clients.Sum(c => c.Acked.Count(o => o.Kind == "submit"));
    public int Unavailable => Clients.Sum(c => c.Unavailable);

    /// <summary>Signs everyone in and opens their forms (at most ten at a time), then starts the load.</summary>
    public async Task StartAsync()
    {
        using var gate = new SemaphoreSlim(10);
        await Task.WhenAll(Clients.Select(async c =>
        {
            await gate.WaitAsync();
            try { await c.OpenAsync(); } finally { gate.Release(); }
        }));
        _running = [.. Clients.Select(c => Task.Run(() => c.RunAsync(_stop.Token)))];
    }

    /// <summary>Waits until at least <paramref name="acks"/> requests, <paramref name="submits"/> of them submissions, were acknowledged (or the load ended).</summary>
    public async Task WaitForAcksAsync(int acks, TimeSpan timeout, int submits = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((AckedSaves + AckedSubmits < acks || AckedSubmits < submits) && DateTime.UtcNow < deadline && _running.Any(t => !t.IsCompleted))
            await Task.Delay(20);
    }

    /// <summary>Asks the clients to stop after their current request, and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    public IEnumerable<string> Unexpected => Clients.SelectMany(c => c.Unexpected.Select(u => $"{c.Email}: {u}"));

    public void Dispose()
    {
        foreach (var c in Clients) c.Dispose();
        _stop.Dispose();
    }
}
