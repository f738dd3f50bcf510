//! The diarium: a case's handläggare, ärendetyp, classification under the
//! organisation's own plan and status; the search of cases and handlingar
//! for staff; and the handlingar registered on a day, for the postlista
//! (what the public sees of them is decided in `kansli_documents::view`).

use crate::read::{case_row, document_row};
use crate::{Store, StoreError, Tx};
use kansli_core::case::{Case, CaseStatus, Classification, Document, StatusChange};
use kansli_core::limits::{self, Kind};
use kansli_core::org::Person;
use kansli_core::{CaseId, Date, OrganisationId, PersonId, Refusal};
use serde_json::json;
use sqlx::Row;
use std::cmp::Ordering;

/// What a registrar sets on a case besides its number and title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseDetails {
    pub officer: Option<PersonId>,
    pub case_type: Option<String>,
    pub classification: Option<String>,
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// By case number (and handling number), the diarium's own order.
    #[default]
    Number,
    Date,
    Title,
}

impl SortBy {
    pub fn code(self) -> &'static str {
        match self {
            SortBy::Number => "nummer",
            SortBy::Date => "datum",
            SortBy::Title => "rubrik",
        }
    }

    pub fn from_code(code: &str) -> Option<SortBy> {
        [SortBy::Number, SortBy::Date, SortBy::Title]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A search of the diarium: the text matches numbers (a case's, or a
/// handling's "RS231470-3"), titles, ärendetyp, classification and, for
/// handlingar, the sender or receiver; the other fields narrow it.
/// `from`/`to` are inclusive, on a case's registration date or a
/// handling's date.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub text: String,
    pub status: Option<CaseStatus>,
    pub officer: Option<PersonId>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub sort: SortBy,
    /// Newest or highest first.
    pub descending: bool,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
}

/// One page of a search, with the number of hits in all.
#[derive(Debug, Clone)]
pub struct Hits<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: u32,
    pub pages: u32,
}

/// A registered handling with its case.
#[derive(Debug, Clone)]
pub struct Registered {
    pub document: Document,
    pub case: Case,
}

impl Registered {
    /// The handling's number, "RS231470-3".
    pub fn number(&self) -> String {
        kansli_core::case::handling_number(&self.case.number, self.document.number)
    }
}

/// Swedish alphabetical order: å, ä, ö after z, case folded.
fn swedish_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            'é' | 'è' => 'e' as u32,
            'ü' => 'y' as u32,
            c => c as u32,
        })
        .collect()
}

/// Codes and numbers compared group by group, numbers as numbers
/// ("2.10" after "2.9", "RS24-10" after "RS24-9").
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let groups = |s: &str| -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, g)) if *d == digit => g.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    };
    let (ga, gb) = (groups(a), groups(b));
    for (x, y) in ga.iter().zip(gb.iter()) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (nx, ny) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
            }
            _ => swedish_key(&x.1).cmp(&swedish_key(&y.1)),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ga.len().cmp(&gb.len())
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}

fn page_of<T>(mut all: Vec<T>, search: &Search) -> Hits<T> {
    let per_page = search.per_page.clamp(1, 200) as usize;
    let total = all.len();
    let pages = total.div_ceil(per_page).max(1) as u32;
    let page = search.page.clamp(1, pages);
    let start = (page as usize - 1) * per_page;
    let items = if start < total {
        all.drain(start..(start + per_page).min(total)).collect()
    } else {
        vec![]
    };
    Hits {
        items,
        total,
        page,
        pages,
    }
}

