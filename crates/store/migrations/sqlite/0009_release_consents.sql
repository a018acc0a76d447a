-- Change of employer: the previous employer's consent to release the person (转出同意).
CREATE TABLE release_consents (
    application_id INTEGER PRIMARY KEY REFERENCES applications(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    state TEXT NOT NULL,
    reason TEXT,
    decided_at TEXT
);
CREATE INDEX release_consents_enterprise ON release_consents(enterprise_id, state);
