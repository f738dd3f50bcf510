-- Publication follows the law (kansli_core::publication).
-- A nämnd meets behind closed doors unless it has decided to meet in public
-- (KL 6 kap. 25 §); fullmäktige always meets in public (KL 5 kap. 38 §), so
-- the flag only matters for other bodies. 1 = decided to meet in public.
ALTER TABLE bodies ADD COLUMN meets_in_public BIGINT NOT NULL DEFAULT 0;
-- When the case officer marked a version of the officer's report final
-- (ISO date-time), NULL while it is a draft; a final report is public
-- (TF 2 kap. 10 §) unless secret.
ALTER TABLE officer_reports ADD COLUMN final_at TEXT;
