-- Failed password checks counted per account AND address: five failures pause that address's
-- attempts on that account for 15 minutes. A stranger can no longer lock anyone's account (the
-- owner's address is not paused). Login and the signing-PIN reset's password check share it.
CREATE TABLE login_throttle (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (username, address)
);
