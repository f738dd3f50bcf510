//! The sentences the procedure rules produce, in the house style of a Swedish
//! protocol (the reference is Region Hallands protokoll, RSAU 2025-01-28):
//! the yrkande line, the chair's proposition (beslutsgång), the voting order
//! and result (omröstning) and the reservation line.
//!
//! Everything here is a pure function of recorded data and [`Names`], so a
//! page, a PDF and the meeting engine write the same words.

use crate::meeting::{Actor, Proposal, ProposalKind, Vote};
use crate::org::{BodyKind, Party, Person};
use crate::rules::{Outcome, Tally};
use crate::text::{genitive, join_sv, lower_first};
use crate::{PersonId, meeting::VoteChoice};
use std::collections::BTreeMap;

/// How the protocol writes the chair in the beslutsgång.
pub const CHAIR: &str = "Ordförande";

/// The names the sentences need: people (with party) and party names.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub persons: BTreeMap<PersonId, Person>,
    /// Abbreviation -> full name ("S" -> "Socialdemokraterna").
    pub parties: BTreeMap<String, String>,
}

impl Names {
    pub fn new(persons: &[Person], parties: &[Party]) -> Names {
        Names {
            persons: persons.iter().map(|p| (p.id, p.clone())).collect(),
            parties: parties
                .iter()
                .map(|p| (p.abbreviation.clone(), p.name.clone()))
                .collect(),
        }
    }

    fn name(&self, id: PersonId) -> String {
        self.persons
            .get(&id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("person {id}"))
    }

    fn party(&self, abbreviation: &str) -> String {
        self.parties
            .get(abbreviation)
            .cloned()
            .unwrap_or_else(|| abbreviation.to_string())
    }

    /// "Lise-Lotte Bensköld Olsson (S)", or a party's full name.
    pub fn actor(&self, actor: &Actor) -> String {
        match actor {
            Actor::Person { person } => self
                .persons
                .get(person)
                .map(Person::display)
                .unwrap_or_else(|| format!("person {person}")),
            Actor::Party { party } => self.party(party),
        }
    }

    pub fn actors(&self, actors: &[Actor]) -> String {
        join_sv(&actors.iter().map(|a| self.actor(a)).collect::<Vec<_>>())
    }

    /// "Mikaela Walterssons förslag": the movers as a group genitive.
    pub fn whose(&self, proposal: &Proposal) -> String {
        let names: Vec<String> = proposal
            .movers
            .iter()
            .map(|a| match a {
                Actor::Person { person } => self.name(*person),
                Actor::Party { party } => self.party(party),
            })
            .collect();
        if names.is_empty() {
            return "förslaget".into();
        }
        format!("{} förslag", genitive(&join_sv(&names)))
    }
}

/// How a body is named inside a sentence: "finner att arbetsutskottet
/// bifaller", "… att nämnden bifaller", "… att regionstyrelsen bifaller".
pub fn body_in_text(name: &str, kind: BodyKind) -> String {
    let last = name.split_whitespace().last().unwrap_or(name);
    match kind {
        BodyKind::Utskott if last.to_lowercase().ends_with("utskott") => {
            format!("{}et", lower_first(last))
        }
        BodyKind::Utskott => "utskottet".into(),
        BodyKind::Namnd => "nämnden".into(),
        _ => lower_first(name),
    }
}

/// "Lise-Lotte Bensköld Olsson (S) yrkar bifall till motionen."
pub fn proposal_line(names: &Names, proposal: &Proposal) -> String {
    let verb = if proposal.withdrawn {
        "yrkade, men har återkallat,"
    } else {
        "yrkar"
    };
    format!(
        "{} {verb} {}.",
        names.actors(&proposal.movers),
        proposal.text.trim_end_matches('.')
    )
}

/// ", att avslå motionen": what a main proposal means, as the beslutsgång
/// repeats it after the mover's name.
fn content(proposal: &Proposal) -> String {
    let Some(decision) = &proposal.decision else {
        return String::new();
    };
    let clauses: Vec<String> = decision
        .parts
        .iter()
        .flat_map(|p| p.clauses.iter())
        .map(|c| c.text.trim_end_matches(['.', ';', ',']).to_string())
        .collect();
    if clauses.is_empty() {
        String::new()
    } else {
        format!(", att {}", clauses.join(", att "))
    }
}

/// What the body does when a procedural proposal wins: "återremittera
/// ärendet".
pub fn procedural_effect(kind: ProposalKind) -> &'static str {
    match kind {
        ProposalKind::Bordlaggning => "bordlägga ärendet",
        _ => "återremittera ärendet",
    }
}

fn procedural_passive(kind: ProposalKind) -> &'static str {
    match kind {
        ProposalKind::Bordlaggning => "bordläggas",
        _ => "återremitteras",
    }
}

/// One side of a question: a proposal, or (None) deciding the matter today.
fn side(names: &Names, proposals: &[Proposal], side: Option<usize>) -> String {
    match side.map(|i| &proposals[i]) {
        None => "att avgöra ärendet i dag".into(),
        Some(p) if p.kind.is_procedural() => format!("att {}", procedural_effect(p.kind)),
        Some(p) => format!("{} till beslut", names.whose(p)),
    }
}

