-- Cancellations filed by the individual, effective when the employing enterprise confirms.
CREATE TABLE cancel_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    specialties TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT,
    state TEXT NOT NULL,
    open_registration_id INTEGER UNIQUE,
    decided_reason TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX cancel_requests_enterprise ON cancel_requests(enterprise_id, state);
CREATE INDEX cancel_requests_person ON cancel_requests(person_id);
