-- why: a form submission's idempotency key belongs to the revision it made. Kept on the response, every submission changed an indexed column of a row that is rewritten all the time (PostgreSQL then adds an entry to each of the response's indexes for every submission — no heap-only update — and its index scans wade through the dead ones). The key moves to response_revisions (unique there); imported responses keep theirs on the response (ImportApi), which form submissions no longer change.
ALTER TABLE response_revisions ADD COLUMN idempotency_key TEXT;
UPDATE response_revisions
   SET idempotency_key = (SELECT r.idempotency_key FROM responses r WHERE r.id = response_revisions.response_id)
 WHERE response_id IN (SELECT id FROM responses WHERE source = 'Form' AND idempotency_key IS NOT NULL)
   AND revision_no = (SELECT MAX(x.revision_no) FROM response_revisions x WHERE x.response_id = response_revisions.response_id);
UPDATE responses SET idempotency_key = NULL WHERE source = 'Form' AND idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX ux_response_revisions_idempotency_key ON response_revisions (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- A response is rewritten at every autosave and submission: room on its page for the new version keeps the update heap-only (no new index entries).
ALTER TABLE responses SET (fillfactor = 50);
