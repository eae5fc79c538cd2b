-- why: mail the portal has committed to send (a submission's receipt) is written in the same transaction as what it reports and sent afterwards by the outbox sender, retried with back-off while the mail server is away, so a receipt is neither lost nor a reason for a submission to wait on SMTP.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX ix_mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL;
CREATE INDEX ix_mail_outbox_sent ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL;
