-- What the chain check at commit (migration 1733930000000, trigger audit_log_sealed_in_chain) costs
-- a seal batch of 1,000 rows: the sealer's UPDATE of the three seal columns, the head's move and the
-- deferred checks (fired here by SET CONSTRAINTS ALL IMMEDIATE), timed in one transaction that is
-- rolled back. Run against a migrated PostgreSQL database with no unsealed rows, alternating:
--   psql -q -v label=with    -v disable='SELECT 1;' -f bench/audit-seal-check.sql
--   psql -q -v label=without -v disable='ALTER TABLE audit_log DISABLE TRIGGER audit_log_sealed_in_chain;' -f bench/audit-seal-check.sql
-- (as the owner: the DISABLE is rolled back with the rest). Results: docs/benchmarks.md.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO audit_log (occurred_at, action, status) SELECT now(), 'POST /bench/seal', 201 FROM generate_series(1, 1000);
:disable
SELECT clock_timestamp() AS t0 \gset
WITH h AS (SELECT last_seq, last_hash FROM audit_log_head WHERE id = 1 FOR UPDATE),
     r AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_log WHERE seq IS NULL),
     v AS (SELECT r.id, h.last_seq + r.n AS seq,
                  CASE WHEN r.n = 1 THEN h.last_hash ELSE encode(sha256(convert_to('b' || (h.last_seq + r.n - 1), 'UTF8')), 'hex') END AS prev_hash,
                  encode(sha256(convert_to('b' || (h.last_seq + r.n), 'UTF8')), 'hex') AS hash
             FROM r, h)
UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash FROM v WHERE a.id = v.id;
UPDATE audit_log_head SET last_seq = last_seq + 1000, last_hash = encode(sha256(convert_to('b' || (last_seq + 1000), 'UTF8')), 'hex') WHERE id = 1;
SET CONSTRAINTS ALL IMMEDIATE;
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 AS ms \gset
\echo :label :ms
ROLLBACK;
