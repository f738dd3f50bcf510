//! The open data API in the OParl 1.1 model, under `/api/oparl/v1`, so
//! that existing OParl clients can read Kansli: System → Body (an
//! organisation: kommun or region) → Organization (a body: fullmäktige,
//! styrelse, nämnd, utskott), Person with Membership, Meeting with its
//! AgendaItems, Paper (a case) with its Consultations, and File. Ids are
//! the objects' absolute URLs under [`crate::Config::public_url`] (never
//! the request's `Host`), and each answers with the same object, also
//! where it is embedded (a Meeting's AgendaItems, Location and Files, a
//! Body's LegislativeTerms, a Person's Memberships, a Paper's
//! Consultations and Files). Lists are paginated (`?page=` from 1 to
//! [`MAX_PAGE`], with `links`). Dates are dates and a Meeting's `start`
//! and `end` are date-times with Sweden's offset, as OParl 1.1 requires.
//! The roll call of each vote is an extension of AgendaItem
//! (`kansliVotes`), and the meeting's date one of Meeting (`kansliDate`),
//! since `start` is left out when no time is set.
//!
//! Everything is read through `kansli_documents::view` for the public
//! audience, where secrecy is applied: a secret item keeps its number and
//! `public: false`, never its name, text or votes.

use crate::AppState;
use crate::error::{ApiError, Problem, WebError};
use crate::pages::parse_id;
use crate::view;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use kansli_core::{BodyId, CaseId, MeetingId, OrganisationId, PersonId};
use serde::Serialize;
use utoipa::ToSchema;

const SCHEMA: &str = "https://schema.oparl.org/1.1/";
/// Objects per page of a list.
pub const PER_PAGE: usize = 20;
/// The highest `page` asked for that is answered (with 404 beyond the
/// list's last page); the OpenAPI document declares it as the maximum.
pub const MAX_PAGE: usize = 100_000;

type OResult<T> = Result<Json<T>, ApiError>;

fn kind(name: &str) -> String {
    format!("{SCHEMA}{name}")
}

/// The absolute URLs of the API and of the site, from the configured
/// public base URL.
struct Urls<'a> {
    /// `…/api/oparl/v1`.
    r: String,
    config: &'a crate::Config,
}

impl Urls<'_> {
    /// A page or file of the site (`/sammantraden/1`), made absolute.
    fn web(&self, path: &str) -> String {
        self.config.absolute(path)
    }
}

fn urls(app: &AppState) -> Urls<'_> {
    Urls {
        r: format!("{}/api/oparl/v1", app.config.public_url()),
        config: &app.config,
    }
}

/// The System: the entry point of an OParl client.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct System {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub oparl_version: String,
    pub name: String,
    /// The list of bodies.
    pub body: String,
    pub website: String,
    pub web: String,
}

/// A municipality or region (Kansli's organisation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub system: String,
    pub name: String,
    /// Lists of the body's organizations, people, meetings and papers.
    pub organization: String,
    pub person: String,
    pub meeting: String,
    pub paper: String,
    pub legislative_term: Vec<LegislativeTerm>,
    pub web: String,
}

/// A mandatperiod.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LegislativeTerm {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
}

/// A body that meets and decides (Kansli's body).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    pub organization_type: String,
    /// fullmäktige, styrelse, nämnd, utskott …
    pub classification: String,
    /// The memberships' URLs (a Person embeds them).
    pub membership: Vec<String>,
    /// The list of its meetings.
    pub meeting: String,
    pub web: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub person: String,
    pub organization: String,
    /// ordförande, ledamot, ersättare …
    pub role: String,
    /// Members vote; substitutes only when serving.
    pub voting_right: bool,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The Body of the person's first seat; left out without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub name: String,
    /// The party, as an abbreviation ("S", "M").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    pub membership: Vec<Membership>,
    /// Proposals, votes and reservations (Kansli's person record).
    pub kansli_record: String,
    pub web: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    /// The meeting held there.
    pub meetings: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct File {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub file_name: String,
    pub mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    pub access_url: String,
    pub download_url: String,
    /// The meeting whose document it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub meeting: Vec<String>,
    /// SHA-256 of the content (an extension; OParl names SHA-1 and SHA-512).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kansli_sha256: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// planned, invited, running, held, approved, posted, cancelled
    /// (Kansli's life cycle).
    pub meeting_state: String,
    pub cancelled: bool,
    /// Date and time in Swedish local time with its offset (RFC 3339,
    /// `2025-01-28T14:00:00+01:00`); left out when no time is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The meeting's date (an extension: there whether or not a time is
    /// set).
    pub kansli_date: String,
    pub location: Location,
    pub organization: Vec<String>,
    pub participant: Vec<String>,
    /// The kallelse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<File>,
    /// The protocol, once there are paragraphs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_protocol: Option<File>,
    pub agenda_item: Vec<AgendaItem>,
    pub web: String,
    /// An extension (#19): the meeting was read from an existing protocol;
    /// left out for a meeting recorded in Kansli.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kansli_imported: Option<KansliImported>,
}

