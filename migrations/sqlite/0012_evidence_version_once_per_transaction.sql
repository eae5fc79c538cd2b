-- why: the PostgreSQL twin bumps evidence_data_version once per transaction instead of once per changed row; SQLite's triggers update the one row in the single writer's own transaction (a page already written), so they stay as they are.
SELECT 1;
