-- why: API v1 bearer tokens for the ministry's analysis tools — only the SHA-256 of each token is kept; scoped, expiring, revocable, with the time of last use.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    -- SHA-256 (hex) of the whole token; the token itself is shown once and never stored.
    token_hash   TEXT    NOT NULL UNIQUE,
    -- The first characters of the token (prefix included), so people can tell their tokens apart in the list.
    token_start  TEXT    NOT NULL,
    -- Space-separated scopes: evidence:read responses:import rounds:write admin.
    scopes       TEXT    NOT NULL,
    -- The administrator who created it; the API acts as this user (audit log, imported responses).
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   INTEGER REFERENCES users (id),
    CHECK (expires_at > created_at)
);
CREATE INDEX ix_api_tokens_created ON api_tokens (created_at);