/// The source file of an imported meeting (extension).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KansliImported {
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// The day it was imported (YYYY-MM-DD).
    pub imported: String,
    /// The original file, byte for byte; only once it is public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
}

/// One ballot of a roll call.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ballot {
    pub person: String,
    pub name: String,
    /// ja, nej or avstar.
    pub choice: String,
}

/// A vote (omröstning) with each member's ballot.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollCall {
    pub ja_means: String,
    pub nej_means: String,
    pub ja: usize,
    pub nej: usize,
    pub avstar: usize,
    pub result: String,
    pub ballots: Vec<Ballot>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub meeting: String,
    /// "§14" once recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub order: usize,
    /// Left out for a secret item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub public: bool,
    /// The case's paper (an extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    /// The beslutsgång.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The decision as the protocol words it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_text: Option<String>,
    pub kansli_votes: Vec<RollCall>,
    pub kansli_reservations: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consultation {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub paper: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<String>,
    pub meeting: String,
    pub organization: Vec<String>,
    /// Whether the body decided the matter there (not only prepared it).
    pub authoritative: bool,
}

/// A case (ärende) with its public documents.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Paper {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    pub name: String,
    /// The case number.
    pub reference: String,
    pub date: String,
    /// Motion, or Ärende.
    pub paper_type: String,
    pub auxiliary_file: Vec<File>,
    pub consultation: Vec<Consultation>,
    pub web: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub total_elements: usize,
    pub elements_per_page: usize,
    pub current_page: usize,
    pub total_pages: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    pub first: String,
    pub last: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

macro_rules! list {
    ($name:ident, $item:ty) => {
        /// One page of a list.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub data: Vec<$item>,
            pub pagination: Pagination,
            pub links: Links,
        }

        impl $name {
            fn page(all: Vec<$item>, url: &str, page: usize) -> Result<$name, WebError> {
                let (data, pagination, links) = paginate(all, url, page)?;
                Ok($name {
                    data,
                    pagination,
                    links,
                })
            }
        }
    };
}

list!(BodyList, Body);
list!(OrganizationList, Organization);
list!(PersonList, Person);
list!(MeetingList, Meeting);
/// One page of papers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperList {
    pub data: Vec<Paper>,
    pub pagination: Pagination,
    pub links: Links,
}

fn paginate<T>(
    all: Vec<T>,
    url: &str,
    page: usize,
) -> Result<(Vec<T>, Pagination, Links), WebError> {
    let total = all.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    if page == 0 || page > pages {
        return Err(WebError::NotFound(format!(
            "sidan {page} finns inte; listan har {pages} sidor"
        )));
    }
    let data: Vec<T> = all
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let at = |p: usize| format!("{url}?page={p}");
    Ok((
        data,
        Pagination {
            total_elements: total,
            elements_per_page: PER_PAGE,
            current_page: page,
            total_pages: pages,
        },
        Links {
            first: at(1),
            last: at(pages),
            prev: (page > 1).then(|| at(page - 1)),
            next: (page < pages).then(|| at(page + 1)),
        },
    ))
}

/// The `page` of a list, from 1 to [`MAX_PAGE`] (1 when not given). Any
/// other value, or `page` given twice, is refused with a Swedish 400
/// problem naming the parameter and its bounds.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery(pub usize);

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        page_of(parts.uri.query().unwrap_or(""))
            .map(PageQuery)
            .map_err(ApiError)
    }
}

