using System.Data.Common;
using Consultation.Web.Infrastructure.Data;
using Dapper;

namespace Consultation.Web.Infrastructure.Mail;

/// <summary>
/// Mail the portal has committed to send (issue 6). The caller runs <see cref="InsertSql"/> with
/// <see cref="Parameters"/> in its own transaction, so the message exists exactly when what it reports was committed
/// (a submission's receipt, written in the same command as the submission's revision); after the commit
/// <see cref="Wake"/> lets <see cref="MailOutboxSender"/> send it at once. The request no longer waits on the mail
/// server — a connection, greeting and often a TLS handshake per message — and a receipt that could not be sent is
/// retried instead of lost.
/// </summary>
public sealed class MailOutbox(TimeProvider clock)
{
    private readonly WakeSignal _wake = new();

    /// <summary>The outbox row's insert; its parameters (<see cref="Parameters"/>) are prefixed so that it can share a command with others.</summary>
    public const string InsertSql = """
        INSERT INTO mail_outbox (recipient, subject, text_body, html_body, created_at, next_attempt_at)
        VALUES (@MailTo, @MailSubject, @MailTextBody, @MailHtmlBody, @MailAt, @MailAt)
        """;

    /// <summary>The parameters of <see cref="InsertSql"/>, in the order of <see cref="Values"/>.</summary>
    public static readonly string[] ParameterNames = ["@MailTo", "@MailSubject", "@MailTextBody", "@MailHtmlBody", "@MailAt"];

    public object?[] Values(MailMessage mail) => [mail.To, mail.Subject, mail.TextBody, mail.HtmlBody, clock.GetUtcNow()];

    /// <summary>Tells the sender there is new mail (call after the commit). Wake-ups while it is busy fold into one.</summary>
    public void Wake() => _wake.Set();

    internal ValueTask<bool> WaitAsync(CancellationToken ct) => _wake.WaitAsync(ct);

    internal void TakeWake() => _wake.Reset();
}

