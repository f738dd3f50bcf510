//! The talarlista, scenario by scenario from `tests/floor/*.txt`: each line
//! a command that must be accepted (`ok`) or refused with a reason (`no …
//! | reason`), or what the list must then show (`expect`). After every
//! scenario the log is replayed and must give the same state, and every
//! refusal must have changed nothing.
//!
//! The format, one step per line (`#` starts a comment):
//!
//! ```text
//! == name [fullmaktige] [substitutes_may_speak] [replies=N]
//! arrive 1 2 3          (each accepted; then the meeting opens and item 0 is taken up,
//!                        unless the line is `arrive … noitem`)
//! ok request 2 speech   (request P KIND | withdraw P | give P | end | leave P | arrive P
//!                        | disqualify P | serve S for M | move P bifall|avslag|aterremiss
//!                        | put N[,N] found N|none | vote P | order | cast P ja|nej|avstar
//!                        | correct P ja|nej|avstar | count | decide | finish | take_up N
//!                        | reserve PARAGRAPH P | adjourn | resume | close | {json command})
//! no give 3 | står först
//! expect queue 3 reply, 4 speech      (or: expect queue empty)
//! expect speaking 2 speech 0          (person, kind, replies so far; or: none)
//! expect place 3 1                    (or: expect place 3 none)
//! expect reply_to 2                   (or: none)
//! ```

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::floor::{FloorKind, FloorRules};
use kansli_core::meeting::{
    Actor, AgendaItem, ItemKind, Meeting, MeetingStatus, ProposalKind, VoteChoice,
};
use kansli_core::org::{Body, BodyKind, Person, Role};
use kansli_core::proceedings::{Command, Proceedings, Seat, Setting};
use kansli_core::{Access, BodyId, CaseId, MeetingId, OrganisationId, PersonId};

/// Members 1–5 (1 chair), 1, 2 and 4 of group A, 3 and 5 of B; substitutes
/// 11 and 12 of A, 13 of B.
fn setting(kind: BodyKind, floor: FloorRules) -> Setting {
    let seat = |id: i64, party: &str, role: Role| Seat {
        person: Person {
            id: PersonId(id),
            name: format!("Person {id}"),
            party: Some(party.into()),
        },
        role,
        party_group: Some(party.into()),
    };
    Setting {
        meeting: Meeting {
            id: MeetingId(1),
            body: BodyId(1),
            date: jiff::civil::date(2026, 3, 10),
            starts: None,
            ends: None,
            place: "Sessionssalen".into(),
            status: MeetingStatus::Planned,
            secretary: None,
            chair: None,
            approvers: vec![],
            approval_place: None,
            attendance_complete: true,
            source_note: None,
        },
        items: (0..3)
            .map(|i| AgendaItem {
                title: format!("Ärende {}", i + 1),
                case: Some(CaseId(100 + i)),
                kind: ItemKind::Decision,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            })
            .collect(),
        body: Body {
            id: BodyId(1),
            organisation: OrganisationId(1),
            name: "Kommunstyrelsen".into(),
            short_name: None,
            kind,
            parent: None,
            seats: 5,
        },
        roster: vec![
            seat(1, "A", Role::Chair),
            seat(2, "A", Role::FirstViceChair),
            seat(3, "B", Role::SecondViceChair),
            seat(4, "A", Role::Member),
            seat(5, "B", Role::Member),
            seat(11, "A", Role::Substitute { order: 1 }),
            seat(12, "A", Role::Substitute { order: 2 }),
            seat(13, "B", Role::Substitute { order: 3 }),
        ],
        parties: vec![],
        first_number: 1,
        minority_used: vec![],
        floor,
    }
}

fn p(s: &str) -> PersonId {
    PersonId(
        s.parse()
            .unwrap_or_else(|_| panic!("«{s}» is not a person id")),
    )
}

fn choice(s: &str) -> VoteChoice {
    match s {
        "ja" => VoteChoice::Ja,
        "nej" => VoteChoice::Nej,
        "avstar" => VoteChoice::Avstar,
        other => panic!("unknown choice «{other}»"),
    }
}

fn kind(s: &str) -> FloorKind {
    FloorKind::from_code(s).unwrap_or_else(|| panic!("unknown floor kind «{s}»"))
}

fn decides(text: &str) -> Decision {
    Decision::single(Formula::Decides, vec![Clause::new(text)])
}