fn page_of(query: &str) -> Result<usize, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| WebError::BadRequest("Frågedelen av adressen kunde inte tolkas.".into()))?;
    let mut pages = pairs.iter().filter(|(k, _)| k == "page").map(|(_, v)| v);
    let (Some(raw), None) = (pages.next(), pages.next()) else {
        return match pairs.iter().any(|(k, _)| k == "page") {
            true => Err(WebError::BadRequest(
                "Parametern page får bara anges en gång.".into(),
            )),
            false => Ok(1),
        };
    };
    raw.parse::<usize>()
        .ok()
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "Parametern page måste vara ett heltal från 1 till {MAX_PAGE}, inte «{}».",
                raw.chars().take(40).collect::<String>()
            ))
        })
}

// ---- building the objects ---------------------------------------------------

fn term_object(u: &Urls, org: OrganisationId, t: &kansli_core::org::Term) -> LegislativeTerm {
    LegislativeTerm {
        id: format!("{}/bodies/{org}/terms/{}", u.r, t.id),
        kind: kind("LegislativeTerm"),
        body: format!("{}/bodies/{org}", u.r),
        name: t.label(),
        start_date: t.starts.to_string(),
        end_date: t.ends.to_string(),
    }
}

async fn body_object(app: &AppState, u: &Urls<'_>, id: OrganisationId) -> Result<Body, WebError> {
    let org = app.store.organisation(id).await?;
    let terms = app.store.terms(id).await?;
    let r = &u.r;
    let me = format!("{r}/bodies/{id}");
    Ok(Body {
        id: me.clone(),
        kind: kind("Body"),
        system: format!("{r}/system"),
        name: org.name,
        organization: format!("{me}/organizations"),
        person: format!("{me}/people"),
        meeting: format!("{me}/meetings"),
        paper: format!("{me}/papers"),
        legislative_term: terms.iter().map(|t| term_object(u, id, t)).collect(),
        web: u.web(&format!("/organisationer/{id}")),
    })
}

/// `id` is the stored membership's id (`Store::membership_id`).
fn membership(r: &str, m: &kansli_store::Member, id: i64) -> Membership {
    Membership {
        id: format!("{r}/memberships/{id}"),
        kind: kind("Membership"),
        person: format!("{r}/people/{}", m.person.id),
        organization: format!("{r}/organizations/{}", m.membership.body),
        role: m.membership.role.label_sv().into(),
        voting_right: m.membership.role.is_member(),
        start_date: m.term.starts.to_string(),
        end_date: m.term.ends.to_string(),
    }
}

async fn organization_object(
    app: &AppState,
    u: &Urls<'_>,
    id: BodyId,
) -> Result<Organization, WebError> {
    let r = &u.r;
    let b = app.store.body(id).await?;
    let mut memberships = Vec::new();
    for m in app.store.members(id).await? {
        let stored = app.store.membership_id(&m.membership).await?;
        memberships.push(format!("{r}/memberships/{stored}"));
    }
    Ok(Organization {
        id: format!("{r}/organizations/{id}"),
        kind: kind("Organization"),
        body: format!("{r}/bodies/{}", b.organisation),
        name: b.name.clone(),
        short_name: b.short_name.clone(),
        organization_type: "Gremium".into(),
        classification: b.kind.label_sv().into(),
        membership: memberships,
        meeting: format!("{r}/organizations/{id}/meetings"),
        web: u.web(&format!("/organ/{id}")),
    })
}

/// A person's memberships, in the order they were recorded.
async fn person_memberships(
    app: &AppState,
    person: PersonId,
) -> Result<Vec<kansli_store::Member>, WebError> {
    let mut out = Vec::new();
    for (m, body, _) in app.store.memberships_of(person).await? {
        for x in app.store.members(body.id).await? {
            if x.person.id == person && x.membership == m && !out.contains_member(&x) {
                out.push(x);
            }
        }
    }
    Ok(out)
}

trait ContainsMember {
    fn contains_member(&self, m: &kansli_store::Member) -> bool;
}

impl ContainsMember for Vec<kansli_store::Member> {
    fn contains_member(&self, m: &kansli_store::Member) -> bool {
        self.iter().any(|x| x.membership == m.membership)
    }
}