fn count_word(n: usize) -> String {
    const WORDS: [&str; 9] = [
        "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
    ];
    if (2..=10).contains(&n) {
        WORDS[n - 2].to_string()
    } else {
        n.to_string()
    }
}

/// Why the chair puts a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A procedural proposal against deciding today.
    Procedural,
    /// The main question among all main proposals.
    Main,
    /// Finding the counter-proposal (motförslag) for the main vote.
    Counter,
}

/// The chair's proposition as the protocol records it.
pub fn proposition(
    names: &Names,
    body: &str,
    proposals: &[Proposal],
    put: &[usize],
    found_for: Option<usize>,
    stage: Stage,
) -> String {
    match stage {
        Stage::Procedural => {
            let kind = put.first().map(|&i| proposals[i].kind);
            let kind = kind.unwrap_or(ProposalKind::Aterremiss);
            let finding = match found_for {
                None => format!("{body} beslutar att avgöra ärendet i dag"),
                Some(_) => format!("ärendet ska {}", procedural_passive(kind)),
            };
            format!(
                "{CHAIR} frågar om ärendet ska avgöras i dag eller {} och finner att {finding}.",
                procedural_passive(kind)
            )
        }
        Stage::Main | Stage::Counter => {
            let found = found_for.map(|i| &proposals[i]);
            let found_text = found
                .map(|p| format!("{} till beslut{}", names.whose(p), content(p)))
                .unwrap_or_default();
            if stage == Stage::Counter {
                return format!(
                    "{CHAIR} ställer {} förslag mot varandra för att utse motförslag i huvudvoteringen och finner att {} till beslut blir motförslag.",
                    count_word(put.len()),
                    found.map(|p| names.whose(p)).unwrap_or_default()
                );
            }
            if put.len() == 1 {
                format!(
                    "{CHAIR} frågar om {body} kan bifalla {found_text} och finner att så är fallet."
                )
            } else {
                format!(
                    "{CHAIR} ställer de {} förslagen mot varandra och finner att {body} bifaller {found_text}.",
                    count_word(put.len())
                )
            }
        }
    }
}

/// "Ja-röst för Mikaela Walterssons förslag till beslut" and the Nej line.
pub fn voting_order(names: &Names, proposals: &[Proposal], vote: &Vote) -> (String, String) {
    (
        format!("Ja-röst för {}", side(names, proposals, vote.ja)),
        format!("Nej-röst för {}", side(names, proposals, vote.nej)),
    )
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "Med 3 ja-röster och 2 nej-röster bifaller arbetsutskottet Mikaela
/// Walterssons förslag till beslut, att avslå motionen."
pub fn vote_result(
    names: &Names,
    body: &str,
    proposals: &[Proposal],
    vote: &Vote,
    tally: Tally,
    outcome: Outcome,
) -> String {
    let mut counts = vec![
        plural(tally.ja, "ja-röst", "ja-röster"),
        plural(tally.nej, "nej-röst", "nej-röster"),
    ];
    if tally.avstar > 0 {
        counts.push(format!("{} som avstår", tally.avstar));
    }
    let opening = if outcome.by_lot {
        "Efter lottning vid"
    } else {
        "Med"
    };
    let mut lead = format!("{opening} {}", join_sv(&counts));
    if outcome.by_casting_vote {
        lead.push_str(" och ordförandens utslagsröst");
    }
    let winner = match outcome.winner {
        VoteChoice::Nej => vote.nej,
        _ => vote.ja,
    };
    let what = match winner.map(|i| &proposals[i]) {
        None => format!("beslutar {body} att avgöra ärendet i dag"),
        Some(p) if p.kind.is_procedural() => {
            format!("beslutar {body} att {}", procedural_effect(p.kind))
        }
        Some(p) => format!(
            "bifaller {body} {} till beslut{}",
            names.whose(p),
            content(p)
        ),
    };
    format!("{lead} {what}.")
}

/// The lines of the Omröstning section: the request, the approved voting
/// order and the result.
pub fn vote_section(
    names: &Names,
    body_name: &str,
    proposals: &[Proposal],
    vote: &Vote,
) -> Vec<String> {
    let (ja, nej) = voting_order(names, proposals, vote);
    vec![
        "Omröstning begärs".into(),
        format!("{body_name} godkänner följande beslutsgång"),
        ja,
        nej,
        vote.wording.clone(),
    ]
}

/// "Lise-Lotte Bensköld Olsson (S) och Per Persson (S) reserverar sig mot
/// beslutet till förmån för Lise-Lotte Bensköld Olssons förslag."
pub fn reservation_line(names: &Names, by: &[Actor], in_favour_of: Option<&Proposal>) -> String {
    match in_favour_of {
        Some(p) => format!(
            "{} reserverar sig mot beslutet till förmån för {}.",
            names.actors(by),
            names.whose(p)
        ),
        None => format!("{} reserverar sig mot beslutet.", names.actors(by)),
    }
}

// ---- #20 L4: proportional elections (lag 2022:629) ------------------------

/// The law as the protocol cites it.
pub const LPV: &str = "lagen (2022:629) om proportionella val i kommuner och regioner";

/// The sentences of a proportional election, in order: the request and why
/// it makes the election proportional (LPV 2 §), the ballots as counted
/// (LPV 5 §: sealed ballots; 7 §: the gruppbeteckning), each lot drawn on a
/// tie, the seats per group by jämförelsetal and those elected in list order.
pub fn election_text(e: &crate::election::ElectionRecord, requesters: &[String]) -> Vec<String> {
    let what = e.of.plural_sv();
    let mut out = vec![format!(
        "{} begär proportionellt val av {}. Eftersom {} av {} närvarande ledamöter begär det, och minst {} krävs enligt 2 § {LPV}, förrättas valet proportionellt med slutna valsedlar.",
        join_sv(requesters),
        plural(e.seats, e.of.singular_sv(), what),
        e.requested_by.len(),
        e.present,
        e.needed,
    )];
    let lists: Vec<String> = e
        .lists
        .iter()
        .map(|l| {
            let names: Vec<String> = l
                .names
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}. {}", i + 1, c.name))
                .collect();
            format!(
                "{}: {} ({})",
                l.group,
                plural(l.votes, "valsedel", "valsedlar"),
                names.join(", ")
            )
        })
        .collect();
    out.push(format!("Valsedlarna räknas: {}.", lists.join("; ")));
    for lot in &e.allocation.lots {
        let tie = e
            .allocation
            .rounds
            .iter()
            .find(|r| r.seat == lot.seat)
            .and_then(|r| r.quotients.iter().find(|(g, _)| *g == lot.drawn))
            .map(|(_, q)| format!(" ({})", q.display_sv()))
            .unwrap_or_default();
        out.push(format!(
            "Grupperna {} har lika jämförelsetal{tie} om plats {}. Lotten dras och faller på {}.",
            join_sv(&lot.between),
            lot.seat,
            lot.drawn
        ));
    }
    let seats: Vec<String> = e
        .lists
        .iter()
        .map(|l| format!("{} {}", l.group, e.allocation.seats_of(&l.group)))
        .collect();
    out.push(format!(
        "Platserna fördelas efter jämförelsetal: {}.",
        join_sv(&seats)
    ));
    out.push(elected_line(e));
    out
}

