-- One-time keys of forms and API requests (Idempotency-Key): the first
-- request with a key reserves it ('pending'), its answer is kept when it is
-- done ('done'), and a second request with the same key is answered with
-- the kept answer instead of doing the work again. Not domain data: kept a
-- day, then pruned.
CREATE TABLE idempotency_keys (
    actor TEXT NOT NULL,
    once_key TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request.
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    status BIGINT,
    location TEXT,
    -- JSON array of the Set-Cookie values that carry the outcome.
    set_cookie TEXT,
    content_type TEXT,
    body TEXT,
    PRIMARY KEY (actor, once_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
