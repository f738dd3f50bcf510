//! The talarlista: who has asked for the floor, in which order the chair
//! gives it, and who speaks now.
//!
//! The floor is part of the running meeting ([`crate::proceedings`]): a
//! member asks for it ([`FloorKind`]: an anförande, a replik on the speech
//! just made, a genmäle by the one the replik was aimed at, or an
//! ordningsfråga), the chair gives it and the speech ends. What KL leaves to
//! the body, its arbetsordning settles ([`FloorRules`], read from the body):
//!
//! - The chair gives the floor in the order it was asked for (the
//!   arbetsordningar's «i den ordning de har anmält sig»); the chair may not
//!   pick another speaker, which is what members complain of when it
//!   happens («alla som begärde ordet [fick inte] detta i rätt turordning»,
//!   Falköping, sla.se 2016-04-08).
//! - Replik and genmäle break that order: a replik on an anförande comes
//!   right after it, and the one replied to answers each replik with a
//!   genmäle before the next replik; the arbetsordning limits how many
//!   repliker one anförande gets and how long a replik and a genmäle last
//!   (Region Jönköpings läns arbetsordning 11 §: two repliker of two
//!   minutes, genmäle two minutes; Region Uppsala's debate rules likewise).
//! - An ordningsfråga (a question of how the meeting is run, not of the
//!   matter) is not in KL; by practice it goes before everyone waiting, but
//!   never interrupts a speaker.
//! - Speaking time cannot be cut off: an arbetsordning may not cap it, and
//!   nobody may interrupt a speaker except one who leaves the matter (SKR's
//!   lawyer, via karlstadpartiet.se; see `shared/reference/live-meeting.md`
//!   §1). The minutes in [`FloorRules`] are therefore advisory: a screen may
//!   show a timer, the engine never ends a speech by itself.
//!
//! Who may speak is the engine's to say (see
//! [`crate::proceedings::Proceedings`]): members and serving substitutes
//! present, not one with jäv in the open item (KL 5 kap. 47 §, 6 kap. 30 §);
//! a substitute who does not serve only where the body has given
//! substitutes yttranderätt ([`FloorRules::substitutes_may_speak`]: for a
//! nämnd fullmäktige decides it, KL 6 kap. 17 §; for fullmäktige its
//! arbetsordning).

use crate::PersonId;
use serde::{Deserialize, Serialize};

/// What the floor is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorKind {
    /// An anförande, in the order asked for.
    Speech,
    /// A replik on the anförande just made (or being made).
    Reply,
    /// A genmäle: the one whose anförande got a replik answers it.
    Rejoinder,
    /// An ordningsfråga: about how the meeting is run; before everyone
    /// waiting.
    PointOfOrder,
}

impl FloorKind {
    pub const ALL: [FloorKind; 4] = [
        FloorKind::Speech,
        FloorKind::Reply,
        FloorKind::Rejoinder,
        FloorKind::PointOfOrder,
    ];

    /// The word a screen uses ("replik").
    pub fn label_sv(self) -> &'static str {
        match self {
            FloorKind::Speech => "anförande",
            FloorKind::Reply => "replik",
            FloorKind::Rejoinder => "genmäle",
            FloorKind::PointOfOrder => "ordningsfråga",
        }
    }

    /// The code used in forms and logs ("point_of_order").
    pub fn code(self) -> &'static str {
        match self {
            FloorKind::Speech => "speech",
            FloorKind::Reply => "reply",
            FloorKind::Rejoinder => "rejoinder",
            FloorKind::PointOfOrder => "point_of_order",
        }
    }

    pub fn from_code(code: &str) -> Option<FloorKind> {
        FloorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The body's arbetsordning on the debate. Missing fields (a setting frozen
/// before these existed) take the defaults, so old logs replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FloorRules {
    /// How many repliker one anförande may get (0: no replik).
    pub replies_per_speech: u32,
    /// Advisory length of a replik, minutes.
    pub reply_minutes: u32,
    /// Advisory length of a genmäle, minutes.
    pub rejoinder_minutes: u32,
    /// Advisory length of an anförande, minutes; `None` when the
    /// arbetsordning says nothing.
    pub speech_minutes: Option<u32>,
    /// Whether substitutes who do not serve may speak (yttranderätt): for a
    /// nämnd by fullmäktige's decision (KL 6 kap. 17 §), for fullmäktige by
    /// its arbetsordning. Off unless the body has it.
    pub substitutes_may_speak: bool,
}

impl Default for FloorRules {
    fn default() -> Self {
        FloorRules {
            replies_per_speech: 2,
            reply_minutes: 2,
            rejoinder_minutes: 2,
            speech_minutes: None,
            substitutes_may_speak: false,
        }
    }
}

impl FloorRules {
    /// The advisory time for a kind of speech, in minutes (none for an
    /// ordningsfråga, nor for an anförande unless the arbetsordning sets
    /// one).
    pub fn minutes(&self, kind: FloorKind) -> Option<u32> {
        match kind {
            FloorKind::Speech => self.speech_minutes,
            FloorKind::Reply => Some(self.reply_minutes),
            FloorKind::Rejoinder => Some(self.rejoinder_minutes),
            FloorKind::PointOfOrder => None,
        }
    }

