-- SMS one-time codes: only a keyed hash of the code is kept; 5 minutes, 5 tries, used once.
-- Sending is limited per number and per address by counting rows here.
CREATE TABLE one_time_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose TEXT NOT NULL,
    target TEXT NOT NULL,
    address TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    tries BIGINT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX one_time_codes_target ON one_time_codes(purpose, target, created_at);
CREATE INDEX one_time_codes_address ON one_time_codes(address, created_at);
