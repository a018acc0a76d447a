-- The bitstring status list (after the W3C Bitstring Status List): every certificate has a fixed
-- index, given at issuance and signed into its QR statement; its two status bits live in chunks
-- of 8192 certificates (2 KB), changed in the transaction that changes the status, so the list
-- is never rebuilt from all rows. Certificates issued before keep their row id as their index;
-- the chunks are filled once by the first start after this migration (Store::ensure_status_bits).
ALTER TABLE certificates ADD COLUMN status_index BIGINT;
UPDATE certificates SET status_index = id;
CREATE UNIQUE INDEX certificates_status_index ON certificates (status_index);
INSERT INTO serials (scope, value) SELECT 'status-index', COALESCE(MAX(id), 0) FROM certificates WHERE true
    ON CONFLICT (scope) DO UPDATE SET value = excluded.value;
CREATE TABLE status_chunks (
    chunk BIGINT PRIMARY KEY,
    bits BLOB NOT NULL
);
