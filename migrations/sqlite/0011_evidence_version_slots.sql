-- why: the PostgreSQL twin spreads evidence_data_version over sixteen rows so that parallel group writers do not queue on one row's lock; SQLite has one writer at a time, so its one row stays, and the data version (the sum of the rows) is the same query on both.
SELECT 1;
