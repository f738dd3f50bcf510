//! Checks of a whole [`MeetingRecord`], for records that arrive complete (the
//! demo, an import, a stored meeting being re-checked). Each refusal says where
//! ("§14, omröstning 1") and what, in Swedish.

use crate::meeting::{Actor, Capacity, MeetingRecord, Paragraph};
use crate::org::Body;
use crate::rules::has_quorum;
use crate::{PersonId, Refusal};
use std::collections::HashSet;

/// Checks the record against the body it belongs to. Returns every refusal
/// found, not only the first, so that an import can show them all at once.
pub fn check_meeting_record(record: &MeetingRecord, body: &Body) -> Result<(), Vec<Refusal>> {
    let mut out = Vec::new();
    let m = &record.meeting;
    if m.body != body.id {
        out.push(Refusal::new(
            "sammanträdet",
            "sammanträdet hör till ett annat organ",
        ));
    }
    if let Err(r) = m.status.check_dates(m.date) {
        out.push(r);
    }
    if let (Some(a), Some(b)) = (m.starts, m.ends)
        && b <= a
    {
        out.push(Refusal::new(
            "sammanträdet",
            "sluttiden ligger före starttiden",
        ));
    }

    let mut people = HashSet::new();
    for (i, a) in record.attendance.iter().enumerate() {
        people.insert(a.person);
        // A person may be listed once per capacity (a substitute who serves
        // for some paragraphs and only attends others), never twice for the
        // same paragraph.
        let overlaps = record.attendance[..i].iter().any(|b| {
            b.person == a.person
                && (a.paragraphs.is_empty()
                    || b.paragraphs.is_empty()
                    || a.paragraphs
                        .iter()
                        .any(|&(x, y)| b.paragraphs.iter().any(|&(u, v)| x <= v && u <= y)))
        });
        if overlaps {
            out.push(Refusal::new(
                "närvaro",
                format!(
                    "person {} står två gånger i närvarolistan för samma paragraf",
                    a.person
                ),
            ));
        }
        if a.paragraphs.iter().any(|&(x, y)| x == 0 || y < x) {
            out.push(Refusal::new(
                "närvaro",
                format!("person {}: ogiltigt paragrafintervall", a.person),
            ));
        }
        if let Capacity::ServingSubstitute { replacing } = a.capacity
            && replacing == a.person
        {
            out.push(Refusal::new(
                "närvaro",
                "en ersättare kan inte ersätta sig själv",
            ));
        }
    }
    if let Some(chair) = m.chair
        && !people.contains(&chair)
    {
        out.push(Refusal::new(
            "sammanträdet",
            "ordföranden finns inte i närvarolistan",
        ));
    }
    for approver in &m.approvers {
        if !people.contains(approver) {
            out.push(Refusal::new(
                "justerare",
                format!("justeraren (person {approver}) finns inte i närvarolistan"),
            ));
        }
    }

    let held = m.status.is_held();
    let mut last = 0;
    for (i, item) in record.items.iter().enumerate() {
        if item.title.trim().is_empty() {
            out.push(Refusal::new(format!("ärende {}", i + 1), "rubrik saknas"));
        }
        let Some(p) = &item.paragraph else { continue };
        if !held {
            out.push(Refusal::new(
                format!("§{}", p.number),
                "paragrafer kan bara finnas för ett genomfört sammanträde",
            ));
        }
        if p.number <= last {
            out.push(Refusal::new(
                format!("§{}", p.number),
                format!(
                    "paragrafnumren måste öka: §{} kommer efter §{last}",
                    p.number
                ),
            ));
        }
        last = p.number;
        check_paragraph(record, body, p, &mut out);
    }
    if let Err(over) = crate::limits::check_meeting_record(record) {
        out.extend(over);
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

fn check_paragraph(record: &MeetingRecord, body: &Body, p: &Paragraph, out: &mut Vec<Refusal>) {
    let at = format!("§{}", p.number);
    let deciding: HashSet<PersonId> = record.deciding_at(p.number).into_iter().collect();
    if deciding.len() > body.seats as usize {
        out.push(Refusal::new(
            &at,
            format!(
                "{} deltar i beslutet men organet har bara {} platser",
                deciding.len(),
                body.seats
            ),
        ));
    }
    if p.title.trim().is_empty() {
        out.push(Refusal::new(&at, "rubrik saknas"));
    }
    for (name, d) in [
        ("beslut", &p.decision),
        ("förslag till beslut", &p.draft_decision),
    ] {
        if let Some(d) = d
            && let Err(r) = d.check(&format!("{at}, {name}"))
        {
            out.push(r);
        }
    }
    if p.decision.is_some()
        && record.meeting.attendance_complete
        && !has_quorum(body.seats, deciding.len())
    {
        out.push(Refusal::new(
            &at,
            format!(
                "organet är inte beslutfört: {} av {} ledamöter deltar, mer än hälften krävs (KL 6 kap. 27 §)",
                deciding.len(),
                body.seats
            ),
        ));
    }
    let takes_part = |actor: &Actor| match actor {
        Actor::Person { person } => deciding.contains(person),
        Actor::Party { party } => !party.trim().is_empty(),
    };
    let n = p.proposals.len();
    for (i, prop) in p.proposals.iter().enumerate() {
        let at = format!("{at}, yrkande {}", i + 1);
        if prop.movers.is_empty() {
            out.push(Refusal::new(&at, "yrkandet saknar förslagsställare"));
        }
        if prop.movers.iter().any(|a| !takes_part(a)) {
            out.push(Refusal::new(
                &at,
                "förslagsställaren deltar inte i beslutet vid paragrafen",
            ));
        }
        if prop.text.trim().is_empty() {
            out.push(Refusal::new(&at, "yrkandet saknar innehåll"));
        }
    }
    let usable = |i: usize| i < n && !p.proposals[i].withdrawn;
    for (i, step) in p.propositions.iter().enumerate() {
        let at = format!("{at}, proposition {}", i + 1);
        if step.put.is_empty() || step.put.iter().any(|&j| !usable(j)) {
            out.push(Refusal::new(
                &at,
                "propositionen gäller ett yrkande som inte finns eller har återkallats",
            ));
        }
        let procedural_alone = step.put.len() == 1
            && p.proposals
                .get(step.put[0])
                .is_some_and(|x| x.kind.is_procedural());
        let found_ok = match step.found_for {
            Some(f) => step.put.contains(&f),
            None => procedural_alone,
        };
        if !found_ok {
            out.push(Refusal::new(
                &at,
                "ordföranden kan bara finna för ett av de förslag som ställts, eller för att avgöra ärendet i dag mot en återremiss eller bordläggning",
            ));
        }
    }
    for (i, vote) in p.votes.iter().enumerate() {
        let at = format!("{at}, omröstning {}", i + 1);
        // None stands for deciding today, which only a procedural proposal
        // can be put against.
        let side_ok = |side: Option<usize>, other: Option<usize>| match side {
            Some(i) => usable(i),
            None => other.is_some_and(|o| usable(o) && p.proposals[o].kind.is_procedural()),
        };
        if !side_ok(vote.ja, vote.nej) || !side_ok(vote.nej, vote.ja) || vote.ja == vote.nej {
            out.push(Refusal::new(
                &at,
                "voteringsordningen måste ställa två olika, ej återkallade yrkanden mot varandra",
            ));
        }
        if vote.ballots.is_empty() {
            out.push(Refusal::new(&at, "omröstningen saknar röster"));
        }
        let mut voted = HashSet::new();
        for b in &vote.ballots {
            if !voted.insert(b.person) {
                out.push(Refusal::new(
                    &at,
                    format!("person {} har röstat två gånger", b.person),
                ));
            }
            if !deciding.contains(&b.person) {
                out.push(Refusal::new(
                    &at,
                    format!(
                        "person {} tjänstgör inte vid paragrafen och får inte rösta",
                        b.person
                    ),
                ));
            }
        }
    }
    for (i, r) in p.reservations.iter().enumerate() {
        let at = format!("{at}, reservation {}", i + 1);
        if p.decision.is_none() {
            out.push(Refusal::new(
                &at,
                "det finns inget beslut att reservera sig mot",
            ));
        }
        if r.by.is_empty() || r.by.iter().any(|a| !takes_part(a)) {
            out.push(Refusal::new(
                &at,
                "bara den som deltagit i beslutet kan reservera sig (KL 4 kap. 27 §)",
            ));
        }
        if r.in_favour_of.is_some_and(|j| j >= n) {
            out.push(Refusal::new(
                &at,
                "reservationen hänvisar till ett yrkande som inte finns",
            ));
        }
    }
    // A disqualified member leaves the room (KL 6 kap. 30 §) and may have
    // attended no other paragraph, so only the ground is required here.
    for d in &p.disqualifications {
        if d.ground.trim().is_empty() {
            out.push(Refusal::new(
                &at,
                format!("person {}: grunden för jävet saknas", d.person),
            ));
        }
    }
}
