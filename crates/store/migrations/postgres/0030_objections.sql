-- Objections (异议) lodged by the public against an entry of a publicity batch, and the
-- province's finding. The contact's phone is personal data: sealed at rest.
CREATE TABLE objections (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    application_id BIGINT NOT NULL REFERENCES applications(id),
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    facts TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone BYTEA NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    finding TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX objections_application ON objections(application_id, state);
CREATE INDEX objections_open ON objections(state, id);
