//! #20 L1: the body's arbetsordning on the debate
//! ([`kansli_core::floor::FloorRules`], migration 0017), read into a
//! meeting's setting by `Tx::setting_for` when the meeting begins; a change
//! applies from the next meeting, never to one already running.

use crate::{Store, StoreError, Tx};
use kansli_core::BodyId;
use kansli_core::floor::FloorRules;
use serde_json::json;

/// The body's rules of debate, in a connection or transaction.
pub(crate) async fn floor_rules_in(
    conn: &mut sqlx::AnyConnection,
    body: BodyId,
) -> Result<FloorRules, StoreError> {
    let row: Option<(i64, i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT floor_replies_per_speech, floor_reply_minutes, floor_rejoinder_minutes, \
         floor_speech_minutes, floor_substitutes_speak FROM bodies WHERE id = $1",
    )
    .bind(body.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((replies, reply, rejoinder, speech, substitutes)) = row else {
        return Err(StoreError::NotFound {
            what: "organet",
            id: body.to_string(),
        });
    };
    let n = |v: i64| {
        u32::try_from(v)
            .map_err(|_| StoreError::Corrupt(format!("organ {body}: {v} är inte ett antal")))
    };
    Ok(FloorRules {
        replies_per_speech: n(replies)?,
        reply_minutes: n(reply)?,
        rejoinder_minutes: n(rejoinder)?,
        speech_minutes: speech.map(n).transpose()?,
        substitutes_may_speak: substitutes != 0,
    })
}

impl Store {
    /// When the meeting's command at `index` in its log (counted from 0,
    /// as `kansli_core::floor::Speech::since`) was written: the start of
    /// a speech for the advisory timer. ISO timestamp.
    pub async fn meeting_event_at(
        &self,
        meeting: kansli_core::MeetingId,
        index: usize,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT at FROM meeting_events WHERE meeting_id = $1 AND seq = $2")
                .bind(meeting.0)
                .bind(index as i64 + 1)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The body's rules of debate as they stand now.
    pub async fn floor_rules(&self, body: BodyId) -> Result<FloorRules, StoreError> {
        let mut conn = self.pool().acquire().await?;
        floor_rules_in(&mut conn, body).await
    }
}

impl Tx {
    /// Records the body's rules of debate from its arbetsordning (or, for
    /// the substitutes' yttranderätt in a nämnd, fullmäktige's decision,
    /// KL 6 kap. 17 §). Refused when no arbetsordning could mean them.
    pub async fn set_floor_rules(
        &mut self,
        body: BodyId,
        rules: &FloorRules,
    ) -> Result<(), StoreError> {
        rules.check()?;
        let done = sqlx::query(
            "UPDATE bodies SET floor_replies_per_speech = $2, floor_reply_minutes = $3, \
             floor_rejoinder_minutes = $4, floor_speech_minutes = $5, floor_substitutes_speak = $6 \
             WHERE id = $1",
        )
        .bind(body.0)
        .bind(i64::from(rules.replies_per_speech))
        .bind(i64::from(rules.reply_minutes))
        .bind(i64::from(rules.rejoinder_minutes))
        .bind(rules.speech_minutes.map(i64::from))
        .bind(i64::from(rules.substitutes_may_speak))
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "organet",
                id: body.to_string(),
            });
        }
        self.audit("set_floor_rules", "body", Some(body.0), json!(rules))
            .await
    }
}
