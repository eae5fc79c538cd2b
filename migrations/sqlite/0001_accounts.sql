-- why: organisations, accounts (ASP.NET Core Identity over Dapper), roles and invitations are the base every feature builds on.
CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    category      TEXT    NOT NULL CHECK (category IN ('MINISTRY','AGENCY','NGO','ACADEMIC','INTERNATIONAL','OTHER')),
    country       TEXT    NOT NULL DEFAULT '',
    contact_email TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_organisations_name ON organisations (lower(name));

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    email                 TEXT    NOT NULL,
    normalized_email      TEXT    NOT NULL,
    display_name          TEXT    NOT NULL DEFAULT '',
    password_hash         TEXT,
    security_stamp        TEXT    NOT NULL,
    concurrency_stamp     TEXT    NOT NULL,
    email_confirmed       INTEGER NOT NULL DEFAULT 0,
    lockout_enabled       INTEGER NOT NULL DEFAULT 1,
    lockout_end           TEXT,
    access_failed_count   INTEGER NOT NULL DEFAULT 0,
    two_factor_enabled    INTEGER NOT NULL DEFAULT 0,
    authenticator_key     TEXT,
    recovery_codes        TEXT,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    organisation_id       INTEGER REFERENCES organisations (id),
    culture               TEXT,
    created_at            TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_users_normalized_email ON users (normalized_email);
CREATE INDEX ix_users_organisation ON users (organisation_id);

CREATE TABLE roles (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    normalized_name TEXT NOT NULL UNIQUE
);
INSERT INTO roles (id, name, normalized_name) VALUES
    (1, 'Administrator', 'ADMINISTRATOR'),
    (2, 'Coordinator',   'COORDINATOR'),
    (3, 'Facilitator',   'FACILITATOR'),
    (4, 'Respondent',    'RESPONDENT');

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id),
    PRIMARY KEY (user_id, role_id)
);

CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    token_hash       TEXT    NOT NULL UNIQUE,
    email            TEXT    NOT NULL,
    normalized_email TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    organisation_id  INTEGER REFERENCES organisations (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by       INTEGER REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    expires_at       TEXT    NOT NULL,
    accepted_at      TEXT,
    revoked_at       TEXT
);
CREATE INDEX ix_invitations_email ON invitations (normalized_email);

-- Portal-wide settings an administrator changes at run time (e.g. two-factor required for coordinators).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    occurred_at   TEXT    NOT NULL,
    actor_user_id INTEGER,
    actor_email   TEXT,
    action        TEXT    NOT NULL,
    target        TEXT,
    details       TEXT,
    ip            TEXT
);
CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at);
