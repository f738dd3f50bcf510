-- The diarium: a case's handläggare, ärendetyp, classification under the
-- organisation's own plan, status and closing; every handling numbered
-- within its case (RS231470-3) in the order it was registered.

-- The organisation's classification plan (KLASSA-style codes and titles).
CREATE TABLE classification_codes (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (organisation_id, code)
);

-- Handläggare: a person of the organisation (an official, or the person
-- a user is).
ALTER TABLE cases ADD COLUMN officer_id BIGINT REFERENCES persons (id);
ALTER TABLE cases ADD COLUMN case_type TEXT;
ALTER TABLE cases ADD COLUMN classification TEXT;
-- open, dormant (vilande) or closed (avslutat, with closed and closed_how:
-- decision, written_off or transferred).
ALTER TABLE cases ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE cases ADD COLUMN closed_how TEXT;
-- The last löpnummer given to a handling of the case: numbers are taken
-- from here in the registering transaction and never reused.
ALTER TABLE cases ADD COLUMN last_handling BIGINT NOT NULL DEFAULT 0;

ALTER TABLE documents ADD COLUMN sequence BIGINT;
-- Handlingar registered before: numbered in the order they were written.
UPDATE documents SET sequence = (
    SELECT COUNT(*) FROM documents d
    WHERE d.case_id = documents.case_id AND d.id <= documents.id
);
UPDATE cases SET last_handling = (
    SELECT COUNT(*) FROM documents d WHERE d.case_id = cases.id
);
UPDATE cases SET status = 'closed', closed_how = 'decision' WHERE closed IS NOT NULL;
CREATE UNIQUE INDEX documents_number ON documents (case_id, sequence);
-- The postlista reads the handlingar of one day.
CREATE INDEX documents_date ON documents (date);
CREATE INDEX cases_officer ON cases (officer_id);
