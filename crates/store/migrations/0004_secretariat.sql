-- The secretariat's work: files attached to documents, the prose a
-- secretary edits in a paragraph, and the approvals (justering) of a
-- protocol, one per signatory.

-- File contents, kept once per SHA-256 (base64 text: one column type for
-- SQLite and PostgreSQL).
CREATE TABLE file_contents (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content TEXT NOT NULL
);

CREATE TABLE attachments (
    id BIGINT PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES file_contents (sha256),
    size BIGINT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX attachments_document ON attachments (document_id);

-- A section of a paragraph's prose as the secretary wrote it ("matter",
-- "proposition:0", "vote:0", "reservation:0"); it replaces the generated
-- text whenever the paragraph is written again.
CREATE TABLE prose_edits (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    number BIGINT NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (meeting_id, number, section)
);

-- Justering: each signatory (the chair and the appointed approvers)
-- confirms, signed in as themselves.
CREATE TABLE approvals (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    confirmed_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
