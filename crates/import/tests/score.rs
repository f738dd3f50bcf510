//! The reader's field-by-field score over the project's own test protocols,
//! one per layout family and kind of damage seen in real protocols.
//!
//! Each `tests/layouts/*.txt` (and `tests/holdout/*.txt`, written only
//! after the reader was done, to measure it on layouts it was not written
//! against) has an `.expect.json` beside it with what must be read, in the
//! field names of `ImportedProtocol`: any of `organ`, `meeting_date`,
//! `chair`, `approvers`, and `paragraphs` (each with `number`, optionally
//! `case_number`, `votes` with `ja`/`nej`/`avstar`, `reservations` with
//! `names`). Only the fields present are scored. A document that is not a
//! protocol has `{"not_a_protocol": "tjänsteskrivelse"}`: the reader must
//! refuse it, and its reason must name what it is.
//!
//! The score is the share of expected fields read right, where a paragraph
//! read that is not in the expectation counts as one more field wrong. The
//! test prints each fixture's score, the score per field and the total, and
//! fails below [`GOAL`]. `tests/import/*.json` (the full-structure fixtures)
//! are scored too.

use kansli_import::ImportError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const GOAL: f64 = 0.95;

#[derive(Default, Clone, Copy)]
struct Tally {
    right: u32,
    total: u32,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.right += u32::from(ok);
    }
    fn ratio(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            f64::from(self.right) / f64::from(self.total)
        }
    }
}

/// Scores by field name ("organ", "paragraphs", "case_number", "votes", …).
type Fields = BTreeMap<&'static str, Tally>;

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn same_text(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => norm(a) == norm(b),
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).map(norm).collect())
        .unwrap_or_default();
    n.sort();
    n
}

fn score_one(want: &Value, got: Result<Value, ImportError>, fields: &mut Fields) -> Tally {
    let mut mine = Tally::default();
    let mut add = |field: &'static str, ok: bool, fields: &mut Fields| {
        fields.entry(field).or_default().add(ok);
        mine.add(ok);
    };
    if let Some(kind) = want.get("not_a_protocol").and_then(Value::as_str) {
        let ok = matches!(&got, Err(ImportError::NotAProtocol(why))
            if why.to_lowercase().contains(&kind.to_lowercase()));
        add("recognition", ok, fields);
        return mine;
    }
    let got = match got {
        Ok(v) => {
            add("recognition", true, fields);
            v
        }
        Err(_) => {
            add("recognition", false, fields);
            Value::Null
        }
    };
    for field in ["organ", "meeting_date", "chair"] {
        if let Some(w) = want.get(field) {
            let ok = same_text(w, got.get(field).unwrap_or(&Value::Null));
            add(field, ok, fields);
        }
    }
    if let Some(w) = want.get("approvers") {
        add(
            "approvers",
            names(w) == names(got.get("approvers").unwrap_or(&Value::Null)),
            fields,
        );
    }
    let Some(wanted) = want.get("paragraphs").and_then(Value::as_array) else {
        return mine;
    };
    let read: Vec<&Value> = got
        .get("paragraphs")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let by_number = |n: &Value| read.iter().copied().find(|p| p.get("number") == Some(n));
    for w in wanted {
        let number = w.get("number").unwrap_or(&Value::Null);
        let g = by_number(number);
        let title_ok = match (w.get("title"), g) {
            (Some(t), Some(g)) => same_text(t, g.get("title").unwrap_or(&Value::Null)),
            (None, Some(_)) => true,
            _ => false,
        };
        add("paragraphs", g.is_some() && title_ok, fields);
        if let Some(c) = w.get("case_number") {
            let ok = g.is_some_and(|g| same_text(c, g.get("case_number").unwrap_or(&Value::Null)));
            add("case_number", ok, fields);
        }
        if let Some(votes) = w.get("votes").and_then(Value::as_array) {
            let got_votes = g
                .and_then(|g| g.get("votes"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, v) in votes.iter().enumerate() {
                let ok = got_votes.get(i).is_some_and(|gv| {
                    ["ja", "nej", "avstar"]
                        .iter()
                        .all(|k| v.get(*k).is_none() || v.get(*k) == gv.get(*k))
                });
                add("votes", ok, fields);
            }
            for _ in votes.len()..got_votes.len() {
                add("votes", false, fields);
            }
        }
        if let Some(res) = w.get("reservations").and_then(Value::as_array) {
            let got_res: Vec<Vec<String>> = g
                .and_then(|g| g.get("reservations"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|r| names(r.get("names").unwrap_or(&Value::Null)))
                        .collect()
                })
                .unwrap_or_default();
            for r in res {
                let want_names = names(r.get("names").unwrap_or(&Value::Null));
                add("reservations", got_res.contains(&want_names), fields);
            }
            for _ in res.len()..got_res.len() {
                add("reservations", false, fields);
            }
        }
    }
    // A paragraph read that is not there is wrong too.
    for g in &read {
        let n = g.get("number").unwrap_or(&Value::Null);
        if !wanted.iter().any(|w| w.get("number") == Some(n)) {
            add("paragraphs", false, fields);
        }
    }
    mine
}

