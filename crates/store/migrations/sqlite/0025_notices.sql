-- The authority's written decisions (文书): one row a notice, numbered when the decision is taken
-- (in its transaction); the sealed OFD is made once, by the first who needs it, and kept
-- (sealed at rest like every file naming a person).
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    grounds TEXT NOT NULL DEFAULT '',
    -- The reviewer who decided (经办), named on the notice.
    handler TEXT NOT NULL,
    registration_number TEXT,
    ofd BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX notices_application ON notices(application_id, id);
