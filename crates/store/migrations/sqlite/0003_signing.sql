-- Personal and enterprise signing keys (private keys sealed under a key derived from the PIN),
-- signature/seal images, and the generated application form.
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_type TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    cert BLOB NOT NULL,
    seal BLOB NOT NULL,
    secret_sealed BLOB NOT NULL,
    pin_salt BLOB NOT NULL,
    failed_pins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX signing_keys_active ON signing_keys(owner_type, owner_id) WHERE status = 'active';
ALTER TABLE persons ADD COLUMN signature_image BLOB;
ALTER TABLE enterprises ADD COLUMN seal_image BLOB;
ALTER TABLE applications ADD COLUMN form_ofd BLOB;
