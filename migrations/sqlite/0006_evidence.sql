-- why: evidence snapshots that no one can change once frozen (issue 5), and a data-version counter that triggers bump whenever anything the evidence is computed from changes, so the computed evidence can be cached until then.
CREATE TABLE evidence_snapshots (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    label           TEXT    NOT NULL DEFAULT '',
    formula_version TEXT    NOT NULL,
    category        TEXT    CHECK (category IS NULL OR category IN ('MINISTRY','AGENCY','NGO','ACADEMIC','INTERNATIONAL','OTHER')),
    source          TEXT    NOT NULL DEFAULT 'Both' CHECK (source IN ('Both','Questionnaires','Workshops')),
    content_json    TEXT    NOT NULL,
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64),
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TEXT    NOT NULL
);
CREATE INDEX ix_evidence_snapshots_round ON evidence_snapshots (round_id, created_at);

-- A snapshot is evidence as it stood: the database refuses to change or delete it, not only the code.
CREATE TRIGGER trg_evidence_snapshots_no_update
BEFORE UPDATE ON evidence_snapshots
BEGIN
    SELECT RAISE(ABORT, 'evidence snapshot is immutable');
END;
CREATE TRIGGER trg_evidence_snapshots_no_delete
BEFORE DELETE ON evidence_snapshots
BEGIN
    SELECT RAISE(ABORT, 'evidence snapshot is immutable');
END;

-- One global counter: any change to what evidence is computed from bumps it, and cached evidence computed
-- at an older version is recomputed. Reading it is one row, so a cached page costs no scan of responses.
-- Drafts being autosaved do not count (only rows that are or were Submitted/Withdrawn).
CREATE TABLE evidence_data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO evidence_data_version (id, version) VALUES (1, 1);

CREATE TRIGGER trg_evidence_version_rounds_update
AFTER UPDATE ON rounds
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_rounds_delete
AFTER DELETE ON rounds
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_round_crime_areas_insert
AFTER INSERT ON round_crime_areas
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_round_crime_areas_delete
AFTER DELETE ON round_crime_areas
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_organisations_update
AFTER UPDATE ON organisations
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_questionnaire_versions_insert
AFTER INSERT ON questionnaire_versions
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_questionnaire_versions_update
AFTER UPDATE ON questionnaire_versions
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_responses_insert
AFTER INSERT ON responses
WHEN NEW.status <> 'Draft'
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_responses_update
AFTER UPDATE ON responses
WHEN OLD.status <> 'Draft' OR NEW.status <> 'Draft'
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_responses_delete
AFTER DELETE ON responses
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_response_revisions_insert
AFTER INSERT ON response_revisions
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_response_revisions_update
AFTER UPDATE ON response_revisions
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_response_revisions_delete
AFTER DELETE ON response_revisions
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_participants_update
AFTER UPDATE ON participants
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_participants_delete
AFTER DELETE ON participants
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_pestle_factors_insert
AFTER INSERT ON pestle_factors
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_pestle_factors_update
AFTER UPDATE ON pestle_factors
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_pestle_factors_delete
AFTER DELETE ON pestle_factors
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_scores_insert
AFTER INSERT ON scores
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_scores_update
AFTER UPDATE ON scores
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER trg_evidence_version_scores_delete
AFTER DELETE ON scores
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1;
END;