/// A command from its short form, given what the meeting looks like now
/// (a vote's order needs the sides).
fn command(line: &str, run: &Proceedings) -> Command {
    if line.starts_with('{') {
        return serde_json::from_str(line).unwrap_or_else(|e| panic!("«{line}»: {e}"));
    }
    let w: Vec<&str> = line.split_whitespace().collect();
    match w.as_slice() {
        ["request", person, k] => Command::RequestFloor {
            person: p(person),
            kind: kind(k),
        },
        ["withdraw", person] => Command::WithdrawFloorRequest { person: p(person) },
        ["give", person] => Command::GiveFloor { person: p(person) },
        ["end"] => Command::EndSpeech,
        ["leave", person] => Command::Leave { person: p(person) },
        ["arrive", person] => Command::Arrive { person: p(person) },
        ["disqualify", person] => Command::Disqualify {
            person: p(person),
            ground: "släkt med sökanden".into(),
        },
        ["serve", s, "for", m] => Command::Serve {
            substitute: p(s),
            replacing: p(m),
        },
        ["move", person, k] => {
            let kind = match *k {
                "bifall" => ProposalKind::Bifall,
                "avslag" => ProposalKind::Avslag,
                "aterremiss" => ProposalKind::Aterremiss,
                other => panic!("unknown yrkande «{other}»"),
            };
            Command::Move {
                movers: vec![Actor::Person { person: p(person) }],
                kind,
                text: format!("{} av förslaget", kind.label_sv()),
                decision: (!kind.is_procedural()).then(|| decides(kind.label_sv())),
            }
        }
        ["put", list, "found", f] => Command::Put {
            put: list.split(',').map(|n| n.parse().unwrap()).collect(),
            found_for: (*f != "none").then(|| f.parse().unwrap()),
        },
        ["vote", person] => Command::RequestVote { by: p(person) },
        ["order"] => {
            let sides = run.snapshot().sides.expect("a vote requested");
            Command::ApproveVotingOrder {
                ja: sides[0],
                nej: sides[1],
            }
        }
        ["cast", person, c] => Command::CastVote {
            person: p(person),
            choice: choice(c),
        },
        ["correct", person, c] => Command::CorrectVote {
            person: p(person),
            choice: choice(c),
        },
        ["count"] => Command::CountVotes { lot: None },
        ["decide"] => Command::Decide { decision: None },
        ["finish"] => Command::FinishItem,
        ["take_up", n] => Command::TakeUp {
            item: n.parse().unwrap(),
            draft_decision: Some(decides("bifalla förslaget")),
        },
        ["reserve", number, person] => Command::Reserve {
            paragraph: number.parse().unwrap(),
            by: vec![Actor::Person { person: p(person) }],
            in_favour_of: None,
            reasons: None,
        },
        ["adjourn"] => Command::Adjourn,
        ["resume"] => Command::Resume,
        ["close"] => Command::Close { at: None },
        _ => panic!("unknown step «{line}»"),
    }
}

struct Scenario {
    name: String,
    setting: Setting,
    run: Proceedings,
}

impl Scenario {
    fn start(header: &str) -> Scenario {
        let mut words = header.split_whitespace();
        let mut name = Vec::new();
        let mut kind = BodyKind::Namnd;
        let mut rules = FloorRules::default();
        for w in words.by_ref() {
            match w {
                "fullmaktige" => kind = BodyKind::Fullmaktige,
                "substitutes_may_speak" => rules.substitutes_may_speak = true,
                w if w.starts_with("replies=") => {
                    rules.replies_per_speech = w["replies=".len()..].parse().unwrap()
                }
                w => name.push(w),
            }
        }
        let setting = setting(kind, rules);
        Scenario {
            name: name.join(" "),
            run: Proceedings::new(setting.clone()).unwrap(),
            setting,
        }
    }

    fn at(&self, n: usize) -> String {
        format!("«{}», line {n}", self.name)
    }

    fn step(&mut self, n: usize, line: &str) {
        let at = self.at(n);
        if let Some(rest) = line.strip_prefix("arrive ") {
            let no_item = rest.ends_with("noitem");
            for id in rest.split_whitespace().filter(|w| *w != "noitem") {
                self.ok(&at, Command::Arrive { person: p(id) });
            }
            self.ok(&at, Command::Open { at: None, on: None });
            if !no_item {
                self.ok(&at, command("take_up 0", &self.run));
            }
        } else if let Some(rest) = line.strip_prefix("ok ") {
            let c = command(rest, &self.run);
            self.ok(&at, c);
        } else if let Some(rest) = line.strip_prefix("no ") {
            let (c, why) = rest
                .split_once(" | ")
                .unwrap_or_else(|| panic!("{at}: «no» needs « | reason»"));
            let c = command(c, &self.run);
            let before = (self.run.snapshot(), self.run.record(), self.run.log().len());
            let r = self
                .run
                .apply(c.clone())
                .expect_err(&format!("{at}: {c:?} accepted"));
            assert!(
                r.reason.contains(why.trim()),
                "{at}: {c:?}: «{}» lacks «{}»",
                r.reason,
                why.trim()
            );
            assert_eq!(
                (self.run.snapshot(), self.run.record(), self.run.log().len()),
                before,
                "{at}: a refusal changed the meeting"
            );
        } else if let Some(rest) = line.strip_prefix("expect ") {
            self.expect(&at, rest);
        } else {
            panic!("{at}: unknown line «{line}»");
        }
    }

