-- The audit log as a hash chain (tamper evidence, 等保三级): each row carries its sequence
-- number and SM3(previous hash ‖ seq ‖ row); the head row holds the last sequence and hash and is
-- locked by every writer, so rows are chained in one order across processes. Rows written
-- before this migration are chained at the next start (crate::audit_chain).
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
-- Checkpoints: the head (sequence and hash) signed with the deployment's audit key, so that a
-- chain rewritten from some row onwards no longer matches a signed checkpoint.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    signature TEXT NOT NULL
);
