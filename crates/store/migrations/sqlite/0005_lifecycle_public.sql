-- Registration history (注册轨迹), public-query captchas, service keys for signed statements,
-- application details (renewal hours), and which application's photo a certificate shows.
CREATE TABLE registration_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    on_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    specialties TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    detail TEXT,
    certificate_id INTEGER REFERENCES certificates(id),
    created_at TEXT NOT NULL
);
CREATE INDEX registration_events_registration ON registration_events(registration_id, id);
CREATE TABLE captchas (
    token TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX captchas_expiry ON captchas(expires_at);
CREATE TABLE service_keys (
    purpose TEXT PRIMARY KEY,
    cert BLOB NOT NULL,
    secret_sealed BLOB NOT NULL,
    created_at TEXT NOT NULL
);
ALTER TABLE applications ADD COLUMN detail TEXT;
ALTER TABLE certificates ADD COLUMN photo_application_id INTEGER REFERENCES applications(id);
CREATE INDEX registrations_enterprise ON registrations(enterprise_id);
CREATE INDEX certificates_superseded ON certificates(superseded_by);