/// "Till ledamöter väljs för A: Anna Ek och Bo Lind; för B: Cia Berg." For
/// substitutes the order within the group is the order they are called in
/// (LPV 3 §, seats filled in list order).
fn elected_line(e: &crate::election::ElectionRecord) -> String {
    let per_group: Vec<String> = e
        .lists
        .iter()
        .filter(|l| e.allocation.seats_of(&l.group) > 0)
        .map(|l| {
            let names: Vec<String> = e
                .allocation
                .order_within(&l.group)
                .into_iter()
                .map(|(p, n)| match e.of {
                    crate::election::SeatKind::Members => e.name_of(p),
                    crate::election::SeatKind::Substitutes => format!("{n}. {}", e.name_of(p)),
                })
                .collect();
            format!("för {}: {}", l.group, join_sv(&names))
        })
        .collect();
    match e.of {
        crate::election::SeatKind::Members => {
            format!("Till ledamöter väljs {}.", per_group.join("; "))
        }
        crate::election::SeatKind::Substitutes => format!(
            "Till ersättare väljs, i den ordning de tjänstgör inom sin grupp, {}.",
            per_group.join("; ")
        ),
    }
}

/// The att-clause of a proportional election's decision: "välja Anna Ek,
/// Bo Lind och Cia Berg till ledamöter".
pub fn election_clause(e: &crate::election::ElectionRecord) -> String {
    let names: Vec<String> = e
        .allocation
        .elected()
        .into_iter()
        .map(|p| e.name_of(p))
        .collect();
    match e.of {
        crate::election::SeatKind::Members => {
            format!("välja {} till ledamöter", join_sv(&names))
        }
        crate::election::SeatKind::Substitutes => format!(
            "välja {} till ersättare, i den ordning valet har gett inom varje grupp",
            join_sv(&names)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_in_sentences() {
        assert_eq!(
            body_in_text("Regionstyrelsens arbetsutskott", BodyKind::Utskott),
            "arbetsutskottet"
        );
        assert_eq!(
            body_in_text("Individ- och familjenämnden", BodyKind::Namnd),
            "nämnden"
        );
        assert_eq!(
            body_in_text("Regionfullmäktige", BodyKind::Fullmaktige),
            "regionfullmäktige"
        );
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(plural(1, "ja-röst", "ja-röster"), "1 ja-röst");
        assert_eq!(plural(0, "ja-röst", "ja-röster"), "0 ja-röster");
        assert_eq!(count_word(3), "tre");
        assert_eq!(count_word(12), "12");
    }
}
