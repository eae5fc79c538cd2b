-- why: live workshops in a round (issue 4): exercises run in order, pseudonymous or signed-in participants, PESTLE factors and scores written before they are acknowledged so a restart loses nothing.
CREATE TABLE workshops (
    id                  INTEGER PRIMARY KEY,
    round_id            INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    title               TEXT    NOT NULL,
    scheduled_on        TEXT    NOT NULL,
    join_code           TEXT    NOT NULL UNIQUE CHECK (length(join_code) = 6),
    access_mode         TEXT    NOT NULL DEFAULT 'Pseudonymous' CHECK (access_mode IN ('Pseudonymous','SignIn')),
    status              TEXT    NOT NULL DEFAULT 'Scheduled' CHECK (status IN ('Scheduled','Live','Closed')),
    current_exercise_id INTEGER REFERENCES exercises (id),
    facilitator_user_id INTEGER NOT NULL REFERENCES users (id),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE INDEX ix_workshops_round ON workshops (round_id);
CREATE INDEX ix_workshops_facilitator ON workshops (facilitator_user_id);

-- config_json holds what one type needs, e.g. a POLL's question and optional choices.
-- phase matters only for PESTLE: factors are collected first, then scored.
CREATE TABLE exercises (
    id             INTEGER PRIMARY KEY,
    workshop_id    INTEGER NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 1),
    type           TEXT    NOT NULL CHECK (type IN ('PESTLE','SOCIAL_TOLERANCE','INDICATORS','POLL')),
    title          TEXT    NOT NULL DEFAULT '',
    config_json    TEXT    NOT NULL DEFAULT '{}',
    state          TEXT    NOT NULL DEFAULT 'Pending' CHECK (state IN ('Pending','Open','Locked','Revealed','Done')),
    phase          TEXT    NOT NULL DEFAULT 'Collect' CHECK (phase IN ('Collect','Score')),
    results_hidden INTEGER NOT NULL DEFAULT 0 CHECK (results_hidden IN (0, 1)),
    updated_at     TEXT    NOT NULL,
    UNIQUE (workshop_id, position)
);

-- The participant's browser holds the token in an HttpOnly cookie; only its SHA-256 is stored.
-- Pseudonymous participants have no user_id: only their category is recorded (DOMAIN.md, confidentiality).
CREATE TABLE participants (
    id              INTEGER PRIMARY KEY,
    workshop_id     INTEGER NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    category        TEXT    NOT NULL CHECK (category IN ('MINISTRY','AGENCY','NGO','ACADEMIC','INTERNATIONAL','OTHER')),
    user_id         INTEGER REFERENCES users (id),
    organisation_id INTEGER REFERENCES organisations (id),
    joined_at       TEXT    NOT NULL,
    last_seen       TEXT    NOT NULL
);
CREATE INDEX ix_participants_workshop ON participants (workshop_id);

CREATE TABLE pestle_factors (
    id          INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    dimension   TEXT    NOT NULL CHECK (dimension IN ('POLITICAL','ECONOMIC','SOCIAL','TECHNOLOGICAL','LEGAL','ENVIRONMENTAL')),
    text        TEXT    NOT NULL,
    merged_into INTEGER REFERENCES pestle_factors (id),
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_by  INTEGER REFERENCES participants (id),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX ix_pestle_factors_exercise ON pestle_factors (exercise_id);

-- item_key: a crime area (SOCIAL_TOLERANCE), 'CRIME_AREA/INDICATOR' (INDICATORS), 'factor:ID' (PESTLE, value =
-- impact, value2 = likelihood) or 'poll' (POLL). One row per participant and item: re-scoring updates it.
CREATE TABLE scores (
    id             INTEGER PRIMARY KEY,
    exercise_id    INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    item_key       TEXT    NOT NULL,
    value          INTEGER NOT NULL CHECK (value >= 1),
    value2         INTEGER CHECK (value2 IS NULL OR value2 BETWEEN 1 AND 5),
    updated_at     TEXT    NOT NULL,
    UNIQUE (exercise_id, participant_id, item_key)
);
