-- 证件类型 of a person (the number's format depends on it), and what an enterprise states at
-- sign-up: its contact person and verified mobile, address and phone, and its 营业执照 scan.
ALTER TABLE persons ADD COLUMN id_type TEXT NOT NULL DEFAULT 'resident';
ALTER TABLE enterprises ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN contact_mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN qualification TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN licence_scan BLOB;
ALTER TABLE enterprises ADD COLUMN licence_scan_mime TEXT;

-- Real-name (ID and face) checks of a person, by which provider; a filing under a rule of
-- "before every filing" uses one up.
CREATE TABLE real_name_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    provider TEXT NOT NULL,
    demo BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    detail TEXT NOT NULL,
    used_at TEXT,
    checked_at TEXT NOT NULL
);
CREATE INDEX real_name_checks_person ON real_name_checks(person_id, checked_at);

-- A second factor (TOTP, RFC 6238) for authority and administrator accounts: the secret (base32),
-- when it was confirmed, and the last time step used (a code works once). A session opened by
-- the password alone waits for the second factor and is good for nothing else.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN second_factor_pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN factor_tries BIGINT NOT NULL DEFAULT 0;

-- Reviewers' look-ups: a person by name; queues newest first, per city and state.
CREATE INDEX persons_name ON persons(name);
CREATE INDEX applications_queue ON applications(city_code, state, updated_at, id);
CREATE INDEX applications_recent ON applications(updated_at, id);
