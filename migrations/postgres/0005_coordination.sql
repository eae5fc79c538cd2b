-- why: a reminder row is claimed before its mail goes out (the UNIQUE key makes it once per schedule); these columns record whether the mail then went out, so a failed send can be retried and shown to the coordinator (PostgreSQL twin of sqlite/0005).
-- sent_at stays the time the row was claimed. delivered_at is set once at least one member got the mail;
-- a row with last_error and no delivered_at failed completely and may be claimed again (attempts counts).
-- A row with neither was interrupted mid-send (the app stopped): it is never retried, so nobody gets a mail twice.
ALTER TABLE reminders_sent ADD COLUMN delivered_at TEXT;
ALTER TABLE reminders_sent ADD COLUMN recipients BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reminders_sent ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE reminders_sent ADD COLUMN last_error TEXT;
CREATE INDEX ix_reminders_sent_round ON reminders_sent (round_id, organisation_id);