/// <summary>
/// Sends what is due in <c>mail_outbox</c>, up to <see cref="BatchSize"/> messages a pass (<see cref="MailSender.SendManyAsync"/>: over one connection, or a few for a large batch): when
/// woken, and every <see cref="Interval"/> for retries. With several instances one of them sends (the
/// <see cref="JobLease"/> "mail-outbox"); the others' wake-ups are picked up by its next tick. A message that fails is
/// tried again after 30 s, 1, 2, 4 … minutes (at most an hour apart) up to <see cref="MaxAttempts"/> times; the error
/// stays on the row. Sent rows are deleted after <see cref="KeepSent"/>, given-up ones after 30 days (their bodies name people).
/// </summary>
public sealed class MailOutboxSender(Db db, MailOutbox outbox, MailSender sender, TimeProvider clock, ILogger<MailOutboxSender> logger,
    JobLease? lease = null) : BackgroundService
{
    public const string LeaseName = "mail-outbox";
    public const int BatchSize = 200;
    public const int MaxAttempts = 12;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan KeepSent = TimeSpan.FromDays(7);

    private DateTimeOffset _leaseCheckedAt = DateTimeOffset.MinValue;
    private bool _holding;
    private DateTimeOffset _purgedAt = DateTimeOffset.MinValue;

    private sealed record Row
    {
        public long Id { get; init; }
        public string Recipient { get; init; } = "";
        public string Subject { get; init; } = "";
        public string TextBody { get; init; } = "";
        public string? HtmlBody { get; init; }
        public long Attempts { get; init; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                outbox.TakeWake();
                // Until a pass finds nothing due: a full batch means more may be waiting.
                while (await HoldLeaseAsync(stoppingToken) && await SendDueAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "A pass of the mail outbox failed; the next one retries");
            }
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            tick.CancelAfter(Interval);
            try { await outbox.WaitAsync(tick.Token); }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (lease is not null) await lease.ReleaseOnStopAsync(LeaseName, logger, cancellationToken);
    }

    /// <summary>
    /// The lease is taken or renewed at most every <see cref="Interval"/>, not at every wake-up (a busy round submits
    /// many a second): in between, the last answer holds — this instance sends, or leaves it to the holder.
    /// </summary>
    private async Task<bool> HoldLeaseAsync(CancellationToken ct)
    {
        if (lease is null) return true;
        var now = clock.GetUtcNow();
        if (now - _leaseCheckedAt < Interval) return _holding;
        _holding = await lease.HoldForPassAsync(LeaseName, Interval, logger, ct);
        _leaseCheckedAt = now;
        return _holding;
    }

    /// <summary>One pass: sends up to <see cref="BatchSize"/> due messages; returns how many it took.</summary>
    internal async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Row> due;
        await using (var conn = await db.OpenAsync(ct))
        {
            // PostgreSQL: in the order of the due index, so that a pass reads its batch and stops. After a burst of
            // submissions its statistics still say the queue is short, and it took every due row by bitmap and sorted
            // them (30 ms a pass with 28,000 receipts waiting, bench/RESULTS.md session 8).
            await using var tx = db.Dialect == DatabaseProvider.Postgres ? await conn.BeginTransactionAsync(ct) : null;
            if (tx is not null) await conn.ExecuteAsync(new CommandDefinition("SET LOCAL enable_bitmapscan = off", transaction: tx, cancellationToken: ct));
            due = (await conn.QueryAsync<Row>(new CommandDefinition($"""
                SELECT id, recipient, subject, text_body, html_body, attempts FROM mail_outbox
                 WHERE sent_at IS NULL AND next_attempt_at <= @now AND attempts < {MaxAttempts}
                 ORDER BY next_attempt_at, id LIMIT {BatchSize}
                """, new { now }, tx, cancellationToken: ct))).ToList();
            if (tx is not null) await tx.CommitAsync(ct);
            if (now - _purgedAt > TimeSpan.FromHours(1))
            {
                _purgedAt = now;
                // Given-up messages go after a month (the error stays that long in the table for the administrator).
                await conn.ExecuteAsync(new CommandDefinition($"""
                    DELETE FROM mail_outbox
                     WHERE (sent_at IS NOT NULL AND sent_at < @before)
                        OR (sent_at IS NULL AND attempts >= {MaxAttempts} AND created_at < @givenUpBefore)
                    """, new { before = now - KeepSent, givenUpBefore = now - TimeSpan.FromDays(30) }, cancellationToken: ct));
            }
        }
        if (due.Count == 0) return 0;

        IReadOnlyList<Exception?> errors;
        try
        {
            errors = await sender.SendManyAsync(due.Select(r => new MailMessage(r.Recipient, r.Subject, r.TextBody, r.HtmlBody)).ToList(), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The mail server is away (or refused the connection): every message of the pass waits for its next attempt.
            logger.LogWarning(ex, "The mail server could not be reached; {Count} messages wait for their next attempt", due.Count);
            errors = due.Select(_ => ex).ToList();
        }

        var sentAt = clock.GetUtcNow();
        await using (var conn = await db.OpenAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            // The sent ones in one statement (a busy round sends hundreds a second); the failed ones one by one.
            var sent = due.Where((_, i) => errors[i] is null).Select(r => r.Id).ToArray();
            if (sent.Length > 0)
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    $"UPDATE mail_outbox SET sent_at = @sentAt, attempts = attempts + 1, last_error = NULL WHERE id {SqlList.In(conn, "@sent")}",
                    new { sentAt, sent }, tx, cancellationToken: ct));
            }
            for (var i = 0; i < due.Count; i++)
            {
                if (errors[i] is null) continue;
                var attempts = due[i].Attempts + 1;
                if (attempts >= MaxAttempts)
                    logger.LogError(errors[i], "Mail {Id} to {To} is given up after {Attempts} attempts", due[i].Id, due[i].Recipient, attempts);
                await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE mail_outbox SET attempts = @attempts, next_attempt_at = @next, last_error = @error WHERE id = @Id",
                    new { attempts, next = sentAt + Backoff(attempts), error = errors[i]!.Message, due[i].Id }, tx, cancellationToken: ct));
            }
            await tx.CommitAsync(ct);
        }
        return due.Count;
    }

    /// <summary>30 s after the first failure, then 1, 2, 4 … minutes, at most an hour.</summary>
    public static TimeSpan Backoff(long attempts) =>
        attempts <= 1 ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Min(attempts - 2, 10))));
}