    /// Refuses settings no arbetsordning could mean (a replik of no
    /// minutes, more than 20 repliker, an hour-long replik).
    pub fn check(&self) -> Result<(), crate::Refusal> {
        let at = "arbetsordningen";
        let minutes = |what: &str, m: u32| {
            if (1..=60).contains(&m) {
                Ok(())
            } else {
                Err(crate::Refusal::new(
                    at,
                    format!("{what} ska vara mellan 1 och 60 minuter"),
                ))
            }
        };
        if self.replies_per_speech > 20 {
            return Err(crate::Refusal::new(
                at,
                "högst 20 repliker per anförande kan anges",
            ));
        }
        minutes("replikens längd", self.reply_minutes)?;
        minutes("genmälets längd", self.rejoinder_minutes)?;
        if let Some(m) = self.speech_minutes {
            minutes("anförandets längd", m)?;
        }
        Ok(())
    }
}

/// The one who has the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speech {
    pub person: PersonId,
    pub kind: FloorKind,
    /// The index in the meeting's log (counted from 0) of the command that
    /// gave the floor: the store knows when it was written, so a screen can
    /// show the advisory timer.
    pub since: usize,
    /// Repliker given on the anförande this speech belongs to, this one
    /// included when it is a replik.
    pub replies_so_far: u32,
}

/// A request for the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub person: PersonId,
    pub kind: FloorKind,
}

/// The talarlista as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FloorSnapshot {
    pub speaking: Option<Speech>,
    /// The requests in the order the chair is to give the floor.
    pub queue: Vec<Request>,
    pub rules: FloorRules,
    /// Whose anförande a replik now answers (the last anförande of the
    /// debate), if any.
    pub reply_to: Option<PersonId>,
    /// Repliker given or asked for on that anförande.
    pub replies_taken: u32,
}

impl FloorSnapshot {
    /// The person's place on the list, 1 for the next to speak; their best
    /// place when they have asked for more than one kind.
    pub fn place_of(&self, person: PersonId) -> Option<usize> {
        self.queue
            .iter()
            .position(|r| r.person == person)
            .map(|i| i + 1)
    }

    /// The person's requests, in queue order.
    pub fn requests_of(&self, person: PersonId) -> Vec<FloorKind> {
        self.queue
            .iter()
            .filter(|r| r.person == person)
            .map(|r| r.kind)
            .collect()
    }
}

/// The anförande repliker answer, and where its exchange stands.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Anchor {
    person: PersonId,
    /// Repliker given on it so far.
    replies: u32,
    /// The last replik given has not had its genmäle yet.
    rejoinder_open: bool,
}

/// The talarlista inside the engine. Every rule that needs to know who is
/// present or entitled is checked by [`crate::proceedings`], which hands
/// the outcome in; this keeps the order and the replik exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Floor {
    /// In the order asked for.
    requests: Vec<Request>,
    speaking: Option<Speech>,
    anchor: Option<Anchor>,
}

/// Why a floor command was refused (the engine adds where).
pub(crate) type Reason = String;

