-- Deployment keys (private keys sealed with SM4-GCM under the master key) and issued certificates.
CREATE TABLE deployment_keys (
    purpose TEXT PRIMARY KEY,
    root_cert BLOB NOT NULL,
    root_secret_sealed BLOB NOT NULL,
    seal_cert BLOB NOT NULL,
    seal_secret_sealed BLOB NOT NULL,
    seal BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    application_id INTEGER REFERENCES applications(id),
    licence_id TEXT NOT NULL UNIQUE,
    certificate_no TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    superseded_by INTEGER REFERENCES certificates(id),
    issued_at TEXT NOT NULL,
    face_json TEXT NOT NULL,
    ofd BLOB NOT NULL,
    claimed_at TEXT,
    UNIQUE (registration_id, version)
);
CREATE INDEX certificates_registration ON certificates(registration_id, status);
