-- Members between meetings: förhinder, the substitutes called in for them,
-- e-mail addresses and what each user wants to be told, and the outbox of
-- e-mail (written with the change it tells of, sent after the commit).

-- A user's e-mail address; NULL: no e-mail is sent to them.
ALTER TABLE users ADD COLUMN email TEXT;

-- What a user wants by e-mail, one row per kind they have chosen
-- (kallelse, justering, forhinder, inkallad); no row: wanted.
CREATE TABLE notification_choices (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    wanted BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Förhinder: a member or substitute cannot attend a meeting, or one item of
-- it (jäv). The item is the agenda item's id when reported, and its title,
-- since an agenda replaced before the meeting gives its items new ids.
CREATE TABLE absences (
    id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    agenda_item_id BIGINT,
    item_title TEXT,
    reason TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    reported_by BIGINT NOT NULL REFERENCES users (id),
    withdrawn_at TEXT
);
CREATE INDEX absences_meeting ON absences (meeting_id);

-- A substitute called in for an absence (kallad att tjänstgöra).
CREATE TABLE substitute_calls (
    id BIGINT PRIMARY KEY,
    absence_id BIGINT NOT NULL REFERENCES absences (id),
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    substitute_id BIGINT NOT NULL REFERENCES persons (id),
    replacing_id BIGINT NOT NULL REFERENCES persons (id),
    called_at TEXT NOT NULL,
    called_by BIGINT NOT NULL REFERENCES users (id),
    cancelled_at TEXT
);
CREATE INDEX substitute_calls_meeting ON substitute_calls (meeting_id);

-- E-mail to send. `message_key` names what the message tells and to whom
-- ("kallelse:12:user:3"), so a notification is queued once. state:
-- pending, sending (claimed by a sender), sent, failed (retried).
CREATE TABLE mail_outbox (
    id BIGINT PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    meeting_id BIGINT REFERENCES meetings (id),
    user_id BIGINT REFERENCES users (id),
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_attempt_at TEXT,
    sent_at TEXT,
    error TEXT
);
CREATE INDEX mail_outbox_state ON mail_outbox (state);
CREATE INDEX mail_outbox_meeting ON mail_outbox (meeting_id);
