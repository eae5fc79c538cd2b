-- why: several app instances behind one database — Data Protection keys shared by every instance, a lease so each background job runs on one instance at a time, and a per-exercise score version that every instance reads from the database.
CREATE TABLE data_protection_keys (
    id            INTEGER PRIMARY KEY,
    -- The key's id as Data Protection names it (e.g. "key-<guid>"); written once, never updated.
    friendly_name TEXT    NOT NULL UNIQUE,
    -- The key's XML as Data Protection hands it over (the key material itself is inside).
    xml           TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

-- One row per background job; whoever holds an unexpired row runs the job, the others skip their turn.
CREATE TABLE leases (
    name       TEXT NOT NULL PRIMARY KEY,
    -- Instance that holds the lease (host, process id and a random part).
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Counts accepted scores of an exercise: acknowledgements and live results of every instance carry it, so a
-- client can tell whether results already include its score whichever instance computed them.
ALTER TABLE exercises ADD COLUMN score_version INTEGER NOT NULL DEFAULT 0;
