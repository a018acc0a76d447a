-- Personal and enterprise signing keys (private keys sealed under a key derived from the PIN),
-- signature/seal images, and the generated application form.
CREATE TABLE signing_keys (
    id BIGSERIAL PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    cert BYTEA NOT NULL,
    seal BYTEA NOT NULL,
    secret_sealed BYTEA NOT NULL,
    pin_salt BYTEA NOT NULL,
    failed_pins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX signing_keys_active ON signing_keys(owner_type, owner_id) WHERE status = 'active';
ALTER TABLE persons ADD COLUMN signature_image BYTEA;
ALTER TABLE enterprises ADD COLUMN seal_image BYTEA;
ALTER TABLE applications ADD COLUMN form_ofd BYTEA;