impl Tx {
    /// Adds a heading to the organisation's classification plan, or gives
    /// an existing code a new title.
    pub async fn set_classification(
        &mut self,
        organisation: OrganisationId,
        entry: &Classification,
    ) -> Result<(), StoreError> {
        entry.check()?;
        let code = entry.code.trim();
        let title = entry.title.trim();
        let updated = sqlx::query(
            "UPDATE classification_codes SET title = $3 WHERE organisation_id = $1 AND code = $2",
        )
        .bind(organisation.0)
        .bind(code)
        .bind(title)
        .execute(&mut *self.tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO classification_codes (organisation_id, code, title) VALUES ($1, $2, $3)",
            )
            .bind(organisation.0)
            .bind(code)
            .bind(title)
            .execute(&mut *self.tx)
            .await?;
        }
        self.audit(
            "classification",
            "organisation",
            Some(organisation.0),
            json!({"code": code, "title": title}),
        )
        .await
    }

    /// Removes a heading from the plan; refused while a case is filed
    /// under it. Removing a code that is not there changes nothing.
    pub async fn remove_classification(
        &mut self,
        organisation: OrganisationId,
        code: &str,
    ) -> Result<bool, StoreError> {
        let code = code.trim();
        let used: Vec<String> = sqlx::query_scalar(
            "SELECT number FROM cases WHERE organisation_id = $1 AND classification = $2 \
             ORDER BY year, sequence LIMIT 3",
        )
        .bind(organisation.0)
        .bind(code)
        .fetch_all(&mut *self.tx)
        .await?;
        if !used.is_empty() {
            return Err(Refusal::new(
                "klassificeringskod",
                format!(
                    "koden {code} används av ärende {}; flytta ärendena till en annan kod först",
                    kansli_core::text::join_sv(&used)
                ),
            )
            .into());
        }
        let done = sqlx::query(
            "DELETE FROM classification_codes WHERE organisation_id = $1 AND code = $2",
        )
        .bind(organisation.0)
        .bind(code)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.audit(
            "unclassify",
            "organisation",
            Some(organisation.0),
            json!({"code": code}),
        )
        .await?;
        Ok(true)
    }

    /// Sets a case's handläggare, ärendetyp and classification. The code
    /// must be in the organisation's plan, the handläggare a known person.
    /// Gives whether anything changed (the same details again change
    /// nothing and are not logged).
    pub async fn set_case_details(
        &mut self,
        case: CaseId,
        details: &CaseDetails,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(case.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "ärendet",
                id: case.to_string(),
            })?;
        let current = case_row(&row)?;
        let case_type = details
            .case_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if let Some(t) = case_type {
            limits::check("ärendetyp", Kind::Line, t)?;
        }
        let classification = details
            .classification
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let mut class_title = None;
        if let Some(code) = classification {
            let title: Option<String> = sqlx::query_scalar(
                "SELECT title FROM classification_codes WHERE organisation_id = $1 AND code = $2",
            )
            .bind(current.organisation.0)
            .bind(code)
            .fetch_optional(&mut *self.tx)
            .await?;
            class_title = Some(title.ok_or_else(|| {
                Refusal::new(
                    "klassificering",
                    format!("koden {code} finns inte i organisationens klassificeringsstruktur"),
                )
            })?);
        }
        let mut officer_name = None;
        if let Some(p) = details.officer {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM persons WHERE id = $1")
                .bind(p.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            officer_name =
                Some(name.ok_or_else(|| {
                    Refusal::new("handläggare", format!("personen {p} finns inte"))
                })?);
        }
        if current.officer == details.officer
            && current.case_type.as_deref() == case_type
            && current.classification.as_deref() == classification
        {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE cases SET officer_id = $2, case_type = $3, classification = $4 WHERE id = $1",
        )
        .bind(case.0)
        .bind(details.officer.map(|p| p.0))
        .bind(case_type)
        .bind(classification)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "details",
            "case",
            Some(case.0),
            json!({
                "officer": officer_name,
                "case_type": case_type,
                "classification": classification.map(|c| format!("{c} {}", class_title.unwrap_or_default())),
            }),
        )
        .await?;
        Ok(true)
    }

    /// Changes a case's status by [`kansli_core::case::Case::change_status`]:
    /// opened again, made vilande, or closed on a day in a way.
    pub async fn change_case_status(
        &mut self,
        case: CaseId,
        change: StatusChange,
        today: Date,
    ) -> Result<CaseStatus, StoreError> {
        let row = sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(case.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "ärendet",
                id: case.to_string(),
            })?;
        let current = case_row(&row)?;
        let (status, closed, how) = current.change_status(change, today)?;
        sqlx::query("UPDATE cases SET status = $2, closed = $3, closed_how = $4 WHERE id = $1")
            .bind(case.0)
            .bind(status.code())
            .bind(closed.map(|d| d.to_string()))
            .bind(how.map(|h| h.code()))
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "case_status",
            "case",
            Some(case.0),
            json!({
                "status": status.code(),
                "closed": closed.map(|d| d.to_string()),
                "how": how.map(|h| h.code()),
            }),
        )
        .await?;
        Ok(status)
    }
}

