-- why: one response per respondent per questionnaire version, enforced by the database: two devices making their first autosave at the same moment must not create two responses. Rows entered on organisations' behalf (API import of paper/offline scores, demo data) are marked 'Import' and may repeat (PostgreSQL twin of sqlite/0004).
ALTER TABLE responses ADD COLUMN source TEXT NOT NULL DEFAULT 'Form' CHECK (source IN ('Form','Import'));
CREATE UNIQUE INDEX ux_responses_version_respondent ON responses (questionnaire_version_id, respondent_user_id, organisation_id) WHERE source = 'Form';
