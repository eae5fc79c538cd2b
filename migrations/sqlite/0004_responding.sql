-- why: one response per respondent per questionnaire version, enforced by the database: two devices making their first autosave at the same moment must not create two responses.
CREATE UNIQUE INDEX ux_responses_version_respondent ON responses (questionnaire_version_id, respondent_user_id);