impl Store {
    /// The organisation's classification plan, in the order of its codes.
    pub async fn classification_plan(
        &self,
        organisation: OrganisationId,
    ) -> Result<Vec<Classification>, StoreError> {
        let rows =
            sqlx::query("SELECT code, title FROM classification_codes WHERE organisation_id = $1")
                .bind(organisation.0)
                .fetch_all(self.pool())
                .await?;
        let mut plan = rows
            .iter()
            .map(|r| {
                Ok(Classification {
                    code: r.try_get("code")?,
                    title: r.try_get("title")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        plan.sort_by(|a, b| natural_cmp(&a.code, &b.code));
        Ok(plan)
    }

    /// Who may be chosen as handläggare in the organisation: those who are
    /// handläggare of one of its cases, and the persons of the users who
    /// have a role in it; by name.
    pub async fn case_officers(
        &self,
        organisation: OrganisationId,
    ) -> Result<Vec<Person>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT officer_id FROM cases WHERE organisation_id = $1 AND officer_id IS NOT NULL \
             UNION SELECT u.person_id FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.organisation_id = $1 AND u.person_id IS NOT NULL",
        )
        .bind(organisation.0)
        .fetch_all(self.pool())
        .await?;
        let ids: Vec<PersonId> = ids.into_iter().map(PersonId).collect();
        let mut persons: Vec<Person> = self.persons(&ids).await?.into_values().collect();
        persons.sort_by(|a, b| swedish_key(&a.name).cmp(&swedish_key(&b.name)));
        Ok(persons)
    }

    /// The ärendetyper used in the organisation, for a form's suggestions.
    pub async fn case_types(
        &self,
        organisation: OrganisationId,
    ) -> Result<Vec<String>, StoreError> {
        let mut types: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT case_type FROM cases WHERE organisation_id = $1 AND case_type IS NOT NULL",
        )
        .bind(organisation.0)
        .fetch_all(self.pool())
        .await?;
        types.sort_by(|a, b| swedish_key(a).cmp(&swedish_key(b)));
        Ok(types)
    }

    /// The organisation's cases narrowed by status, handläggare and
    /// registration dates in SQL; the text and the order (Swedish
    /// alphabetical, numbers as numbers, which neither database does for
    /// both) in Rust.
    async fn cases_narrowed(
        &self,
        organisation: OrganisationId,
        search: &Search,
    ) -> Result<Vec<Case>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM cases WHERE organisation_id = $1 \
             AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR officer_id = $3) \
             AND ($4 IS NULL OR registered >= $4) AND ($5 IS NULL OR registered <= $5)",
        )
        .bind(organisation.0)
        .bind(search.status.map(|s| s.code()))
        .bind(search.officer.map(|p| p.0))
        .bind(search.from.map(|d| d.to_string()))
        .bind(search.to.map(|d| d.to_string()))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(case_row).collect()
    }

    /// A page of the organisation's cases found by a [`Search`].
    pub async fn search_cases(
        &self,
        organisation: OrganisationId,
        search: &Search,
    ) -> Result<Hits<Case>, StoreError> {
        let mut cases = self.cases_narrowed(organisation, search).await?;
        let needle = search.text.trim().to_lowercase();
        if !needle.is_empty() {
            // "RS231470-3" finds its case.
            let case_part = kansli_core::case::split_handling_number(&needle)
                .map(|(c, _)| c.to_string())
                .unwrap_or_else(|| needle.clone());
            cases.retain(|c| {
                contains(&c.number, &needle)
                    || contains(&c.number, &case_part) && case_part != needle
                    || contains(&c.title, &needle)
                    || c.case_type.as_deref().is_some_and(|t| contains(t, &needle))
                    || c.classification
                        .as_deref()
                        .is_some_and(|t| t.to_lowercase().starts_with(&needle))
            });
        }
        cases.sort_by(|a, b| {
            let o = match search.sort {
                SortBy::Number => natural_cmp(&a.number, &b.number),
                SortBy::Date => a.registered.cmp(&b.registered),
                SortBy::Title => swedish_key(&a.title).cmp(&swedish_key(&b.title)),
            }
            .then_with(|| natural_cmp(&a.number, &b.number))
            .then(a.id.0.cmp(&b.id.0));
            if search.descending { o.reverse() } else { o }
        });
        Ok(page_of(cases, search))
    }

    /// A page of the organisation's handlingar found by a [`Search`]
    /// (status and handläggare are those of the handling's case; the
    /// dates the handling's own).
    pub async fn search_documents(
        &self,
        organisation: OrganisationId,
        search: &Search,
    ) -> Result<Hits<Registered>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.* FROM documents d JOIN cases c ON c.id = d.case_id \
             WHERE c.organisation_id = $1 \
             AND ($2 IS NULL OR c.status = $2) AND ($3 IS NULL OR c.officer_id = $3) \
             AND ($4 IS NULL OR d.date >= $4) AND ($5 IS NULL OR d.date <= $5)",
        )
        .bind(organisation.0)
        .bind(search.status.map(|s| s.code()))
        .bind(search.officer.map(|p| p.0))
        .bind(search.from.map(|d| d.to_string()))
        .bind(search.to.map(|d| d.to_string()))
        .fetch_all(self.pool())
        .await?;
        let documents = rows
            .iter()
            .map(document_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut all = self.with_cases(documents).await?;
        let needle = search.text.trim().to_lowercase();
        if !needle.is_empty() {
            all.retain(|r| {
                contains(&r.number(), &needle)
                    || contains(&r.document.title, &needle)
                    || contains(&r.case.title, &needle)
                    || r.document
                        .direction
                        .counterpart()
                        .is_some_and(|c| contains(c, &needle))
            });
        }
        all.sort_by(|a, b| {
            let o = match search.sort {
                SortBy::Number => natural_cmp(&a.case.number, &b.case.number)
                    .then(a.document.number.cmp(&b.document.number)),
                SortBy::Date => a.document.date.cmp(&b.document.date),
                SortBy::Title => {
                    swedish_key(&a.document.title).cmp(&swedish_key(&b.document.title))
                }
            }
            .then(a.document.id.0.cmp(&b.document.id.0));
            if search.descending { o.reverse() } else { o }
        });
        Ok(page_of(all, search))
    }

    /// The handlingar of the organisation dated on a day (the day they came
    /// in or were drawn up, OSL 5 kap. 2 §), in the order of their numbers:
    /// the postlista's rows, secret ones included (the view decides what
    /// of them is shown).
    pub async fn registered_on(
        &self,
        organisation: OrganisationId,
        day: Date,
    ) -> Result<Vec<Registered>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.* FROM documents d JOIN cases c ON c.id = d.case_id \
             WHERE c.organisation_id = $1 AND d.date = $2",
        )
        .bind(organisation.0)
        .bind(day.to_string())
        .fetch_all(self.pool())
        .await?;
        let documents = rows
            .iter()
            .map(document_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut all = self.with_cases(documents).await?;
        all.sort_by(|a, b| {
            natural_cmp(&a.case.number, &b.case.number)
                .then(a.document.number.cmp(&b.document.number))
        });
        Ok(all)
    }

    /// The nearest earlier and later days with handlingar of the
    /// organisation: the postlista links only to days that have a list, so
    /// following its links ends (a crawler walks no endless calendar).
    pub async fn postlista_neighbours(
        &self,
        organisation: OrganisationId,
        day: Date,
    ) -> Result<(Option<Date>, Option<Date>), StoreError> {
        let near = |sql: &'static str| {
            sqlx::query_scalar::<_, Option<String>>(sql)
                .bind(organisation.0)
                .bind(day.to_string())
                .fetch_one(self.pool())
        };
        let before = near(
            "SELECT MAX(d.date) FROM documents d JOIN cases c ON c.id = d.case_id \
             WHERE c.organisation_id = $1 AND d.date < $2",
        )
        .await?;
        let after = near(
            "SELECT MIN(d.date) FROM documents d JOIN cases c ON c.id = d.case_id \
             WHERE c.organisation_id = $1 AND d.date > $2",
        )
        .await?;
        let parse = |d: Option<String>| d.and_then(|d| d.parse::<Date>().ok());
        Ok((parse(before), parse(after)))
    }

    /// The log of a case: the case, its handlingar, motion and officer's
    /// reports, oldest first, with the acting users' names.
    pub async fn case_history(&self, case: CaseId) -> Result<Vec<crate::AuditRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE (a.entity = 'case' AND a.entity_id = $1) \
             OR (a.entity = 'document' AND a.entity_id IN (SELECT id FROM documents WHERE case_id = $1)) \
             OR (a.entity = 'motion' AND a.entity_id IN (SELECT id FROM motions WHERE case_id = $1)) \
             OR (a.entity = 'officer_report' AND a.entity_id IN (SELECT id FROM officer_reports WHERE case_id = $1)) \
             ORDER BY a.id",
            crate::read::AUDIT_WITH_NAMES
        )))
        .bind(case.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(crate::read::audit_row).collect()
    }

    async fn with_cases(&self, documents: Vec<Document>) -> Result<Vec<Registered>, StoreError> {
        let mut cases: std::collections::HashMap<CaseId, Case> = Default::default();
        let mut out = Vec::with_capacity(documents.len());
        for d in documents {
            let case = match cases.get(&d.case) {
                Some(c) => c.clone(),
                None => {
                    let c = self.case(d.case).await?;
                    cases.insert(d.case, c.clone());
                    c
                }
            };
            out.push(Registered { document: d, case });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use std::cmp::Ordering::*;

    #[test]
    fn codes_and_numbers_sort_as_people_read_them() {
        assert_eq!(natural_cmp("2.9", "2.10"), Less);
        assert_eq!(natural_cmp("RS231470", "RS231470"), Equal);
        assert_eq!(natural_cmp("KS 2023/9", "KS 2023/145"), Less);
        assert_eq!(natural_cmp("2", "2.1"), Less);
        assert_eq!(natural_cmp("Ödla", "Zebra"), Greater);
        assert_eq!(natural_cmp("Åsa", "Ärla"), Less);
    }
}
