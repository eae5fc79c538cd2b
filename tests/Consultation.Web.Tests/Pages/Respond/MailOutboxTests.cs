using System.Globalization;
using System.Net;
using Consultation.Web.Infrastructure.Mail;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>
/// The mail outbox (issue 6): a submission does not wait on the mail server; its receipt is committed with it and
/// sent afterwards — and when the server is away, kept and sent once it is back instead of lost.
/// </summary>
public sealed class MailOutboxTests(MailOutboxTests.AwayMailServer app) : IClassFixture<MailOutboxTests.AwayMailServer>
{
    private const string Astra = "respondent@demo.local";

    /// <summary>The portal's mail server is a port where nothing listens, until a test starts one there.</summary>
    public sealed class AwayMailServer : PortalFactory
    {
        public int MailPort { get; } = SmtpPeer.FreePort();
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("Mail:SmtpPort", MailPort.ToString(CultureInfo.InvariantCulture))];
    }

    private sealed record OutboxRow
    {
        public long Id { get; init; }
        public string Subject { get; init; } = "";
        public long Attempts { get; init; }
        public string? LastError { get; init; }
        public string? SentAt { get; init; }
    }

    private async Task<OutboxRow?> ReceiptRowAsync(string title)
    {
        await using var conn = app.Connection();
        return await conn.QuerySingleOrDefaultAsync<OutboxRow>(
            "SELECT id, subject, attempts, last_error, sent_at FROM mail_outbox WHERE recipient = @Astra AND text_body LIKE @s",
            new { Astra, s = $"%{title}%" });
    }

    private async Task<OutboxRow> WaitForRowAsync(string title, Func<OutboxRow, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await ReceiptRowAsync(title) is { } row && until(row)) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The outbox row of \"{title}\" did not get there: {await ReceiptRowAsync(title)}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_receipt_the_mail_server_could_not_take_is_kept_and_sent_once_the_server_is_back()
    {
        var (_, q) = await OpenRoundAsync(app, "Outbox round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);

        var submitted = await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", 0, Guid.NewGuid().ToString());

        // The submission stands although no mail server answers; its receipt is in the outbox, tried and failed.
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var failed = await WaitForRowAsync("Outbox round", r => r.Attempts >= 1);
        Assert.Null(failed.SentAt);
        Assert.False(string.IsNullOrEmpty(failed.LastError));

        // The server comes back; once the back-off has passed (here: made due at once) the receipt goes out, once.
        await using var peer = await SmtpPeer.StartAsync(app.MailPort);
        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE mail_outbox SET next_attempt_at = '2000-01-01T00:00:00.0000000Z' WHERE id = @Id", new { failed.Id });
        app.Services.GetRequiredService<MailOutbox>().Wake();

        var receipt = await peer.WaitForMessageAsync(Astra, m => m.TextBody?.Contains("Outbox round", StringComparison.Ordinal) == true);
        Assert.Contains($"/Respond/Form/{q}", receipt.TextBody ?? "", StringComparison.Ordinal);
        var sent = await WaitForRowAsync("Outbox round", r => r.SentAt is not null);
        Assert.Equal(failed.Attempts + 1, sent.Attempts);
        Assert.Null(sent.LastError);
        await Task.Delay(300);
        Assert.Equal(1, peer.CountTo(Astra));
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(7, 1920)]
    [InlineData(8, 3600)]
    [InlineData(11, 3600)]
    public void Retries_back_off_from_thirty_seconds_to_an_hour(long attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MailOutboxSender.Backoff(attempts));
}