impl Floor {
    pub(crate) fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.speaking.is_none() && self.anchor.is_none()
    }

    /// The requests in the order the floor is given: ordningsfrågor first,
    /// then the genmäle on the replik just made, then repliker on the
    /// anförande, then anföranden; each group in the order asked for.
    pub(crate) fn ordered(&self) -> Vec<Request> {
        let rank = |k: FloorKind| match k {
            FloorKind::PointOfOrder => 0,
            FloorKind::Rejoinder => 1,
            FloorKind::Reply => 2,
            FloorKind::Speech => 3,
        };
        let mut out = self.requests.clone();
        // Stable: the order asked for within each kind.
        out.sort_by_key(|r| rank(r.kind));
        out
    }

    pub(crate) fn snapshot(&self, rules: &crate::floor::FloorRules) -> FloorSnapshot {
        let queued_replies = self
            .requests
            .iter()
            .filter(|r| r.kind == FloorKind::Reply)
            .count() as u32;
        FloorSnapshot {
            speaking: self.speaking.clone(),
            queue: self.ordered(),
            rules: rules.clone(),
            reply_to: self.anchor.as_ref().map(|a| a.person),
            replies_taken: self
                .anchor
                .as_ref()
                .map_or(0, |a| a.replies + queued_replies),
        }
    }

    /// A request, once the engine has found the person entitled to speak
    /// and (for all but an ordningsfråga) the debate open.
    pub(crate) fn request(
        &mut self,
        person: PersonId,
        kind: FloorKind,
        rules: &FloorRules,
        name: &dyn Fn(PersonId) -> String,
    ) -> Result<(), Reason> {
        let who = name(person);
        if self
            .requests
            .iter()
            .any(|r| r.person == person && r.kind == kind)
        {
            return Err(match kind {
                FloorKind::Speech => format!("{who} står redan på talarlistan"),
                FloorKind::Reply => format!("{who} har redan begärt replik"),
                FloorKind::Rejoinder => format!("{who} har redan begärt genmäle"),
                FloorKind::PointOfOrder => {
                    format!("{who} har redan begärt ordet för en ordningsfråga")
                }
            });
        }
        match kind {
            FloorKind::Speech | FloorKind::PointOfOrder => {}
            FloorKind::Reply => {
                let Some(anchor) = &self.anchor else {
                    return Err("det finns inget anförande att begära replik på".into());
                };
                if anchor.person == person {
                    return Err(format!(
                        "{who} kan inte begära replik på sitt eget anförande"
                    ));
                }
                let limit = rules.replies_per_speech;
                if limit == 0 {
                    return Err("arbetsordningen medger inte replik".into());
                }
                let queued = self
                    .requests
                    .iter()
                    .filter(|r| r.kind == FloorKind::Reply)
                    .count() as u32;
                if anchor.replies + queued >= limit {
                    return Err(format!(
                        "repliklimiten är nådd: arbetsordningen medger {} på ett anförande, och anförandet av {} har redan fått eller väntar på {}",
                        count_sv(limit, "replik", "repliker"),
                        name(anchor.person),
                        anchor.replies + queued
                    ));
                }
            }
            FloorKind::Rejoinder => {
                let Some(anchor) = &self.anchor else {
                    return Err("det finns inget anförande att ge genmäle på".into());
                };
                if anchor.person != person {
                    return Err(format!(
                        "bara {}, vars anförande fick replik, kan begära genmäle",
                        name(anchor.person)
                    ));
                }
                if !anchor.rejoinder_open {
                    return Err(if anchor.replies == 0 {
                        format!("anförandet av {who} har inte fått någon replik att bemöta")
                    } else {
                        format!("{who} har redan fått genmäle på den senaste repliken")
                    });
                }
            }
        }
        self.requests.push(Request { person, kind });
        Ok(())
    }

    /// All the person's requests withdrawn.
    pub(crate) fn withdraw(&mut self, person: PersonId, who: &str) -> Result<(), Reason> {
        if !self.requests.iter().any(|r| r.person == person) {
            return Err(format!("{who} står inte på talarlistan"));
        }
        self.requests.retain(|r| r.person != person);
        Ok(())
    }

    /// The chair gives the floor to the first in order, who must be the
    /// person named. `index` is the command's place in the log.
    pub(crate) fn give(
        &mut self,
        person: PersonId,
        index: usize,
        name: &dyn Fn(PersonId) -> String,
    ) -> Result<(), Reason> {
        if let Some(s) = &self.speaking {
            return Err(format!(
                "{} har ordet; anförandet avslutas innan ordet går vidare (talartiden kan inte avbrytas)",
                name(s.person)
            ));
        }
        let ordered = self.ordered();
        let Some(first) = ordered.first() else {
            return Err("ingen har begärt ordet".into());
        };
        if !ordered.iter().any(|r| r.person == person) {
            return Err(format!("{} har inte begärt ordet", name(person)));
        }
        if first.person != person {
            return Err(format!(
                "{} står först på talarlistan ({}); ordet ges i tur och ordning",
                name(first.person),
                first.kind.label_sv()
            ));
        }
        let kind = first.kind;
        let at = self
            .requests
            .iter()
            .position(|r| r.person == person && r.kind == kind)
            .expect("in the ordered list");
        self.requests.remove(at);
        let replies_so_far = match kind {
            FloorKind::Speech => {
                self.anchor = Some(Anchor {
                    person,
                    replies: 0,
                    rejoinder_open: false,
                });
                0
            }
            FloorKind::Reply => {
                let a = self.anchor.as_mut().expect("a replik needs an anförande");
                a.replies += 1;
                a.rejoinder_open = true;
                a.replies
            }
            FloorKind::Rejoinder => {
                let a = self.anchor.as_mut().expect("a genmäle needs a replik");
                a.rejoinder_open = false;
                a.replies
            }
            FloorKind::PointOfOrder => self.anchor.as_ref().map_or(0, |a| a.replies),
        };
        self.speaking = Some(Speech {
            person,
            kind,
            since: index,
            replies_so_far,
        });
        Ok(())
    }

    pub(crate) fn end(&mut self) -> Result<(), Reason> {
        if self.speaking.take().is_none() {
            return Err("ingen har ordet".into());
        }
        Ok(())
    }

    /// Everything forgotten: the item is finished or the meeting closed.
    pub(crate) fn clear(&mut self) {
        *self = Floor::default();
    }

    /// Keeps what still stands after a command: requests of those still
    /// entitled to speak (anföranden, repliker and genmälen only while the
    /// debate is open), and the speaker only while present and entitled.
    pub(crate) fn settle(&mut self, entitled: &dyn Fn(PersonId) -> bool, debate_open: bool) {
        self.requests
            .retain(|r| entitled(r.person) && (debate_open || r.kind == FloorKind::PointOfOrder));
        if !debate_open {
            self.anchor = None;
        }
        if let Some(s) = &self.speaking
            && !entitled(s.person)
        {
            self.speaking = None;
        }
    }
}

/// "2 repliker", "1 replik".
fn count_sv(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
