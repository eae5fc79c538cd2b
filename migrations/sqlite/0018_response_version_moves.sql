-- why: a draft never submitted moves to the questionnaire's latest published version when its respondent opens the form (a draft left on a version with a mistake could never be submitted). Each move is recorded with the answers that no longer have a question in the new version, so nothing typed is lost: the form shows them to copy.
CREATE TABLE response_version_moves (
    id              INTEGER PRIMARY KEY,
    response_id     INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    from_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    to_version_id   INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    moved_at        TEXT    NOT NULL,
    moved_by        INTEGER NOT NULL REFERENCES users (id),
    orphaned_json   TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_response_version_moves_response ON response_version_moves (response_id, id);
