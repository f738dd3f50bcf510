-- Meetings read from an existing protocol (`kansli import`): the source
-- file, kept once per SHA-256 in file_contents, what the reader could not
-- read (its warnings, with line numbers), and what the import noted.
-- A file is imported once: its SHA-256 is the key, so a bulk run that is
-- repeated or resumed skips it.
CREATE TABLE meeting_imports (
    sha256 TEXT PRIMARY KEY REFERENCES file_contents (sha256),
    meeting_id BIGINT NOT NULL UNIQUE REFERENCES meetings (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    -- JSON: [{"line": 12, "message": "..."}]
    warnings TEXT NOT NULL,
    -- JSON: ["ny organisation: ...", ...]
    notes TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    -- When a secretary marked the warnings as reviewed; NULL: not yet.
    reviewed_at TEXT
);
