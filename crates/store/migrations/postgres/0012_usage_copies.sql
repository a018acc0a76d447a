-- Time-limited usage copies (使用件, Shanghai): a sealed copy of a certificate for one stated
-- purpose, verifiable by its own token until its last day.
CREATE TABLE usage_copies (
    id BIGSERIAL PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    certificate_id BIGINT NOT NULL REFERENCES certificates(id),
    purpose TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    ofd BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX usage_copies_certificate ON usage_copies(certificate_id);
