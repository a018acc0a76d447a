-- Attachments of an application (ID card sides, proofs), by kind.
CREATE TABLE application_attachments (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id),
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX application_attachments_application ON application_attachments(application_id);