async fn person_object(app: &AppState, u: &Urls<'_>, id: PersonId) -> Result<Person, WebError> {
    let r = &u.r;
    let p = app.store.person(id).await?;
    let memberships = person_memberships(app, id).await?;
    let organisation = match memberships.first() {
        Some(m) => Some(app.store.body(m.membership.body).await?.organisation),
        None => None,
    };
    Ok(Person {
        id: format!("{r}/people/{id}"),
        kind: kind("Person"),
        body: organisation.map(|o| format!("{r}/bodies/{o}")),
        name: p.name,
        party: p.party,
        membership: {
            let mut out = Vec::new();
            for m in &memberships {
                let stored = app.store.membership_id(&m.membership).await?;
                out.push(membership(r, m, stored));
            }
            out
        },
        kansli_record: u.web(&format!("/api/v1/persons/{id}")),
        web: u.web(&format!("/personer/{id}")),
    })
}

fn state(status: &str) -> &'static str {
    match status {
        "planned" => "planned",
        "notice_issued" => "invited",
        "in_session" => "running",
        "held" => "held",
        "approved" => "approved",
        "notice_posted" => "posted",
        _ => "cancelled",
    }
}

/// A date and a time ("14:00") of Swedish local time as an RFC 3339
/// date-time with the offset in force then (`+01:00` or `+02:00`).
pub(crate) fn stockholm(date: &str, time: &str) -> Option<String> {
    let date: jiff::civil::Date = date.parse().ok()?;
    let time: jiff::civil::Time = time.parse().ok()?;
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").ok()?;
    let zoned = date.to_datetime(time).to_zoned(tz).ok()?;
    Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// The documents of a meeting that are Files: (path segment, name).
const MEETING_FILES: [(&str, &str); 2] = [("kallelse", "Kallelse"), ("protokoll", "Protokoll")];

async fn meeting_object(app: &AppState, u: &Urls<'_>, id: MeetingId) -> Result<Meeting, WebError> {
    let r = &u.r;
    let m = view::meeting(&app.store, id).await?;
    let me = format!("{r}/meetings/{id}");
    let s = &m.summary;
    let mut participant: Vec<String> = m
        .members
        .iter()
        .chain(&m.substitutes)
        .map(|a| format!("{r}/people/{}", a.person.id))
        .collect();
    participant.dedup();
    let file = |what: &str, name: &str| {
        let url = u.web(&format!("{}/dokument/{what}.pdf", s.html));
        File {
            id: format!("{me}/files/{what}"),
            kind: kind("File"),
            name: name.into(),
            file_name: format!("{what}.pdf"),
            mime_type: "application/pdf".into(),
            size: None,
            access_url: url.clone(),
            download_url: url,
            meeting: vec![me.clone()],
            kansli_sha256: None,
        }
    };
    let [(kallelse, kallelse_name), (protokoll, protokoll_name)] = MEETING_FILES;
    let agenda_item = m
        .agenda
        .iter()
        .map(|i| {
            let p = i
                .paragraph
                .and_then(|n| m.paragraphs.iter().find(|p| p.number == n));
            agenda_item(u, id, i, p)
        })
        .collect();
    let time = |t: &Option<String>| {
        t.as_ref()
            .map(|t| {
                stockholm(&s.date, t).ok_or_else(|| {
                    WebError::BadRequest(format!("Tiden {t} {} kunde inte tolkas.", s.date))
                })
            })
            .transpose()
    };
    Ok(Meeting {
        id: me.clone(),
        kind: kind("Meeting"),
        name: format!("{} {}", s.body.name, s.date),
        meeting_state: state(&s.status).into(),
        cancelled: s.status == "cancelled",
        start: time(&s.starts)?,
        end: time(&s.ends)?,
        kansli_date: s.date.clone(),
        location: Location {
            id: format!("{me}/location"),
            kind: kind("Location"),
            description: s.place.clone(),
            meetings: vec![me.clone()],
        },
        organization: vec![format!("{r}/organizations/{}", s.body.id)],
        participant,
        invitation: (!m.agenda.is_empty()).then(|| file(kallelse, kallelse_name)),
        results_protocol: (m.publication.protocol && !m.paragraphs.is_empty())
            .then(|| file(protokoll, protokoll_name)),
        agenda_item,
        web: u.web(&s.html),
        kansli_imported: s.imported.as_ref().map(|i| KansliImported {
            file_name: i.file_name.clone(),
            mime_type: i.media_type.clone(),
            size: i.size,
            sha256: i.sha256.clone(),
            imported: i.imported.clone(),
            download_url: i.original.as_ref().map(|o| u.web(o)),
        }),
    })
}

fn agenda_item(
    u: &Urls,
    meeting: MeetingId,
    i: &view::AgendaItemView,
    p: Option<&view::ParagraphView>,
) -> AgendaItem {
    let r = &u.r;
    let public = i.public && p.is_none_or(|p| p.public);
    let decision = p.and_then(|p| p.decision.as_ref()).map(|d| {
        d.parts
            .iter()
            .map(|part| {
                let clauses: Vec<String> = part.clauses.iter().map(|c| c.text.clone()).collect();
                format!("{} {}", part.intro, clauses.join("; "))
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    AgendaItem {
        id: format!("{r}/meetings/{meeting}/agenda-items/{}", i.position),
        kind: kind("AgendaItem"),
        meeting: format!("{r}/meetings/{meeting}"),
        number: i.paragraph.map(|n| format!("§{n}")),
        order: i.position,
        name: public.then(|| i.title.clone()),
        public,
        paper: i
            .case_id
            .filter(|_| public)
            .map(|c| format!("{r}/papers/{c}")),
        result: p
            .filter(|_| public)
            .map(|p| p.propositions.join(" "))
            .filter(|s| !s.is_empty()),
        resolution_text: decision.filter(|_| public),
        kansli_votes: p
            .filter(|_| public)
            .map(|p| {
                p.votes
                    .iter()
                    .map(|v| RollCall {
                        ja_means: v.ja_means.clone(),
                        nej_means: v.nej_means.clone(),
                        ja: v.ja,
                        nej: v.nej,
                        avstar: v.avstar,
                        result: v.result.clone(),
                        ballots: v
                            .ballots
                            .iter()
                            .map(|b| Ballot {
                                person: format!("{r}/people/{}", b.person.id),
                                name: b.person.display.clone(),
                                choice: b.choice.clone(),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        kansli_reservations: p
            .filter(|_| public)
            .map(|p| p.reservations.iter().map(|x| x.text.clone()).collect())
            .unwrap_or_default(),
        web: p.filter(|_| public).map(|p| u.web(&p.html)),
    }
}

/// A stored file of a public document.
fn file_object(u: &Urls, a: &kansli_store::files::Attachment) -> File {
    let url = u.web(&format!("/filer/{}", a.id));
    File {
        id: format!("{}/files/{}", u.r, a.id),
        kind: kind("File"),
        name: a.file_name.clone(),
        file_name: a.file_name.clone(),
        mime_type: a.media_type.clone(),
        size: Some(a.size),
        access_url: url.clone(),
        download_url: url,
        meeting: vec![],
        kansli_sha256: Some(a.sha256.clone()),
    }
}

async fn paper_object(app: &AppState, u: &Urls<'_>, id: CaseId) -> Result<Paper, WebError> {
    let r = &u.r;
    let c = view::case(&app.store, id).await?;
    let me = format!("{r}/papers/{id}");
    let mut consultation = Vec::new();
    for (i, step) in c.steps.iter().enumerate() {
        let meeting = step.meeting.id;
        let m = view::meeting(&app.store, MeetingId(meeting)).await?;
        let item = m
            .agenda
            .iter()
            .find(|a| a.case_id == Some(c.id) && a.public)
            .map(|a| format!("{r}/meetings/{meeting}/agenda-items/{}", a.position));
        let decides = step
            .paragraph
            .and_then(|n| m.paragraphs.iter().find(|p| p.number == n))
            .and_then(|p| p.decision.as_ref())
            .is_some_and(|d| d.parts.iter().any(|x| x.kind == "decides"));
        consultation.push(Consultation {
            id: format!("{me}/consultations/{}", i + 1),
            kind: kind("Consultation"),
            paper: me.clone(),
            agenda_item: item,
            meeting: format!("{r}/meetings/{meeting}"),
            organization: vec![format!("{r}/organizations/{}", step.meeting.body.id)],
            authoritative: decides,
        });
    }
    let mut auxiliary_file = Vec::new();
    for d in c.documents.iter().filter(|d| d.public) {
        for a in app.store.attachments(kansli_core::DocumentId(d.id)).await? {
            auxiliary_file.push(file_object(u, &a));
        }
    }
    Ok(Paper {
        id: me,
        kind: kind("Paper"),
        body: format!("{r}/bodies/{}", c.organisation.id),
        name: c.title.clone(),
        reference: c.number.clone(),
        date: c.registered.clone(),
        paper_type: if c.motion.is_some() {
            "Motion".into()
        } else {
            "Ärende".into()
        },
        auxiliary_file,
        consultation,
        web: u.web(&c.html),
    })
}

// ---- the endpoints ----------------------------------------------------------------

/// The System object.
#[utoipa::path(get, path = "/api/oparl/v1/system", tag = "oparl",
    responses((status = 200, description = "Systemet", body = System)))]
pub async fn system(State(app): State<AppState>) -> OResult<System> {
    let u = urls(&app);
    let r = &u.r;
    Ok(Json(System {
        id: format!("{r}/system"),
        kind: kind("System"),
        oparl_version: SCHEMA.into(),
        name: "Kansli".into(),
        body: format!("{r}/bodies"),
        website: u.web("/"),
        web: u.web("/"),
    }))
}

/// All bodies (organisations).
#[utoipa::path(get, path = "/api/oparl/v1/bodies", tag = "oparl",
    params(("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Organisationerna", body = BodyList),
        (status = 404, description = "Sidan finns inte", body = Problem)))]
pub async fn bodies(State(app): State<AppState>, PageQuery(page): PageQuery) -> OResult<BodyList> {
    let u = urls(&app);
    let r = &u.r;
    let mut all = Vec::new();
    for o in app.store.organisations().await? {
        all.push(body_object(&app, &u, o.id).await?);
    }
    Ok(Json(BodyList::page(all, &format!("{r}/bodies"), page)?))
}

/// One body.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id")),
    responses((status = 200, description = "Organisationen", body = Body),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<Body> {
    let id = parse_id(&raw, "Organisationen")?;
    Ok(Json(body_object(&app, &urls(&app), id).await?))
}

/// A body's organizations.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}/organizations", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Organen", body = OrganizationList),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body_organizations(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    PageQuery(page): PageQuery,
) -> OResult<OrganizationList> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    app.store.organisation(id).await?;
    let u = urls(&app);
    let r = &u.r;
    let mut all = Vec::new();
    for b in app.store.bodies(id).await? {
        all.push(organization_object(&app, &u, b.id).await?);
    }
    Ok(Json(OrganizationList::page(
        all,
        &format!("{r}/bodies/{id}/organizations"),
        page,
    )?))
}

/// The people with seats in a body's organizations.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}/people", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Personerna", body = PersonList),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body_people(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    PageQuery(page): PageQuery,
) -> OResult<PersonList> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    app.store.organisation(id).await?;
    let u = urls(&app);
    let r = &u.r;
    let mut ids: Vec<PersonId> = Vec::new();
    for b in app.store.bodies(id).await? {
        for m in app.store.members(b.id).await? {
            if !ids.contains(&m.person.id) {
                ids.push(m.person.id);
            }
        }
    }
    let mut all = Vec::new();
    for p in ids {
        all.push(person_object(&app, &u, p).await?);
    }
    Ok(Json(PersonList::page(
        all,
        &format!("{r}/bodies/{id}/people"),
        page,
    )?))
}

/// A body's meetings, newest first.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}/meetings", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Sammanträdena", body = MeetingList),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body_meetings(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    PageQuery(page): PageQuery,
) -> OResult<MeetingList> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    app.store.organisation(id).await?;
    let u = urls(&app);
    let r = &u.r;
    let mut summaries = app.store.all_meetings().await?;
    summaries.retain(|m| m.organisation.id == id);
    summaries.sort_by_key(|s| std::cmp::Reverse(s.meeting.date));
    let mut all = Vec::new();
    for m in summaries {
        all.push(meeting_object(&app, &u, m.meeting.id).await?);
    }
    Ok(Json(MeetingList::page(
        all,
        &format!("{r}/bodies/{id}/meetings"),
        page,
    )?))
}

/// A body's papers (cases), newest first.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}/papers", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Ärendena", body = PaperList),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body_papers(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    PageQuery(page): PageQuery,
) -> OResult<PaperList> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    app.store.organisation(id).await?;
    let u = urls(&app);
    let r = &u.r;
    let mut cases = view::public_cases(&app.store, id).await?;
    cases.sort_by(|a, b| b.registered.cmp(&a.registered).then(b.id.cmp(&a.id)));
    // Only the requested page is built: papers are the longest list.
    let (cases, pagination, links) = paginate(cases, &format!("{r}/bodies/{id}/papers"), page)?;
    let mut data = Vec::new();
    for c in cases {
        data.push(paper_object(&app, &u, c.id).await?);
    }
    Ok(Json(PaperList {
        data,
        pagination,
        links,
    }))
}

