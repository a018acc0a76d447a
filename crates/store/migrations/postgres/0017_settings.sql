-- Deployment settings the administrator changes from the admin page (the province profile as
-- edited), read at start.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT
);
