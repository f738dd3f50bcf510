-- Failed sign-ins, for the administrators: one row per username as typed,
-- address, hour and reason, with how many there were and how many of them
-- were slowed down. Kept bounded: old rows are pruned (see `sign_in.rs`).
CREATE TABLE sign_in_attempts (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    hour TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    slowed BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    UNIQUE (username, address, hour, reason)
);
CREATE INDEX sign_in_attempts_hour ON sign_in_attempts (hour);

-- Browsers a user has signed in from ("known devices"): only the SHA-256
-- of the device cookie's token is kept. A sign-in from a known device is
-- not slowed down by the failures of others against the same account.
CREATE TABLE known_devices (
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices (user_id);
