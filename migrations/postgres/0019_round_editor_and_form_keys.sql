-- why: two coordinators editing one round overwrote each other silently; the edit page now saves only over the version it was rendered from (rounds.updated_at) and names who saved meanwhile (updated_by). Pressing Create or Freeze evidence again on a page reached with Back made a second round or snapshot: each rendered form carries a random key stored with what it created (unique), so a second post of the same form goes to the first one's result.
ALTER TABLE rounds ADD COLUMN updated_by BIGINT REFERENCES users (id);
ALTER TABLE rounds ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX ux_rounds_form_key ON rounds (form_key);
ALTER TABLE evidence_snapshots ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX ux_evidence_snapshots_form_key ON evidence_snapshots (form_key);