fn fixtures(dir: &str) -> Vec<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut out: Vec<(PathBuf, PathBuf)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter_map(|txt| {
            let expect = txt.with_extension("expect.json");
            let full = txt.with_extension("json");
            if expect.exists() {
                Some((txt, expect))
            } else if full.exists() {
                Some((txt, full))
            } else {
                panic!("{txt:?} has no .expect.json beside it")
            }
        })
        .collect();
    out.sort();
    out
}

/// Scores a directory of fixtures; prints the table and returns the total.
fn score_dir(dirs: &[&str]) -> (Tally, usize) {
    let mut fields = Fields::new();
    let mut total = Tally::default();
    let mut count = 0;
    for dir in dirs {
        for (txt, expect) in fixtures(dir) {
            let text = std::fs::read(&txt).unwrap();
            let want: Value = serde_json::from_slice(&std::fs::read(&expect).unwrap())
                .unwrap_or_else(|e| panic!("{expect:?}: {e}"));
            let got = kansli_import::read_protocol(&text)
                .map(|p| serde_json::to_value(&p).expect("plain data"));
            let mine = score_one(&want, got, &mut fields);
            total.right += mine.right;
            total.total += mine.total;
            count += 1;
            println!(
                "  {:<48} {:>3}/{:<3} {:.3}",
                format!("{dir}/{}", txt.file_name().unwrap().to_string_lossy()),
                mine.right,
                mine.total,
                mine.ratio()
            );
        }
    }
    for (field, t) in &fields {
        println!(
            "  field {:<20} {:>4}/{:<4} {:.3}",
            field,
            t.right,
            t.total,
            t.ratio()
        );
    }
    (total, count)
}

#[test]
fn the_reader_scores_at_least_the_goal_on_every_layout_family() {
    println!("Import score, layouts the reader was written against:");
    let (written, n) = score_dir(&["import", "layouts"]);
    println!(
        "IMPORT SCORE layouts: {}/{} = {:.3} over {n} protocols",
        written.right,
        written.total,
        written.ratio()
    );
    println!("Import score, protocols written after the reader (holdout):");
    let (held, m) = score_dir(&["holdout"]);
    println!(
        "IMPORT SCORE holdout: {}/{} = {:.3} over {m} protocols",
        held.right,
        held.total,
        held.ratio()
    );
    assert!(n >= 2, "the layout fixtures are missing");
    // The holdout protocols' first score (0.639, before the reader saw
    // them) is in the closing note of #19; since then they are fixtures
    // like the others, and the goal holds over all of them.
    let all = Tally {
        right: written.right + held.right,
        total: written.total + held.total,
    };
    println!(
        "IMPORT SCORE all: {}/{} = {:.3} over {} protocols",
        all.right,
        all.total,
        all.ratio(),
        n + m
    );
    assert!(
        written.ratio() >= GOAL,
        "the reader scores {:.3} on its layouts, below {GOAL}",
        written.ratio()
    );
    assert!(
        all.ratio() >= GOAL,
        "the reader scores {:.3} over all test protocols, below {GOAL}",
        all.ratio()
    );
}

/// The scorer itself: a perfect reading scores 1, a wrong organ and a
/// spurious paragraph lower it, a refused protocol scores its recognition 0.
#[test]
fn the_score_counts_what_is_wrong() {
    let want: Value = serde_json::json!({
        "organ": "Kommunstyrelsen",
        "paragraphs": [{"number": 1, "case_number": "KS 2018/14"}]
    });
    let mut f = Fields::new();
    let perfect = serde_json::json!({
        "organ": "Kommunstyrelsen",
        "paragraphs": [{"number": 1, "case_number": "KS  2018/14"}]
    });
    assert_eq!(score_one(&want, Ok(perfect), &mut f).ratio(), 1.0);
    let wrong = serde_json::json!({
        "organ": "Kommunfullmäktige",
        "paragraphs": [{"number": 1, "case_number": "KS 2018/14"}, {"number": 2}]
    });
    let t = score_one(&want, Ok(wrong), &mut f);
    assert_eq!((t.right, t.total), (3, 5));
    let t = score_one(&want, Err(ImportError::Empty), &mut f);
    assert_eq!(t.right, 0);
}
