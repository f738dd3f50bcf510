-- The body's arbetsordning on the debate (kansli_core::floor::FloorRules),
-- frozen into a meeting's setting when it begins. The defaults are the
-- common rules (two repliker of two minutes, genmäle two minutes, no set
-- length of an anförande, which in any case is advisory: speaking time
-- cannot be cut off).
ALTER TABLE bodies ADD COLUMN floor_replies_per_speech BIGINT NOT NULL DEFAULT 2;
ALTER TABLE bodies ADD COLUMN floor_reply_minutes BIGINT NOT NULL DEFAULT 2;
ALTER TABLE bodies ADD COLUMN floor_rejoinder_minutes BIGINT NOT NULL DEFAULT 2;
-- NULL when the arbetsordning sets no length for an anförande.
ALTER TABLE bodies ADD COLUMN floor_speech_minutes BIGINT;
-- 1 when substitutes who do not serve may speak: for a nämnd when
-- fullmäktige has decided it (KL 6 kap. 17 §), for fullmäktige by its
-- arbetsordning. Off unless the body has it.
ALTER TABLE bodies ADD COLUMN floor_substitutes_speak BIGINT NOT NULL DEFAULT 0;
