-- why: consultation rounds, their questionnaires (versions frozen once published) and the response tables the responding side writes, in one step so responding needs no second migration.
CREATE TABLE crime_areas (
    code         TEXT    PRIMARY KEY CHECK (code GLOB '[A-Z]*' AND code NOT GLOB '*[^A-Z0-9_]*'),
    name_en      TEXT    NOT NULL,
    name_sr_latn TEXT    NOT NULL,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
INSERT INTO crime_areas (code, name_en, name_sr_latn, sort_order) VALUES
    ('DRUGS',             'Controlled psychoactive substances',                              'Psihoaktivne kontrolisane supstance',                                 10),
    ('MIGRANT_SMUGGLING', 'Migrant smuggling (irregular migration)',                         'Krijumčarenje migranata (iregularne migracije)',                      20),
    ('THB',               'Trafficking in human beings',                                     'Trgovina ljudima',                                                    30),
    ('CYBER',             'High-tech crime',                                                 'Visokotehnološki kriminal',                                           40),
    ('FINANCIAL',         'Financial and economic crime (incl. excise goods smuggling)',     'Finansijski i privredni kriminal (uklj. krijumčarenje akcizne robe)', 50),
    ('MONEY_LAUNDERING',  'Money laundering',                                                'Pranje novca',                                                        60),
    ('FIREARMS',          'Arms trafficking',                                                'Nedozvoljena trgovina oružjem',                                       70),
    ('EXTORTION',         'Kidnapping and extortion',                                        'Otmice i iznude',                                                     80),
    ('ROBBERY',           'Robbery',                                                         'Razbojništva',                                                        90),
    ('VEHICLE_CRIME',     'Motor vehicle crime',                                             'Kriminal u vezi sa motornim vozilima',                               100),
    ('OCG',               'Organised crime groups',                                          'Organizovane kriminalne grupe',                                      110);

-- Times are UTC ISO-8601 text (see DapperSetup), so comparisons and ORDER BY are chronological.
CREATE TABLE rounds (
    id                          INTEGER PRIMARY KEY,
    title                       TEXT    NOT NULL,
    description_html            TEXT    NOT NULL DEFAULT '',
    opens_at                    TEXT    NOT NULL,
    closes_at                   TEXT    NOT NULL,
    time_zone                   TEXT    NOT NULL DEFAULT 'Europe/Belgrade',
    status                      TEXT    NOT NULL DEFAULT 'Draft' CHECK (status IN ('Draft','Open','Closed','Archived')),
    min_organisations           INTEGER NOT NULL DEFAULT 3 CHECK (min_organisations >= 1),
    default_grading             TEXT    NOT NULL DEFAULT 'B2'
                                CHECK (length(default_grading) = 2 AND substr(default_grading, 1, 1) IN ('A','B','C','X') AND substr(default_grading, 2, 1) IN ('1','2','3','4')),
    category_weights_json       TEXT    NOT NULL DEFAULT '{}',
    indicator_weights_json      TEXT    NOT NULL DEFAULT '{}',
    reminder_days_before_close  INTEGER CHECK (reminder_days_before_close IS NULL OR reminder_days_before_close BETWEEN 1 AND 60),
    created_by                  INTEGER REFERENCES users (id),
    created_at                  TEXT    NOT NULL,
    updated_at                  TEXT    NOT NULL,
    CHECK (closes_at > opens_at)
);
-- The auto-close pass looks for Open rounds past their closing time.
CREATE INDEX ix_rounds_status_closes ON rounds (status, closes_at);

CREATE TABLE round_crime_areas (
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    crime_area_code TEXT    NOT NULL REFERENCES crime_areas (code),
    PRIMARY KEY (round_id, crime_area_code)
);

CREATE TABLE round_organisations (
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    invited_at      TEXT    NOT NULL,
    invited_by      INTEGER REFERENCES users (id),
    PRIMARY KEY (round_id, organisation_id)
);
-- A respondent's home lists the rounds of their organisation.
CREATE INDEX ix_round_organisations_organisation ON round_organisations (organisation_id);

CREATE TABLE questionnaires (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    template   TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX ix_questionnaires_round ON questionnaires (round_id);

CREATE TABLE questionnaire_versions (
    id               INTEGER PRIMARY KEY,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    version          INTEGER NOT NULL CHECK (version >= 1),
    status           TEXT    NOT NULL DEFAULT 'Draft' CHECK (status IN ('Draft','Published')),
    schema_json      TEXT    NOT NULL,
    bindings_json    TEXT    NOT NULL DEFAULT '[]',
    created_by       INTEGER REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    published_at     TEXT,
    published_by     INTEGER REFERENCES users (id),
    UNIQUE (questionnaire_id, version),
    CHECK ((status = 'Published') = (published_at IS NOT NULL))
);
-- At most one draft per questionnaire: two coordinators editing at once cannot fork it.
CREATE UNIQUE INDEX ux_questionnaire_versions_one_draft ON questionnaire_versions (questionnaire_id) WHERE status = 'Draft';

-- Responses point at a published version; the database refuses to change or delete it, not only the code.
CREATE TRIGGER trg_questionnaire_versions_published_no_update
BEFORE UPDATE ON questionnaire_versions
WHEN OLD.status = 'Published'
BEGIN
    SELECT RAISE(ABORT, 'questionnaire version is published and immutable');
END;
CREATE TRIGGER trg_questionnaire_versions_published_no_delete
BEFORE DELETE ON questionnaire_versions
WHEN OLD.status = 'Published'
BEGIN
    SELECT RAISE(ABORT, 'questionnaire version is published and immutable');
END;

-- One respondent's answers to one questionnaire version. `revision` is the optimistic-concurrency counter
-- of the draft; every submission is also copied to response_revisions.
CREATE TABLE responses (
    id                       INTEGER PRIMARY KEY,
    questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    organisation_id          INTEGER NOT NULL REFERENCES organisations (id),
    respondent_user_id       INTEGER NOT NULL REFERENCES users (id),
    status                   TEXT    NOT NULL DEFAULT 'Draft' CHECK (status IN ('Draft','Submitted','Withdrawn')),
    revision                 INTEGER NOT NULL DEFAULT 0,
    current_page             INTEGER NOT NULL DEFAULT 0,
    data_json                TEXT    NOT NULL DEFAULT '{}',
    submitted_at             TEXT,
    idempotency_key          TEXT,
    grading                  TEXT    CHECK (grading IS NULL OR (length(grading) = 2 AND substr(grading, 1, 1) IN ('A','B','C','X') AND substr(grading, 2, 1) IN ('1','2','3','4'))),
    graded_by                INTEGER REFERENCES users (id),
    graded_at                TEXT,
    created_at               TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL
);
CREATE INDEX ix_responses_version_organisation ON responses (questionnaire_version_id, organisation_id);
CREATE INDEX ix_responses_organisation_status ON responses (organisation_id, status);
CREATE INDEX ix_responses_respondent ON responses (respondent_user_id);
CREATE UNIQUE INDEX ux_responses_idempotency_key ON responses (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE response_revisions (
    id           INTEGER PRIMARY KEY,
    response_id  INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    revision_no  INTEGER NOT NULL CHECK (revision_no >= 1),
    data_json    TEXT    NOT NULL,
    submitted_at TEXT    NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    UNIQUE (response_id, revision_no)
);

-- The UNIQUE constraint is what makes each reminder go out once per schedule, even across restarts.
CREATE TABLE reminders_sent (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    schedule_key    TEXT    NOT NULL,
    sent_at         TEXT    NOT NULL,
    UNIQUE (round_id, organisation_id, schedule_key)
);
