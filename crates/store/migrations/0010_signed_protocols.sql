-- Signed protocols. When the secretary sends a protocol for justering it is
-- rendered once (with its Intyg page and an empty signature field per
-- signatory); those bytes are a version, stored in `file_contents` and never
-- rendered again. Each signature appends to the bytes (an incremental
-- update) and is a row of `protocol_signatures`. Withdrawing a version voids
-- its signatures; they stay here, visibly void.
CREATE TABLE protocol_versions (
    id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    -- 1, 2, … per meeting.
    version BIGINT NOT NULL,
    -- SHA-256 of the PDF as sent (prepared, before any signature).
    sent_sha256 TEXT NOT NULL REFERENCES file_contents (sha256),
    -- SHA-256 of the protocol's content as sent (see
    -- kansli_documents::content_digest), to find a later change in the rows.
    content_sha256 TEXT NOT NULL,
    -- JSON: [{"person": 1, "name": "…", "role": "ordförande"}, …] in the
    -- order of the Intyg page.
    signatories TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    sent_by BIGINT NOT NULL REFERENCES users (id),
    withdrawn_at TEXT,
    withdrawn_by BIGINT REFERENCES users (id),
    withdrawn_reason TEXT,
    UNIQUE (meeting_id, version)
);
CREATE INDEX protocol_versions_meeting ON protocol_versions (meeting_id);

CREATE TABLE protocol_signatures (
    version_id BIGINT NOT NULL REFERENCES protocol_versions (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- The time in the signature's /M.
    signed_at TEXT NOT NULL,
    -- When the signer re-authenticated for this signature.
    authenticated_at TEXT NOT NULL,
    -- SHA-256 of the whole file after this signature.
    signed_sha256 TEXT NOT NULL REFERENCES file_contents (sha256),
    PRIMARY KEY (version_id, person_id)
);

-- Every PDF Kansli stored for a protocol, by its SHA-256, so that a file
-- handed to /verifiera is found: `sent` (a version as sent), `signed` (after
-- a signature), `public_copy` (the sealed copy without secret paragraphs),
-- `extract` (a certified protokollsutdrag of `paragraph`).
CREATE TABLE protocol_documents (
    sha256 TEXT PRIMARY KEY REFERENCES file_contents (sha256),
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    version_id BIGINT REFERENCES protocol_versions (id),
    kind TEXT NOT NULL,
    paragraph BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX protocol_documents_meeting ON protocol_documents (meeting_id);
