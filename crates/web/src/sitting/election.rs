//! #20 L4: a proportional election on the meeting screen (lag (2022:629) om
//! proportionella val i kommuner och regioner). The election itself is held
//! on paper with sealed ballots (5 §); the secretary enters who asked for
//! it, the seats, and the ballots per list as counted, and, on a tie, the
//! lot drawn in the room. Everything goes to the engine as one
//! `Command::ElectProportionally`; the threshold (2 §), the lists' checks,
//! the allocation by jämförelsetal and the sentences are core's. A refused
//! form comes back as typed, with the tie to draw when that was the reason.

use super::*;
use kansli_core::election::{self, BallotList, Candidate, ElectionEntry, SeatKind, Stop};
use std::collections::BTreeMap;

/// List rows the form offers (a list left empty is not sent to the engine).
const ROWS: usize = 6;

/// The form's name for the kept fields of a refusal.
pub const FORM: &str = "proportional";

/// One list row as the form shows it.
pub struct ListRow {
    pub n: usize,
    pub group: String,
    pub votes: String,
    pub names: String,
}

/// An election already held in the paragraph.
pub struct Held {
    pub heading: String,
    pub sentences: Vec<String>,
}

/// The election part of the meeting screen, for the open election item.
pub struct ElectionForm {
    pub action: String,
    /// Members present, as LPV 2 § counts them.
    pub present: u32,
    /// "1 plats: 8; 2 platser: 6; …": how many must ask, by seats.
    pub thresholds: String,
    /// Those who take part in the election: who may ask for it.
    pub voters: Vec<Choice>,
    /// The elections this form may hold now: members, and substitutes once
    /// the members were elected proportionally (LPV 3 §).
    pub kinds: Vec<Choice>,
    pub of: String,
    pub seats: String,
    pub requested: Vec<String>,
    pub rows: Vec<ListRow>,
    /// Lots drawn for earlier ties of the same entry, in order.
    pub lots: Vec<String>,
    /// The tie the refusal asks the chair to draw: seat and groups.
    pub tie: Option<(u32, Vec<String>)>,
    pub held: Vec<Held>,
}

impl ElectionForm {
    pub fn requested_has(&self, id: &str) -> bool {
        self.requested.iter().any(|x| x == id)
    }
}

