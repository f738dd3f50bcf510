-- Delegationsbeslut: decisions taken by delegation (KL 6 kap. 37–39 §§),
-- registered so that they are reported (anmälas) to the body that delegated
-- them (KL 6 kap. 40 §). reported_meeting_id is the meeting on whose agenda
-- they were placed as "Anmälan av delegationsbeslut"; NULL until then.
CREATE TABLE delegation_decisions (
    id BIGINT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    decided TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    subject TEXT NOT NULL,
    delegation_point TEXT,
    case_id BIGINT REFERENCES cases (id),
    reported_meeting_id BIGINT REFERENCES meetings (id),
    registered_at TEXT NOT NULL
);
CREATE INDEX delegation_decisions_body ON delegation_decisions (body_id, reported_meeting_id);
