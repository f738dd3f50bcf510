-- The live meeting (#20): members' own ballots, check-ins and written
-- yrkanden, and a change number per meeting for the screens that follow it.

-- The last change of a meeting that a live screen shows: bumped by every
-- transaction that records a command, a ballot, a check-in or a written
-- yrkande for it (the SSE event id). The row is also the lock that puts the
-- meeting's writers in line on PostgreSQL.
CREATE TABLE meeting_live (
    meeting_id BIGINT PRIMARY KEY REFERENCES meetings (id),
    live_seq BIGINT NOT NULL
);

-- A member's ballot as given on their own device, one per member and
-- votering: vote_seq is the seq of the event that opened the votering
-- (ApproveVotingOrder). A changed vote updates the row (the engine's
-- CorrectVote); event_seq is the event that recorded the choice kept.
-- The engine's log stays the truth; this row holds the receipt.
CREATE TABLE live_ballots (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    vote_seq BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    choice TEXT NOT NULL,
    once_key TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, vote_seq, person_id),
    UNIQUE (meeting_id, once_key)
);

-- Every key a ballot form was sent with and the receipt it was answered
-- with: the same key again gets the same receipt, after a change of vote too.
CREATE TABLE ballot_receipts (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    once_key TEXT NOT NULL,
    vote_seq BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    choice TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, once_key)
);

-- A member checked in on their device; the secretary confirms the
-- attendance through the engine (Arrive).
CREATE TABLE meeting_check_ins (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    checked_in_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- A yrkande handed in in writing, on the item (agenda position of the
-- setting) open when it was handed in. status: pending, accepted (the
-- engine's Move at event_seq), declined.
CREATE TABLE written_proposals (
    id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    item BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    status TEXT NOT NULL,
    event_seq BIGINT,
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX written_proposals_meeting ON written_proposals (meeting_id);

-- Audit records of writes that change no public output (a ballot while
-- the votering is open): the caches' version does not follow them.
ALTER TABLE audit_log ADD COLUMN quiet BIGINT NOT NULL DEFAULT 0;
CREATE INDEX audit_log_public ON audit_log (quiet, id);
