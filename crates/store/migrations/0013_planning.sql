-- Planning a meeting before it is held (issue #18).
-- The föredragande of an agenda item: the person who presents it, named in
-- the kallelse and the protocol's ärendelista.
ALTER TABLE agenda_items ADD COLUMN presenter_id BIGINT REFERENCES persons (id);

-- What was changed in a meeting's planning, in order: the kallelse issued,
-- the meeting moved or cancelled, items added, edited, moved or removed.
-- A change after the kallelse (after_notice = 1) goes out as a
-- tilläggskallelse, which lists it. An item is named by its title and
-- secrecy ground as they were (the view applies secrecy to both); its
-- position is the item's number after the change (before it, for a
-- removal). previous holds what the change replaced (the title, or the
-- date, time and place), detail what else is said about it.
CREATE TABLE meeting_changes (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position BIGINT NOT NULL,
    made_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    after_notice BIGINT NOT NULL,
    item_position BIGINT,
    item_title TEXT,
    item_secrecy_ground TEXT,
    previous TEXT,
    detail TEXT,
    reason TEXT,
    PRIMARY KEY (meeting_id, position)
);
