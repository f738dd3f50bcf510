//! Plain text: the document as a person would type it, one block after
//! another, tables tab-separated (as text extracted from a protocol PDF
//! shows them). No page furniture: text has no pages.

use crate::model::*;
use std::fmt::Write;

pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    let m = &doc.meta;
    if let Some(d) = &m.draft {
        line(&mut out, d);
    }
    line(&mut out, &m.organisation);
    line(&mut out, &m.issuer);
    for l in &m.issuer_lines {
        line(&mut out, l);
    }
    line(&mut out, &m.title.to_uppercase());
    line(&mut out, &format!("{} {}", m.date_label, m.date));
    if let Some(c) = &m.case_number {
        line(&mut out, &format!("Diarienummer {c}"));
    }
    for part in &doc.parts {
        out.push('\n');
        if part.framed {
            line(&mut out, RULE);
        }
        if let Some(h) = &part.heading {
            line(&mut out, h);
        }
        if let Some(s) = &part.subheading {
            line(&mut out, s);
        }
        for (i, b) in part.blocks.iter().enumerate() {
            if i > 0 || part.heading.is_some() {
                out.push('\n');
            }
            block(&mut out, b);
        }
        if part.framed {
            line(&mut out, RULE);
        }
    }
    out
}

const RULE: &str = "----------------------------------------";

fn line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading { text } | Block::Text { text } => line(out, text),
        Block::List { items } => {
            for i in items {
                line(out, &format!("- {}", i.text));
                for sub in &i.items {
                    line(out, &format!("  - {sub}"));
                }
            }
        }
        Block::Fields { fields } => {
            for f in fields {
                match f.lines.as_slice() {
                    [] => line(out, &format!("{}:", f.label)),
                    [one] => line(out, &format!("{}: {one}", f.label)),
                    many => {
                        line(out, &format!("{}:", f.label));
                        for l in many {
                            line(out, &format!("  {l}"));
                        }
                    }
                }
            }
        }
        Block::Signatures { signatures } => {
            for s in signatures {
                let _ = write!(out, "{}: {}", s.role, s.name);
                if let Some(d) = &s.signed {
                    let _ = write!(out, " ({d})");
                }
                out.push('\n');
            }
        }
        Block::Table { table } => {
            line(out, &table.caption);
            line(out, &table.columns.join("\t"));
            for r in &table.rows {
                line(out, &r.join("\t"));
            }
            if let Some(f) = &table.footer {
                line(out, &f.join("\t"));
            }
        }
    }
}
