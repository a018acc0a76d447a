-- erjian schema, PostgreSQL dialect. Keep in step with ../sqlite/0001_init.sql.
CREATE TABLE persons (
    id BIGSERIAL PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    mobile TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE enterprises (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    credit_code TEXT NOT NULL UNIQUE,
    city_code TEXT NOT NULL,
    legal_rep TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL
);
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    person_id BIGINT REFERENCES persons(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    city_code TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE qualifications (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    profession TEXT NOT NULL,
    specialty_code TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    pass_year BIGINT NOT NULL,
    issue_date TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (id_number, profession, specialty_code)
);
CREATE TABLE serials (
    scope TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE batches (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    ends_on TEXT,
    announced_at TEXT
);
CREATE TABLE registrations (
    id BIGSERIAL PRIMARY KEY,
    registration_number TEXT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    profession TEXT NOT NULL,
    province_code TEXT NOT NULL,
    status TEXT NOT NULL,
    first_registered_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (person_id, profession)
);
CREATE TABLE registration_specialties (
    registration_id BIGINT NOT NULL REFERENCES registrations(id),
    specialty_code TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (registration_id, specialty_code)
);
CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    profession TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    city_code TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    open_person_id BIGINT UNIQUE,
    mobile TEXT NOT NULL,
    ce_compulsory BIGINT NOT NULL DEFAULT 0,
    ce_elective BIGINT NOT NULL DEFAULT 0,
    declaration BIGINT NOT NULL DEFAULT 0,
    photo BYTEA,
    photo_mime TEXT,
    last_reason TEXT,
    publicity_batch_id BIGINT REFERENCES batches(id),
    announcement_batch_id BIGINT REFERENCES batches(id),
    registration_id BIGINT REFERENCES registrations(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_state ON applications(state, city_code);
CREATE INDEX applications_enterprise ON applications(enterprise_id, state);
CREATE INDEX applications_person ON applications(person_id);
CREATE TABLE application_specialties (
    application_id BIGINT NOT NULL REFERENCES applications(id),
    specialty_code TEXT NOT NULL,
    PRIMARY KEY (application_id, specialty_code)
);
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    detail TEXT
);
CREATE INDEX audit_object ON audit_log(object_type, object_id);
