-- The meeting as it runs: the setting frozen when the first command arrives
-- (roster, agenda, first paragraph number) and every accepted command in
-- order. Replaying them gives the meeting; each command is one transaction.
CREATE TABLE meeting_sessions (
    meeting_id BIGINT PRIMARY KEY REFERENCES meetings (id),
    setting TEXT NOT NULL
);

CREATE TABLE meeting_events (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);

-- A person may be listed once per capacity (a substitute who serves for some
-- paragraphs and only attends others), so attendance is keyed by position.
CREATE TABLE attendance_by_position (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position BIGINT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    capacity TEXT NOT NULL,
    replacing_id BIGINT REFERENCES persons (id),
    title TEXT,
    paragraphs TEXT NOT NULL,
    PRIMARY KEY (meeting_id, position)
);
INSERT INTO attendance_by_position
    SELECT meeting_id, position, person_id, capacity, replacing_id, title, paragraphs FROM attendance;
DROP TABLE attendance;
ALTER TABLE attendance_by_position RENAME TO attendance;
CREATE INDEX attendance_person ON attendance (person_id);