/// One organization (body of the municipality).
#[utoipa::path(get, path = "/api/oparl/v1/organizations/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Organets id")),
    responses((status = 200, description = "Organet", body = Organization),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn organization(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> OResult<Organization> {
    let id = parse_id(&raw, "Organet")?;
    Ok(Json(organization_object(&app, &urls(&app), id).await?))
}

/// An organization's meetings, newest first.
#[utoipa::path(get, path = "/api/oparl/v1/organizations/{id}/meetings", tag = "oparl",
    params(("id" = i64, Path, description = "Organets id"),
        ("page" = Option<u32>, Query, description = "Sida, från 1", minimum = 1, maximum = 100000)),
    responses((status = 200, description = "Sammanträdena", body = MeetingList),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn organization_meetings(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    PageQuery(page): PageQuery,
) -> OResult<MeetingList> {
    let id: BodyId = parse_id(&raw, "Organet")?;
    app.store.body(id).await?;
    let u = urls(&app);
    let r = &u.r;
    let mut meetings = app.store.meetings(id).await?;
    meetings.sort_by_key(|m| std::cmp::Reverse(m.date));
    let mut all = Vec::new();
    for m in meetings {
        all.push(meeting_object(&app, &u, m.id).await?);
    }
    Ok(Json(MeetingList::page(
        all,
        &format!("{r}/organizations/{id}/meetings"),
        page,
    )?))
}

/// One person with their memberships.
#[utoipa::path(get, path = "/api/oparl/v1/people/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Personens id")),
    responses((status = 200, description = "Personen", body = Person),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn person(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<Person> {
    let id = parse_id(&raw, "Personen")?;
    Ok(Json(person_object(&app, &urls(&app), id).await?))
}

/// One membership: a person's seat in a body for a term.
#[utoipa::path(get, path = "/api/oparl/v1/memberships/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Uppdragets id")),
    responses((status = 200, description = "Uppdraget", body = Membership),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn membership_one(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> OResult<Membership> {
    let id: i64 = raw
        .parse()
        .map_err(|_| WebError::NotFound(format!("uppdraget «{raw}» finns inte")))?;
    let m = app.store.membership_by_id(id).await?;
    let member = app
        .store
        .members(m.body)
        .await?
        .into_iter()
        .find(|x| x.membership == m)
        .ok_or_else(|| WebError::NotFound(format!("uppdraget «{raw}» finns inte")))?;
    Ok(Json(membership(&urls(&app).r, &member, id)))
}

/// One meeting with its agenda items, decisions and roll calls.
#[utoipa::path(get, path = "/api/oparl/v1/meetings/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Sammanträdets id")),
    responses((status = 200, description = "Sammanträdet", body = Meeting),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn meeting(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<Meeting> {
    let id = parse_id(&raw, "Sammanträdet")?;
    Ok(Json(meeting_object(&app, &urls(&app), id).await?))
}

/// One agenda item, by its place on the agenda (from 1).
#[utoipa::path(get, path = "/api/oparl/v1/meetings/{id}/agenda-items/{number}", tag = "oparl",
    params(("id" = i64, Path, description = "Sammanträdets id"),
        ("number" = usize, Path, description = "Punktens plats i föredragningslistan, från 1")),
    responses((status = 200, description = "Punkten", body = AgendaItem),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn agenda_item_one(
    State(app): State<AppState>,
    Path((raw, number)): Path<(String, String)>,
) -> OResult<AgendaItem> {
    let id = parse_id(&raw, "Sammanträdet")?;
    let order: usize = parse_id(&number, "Punkten")?;
    let m = meeting_object(&app, &urls(&app), id).await?;
    m.agenda_item
        .into_iter()
        .find(|a| a.order == order)
        .map(Json)
        .ok_or_else(|| WebError::NotFound(format!("punkt {order} finns inte")).into())
}

/// One paper (case) with its consultations and public files.
#[utoipa::path(get, path = "/api/oparl/v1/papers/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Ärendets id")),
    responses((status = 200, description = "Ärendet", body = Paper),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn paper(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<Paper> {
    let id = parse_id(&raw, "Ärendet")?;
    Ok(Json(paper_object(&app, &urls(&app), id).await?))
}

/// One file of a public document. A secret document's file is not a File
/// here.
#[utoipa::path(get, path = "/api/oparl/v1/files/{id}", tag = "oparl",
    params(("id" = i64, Path, description = "Filens id")),
    responses((status = 200, description = "Filen", body = File),
        (status = 403, description = "Sekretess", body = Problem),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn file(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<File> {
    let id: kansli_core::AttachmentId = parse_id(&raw, "Filen")?;
    let (a, _) = app.store.attachment(id).await?;
    if let kansli_core::Access::Secret { .. } =
        view::document_access(&app.store, a.document).await?
    {
        return Err(WebError::Forbidden("Filen hör till en handling med sekretess.".into()).into());
    }
    Ok(Json(file_object(&urls(&app), &a)))
}

/// One mandatperiod of a body.
#[utoipa::path(get, path = "/api/oparl/v1/bodies/{id}/terms/{term}", tag = "oparl",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("term" = i64, Path, description = "Mandatperiodens id")),
    responses((status = 200, description = "Mandatperioden", body = LegislativeTerm),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn term(
    State(app): State<AppState>,
    Path((raw, term)): Path<(String, String)>,
) -> OResult<LegislativeTerm> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    let term: kansli_core::TermId = parse_id(&term, "Mandatperioden")?;
    app.store
        .terms(id)
        .await?
        .iter()
        .find(|t| t.id == term)
        .map(|t| Json(term_object(&urls(&app), id, t)))
        .ok_or_else(|| WebError::NotFound(format!("Mandatperioden {term} finns inte.")).into())
}

/// Where a meeting is held.
#[utoipa::path(get, path = "/api/oparl/v1/meetings/{id}/location", tag = "oparl",
    params(("id" = i64, Path, description = "Sammanträdets id")),
    responses((status = 200, description = "Platsen", body = Location),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn location(State(app): State<AppState>, Path(raw): Path<String>) -> OResult<Location> {
    let id = parse_id(&raw, "Sammanträdet")?;
    Ok(Json(meeting_object(&app, &urls(&app), id).await?.location))
}

/// A meeting's kallelse or protocol as a File (its `accessUrl` is the PDF).
#[utoipa::path(get, path = "/api/oparl/v1/meetings/{id}/files/{name}", tag = "oparl",
    params(("id" = i64, Path, description = "Sammanträdets id"),
        ("name" = String, Path, description = "kallelse eller protokoll")),
    responses((status = 200, description = "Filen", body = File),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn meeting_file(
    State(app): State<AppState>,
    Path((raw, name)): Path<(String, String)>,
) -> OResult<File> {
    let id = parse_id(&raw, "Sammanträdet")?;
    let m = meeting_object(&app, &urls(&app), id).await?;
    let file = match name.as_str() {
        "kallelse" => m.invitation,
        "protokoll" => m.results_protocol,
        _ => None,
    };
    file.map(Json).ok_or_else(|| {
        WebError::NotFound(format!(
            "Sammanträdet {id} har ingen fil «{}».",
            name.chars().take(40).collect::<String>()
        ))
        .into()
    })
}

/// One consultation of a paper: its treatment at one meeting, numbered
/// from 1 in the order of the case's journey.
#[utoipa::path(get, path = "/api/oparl/v1/papers/{id}/consultations/{number}", tag = "oparl",
    params(("id" = i64, Path, description = "Ärendets id"),
        ("number" = u32, Path, description = "Behandlingens nummer, från 1")),
    responses((status = 200, description = "Behandlingen", body = Consultation),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn consultation(
    State(app): State<AppState>,
    Path((raw, number)): Path<(String, String)>,
) -> OResult<Consultation> {
    let id = parse_id(&raw, "Ärendet")?;
    let n: usize = parse_id(&number, "Behandlingen")?;
    let paper = paper_object(&app, &urls(&app), id).await?;
    n.checked_sub(1)
        .and_then(|i| paper.consultation.into_iter().nth(i))
        .map(Json)
        .ok_or_else(|| WebError::NotFound(format!("Behandling {n} av ärendet finns inte.")).into())
}
