-- Enterprise renames: one job per rename, one item per person whose certificate was reissued
-- (written in the same transaction as that certificate, so a job can resume after a crash).
CREATE TABLE rename_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    old_name TEXT NOT NULL,
    new_name TEXT NOT NULL,
    total INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX rename_jobs_enterprise ON rename_jobs(enterprise_id, status);
CREATE TABLE rename_job_items (
    job_id INTEGER NOT NULL REFERENCES rename_jobs(id),
    registration_id INTEGER NOT NULL REFERENCES registrations(id),
    certificate_id INTEGER NOT NULL REFERENCES certificates(id),
    PRIMARY KEY (job_id, registration_id)
);