/// The form for the open item, or `None` when the engine would hold no
/// proportional election now (`Proceedings::election_room`).
pub fn form(p: &Proceedings, id: MeetingId, flash: Option<&Flash>) -> Option<ElectionForm> {
    let room = p.election_room()?;
    let names = p.names();
    let name = |x: PersonId| {
        names
            .persons
            .get(&x)
            .map(|n| n.display())
            .unwrap_or_else(|| format!("person {x}"))
    };
    let held: Vec<Held> = p
        .snapshot()
        .paragraph
        .map(|par| {
            par.elections
                .iter()
                .map(|e| Held {
                    heading: format!("Proportionellt val av {}", e.of.plural_sv()),
                    sentences: e.wording.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut kinds = Vec::new();
    for kind in [SeatKind::Members, SeatKind::Substitutes] {
        let may = !room.held.contains(&kind)
            && (kind == SeatKind::Members || room.held.contains(&SeatKind::Members));
        if may {
            kinds.push(Choice {
                value: kind.code().into(),
                label: format!("Val av {}", kind.plural_sv()),
            });
        }
    }
    if kinds.is_empty() {
        // Both held: nothing more to enter; the item is decided as usual.
        return Some(ElectionForm {
            action: String::new(),
            present: room.present,
            thresholds: String::new(),
            voters: vec![],
            kinds,
            of: String::new(),
            seats: String::new(),
            requested: vec![],
            rows: vec![],
            lots: vec![],
            tie: None,
            held,
        });
    }
    let thresholds = (1..=room.present.clamp(1, 12))
        .map(|seats| {
            format!(
                "{seats} {}: {}",
                if seats == 1 { "plats" } else { "platser" },
                election::requests_needed(room.present, seats).max(1)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let refused = flash.filter(|f| !f.ok && f.form == FORM);
    let kept = |field: &str| refused.map_or(String::new(), |f| f.kept(FORM, field).to_string());
    let all = |field: &str| -> Vec<String> {
        refused.map_or(vec![], |f| {
            f.kept
                .iter()
                .filter(|(k, _)| k == field)
                .map(|(_, v)| v.clone())
                .collect()
        })
    };
    let tie = match (kept("tie_seat").parse::<u32>(), all("tie")) {
        (Ok(seat), between) if !between.is_empty() => Some((seat, between)),
        _ => None,
    };
    Some(ElectionForm {
        action: format!("/sekretariat/sammantraden/{}/mote/val", id.0),
        present: room.present,
        thresholds,
        voters: room
            .voters
            .iter()
            .map(|x| Choice {
                value: x.0.to_string(),
                label: name(*x),
            })
            .collect(),
        of: {
            let of = kept("of");
            if of.is_empty() {
                kinds[0].value.clone()
            } else {
                of
            }
        },
        kinds,
        seats: kept("seats"),
        requested: all("requested_by"),
        rows: (0..ROWS)
            .map(|i| ListRow {
                n: i + 1,
                group: kept(&format!("group{i}")),
                votes: kept(&format!("votes{i}")),
                names: kept(&format!("names{i}")),
            })
            .collect(),
        lots: all("lots"),
        tie,
        held,
    })
}

/// The election form as sent.
#[derive(Deserialize, Default)]
pub struct ElectionFields {
    #[serde(default)]
    of: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    requested_by: Vec<String>,
    /// One per list row, in the form's order.
    #[serde(default)]
    group: Vec<String>,
    #[serde(default)]
    votes: Vec<String>,
    /// The list's names, one per line, in the ballot's order.
    #[serde(default)]
    names: Vec<String>,
    /// Lots drawn for the ties before, in order (kept from the refusals).
    #[serde(default)]
    lots: Vec<String>,
    /// The lot drawn for the tie the last refusal named.
    #[serde(default)]
    lot: String,
}

/// A name typed on a list: a member of the body by name, a name already on
/// a list earlier at this meeting, else a person to be registered in the
/// writing transaction (a negative placeholder until then).
fn candidate(
    p: &Proceedings,
    known: &BTreeMap<String, PersonId>,
    new: &mut Vec<String>,
    typed: &str,
) -> Candidate {
    let key = typed.trim().to_lowercase();
    let on_roster =
        p.setting().roster.iter().find(|s| {
            s.person.name.to_lowercase() == key || s.person.display().to_lowercase() == key
        });
    if let Some(s) = on_roster {
        return Candidate {
            person: s.person.id,
            name: s.person.name.clone(),
        };
    }
    if let Some(id) = known.get(&key) {
        return Candidate {
            person: *id,
            name: typed.trim().into(),
        };
    }
    let i = match new.iter().position(|n| n.to_lowercase() == key) {
        Some(i) => i,
        None => {
            new.push(typed.trim().into());
            new.len() - 1
        }
    };
    Candidate {
        person: PersonId(-(i as i64) - 1),
        name: typed.trim().into(),
    }
}

/// The entry the form describes; the names not yet known come back to be
/// registered.
fn entry_from(
    p: &Proceedings,
    f: &ElectionFields,
) -> Result<(ElectionEntry, Vec<String>), StoreError> {
    let at = "proportionellt val";
    let of = match f.of.as_str() {
        "members" | "" => SeatKind::Members,
        "substitutes" => SeatKind::Substitutes,
        _ => return Err(refused(at, "välj val av ledamöter eller av ersättare")),
    };
    if f.seats.trim().is_empty() {
        return Err(refused(at, "ange hur många platser valet gäller"));
    }
    let seats: u32 = form_number("antal platser", &f.seats)?;
    let requested_by = f
        .requested_by
        .iter()
        .map(|x| form_number::<i64>("begärt av", x).map(PersonId))
        .collect::<Result<Vec<_>, _>>()?;
    // Names on the lists of this meeting's earlier elections.
    let mut known: BTreeMap<String, PersonId> = BTreeMap::new();
    for item in p.record().items {
        for e in item.paragraph.iter().flat_map(|x| &x.elections) {
            for c in e.lists.iter().flat_map(|l| &l.names) {
                known.insert(c.name.to_lowercase(), c.person);
            }
        }
    }
    let mut new = Vec::new();
    let mut lists = Vec::new();
    let rows = f.group.len().max(f.votes.len()).max(f.names.len());
    for i in 0..rows {
        let group = f.group.get(i).map_or("", |s| s.trim());
        let votes = f.votes.get(i).map_or("", |s| s.trim());
        let names = f.names.get(i).map_or("", |s| s.as_str());
        if group.is_empty() && votes.is_empty() && names.trim().is_empty() {
            continue;
        }
        let row = format!("lista {}", i + 1);
        if group.is_empty() {
            return Err(refused(
                &row,
                "ange gruppbeteckningen som står på valsedlarna",
            ));
        }
        if votes.is_empty() {
            return Err(refused(
                &row,
                format!("ange hur många valsedlar gruppen {group} fick"),
            ));
        }
        let votes: u32 = form_number(&format!("{row}, antal valsedlar"), votes)?;
        let names = lines(names)
            .iter()
            .map(|n| candidate(p, &known, &mut new, n))
            .collect();
        lists.push(BallotList {
            group: group.into(),
            votes,
            names,
        });
    }
    let mut lots: Vec<String> = f
        .lots
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if !f.lot.trim().is_empty() {
        lots.push(f.lot.trim().into());
    }
    Ok((
        ElectionEntry {
            of,
            seats,
            requested_by,
            lists,
            lots,
        },
        new,
    ))
}

/// Records the election, or sends the form back as typed with the reason
/// (and the tie to draw, when a lot is needed).
pub async fn record_election(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ElectionFields>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let mut tie: Option<(u32, Vec<String>)> = None;
    let mut lots_before: Vec<String> = Vec::new();
    let outcome = async {
        let p = app.store.proceedings(id).await?;
        let (mut entry, new) = entry_from(&p, &f)?;
        lots_before = entry.lots.clone();
        // Which tie to draw, if that is what stops it: asked of core.
        if let Some(room) = p.election_room()
            && let Err(Stop::LotNeeded { seat, between, .. }) =
                election::hold(&entry, &room, |x| x.to_string())
        {
            tie = Some((seat, between));
        }
        let mut tx = app.store.begin(&who).await?;
        // New names are registered in the election's own transaction; a
        // refusal rolls them back with it.
        let mut ids = Vec::new();
        for name in &new {
            ids.push(tx.add_person(name, None).await?);
        }
        for c in entry.lists.iter_mut().flat_map(|l| l.names.iter_mut()) {
            if c.person.0 < 0 {
                c.person = ids[(-c.person.0 - 1) as usize];
            }
        }
        let what = entry.of.plural_sv();
        tx.record_command(id, &Command::ElectProportionally(entry))
            .await?;
        tx.commit().await?;
        Ok(format!("Valet av {what} är antecknat."))
    }
    .await;
    let outcome = logged(&app, &who, id, "proportionellt val", outcome).await;
    let to = format!("/sekretariat/sammantraden/{}/mote#val", id.0);
    // What was typed comes back with a refusal.
    let mut kept: Vec<(String, Kind, String)> = vec![
        ("of".into(), Kind::Code, f.of.clone()),
        ("seats".into(), Kind::Code, f.seats.clone()),
    ];
    for r in &f.requested_by {
        kept.push(("requested_by".into(), Kind::Code, r.clone()));
    }
    for i in 0..ROWS {
        let at = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        kept.push((format!("group{i}"), Kind::Name, at(&f.group)));
        kept.push((format!("votes{i}"), Kind::Code, at(&f.votes)));
        kept.push((format!("names{i}"), Kind::FreeText, at(&f.names)));
    }
    if let Some((seat, between)) = &tie {
        // The lots drawn so far stay; the new tie is offered to draw.
        for l in &lots_before {
            kept.push(("lots".into(), Kind::Name, l.clone()));
        }
        kept.push(("tie_seat".into(), Kind::Code, seat.to_string()));
        for g in between {
            kept.push(("tie".into(), Kind::Name, g.clone()));
        }
    }
    let kept: Vec<(&str, Kind, &str)> = kept
        .iter()
        .map(|(k, kind, v)| (k.as_str(), *kind, v.as_str()))
        .collect();
    after_keeping(&app, &s, jar, &to, outcome, FORM, &kept)
}
