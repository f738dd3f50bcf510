-- One schema for SQLite and PostgreSQL: only BIGINT and TEXT columns, dates as
-- ISO-8601 TEXT, ids allocated by the application from `counters`.
-- Nested parts of a paragraph are stored as JSON TEXT (the core type's serde
-- form); what is queried across meetings (ballots, who moved or reserved) is
-- also written to index tables in the same transaction.

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE parties (
    abbreviation TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE organisations (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    case_number_format TEXT NOT NULL
);

CREATE TABLE persons (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    party TEXT REFERENCES parties (abbreviation)
);

CREATE TABLE bodies (
    id BIGINT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES bodies (id),
    seats BIGINT NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE terms (
    id BIGINT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    UNIQUE (organisation_id, starts)
);

CREATE TABLE memberships (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    term_id BIGINT NOT NULL REFERENCES terms (id),
    role TEXT NOT NULL,
    substitute_order BIGINT,
    party_group TEXT,
    UNIQUE (person_id, body_id, term_id)
);

CREATE TABLE case_series (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    year BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, year)
);

CREATE TABLE cases (
    id BIGINT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    number TEXT NOT NULL,
    year BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    title TEXT NOT NULL,
    registered TEXT NOT NULL,
    closed TEXT,
    UNIQUE (organisation_id, number)
);

CREATE TABLE documents (
    id BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    counterpart TEXT,
    secrecy_ground TEXT
);
CREATE INDEX documents_case ON documents (case_id);

CREATE TABLE motions (
    id BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    title TEXT NOT NULL,
    filed TEXT NOT NULL,
    filed_in_id BIGINT NOT NULL REFERENCES bodies (id),
    referred_to_id BIGINT REFERENCES bodies (id)
);

CREATE TABLE motion_movers (
    motion_id BIGINT NOT NULL REFERENCES motions (id),
    position BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (motion_id, person_id)
);

CREATE TABLE officer_reports (
    id BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    date TEXT NOT NULL,
    content TEXT NOT NULL
);

CREATE TABLE meetings (
    id BIGINT PRIMARY KEY,
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    date TEXT NOT NULL,
    starts TEXT,
    ends TEXT,
    place TEXT NOT NULL,
    status TEXT NOT NULL,
    approved TEXT,
    notice_posted TEXT,
    notice_taken_down TEXT,
    kept_at TEXT,
    secretary_id BIGINT REFERENCES persons (id),
    chair_id BIGINT REFERENCES persons (id),
    approval_place TEXT,
    attendance_complete BIGINT NOT NULL,
    source_note TEXT
);
CREATE INDEX meetings_body_date ON meetings (body_id, date);

CREATE TABLE meeting_approvers (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE attendance (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    capacity TEXT NOT NULL,
    replacing_id BIGINT REFERENCES persons (id),
    title TEXT,
    paragraphs TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE agenda_items (
    id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    case_id BIGINT REFERENCES cases (id),
    kind TEXT NOT NULL,
    secrecy_ground TEXT,
    basis TEXT NOT NULL,
    UNIQUE (meeting_id, position)
);
CREATE INDEX agenda_items_case ON agenda_items (case_id);

CREATE TABLE paragraphs (
    id BIGINT PRIMARY KEY,
    agenda_item_id BIGINT NOT NULL UNIQUE REFERENCES agenda_items (id),
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    secrecy_ground TEXT,
    content TEXT NOT NULL,
    UNIQUE (body_id, year, number)
);

-- Index of who did what in a paragraph: role is mover, reserver, note,
-- disqualified.
CREATE TABLE paragraph_actors (
    paragraph_id BIGINT NOT NULL REFERENCES paragraphs (id),
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    person_id BIGINT REFERENCES persons (id),
    party TEXT
);
CREATE INDEX paragraph_actors_person ON paragraph_actors (person_id);

CREATE TABLE ballots (
    paragraph_id BIGINT NOT NULL REFERENCES paragraphs (id),
    vote_position BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    choice TEXT NOT NULL,
    PRIMARY KEY (paragraph_id, vote_position, person_id)
);
CREATE INDEX ballots_person ON ballots (person_id);
