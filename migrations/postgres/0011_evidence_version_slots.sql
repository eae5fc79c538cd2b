-- why: on PostgreSQL several group writers commit at once (ResponseWriter), and every submission bumped the one evidence_data_version row, so each writer waited for the others' commits on that row's lock. The counter is spread over sixteen rows, each backend bumping its own; the data version is their sum, which still grows with every change.
ALTER TABLE evidence_data_version DROP CONSTRAINT evidence_data_version_id_check;
ALTER TABLE evidence_data_version ADD CONSTRAINT evidence_data_version_slot CHECK (id BETWEEN 1 AND 16);
INSERT INTO evidence_data_version (id, version) SELECT s, 0 FROM generate_series(2, 16) AS s;

CREATE OR REPLACE FUNCTION bump_evidence_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE evidence_data_version SET version = version + 1 WHERE id = 1 + pg_backend_pid() % 16;
    RETURN NULL;
END;
$$;
