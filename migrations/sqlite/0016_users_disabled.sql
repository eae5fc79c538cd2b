-- why: an administrator disables an account (someone left the organisation) without deleting it: its history, audit entries and responses stay attributed. A separate column, not a lockout: a password reset clears lockouts, and must not re-enable a disabled account.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
