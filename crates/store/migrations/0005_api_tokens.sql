-- Personal API tokens for the API's writes: each scoped to one organisation
-- and one role, shown once when created. Only the SHA-256 of the token is
-- kept, so a copy of the table authenticates nobody.
CREATE TABLE api_tokens (
    id BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id);