    fn ok(&mut self, at: &str, c: Command) {
        // What a screen is told beforehand agrees with what happens.
        let checked = self.run.check(&c);
        let applied = self.run.apply(c.clone());
        assert_eq!(checked, applied, "{at}: check and apply disagree on {c:?}");
        if let Err(r) = applied {
            panic!("{at}: {c:?} refused: {r}");
        }
        // Every command survives the log's JSON.
        let json = serde_json::to_string(&c).unwrap();
        let back: Command = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c, "{at}: {json}");
    }

    fn expect(&self, at: &str, what: &str) {
        let floor = self.run.snapshot().floor;
        let w: Vec<&str> = what.split_whitespace().collect();
        match w.as_slice() {
            ["queue", "empty"] => assert!(floor.queue.is_empty(), "{at}: {:?}", floor.queue),
            ["queue", ..] => {
                let want: Vec<(PersonId, FloorKind)> = what["queue".len()..]
                    .split(',')
                    .map(|r| {
                        let r: Vec<&str> = r.split_whitespace().collect();
                        (p(r[0]), kind(r[1]))
                    })
                    .collect();
                let got: Vec<(PersonId, FloorKind)> =
                    floor.queue.iter().map(|r| (r.person, r.kind)).collect();
                assert_eq!(got, want, "{at}: queue");
            }
            ["speaking", "none"] => assert_eq!(floor.speaking, None, "{at}"),
            ["speaking", person, k, replies] => {
                let s = floor
                    .speaking
                    .as_ref()
                    .unwrap_or_else(|| panic!("{at}: nobody speaks"));
                assert_eq!(
                    (s.person, s.kind, s.replies_so_far),
                    (p(person), kind(k), replies.parse().unwrap()),
                    "{at}: speaking"
                );
                // `since` points at the command that gave the floor.
                assert_eq!(
                    self.run.log().get(s.since),
                    Some(&Command::GiveFloor { person: s.person }),
                    "{at}: since"
                );
            }
            ["place", person, "none"] => assert_eq!(floor.place_of(p(person)), None, "{at}"),
            ["place", person, n] => {
                assert_eq!(floor.place_of(p(person)), n.parse().ok(), "{at}: place")
            }
            ["reply_to", "none"] => assert_eq!(floor.reply_to, None, "{at}"),
            ["reply_to", person] => assert_eq!(floor.reply_to, Some(p(person)), "{at}"),
            _ => panic!("{at}: unknown expectation «{what}»"),
        }
    }

    /// The log replays to the same state.
    fn finish(self) {
        let again = Proceedings::replay(self.setting.clone(), self.run.log())
            .unwrap_or_else(|r| panic!("«{}»: replay refused: {r}", self.name));
        assert_eq!(
            again.snapshot(),
            self.run.snapshot(),
            "«{}»: replay",
            self.name
        );
        assert_eq!(again.record(), self.run.record(), "«{}»: replay", self.name);
    }
}

#[test]
fn floor_scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/floor");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    let mut count = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut scenario: Option<Scenario> = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.split(" #").next().unwrap().trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix("== ") {
                if let Some(done) = scenario.take() {
                    done.finish();
                }
                scenario = Some(Scenario::start(header));
                count += 1;
                continue;
            }
            scenario
                .as_mut()
                .unwrap_or_else(|| panic!("{}: a step before «==»", file.display()))
                .step(i + 1, line);
        }
        if let Some(done) = scenario.take() {
            done.finish();
        }
    }
    assert!(count >= 10, "only {count} scenarios");
}

#[test]
fn old_settings_replay_with_default_rules() {
    // A setting frozen before the talarlista has no `floor`.
    let mut json = serde_json::to_value(setting(BodyKind::Namnd, FloorRules::default())).unwrap();
    json.as_object_mut().unwrap().remove("floor");
    let old: Setting = serde_json::from_value(json).unwrap();
    assert_eq!(old.floor, FloorRules::default());
    // And a partial one takes the rest from the defaults.
    let rules: FloorRules = serde_json::from_str(r#"{"replies_per_speech": 1}"#).unwrap();
    assert_eq!(rules.replies_per_speech, 1);
    assert_eq!(rules.reply_minutes, 2);
}

#[test]
fn floor_commands_are_logged_in_snake_case() {
    let c = Command::RequestFloor {
        person: PersonId(2),
        kind: FloorKind::PointOfOrder,
    };
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"command":"request_floor","person":2,"kind":"point_of_order"}"#
    );
    assert_eq!(
        serde_json::to_string(&Command::EndSpeech).unwrap(),
        r#"{"command":"end_speech"}"#
    );
}

#[test]
fn the_rules_refuse_what_no_arbetsordning_means() {
    assert!(FloorRules::default().check().is_ok());
    let bad = FloorRules {
        reply_minutes: 0,
        ..FloorRules::default()
    };
    assert!(bad.check().unwrap_err().reason.contains("replikens längd"));
    let none = FloorRules {
        speech_minutes: Some(90),
        ..FloorRules::default()
    };
    assert!(none.check().is_err());
    assert_eq!(FloorRules::default().minutes(FloorKind::Reply), Some(2));
    assert_eq!(FloorRules::default().minutes(FloorKind::Speech), None);
}
