-- Who may do what. A user may be linked to the person they are (a member
-- signs in as themselves); roles are granted per organisation, a
-- secretary's optionally per body.
ALTER TABLE users ADD COLUMN person_id BIGINT REFERENCES persons (id);

CREATE TABLE user_roles (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    body_id BIGINT REFERENCES bodies (id)
);
CREATE INDEX user_roles_user ON user_roles (user_id);

-- Signed-in browsers. Only a hash of the cookie's token is kept, so the
-- table does not hand out sessions if it leaks.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
