-- Deployment keys (private keys sealed with SM4-GCM under the master key) and issued certificates.
CREATE TABLE deployment_keys (
    purpose TEXT PRIMARY KEY,
    root_cert BYTEA NOT NULL,
    root_secret_sealed BYTEA NOT NULL,
    seal_cert BYTEA NOT NULL,
    seal_secret_sealed BYTEA NOT NULL,
    seal BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE certificates (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations(id),
    application_id BIGINT REFERENCES applications(id),
    licence_id TEXT NOT NULL UNIQUE,
    certificate_no TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    superseded_by BIGINT REFERENCES certificates(id),
    issued_at TEXT NOT NULL,
    face_json TEXT NOT NULL,
    ofd BYTEA NOT NULL,
    claimed_at TEXT,
    UNIQUE (registration_id, version)
);
CREATE INDEX certificates_registration ON certificates(registration_id, status);
