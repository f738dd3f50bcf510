//! Read models for the public: ids resolved to names, Swedish labels, links,
//! and secrecy applied. The HTML pages and the JSON API render the same
//! values, so what a page shows and what the API returns cannot drift apart.
//!
//! Secrecy is applied here and only here: a secret paragraph or agenda item
//! keeps its number and the ground for secrecy, never its content, its case
//! number or a link to its case; a secret document keeps its kind and date,
//! never its title; a secret version of an officer's report is left out. A
//! case whose matter is secret (its latest officer's report secret, or a
//! secret agenda item or paragraph about it, see
//! [`Store::case_secrecy`]) does not exist for the public: [`case`] answers
//! not found, exactly as for an id that was never used, [`public_cases`]
//! leaves it out, and no meeting names its number.

use kansli_core::case::{Direction, Document, OfficerReport};
use kansli_core::deadlines;
use kansli_core::decision::{Decision, Formula};
use kansli_core::limits::{Kind, shorten};
use kansli_core::meeting::{
    Actor, Attendee, Capacity, Meeting, MeetingRecord, MeetingStatus, Paragraph,
};
use kansli_core::org::{Body, Organisation, Person};
use kansli_core::publication::{self, Disclosure};
use kansli_core::text::{join_sv, paragraph_span};
use kansli_core::wording::{self, Names};
use kansli_core::{Access, CaseId, PersonId};

/// A stored text as read models show it: within its kind's limit and free of
/// control characters, whatever was stored before the limits (or by hand).
fn cap(kind: Kind, s: &str) -> String {
    shorten(kind, s).into_owned()
}

fn cap_opt(kind: Kind, s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| cap(kind, s))
}
use kansli_store::{MeetingSummary, Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A short reference to a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
    pub party: Option<String>,
    /// "Mikaela Waltersson (M)".
    pub display: String,
}

impl From<&Person> for PersonRef {
    fn from(p: &Person) -> Self {
        PersonRef {
            id: p.id.0,
            name: cap(Kind::Name, &p.name),
            party: cap_opt(Kind::Code, &p.party),
            display: cap(Kind::Name, &p.display()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub name: String,
    /// kommun, region or samverkan.
    pub kind: String,
    pub kind_label: String,
    /// Link to the HTML page.
    pub html: String,
    /// Link to this resource in the API.
    pub api: String,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        OrganisationView {
            id: o.id.0,
            name: cap(Kind::Name, &o.name),
            kind: o.kind.code().into(),
            kind_label: o.kind.label_sv().to_string(),
            html: format!("/organisationer/{}", o.id),
            api: format!("/api/v1/organisations/{}", o.id),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BodyView {
    pub id: i64,
    pub organisation: i64,
    pub name: String,
    pub short_name: Option<String>,
    /// fullmaktige, styrelse, namnd, utskott or other.
    pub kind: String,
    pub kind_label: String,
    pub parent: Option<i64>,
    pub seats: u16,
    pub html: String,
    pub api: String,
}

impl From<&Body> for BodyView {
    fn from(b: &Body) -> Self {
        BodyView {
            id: b.id.0,
            organisation: b.organisation.0,
            name: cap(Kind::Name, &b.name),
            short_name: cap_opt(Kind::Name, &b.short_name),
            kind: b.kind.code().to_string(),
            kind_label: b.kind.label_sv().to_string(),
            parent: b.parent.map(|p| p.0),
            seats: b.seats,
            html: format!("/organ/{}", b.id),
            api: format!("/api/v1/bodies/{}", b.id),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub person: PersonRef,
    pub role: String,
    pub role_label: String,
    pub substitute_order: Option<u16>,
    pub party_group: Option<String>,
    /// The term, "2023–2026".
    pub term: String,
}

impl From<&kansli_store::Member> for MemberView {
    fn from(m: &kansli_store::Member) -> Self {
        MemberView {
            person: (&m.person).into(),
            role: m.membership.role.code().into(),
            role_label: m.membership.role.label_sv().into(),
            substitute_order: match m.membership.role {
                kansli_core::org::Role::Substitute { order } => Some(order),
                _ => None,
            },
            party_group: m.membership.party_group.clone(),
            term: m.term.label(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingSummaryView {
    pub id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub place: String,
    pub status: String,
    pub status_label: String,
    pub body: NamedRef,
    pub organisation: NamedRef,
    pub html: String,
    pub api: String,
    /// Read from an existing protocol (issue #19); `null` for a meeting
    /// recorded in Kansli.
    pub imported: Option<ImportedView>,
}

/// The mark of a meeting read from an existing protocol: the source file,
/// kept by its SHA-256, and when it was read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedView {
    /// The source file's name, as it was imported.
    pub file_name: String,
    pub media_type: String,
    /// In bytes.
    pub size: i64,
    /// SHA-256 of the file (lower-case hex): the original is served as
    /// exactly these bytes.
    pub sha256: String,
    /// The day it was imported (YYYY-MM-DD, Swedish time).
    pub imported: String,
    /// The original file's address: only once the protocol is public
    /// (justerat) and has no secret part (see [`original_public`]).
    pub original: Option<String>,
}

/// Whether the original file of an imported protocol is public: by the
/// protocol's rule (`kansli_core::publication::protocol_public`: justerat),
/// and never when the meeting has a secret item or paragraph, which the
/// original would show (only a public version without it may be given, as
/// for a signed original, OSL).
pub fn original_public(status: &MeetingStatus, has_secret: bool) -> bool {
    publication::protocol_public(status) && !has_secret
}

impl ImportedView {
    pub fn new(mark: &kansli_store::imports::ImportMark, status: &MeetingStatus) -> Self {
        let imported = swedish_time(&mark.imported_at);
        ImportedView {
            file_name: cap(Kind::Name, &mark.file_name),
            media_type: cap(Kind::Code, &mark.media_type),
            size: mark.size,
            sha256: mark.sha256.clone(),
            imported: imported.get(..10).unwrap_or(&imported).to_string(),
            original: original_public(status, mark.has_secret)
                .then(|| format!("/sammantraden/{}/original", mark.meeting)),
        }
    }
}

/// The import marks of meetings, looked up once for a list.
pub type ImportMarks = HashMap<kansli_core::MeetingId, kansli_store::imports::ImportMark>;

fn hhmm(t: Option<jiff::civil::Time>) -> Option<String> {
    t.map(|t| t.strftime("%H:%M").to_string())
}

impl MeetingSummaryView {
    pub fn new(m: &Meeting, body: &Body, org: &Organisation) -> Self {
        MeetingSummaryView {
            id: m.id.0,
            date: m.date.to_string(),
            starts: hhmm(m.starts),
            ends: hhmm(m.ends),
            place: cap(Kind::Code, &m.place),
            status: m.status.code().to_string(),
            status_label: m.status.label_sv().to_string(),
            body: NamedRef {
                id: body.id.0,
                name: cap(Kind::Name, &body.name),
            },
            organisation: NamedRef {
                id: org.id.0,
                name: cap(Kind::Name, &org.name),
            },
            html: format!("/sammantraden/{}", m.id),
            api: format!("/api/v1/meetings/{}", m.id),
            imported: None,
        }
    }

    /// With the mark of an imported meeting, when `m` is one.
    pub fn marked(mut self, m: &Meeting, marks: &ImportMarks) -> Self {
        self.imported = marks.get(&m.id).map(|k| ImportedView::new(k, &m.status));
        self
    }

    /// "14:00–16:00", or empty when no time is recorded.
    pub fn time_span(&self) -> String {
        match (&self.starts, &self.ends) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            (Some(a), None) => a.clone(),
            _ => String::new(),
        }
    }
}

impl From<&MeetingSummary> for MeetingSummaryView {
    fn from(s: &MeetingSummary) -> Self {
        MeetingSummaryView::new(&s.meeting, &s.body, &s.organisation)
    }
}

/// Every meeting, newest first.
pub async fn meetings_newest_first(store: &Store) -> Result<Vec<MeetingSummaryView>, StoreError> {
    let marks = store.import_marks().await?;
    let mut all: Vec<MeetingSummaryView> = store
        .all_meetings()
        .await?
        .iter()
        .map(|s| MeetingSummaryView::from(s).marked(&s.meeting, &marks))
        .collect();
    all.reverse();
    Ok(all)
}

/// Dates of approval and the notice on the anslagstavla, once they exist.
#[derive(Debug, Clone, Serialize, ToSchema, Default)]
pub struct ApprovalView {
    /// The last day to approve the protocol (KL 6 kap. 35 §), while it is
    /// not yet approved.
    pub approval_due: Option<String>,
    pub approved: Option<String>,
    /// The last day of the appeal period (KL 13 kap. 5 §), once posted.
    pub appeal_ends: Option<String>,
    pub notice_posted: Option<String>,
    pub notice_taken_down: Option<String>,
    pub kept_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    pub person: PersonRef,
    /// member, serving_substitute, substitute or other.
    pub capacity: String,
    /// The role in the body ("ordförande", "ledamot"), or the title of an
    /// official.
    pub role_label: String,
    pub replacing: Option<PersonRef>,
    /// "§§5-15", or empty for the whole meeting.
    pub paragraphs: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItemView {
    pub position: usize,
    pub title: String,
    pub case_number: Option<String>,
    pub case_id: Option<i64>,
    /// decision or information.
    pub kind: String,
    pub public: bool,
    pub secrecy_ground: Option<String>,
    pub paragraph: Option<u32>,
    pub basis: Vec<BasisView>,
    /// Föredragande; none for a secret item shown to the public.
    pub presenter: Option<PersonRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BasisView {
    pub title: String,
    pub document: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    pub text: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionPartView {
    /// decides, proposes or notes_information.
    pub kind: String,
    /// For a proposal: the bodies in the chain, in order.
    pub to: Vec<String>,
    /// The opening words: "Regionstyrelsens arbetsutskott beslutar att".
    pub intro: String,
    pub clauses: Vec<ClauseView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub parts: Vec<DecisionPartView>,
}

impl DecisionView {
    fn new(d: &Decision, body: &str) -> Self {
        DecisionView {
            parts: d
                .parts
                .iter()
                .map(|p| {
                    let (kind, to) = match &p.formula {
                        Formula::Decides => ("decides", vec![]),
                        Formula::Proposes { chain, .. } => ("proposes", chain.clone()),
                        Formula::NotesInformation => ("notes_information", vec![]),
                    };
                    DecisionPartView {
                        kind: kind.into(),
                        to,
                        intro: p.intro(body),
                        clauses: p
                            .clauses
                            .iter()
                            .map(|c| ClauseView {
                                text: cap(Kind::Clause, &c.text),
                                items: c.items.iter().map(|i| cap(Kind::Clause, i)).collect(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

/// A block of prose: a paragraph of text or a bulleted list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Block {
    /// "p" or "ul".
    pub kind: String,
    pub lines: Vec<String>,
}

/// Splits stored prose into blocks: blank lines separate paragraphs, and
/// lines starting with "- " form lists.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for chunk in text.split("\n\n") {
        let mut para = Vec::new();
        let mut list = Vec::new();
        for line in chunk.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(item) = line.strip_prefix("- ") {
                if !para.is_empty() {
                    out.push(Block {
                        kind: "p".into(),
                        lines: vec![std::mem::take(&mut para).join(" ")],
                    });
                }
                list.push(item.to_string());
            } else {
                if !list.is_empty() {
                    out.push(Block {
                        kind: "ul".into(),
                        lines: std::mem::take(&mut list),
                    });
                }
                para.push(line.to_string());
            }
        }
        if !para.is_empty() {
            out.push(Block {
                kind: "p".into(),
                lines: vec![para.join(" ")],
            });
        }
        if !list.is_empty() {
            out.push(Block {
                kind: "ul".into(),
                lines: list,
            });
        }
    }
    out
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    /// Position in the paragraph's proposals, from 1.
    pub number: usize,
    /// "Lise-Lotte Bensköld Olsson (S)" or "Liberalerna och Centerpartiet".
    pub movers: String,
    pub mover_ids: Vec<i64>,
    pub kind: String,
    pub kind_label: String,
    pub text: String,
    pub withdrawn: bool,
    /// The line as the protocol writes it: "… yrkar bifall till motionen."
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BallotView {
    pub person: PersonRef,
    /// "Mikaela Waltersson (M), ordförande", as in the voteringslista.
    pub label: String,
    /// ja, nej or avstar.
    pub choice: String,
    pub choice_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoteView {
    /// "Ja-röst för Mikaela Walterssons förslag till beslut".
    pub ja_means: String,
    pub nej_means: String,
    pub ballots: Vec<BallotView>,
    pub ja: usize,
    pub nej: usize,
    pub avstar: usize,
    pub result: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReservationView {
    pub by: String,
    pub by_ids: Vec<i64>,
    pub text: String,
    pub reasons: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteView {
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisqualificationView {
    pub person: PersonRef,
    pub ground: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParagraphView {
    pub number: u32,
    pub title: String,
    pub case_number: Option<String>,
    pub case_id: Option<i64>,
    pub public: bool,
    pub secrecy_ground: Option<String>,
    pub approved_at_once: bool,
    pub decision: Option<DecisionView>,
    pub reservations: Vec<ReservationView>,
    pub matter: Vec<Block>,
    pub draft_decision: Option<DecisionView>,
    pub proposals: Vec<ProposalView>,
    /// The beslutsgång, one sentence per proposition.
    pub propositions: Vec<String>,
    pub votes: Vec<VoteView>,
    pub minute_notes: Vec<NoteView>,
    pub disqualifications: Vec<DisqualificationView>,
    pub basis: Vec<BasisView>,
    /// Expedieras till: `None` when the protocol says nothing, empty for
    /// «Expedieras inte».
    pub dispatch: Option<Vec<String>>,
    /// #20 L4: proportional elections held under the item (lag 2022:629).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elections: Vec<ElectionView>,
    pub html: String,
    pub api: String,
}

/// #20 L4: a proportional election as the protocol writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ElectionView {
    /// "Proportionellt val av ledamöter".
    pub heading: String,
    /// The request, the ballots, any lot, the seats and those elected.
    pub sentences: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    #[serde(flatten)]
    pub summary: MeetingSummaryView,
    pub chair: Option<PersonRef>,
    pub secretary: Option<PersonRef>,
    pub approvers: Vec<PersonRef>,
    pub approval_place: Option<String>,
    pub approval: ApprovalView,
    /// "§§1-15".
    pub paragraph_span: String,
    pub attendance_complete: bool,
    pub source_note: Option<String>,
    pub members: Vec<AttendeeView>,
    pub substitutes: Vec<AttendeeView>,
    pub others: Vec<AttendeeView>,
    pub agenda: Vec<AgendaItemView>,
    pub paragraphs: Vec<ParagraphView>,
    /// What of the meeting this view may show (`kansli_core::publication`):
    /// for the public, the agenda from the kallelse, the proceedings live
    /// at a public meeting and once justerat, the protocol once justerat;
    /// everything for the secretariat.
    pub publication: PublicationView,
    /// The protocol is not yet justerat (KL 6 kap. 35 §): any rendition of
    /// it is a draft, marked UTKAST.
    pub draft: bool,
}

/// What of a meeting a view shows; see [`kansli_core::publication::Disclosure`].
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
pub struct PublicationView {
    /// The agenda (public items' titles): from the kallelse on.
    pub agenda: bool,
    /// Attendance and the paragraphs' content.
    pub proceedings: bool,
    /// The protocol's documents and extracts.
    pub protocol: bool,
}

impl From<Disclosure> for PublicationView {
    fn from(d: Disclosure) -> Self {
        PublicationView {
            agenda: d.agenda,
            proceedings: d.proceedings,
            protocol: d.protocol,
        }
    }
}

/// What the public may see of a meeting (`kansli_core::publication`): the
/// body's kind and its decision to meet in public (KL 5 kap. 38 §, 6 kap.
/// 25 §) and the meeting's status (KL 6 kap. 35 §, 8 kap. 12 §).
pub async fn public_disclosure(store: &Store, m: &Meeting) -> Result<Disclosure, StoreError> {
    let body = store.body(m.body).await?;
    let in_public =
        publication::meets_in_public(body.kind, store.decided_to_meet_in_public(body.id).await?);
    Ok(publication::disclosure(&m.status, in_public))
}

/// [`public_disclosure`] for many meetings, each looked up once.
#[derive(Default)]
struct Disclosures(HashMap<kansli_core::MeetingId, Disclosure>);

impl Disclosures {
    async fn of(
        &mut self,
        store: &Store,
        meeting: kansli_core::MeetingId,
    ) -> Result<Disclosure, StoreError> {
        if let Some(d) = self.0.get(&meeting) {
            return Ok(*d);
        }
        let m = store.meeting(meeting).await?;
        let d = public_disclosure(store, &m).await?;
        self.0.insert(meeting, d);
        Ok(d)
    }
}

/// Who a view is for. The public never sees secret content; the
/// secretariat's and the archive's originals show everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    #[default]
    Public,
    /// The complete record, secret paragraphs included (the signed original).
    Official,
}

/// Whether the public version of a meeting's protocol leaves something out
/// (a secret agenda item or paragraph, OSL): then the public cannot be
/// given the signed original, only a copy without it (issue #16, item 4).
pub fn public_version_differs(record: &kansli_core::meeting::MeetingRecord) -> bool {
    record.items.iter().any(|i| {
        !i.access.is_public() || i.paragraph.as_ref().is_some_and(|p| !p.access.is_public())
    })
}

/// Builds the public view of a whole meeting.
pub async fn meeting(store: &Store, id: kansli_core::MeetingId) -> Result<MeetingView, StoreError> {
    meeting_for(store, id, Audience::Public).await
}

/// Builds the view of a whole meeting for an audience.
pub async fn meeting_for(
    store: &Store,
    id: kansli_core::MeetingId,
    audience: Audience,
) -> Result<MeetingView, StoreError> {
    let record = store.meeting_record(id).await?;
    let body = store.body(record.meeting.body).await?;
    let org = store.organisation(body.organisation).await?;
    let mut ctx = Context::load(store, &record, &body).await?;
    ctx.audience = audience;
    ctx.disclosure = match audience {
        Audience::Official => Disclosure::ALL,
        Audience::Public => public_disclosure(store, &record.meeting).await?,
    };
    let changed = audience == Audience::Public
        && ctx.disclosure.protocol
        && signed_content_changed(store, &record).await?;
    if changed {
        // Rows that no longer give what the signatories signed are never
        // shown as a justerat protocol, in any output.
        ctx.disclosure.proceedings = false;
        ctx.disclosure.protocol = false;
    }
    let mut view = ctx.meeting_view(&record, &body, &org);
    if let Some(mark) = store.import_mark(id).await? {
        view.summary.imported = Some(ImportedView::new(&mark, &record.meeting.status));
    }
    if changed {
        view.summary.status_label = CANNOT_SHOW_AS_JUSTERAT.into();
    }
    Ok(view)
}

/// What the public is told instead of "justerat" when the stored rows no
/// longer give the content that was signed.
pub const CANNOT_SHOW_AS_JUSTERAT: &str = "Protokollet kan inte visas som justerat: de lagrade uppgifterna stämmer inte med det protokoll som signerades. Felet är rapporterat till kansliet.";

/// Whether a meeting justerat by signatures has rows that no longer give
/// the content digest of the version that was signed (a change made
/// around Kansli, e.g. in the database). The web layer reports it to staff
/// and the log; here it only withholds.
pub async fn signed_content_changed(
    store: &Store,
    record: &MeetingRecord,
) -> Result<bool, StoreError> {
    let versions = store.protocol_versions(record.meeting.id).await?;
    Ok(versions
        .iter()
        .find(|v| v.is_active())
        .is_some_and(|v| v.content_sha256 != kansli_store::protocols::content_digest(record)))
}

/// Names and labels the views need, fetched once per meeting.
struct Context {
    /// The people and parties named on the page, also used by the sentences
    /// core writes.
    names: Names,
    roles: HashMap<PersonId, String>,
    cases: HashMap<CaseId, String>,
    /// Cases whose matter is secret: never named or linked for the public.
    secret_cases: std::collections::HashSet<CaseId>,
    audience: Audience,
    /// What of the meeting the audience may see.
    disclosure: Disclosure,
}

impl Context {
    async fn load(store: &Store, record: &MeetingRecord, body: &Body) -> Result<Self, StoreError> {
        let mut ids: Vec<PersonId> = record.attendance.iter().map(|a| a.person).collect();
        ids.extend(record.meeting.chair);
        ids.extend(record.meeting.secretary);
        ids.extend(record.meeting.approvers.iter().copied());
        ids.extend(record.items.iter().filter_map(|i| i.presenter));
        for a in &record.attendance {
            if let Capacity::ServingSubstitute { replacing } = a.capacity {
                ids.push(replacing);
            }
        }
        for p in record.paragraphs() {
            let actors = p
                .proposals
                .iter()
                .flat_map(|x| &x.movers)
                .chain(p.reservations.iter().flat_map(|r| &r.by))
                .chain(p.minute_notes.iter().flat_map(|n| &n.by));
            for a in actors {
                if let Actor::Person { person } = a {
                    ids.push(*person);
                }
            }
            ids.extend(
                p.votes
                    .iter()
                    .flat_map(|v| v.ballots.iter().map(|b| b.person)),
            );
            ids.extend(p.disqualifications.iter().map(|d| d.person));
        }
        ids.sort();
        ids.dedup();
        let persons = store.persons(&ids).await?;
        let roles = store
            .members(body.id)
            .await?
            .into_iter()
            .filter(|m| m.term.contains(record.meeting.date))
            .map(|m| (m.person.id, m.membership.role.label_sv().to_string()))
            .collect();
        let parties: HashMap<String, String> = store
            .parties()
            .await?
            .into_iter()
            .map(|p| (p.abbreviation, p.name))
            .collect();
        let secret = store.secret_cases(body.organisation).await?;
        let mut cases = HashMap::new();
        let mut secret_cases = std::collections::HashSet::new();
        for item in &record.items {
            if let Some(c) = item.case
                && let std::collections::hash_map::Entry::Vacant(e) = cases.entry(c)
            {
                e.insert(store.case(c).await?.number);
                if secret.contains_key(&c) {
                    secret_cases.insert(c);
                }
            }
        }
        let names = Names {
            persons: persons.into_iter().collect(),
            parties: parties.into_iter().collect(),
        };
        Ok(Context {
            names,
            roles,
            cases,
            secret_cases,
            audience: Audience::Public,
            disclosure: Disclosure {
                agenda: false,
                proceedings: false,
                protocol: false,
            },
        })
    }

    /// The case number an item may show: none for a secret item or a
    /// case whose matter is secret, unless the audience is official.
    fn case_of(&self, case: Option<CaseId>, item_public: bool) -> Option<(CaseId, String)> {
        let c = case?;
        let official = self.audience == Audience::Official;
        if !official && (!item_public || self.secret_cases.contains(&c)) {
            return None;
        }
        self.cases.get(&c).map(|n| (c, n.clone()))
    }

    fn person(&self, id: PersonId) -> PersonRef {
        match self.names.persons.get(&id) {
            Some(p) => p.into(),
            None => PersonRef {
                id: id.0,
                name: format!("person {id}"),
                party: None,
                display: format!("person {id}"),
            },
        }
    }

    fn actors(&self, actors: &[Actor]) -> String {
        self.names.actors(actors)
    }

    fn attendee(&self, a: &Attendee) -> AttendeeView {
        let (capacity, role_label, replacing) = match &a.capacity {
            Capacity::Member => (
                "member",
                self.roles
                    .get(&a.person)
                    .cloned()
                    .unwrap_or("ledamot".into()),
                None,
            ),
            Capacity::ServingSubstitute { replacing } => (
                "serving_substitute",
                format!("ersättare för {}", self.person(*replacing).display),
                Some(self.person(*replacing)),
            ),
            Capacity::Substitute => ("substitute", "ersättare".to_string(), None),
            Capacity::Other { title } => ("other", cap(Kind::Line, title), None),
        };
        AttendeeView {
            person: self.person(a.person),
            capacity: capacity.into(),
            role_label,
            replacing,
            paragraphs: if a.paragraphs.is_empty() {
                String::new()
            } else {
                paragraph_span(&a.paragraphs)
            },
        }
    }

    fn meeting_view(&self, record: &MeetingRecord, body: &Body, org: &Organisation) -> MeetingView {
        let m = &record.meeting;
        let approval = match &m.status {
            MeetingStatus::Approved { approved } => ApprovalView {
                approved: Some(approved.to_string()),
                ..Default::default()
            },
            MeetingStatus::Held => ApprovalView {
                approval_due: deadlines::approval_deadline(m.date)
                    .ok()
                    .map(|d| d.to_string()),
                ..Default::default()
            },
            MeetingStatus::NoticePosted {
                approved,
                posted,
                taken_down,
                kept_at,
            } => ApprovalView {
                approved: Some(approved.to_string()),
                appeal_ends: deadlines::appeal_deadline(*posted)
                    .ok()
                    .map(|d| d.to_string()),
                notice_posted: Some(posted.to_string()),
                notice_taken_down: Some(taken_down.to_string()),
                kept_at: Some(cap(Kind::Line, kept_at)),
                approval_due: None,
            },
            _ => ApprovalView::default(),
        };
        let by_capacity = |pred: fn(&Capacity) -> bool| -> Vec<AttendeeView> {
            record
                .attendance
                .iter()
                .filter(|a| pred(&a.capacity))
                .map(|a| self.attendee(a))
                .collect()
        };
        let numbers: Vec<u32> = record.paragraphs().map(|p| p.number).collect();
        let span = match (numbers.first(), numbers.last()) {
            (Some(&a), Some(&b)) => paragraph_span(&[(a, b)]),
            _ => String::new(),
        };
        let agenda = record
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let public = item.access.is_public() || self.audience == Audience::Official;
                let case = self.case_of(item.case, public);
                AgendaItemView {
                    position: i + 1,
                    title: if public {
                        cap(Kind::Title, &item.title)
                    } else {
                        "Ärende med sekretess".into()
                    },
                    case_id: case.as_ref().map(|(c, _)| c.0),
                    case_number: case.map(|(_, n)| n),
                    kind: item.kind.code().into(),
                    public,
                    secrecy_ground: secrecy_ground(&item.access),
                    paragraph: item.paragraph.as_ref().map(|p| p.number),
                    basis: if public { basis(&item.basis) } else { vec![] },
                    presenter: item.presenter.filter(|_| public).map(|p| self.person(p)),
                }
            })
            .collect();
        let paragraphs = record
            .items
            .iter()
            .filter_map(|item| {
                let p = item.paragraph.as_ref()?;
                let public = (item.access.is_public() && p.access.is_public())
                    || self.audience == Audience::Official;
                let case = self.case_of(item.case, public);
                Some(self.paragraph(m, body, p, case, item.access.is_public()))
            })
            .collect();
        let view = MeetingView {
            summary: MeetingSummaryView::new(m, body, org),
            chair: m.chair.map(|p| self.person(p)),
            secretary: m.secretary.map(|p| self.person(p)),
            approvers: m.approvers.iter().map(|p| self.person(*p)).collect(),
            approval_place: cap_opt(Kind::Line, &m.approval_place),
            approval,
            paragraph_span: span,
            attendance_complete: m.attendance_complete,
            source_note: m.source_note.clone(),
            members: by_capacity(|c| matches!(c, Capacity::Member)),
            substitutes: by_capacity(|c| {
                matches!(c, Capacity::ServingSubstitute { .. } | Capacity::Substitute)
            }),
            others: by_capacity(|c| matches!(c, Capacity::Other { .. })),
            agenda,
            paragraphs,
            publication: self.disclosure.into(),
            draft: publication::is_draft(&m.status),
        };
        withhold(view, self.disclosure)
    }

    fn paragraph(
        &self,
        m: &Meeting,
        body: &Body,
        p: &Paragraph,
        case: Option<(CaseId, String)>,
        item_public: bool,
    ) -> ParagraphView {
        let public = (item_public && p.access.is_public()) || self.audience == Audience::Official;
        let html = format!("/sammantraden/{}/paragrafer/{}", m.id, p.number);
        let api = format!("/api/v1/meetings/{}/paragraphs/{}", m.id, p.number);
        let ground = secrecy_ground(&p.access);
        if !public {
            return ParagraphView {
                number: p.number,
                title: "Ärende med sekretess".into(),
                case_number: None,
                case_id: None,
                public: false,
                secrecy_ground: ground.or(Some("sekretess".into())),
                approved_at_once: p.approved_at_once,
                decision: None,
                reservations: vec![],
                matter: vec![],
                draft_decision: None,
                proposals: vec![],
                propositions: vec![],
                votes: vec![],
                minute_notes: vec![],
                disqualifications: vec![],
                basis: vec![],
                dispatch: None,
                elections: vec![],
                html,
                api,
            };
        }
        let proposals = p
            .proposals
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let movers = self.actors(&x.movers);
                ProposalView {
                    number: i + 1,
                    sentence: wording::proposal_line(&self.names, x),
                    movers,
                    mover_ids: person_ids(&x.movers),
                    kind: x.kind.code().into(),
                    kind_label: x.kind.label_sv().into(),
                    text: cap(Kind::Clause, &x.text),
                    withdrawn: x.withdrawn,
                }
            })
            .collect();
        let votes = p
            .votes
            .iter()
            .map(|v| {
                let tally = kansli_core::rules::tally(&v.ballots);
                let (ja_means, nej_means) = wording::voting_order(&self.names, &p.proposals, v);
                VoteView {
                    ja_means,
                    nej_means,
                    ballots: v
                        .ballots
                        .iter()
                        .map(|b| {
                            let person = self.person(b.person);
                            let role = self
                                .roles
                                .get(&b.person)
                                .cloned()
                                .unwrap_or("ledamot".into());
                            BallotView {
                                label: format!("{}, {role}", person.display),
                                person,
                                choice: b.choice.code().into(),
                                choice_label: b.choice.label_sv().into(),
                            }
                        })
                        .collect(),
                    ja: tally.ja as usize,
                    nej: tally.nej as usize,
                    avstar: tally.avstar as usize,
                    result: cap(Kind::FreeText, &v.wording),
                }
            })
            .collect();
        ParagraphView {
            number: p.number,
            title: cap(Kind::Title, &p.title),
            case_number: case.as_ref().map(|(_, n)| n.clone()),
            case_id: case.map(|(c, _)| c.0),
            public: true,
            secrecy_ground: ground,
            approved_at_once: p.approved_at_once,
            decision: p
                .decision
                .as_ref()
                .map(|d| DecisionView::new(d, &body.name)),
            reservations: p
                .reservations
                .iter()
                .map(|r| ReservationView {
                    by: self.actors(&r.by),
                    by_ids: person_ids(&r.by),
                    text: cap(Kind::FreeText, &r.text),
                    reasons: r.reasons.clone(),
                })
                .collect(),
            matter: blocks(&cap(Kind::FreeText, &p.matter)),
            draft_decision: p
                .draft_decision
                .as_ref()
                .map(|d| DecisionView::new(d, &body.name)),
            proposals,
            propositions: p
                .propositions
                .iter()
                .map(|s| cap(Kind::FreeText, &s.wording))
                .collect(),
            votes,
            minute_notes: p
                .minute_notes
                .iter()
                .map(|n| NoteView {
                    by: self.actors(&n.by),
                    text: cap(Kind::FreeText, &n.text),
                })
                .collect(),
            disqualifications: p
                .disqualifications
                .iter()
                .map(|d| DisqualificationView {
                    person: self.person(d.person),
                    ground: cap(Kind::Line, &d.ground),
                })
                .collect(),
            basis: basis(&p.basis),
            dispatch: p.dispatch.clone(),
            elections: p
                .elections
                .iter()
                .map(|e| ElectionView {
                    heading: format!("Proportionellt val av {}", e.of.plural_sv()),
                    sentences: e.wording.iter().map(|w| cap(Kind::FreeText, w)).collect(),
                })
                .collect(),
            html,
            api,
        }
    }
}

/// Leaves out of a meeting's view what the audience may not see yet
/// (`kansli_core::publication`): before the kallelse the agenda; before
/// justering (or, at a public meeting, while it runs) everything recorded:
/// who took part, the chair, secretary and approvers, every paragraph and
/// each agenda item's paragraph number.
fn withhold(mut v: MeetingView, d: Disclosure) -> MeetingView {
    if !d.agenda {
        v.agenda.clear();
    }
    if !d.proceedings {
        v.chair = None;
        v.secretary = None;
        v.approvers.clear();
        v.approval_place = None;
        v.paragraph_span.clear();
        v.members.clear();
        v.substitutes.clear();
        v.others.clear();
        v.paragraphs.clear();
        for item in &mut v.agenda {
            item.paragraph = None;
        }
    }
    v
}

fn person_ids(actors: &[Actor]) -> Vec<i64> {
    actors
        .iter()
        .filter_map(|a| match a {
            Actor::Person { person } => Some(person.0),
            Actor::Party { .. } => None,
        })
        .collect()
}

fn secrecy_ground(access: &Access) -> Option<String> {
    match access {
        Access::Public => None,
        Access::Secret { ground } => Some(cap(Kind::Code, ground)),
    }
}

fn basis(items: &[kansli_core::meeting::BasisItem]) -> Vec<BasisView> {
    items
        .iter()
        .map(|b| BasisView {
            title: cap(Kind::Title, &b.title),
            document: b.document.map(|d| d.0),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    /// The handling's number in the diarium, "RS231470-3" (empty where the
    /// case number is not known).
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    /// The title, or "Handling med sekretess" for a secret document.
    pub title: String,
    pub date: String,
    /// "Från …", "Till …" or "Upprättad".
    pub direction: String,
    pub public: bool,
    pub secrecy_ground: Option<String>,
    /// The document's files; none for a secret document.
    pub files: Vec<FileView>,
}

/// A file of a public document, to download.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileView {
    pub name: String,
    pub href: String,
    pub size: i64,
    /// SHA-256 of the content, to check a copy against.
    pub sha256: String,
}

impl From<&Document> for DocumentView {
    fn from(d: &Document) -> Self {
        let public = d.access.is_public();
        let direction = match (&d.direction, public) {
            (_, false) => "Uppgift med sekretess".into(),
            (Direction::Incoming { sender }, _) => format!("Från {}", cap(Kind::Line, sender)),
            (Direction::Outgoing { receiver }, _) => format!("Till {}", cap(Kind::Line, receiver)),
            (Direction::Internal, _) => "Upprättad".into(),
        };
        DocumentView {
            id: d.id.0,
            number: String::new(),
            kind: d.kind.code().into(),
            kind_label: d.kind.label_sv().into(),
            title: if public {
                cap(Kind::Title, &d.title)
            } else {
                "Handling med sekretess".into()
            },
            date: d.date.to_string(),
            direction,
            public,
            secrecy_ground: secrecy_ground(&d.access),
            files: vec![],
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MotionView {
    pub title: String,
    pub filed: String,
    pub movers: Vec<PersonRef>,
    pub movers_text: String,
    pub filed_in: NamedRef,
    pub referred_to: Option<NamedRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatoryView {
    pub name: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficerReportView {
    pub date: String,
    pub unit: Vec<String>,
    pub author: SignatoryView,
    pub addressed_to: String,
    pub title: String,
    pub draft_decision: DecisionView,
    pub summary: Vec<Block>,
    pub background: Vec<Block>,
    pub considerations: Vec<Block>,
    pub consequences: Vec<Block>,
    pub economic_consequences: Vec<Block>,
    pub signatories: Vec<SignatoryView>,
    pub attachments: Vec<String>,
    pub notify: Vec<String>,
}

impl From<&OfficerReport> for OfficerReportView {
    fn from(r: &OfficerReport) -> Self {
        let sig = |s: &kansli_core::case::Signatory| SignatoryView {
            name: cap(Kind::Name, &s.name),
            title: cap(Kind::Line, &s.title),
        };
        OfficerReportView {
            date: r.date.to_string(),
            unit: r.unit.iter().map(|u| cap(Kind::Line, u)).collect(),
            author: sig(&r.author),
            addressed_to: cap(Kind::Name, &r.addressed_to),
            title: cap(Kind::Title, &r.title),
            draft_decision: DecisionView::new(&r.draft_decision, &r.addressed_to),
            summary: blocks(&cap(Kind::FreeText, &r.summary)),
            background: blocks(&cap(Kind::FreeText, &r.background)),
            considerations: blocks(&cap(Kind::FreeText, &r.considerations)),
            consequences: blocks(&cap(Kind::FreeText, &r.consequences)),
            economic_consequences: blocks(&cap(Kind::FreeText, &r.economic_consequences)),
            signatories: r.signatories.iter().map(sig).collect(),
            attachments: r.attachments.iter().map(|a| cap(Kind::Title, a)).collect(),
            notify: r.notify.iter().map(|n| cap(Kind::Line, n)).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStepView {
    pub meeting: MeetingSummaryView,
    pub item_title: String,
    pub paragraph: Option<u32>,
    /// Link to the paragraph, once there is one.
    pub paragraph_html: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub registered: String,
    pub closed: Option<String>,
    pub organisation: NamedRef,
    pub motion: Option<MotionView>,
    pub officer_reports: Vec<OfficerReportView>,
    pub documents: Vec<DocumentView>,
    /// The case's journey through the bodies, in date order.
    pub steps: Vec<CaseStepView>,
    pub html: String,
    pub api: String,
}

/// The public view of a case. A case whose matter is secret is not found,
/// with the same answer as a case that does not exist.
pub async fn case(store: &Store, id: CaseId) -> Result<CaseView, StoreError> {
    case_for(store, id, Audience::Public).await
}

/// The view of a case for an audience: the official one has every
/// officer's report and every step, secret ones included.
pub async fn case_for(
    store: &Store,
    id: CaseId,
    audience: Audience,
) -> Result<CaseView, StoreError> {
    let c = store.case(id).await?;
    let official = audience == Audience::Official;
    if !official && store.case_secrecy(id).await?.is_some() {
        return Err(StoreError::NotFound {
            what: "ärendet",
            id: id.to_string(),
        });
    }
    let org = store.organisation(c.organisation).await?;
    let motion = match store.motion(id).await? {
        Some(m) => {
            let persons = store.persons(&m.movers).await?;
            let movers: Vec<PersonRef> = m
                .movers
                .iter()
                .filter_map(|p| persons.get(p).map(PersonRef::from))
                .collect();
            let filed_in = store.body(m.filed_in).await?;
            let referred_to = match m.referred_to {
                Some(b) => Some(store.body(b).await?),
                None => None,
            };
            Some(MotionView {
                title: cap(Kind::Title, &m.title),
                filed: m.filed.to_string(),
                movers_text: join_sv(&movers.iter().map(|p| p.display.clone()).collect::<Vec<_>>()),
                movers,
                filed_in: NamedRef {
                    id: filed_in.id.0,
                    name: filed_in.name,
                },
                referred_to: referred_to.map(|b| NamedRef {
                    id: b.id.0,
                    name: b.name,
                }),
            })
        }
        None => None,
    };
    let mut documents = Vec::new();
    for d in store.documents(id).await? {
        let mut view = DocumentView::from(&d);
        view.number = kansli_core::case::handling_number(&cap(Kind::Code, &c.number), d.number);
        if view.public {
            view.files = store
                .attachments(d.id)
                .await?
                .into_iter()
                .map(|a| FileView {
                    href: format!("/filer/{}", a.id),
                    name: a.file_name,
                    size: a.size,
                    sha256: a.sha256,
                })
                .collect();
        }
        documents.push(view);
    }
    let mut steps = Vec::new();
    let mut disclosures = Disclosures::default();
    let marks = store.import_marks().await?;
    for s in store.case_steps(id).await? {
        if !(s.item_public || official) {
            continue;
        }
        // A meeting's agenda and paragraphs are public only when the
        // meeting's are (`kansli_core::publication`).
        let d = if official {
            Disclosure::ALL
        } else {
            disclosures.of(store, s.meeting.id).await?
        };
        if !d.agenda {
            continue;
        }
        let paragraph = s.paragraph.filter(|_| d.proceedings);
        steps.push(CaseStepView {
            paragraph_html: paragraph
                .map(|n| format!("/sammantraden/{}/paragrafer/{n}", s.meeting.id)),
            meeting: MeetingSummaryView::new(&s.meeting, &s.body, &org).marked(&s.meeting, &marks),
            item_title: s.item_title,
            paragraph,
        });
    }
    // A version of the officer's report is public once final or sent with
    // a kallelse (`kansli_core::publication::report_public`), and public
    // by OSL.
    let published = store.report_publication(id).await?;
    let reports = store.officer_reports_with_access(id).await?;
    Ok(CaseView {
        id: c.id.0,
        number: cap(Kind::Code, &c.number),
        title: cap(Kind::Title, &c.title),
        registered: c.registered.to_string(),
        closed: c.closed.map(|d| d.to_string()),
        organisation: NamedRef {
            id: org.id.0,
            name: org.name.clone(),
        },
        motion,
        officer_reports: reports
            .iter()
            .zip(published.iter().map(Some).chain(std::iter::repeat(None)))
            .filter(|((_, access), p)| {
                official
                    || (access.is_public()
                        && p.is_some_and(|p| {
                            publication::report_public(p.final_at.is_some(), p.sent_with_kallelse)
                        }))
            })
            .map(|((r, _), _)| OfficerReportView::from(r))
            .collect(),
        documents,
        steps,
        html: format!("/arenden/{}", c.id),
        api: format!("/api/v1/cases/{}", c.id),
    })
}

/// One change of a meeting's planning, as an audience may read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeView {
    /// YYYY-MM-DD.
    pub date: String,
    /// notice, moved, cancelled, item_added, item_edited, item_moved or
    /// item_removed.
    pub kind: String,
    /// Made after the kallelse: listed in the tilläggskallelse.
    pub after_notice: bool,
    /// The change as one sentence.
    pub text: String,
    /// The reason given for moving or cancelling: for the secretariat.
    pub reason: Option<String>,
}

/// A meeting's planning changes, oldest first. The public reads only what
/// the tilläggskallelse says (the changes after the kallelse, once the
/// agenda is public), a secret item by its number and ground only, and no
/// reasons; the secretariat reads everything.
pub async fn planning_changes(
    store: &Store,
    meeting: kansli_core::MeetingId,
    audience: Audience,
) -> Result<Vec<ChangeView>, StoreError> {
    use kansli_store::planning::ChangeKind;
    let official = audience == Audience::Official;
    if !official {
        let m = store.meeting(meeting).await?;
        if !public_disclosure(store, &m).await?.agenda {
            return Ok(vec![]);
        }
    }
    let mut out = Vec::new();
    for c in store.meeting_changes(meeting).await? {
        if !official && !c.after_notice {
            continue;
        }
        let public = c.item_access.is_public() || official;
        let label = match (&c.item_title, &c.item_access) {
            (Some(t), Access::Public) => format!("«{}»", cap(Kind::Title, t)),
            (Some(t), Access::Secret { ground }) if public => format!(
                "«{}» (sekretess: {})",
                cap(Kind::Title, t),
                cap(Kind::Code, ground)
            ),
            (_, Access::Secret { ground }) => {
                format!("ärende med sekretess ({})", cap(Kind::Code, ground))
            }
            (None, _) => String::new(),
        };
        let n = c.item_position.unwrap_or(0);
        let line = |s: &Option<String>| cap(Kind::Line, s.as_deref().unwrap_or(""));
        let text = match c.kind {
            ChangeKind::Notice => "Kallelsen skickades ut.".to_string(),
            ChangeKind::Moved => format!(
                "Sammanträdet flyttades från {} till {}.",
                line(&c.previous),
                line(&c.detail)
            ),
            ChangeKind::Cancelled => "Sammanträdet ställdes in.".to_string(),
            ChangeKind::ItemAdded => format!("Ny punkt {n}: {label}."),
            ChangeKind::ItemEdited => {
                let mut t = format!("Punkt {n}, {label}: {}", line(&c.detail));
                if let Some(p) = c.previous.as_ref().filter(|_| public) {
                    t.push_str(&format!(" (tidigare rubrik «{}»)", cap(Kind::Title, p)));
                }
                t.push('.');
                t
            }
            ChangeKind::ItemMoved => format!(
                "Punkten {label} flyttades {} till punkt {n}.",
                line(&c.detail)
            ),
            ChangeKind::ItemRemoved => format!("Utgår: {label} (var punkt {n})."),
        };
        out.push(ChangeView {
            date: c.made_on.to_string(),
            kind: c.kind.code().into(),
            after_notice: c.after_notice,
            text,
            reason: c.reason.filter(|_| official).map(|r| cap(Kind::Line, &r)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::blocks;

    #[test]
    fn prose_splits_into_paragraphs_and_lists() {
        let b = blocks("Första stycket\nfortsätter.\n\nInledning:\n- ett\n- två\nEfter.");
        let kinds: Vec<&str> = b.iter().map(|b| b.kind.as_str()).collect();
        assert_eq!(kinds, ["p", "p", "ul", "p"]);
        assert_eq!(b[0].lines, ["Första stycket fortsätter."]);
        assert_eq!(b[2].lines, ["ett", "två"]);
        assert!(blocks("").is_empty());
    }
}

/// Whether the public may have a document's files: not when the document
/// is secret, nor when its case's matter is secret (the ground is given).
pub async fn document_access(
    store: &Store,
    document: kansli_core::DocumentId,
) -> Result<Access, StoreError> {
    let access = store.document_access(document).await?;
    if !access.is_public() {
        return Ok(access);
    }
    let case = store.document_case(document).await?;
    Ok(match store.case_secrecy(case).await? {
        Some(ground) => Access::Secret { ground },
        None => Access::Public,
    })
}

/// The organisation's cases the public may see, newest first: those whose
/// matter is secret are left out.
pub async fn public_cases(
    store: &Store,
    organisation: kansli_core::OrganisationId,
) -> Result<Vec<kansli_core::case::Case>, StoreError> {
    let secret = store.secret_cases(organisation).await?;
    let mut cases = store.cases(organisation).await?;
    cases.retain(|c| !secret.contains_key(&c.id));
    Ok(cases)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummaryView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub registered: String,
    pub html: String,
    pub api: String,
}

impl From<&kansli_core::case::Case> for CaseSummaryView {
    fn from(c: &kansli_core::case::Case) -> Self {
        CaseSummaryView {
            id: c.id.0,
            number: cap(Kind::Code, &c.number),
            title: cap(Kind::Title, &c.title),
            registered: c.registered.to_string(),
            html: format!("/arenden/{}", c.id),
            api: format!("/api/v1/cases/{}", c.id),
        }
    }
}

/// One of a person's seats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeatView {
    pub body: NamedRef,
    pub role_label: String,
    pub party_group: Option<String>,
    pub term: String,
}

/// Something a person did, as the person page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActView {
    pub date: String,
    pub body: String,
    pub number: u32,
    pub title: String,
    /// The paragraph's page.
    pub html: String,
    /// moved, voted, reserved, noted or disqualified.
    pub kind: String,
    /// In Swedish: "yrkade bifall till motionen", "röstade ja".
    pub text: String,
}

/// A person with their seats and their public record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub person: PersonRef,
    pub seats: Vec<SeatView>,
    pub acts: Vec<ActView>,
    pub proposals: usize,
    pub ballots: usize,
    pub reservations: usize,
}

/// The person page's content: only public paragraphs are read.
pub async fn person(store: &Store, id: kansli_core::PersonId) -> Result<PersonView, StoreError> {
    use kansli_store::follow::ActKind;
    let p = store.person(id).await?;
    let seats = store
        .memberships_of(id)
        .await?
        .into_iter()
        .map(|(m, body, term)| SeatView {
            body: NamedRef {
                id: body.id.0,
                name: body.name,
            },
            role_label: m.role.label_sv().into(),
            party_group: m.party_group,
            term: term.label(),
        })
        .collect();
    let (mut proposals, mut ballots, mut reservations) = (0, 0, 0);
    // Only what the protocol of a justerat meeting (or a public meeting
    // followed live) shows (`kansli_core::publication`).
    let mut disclosures = Disclosures::default();
    let mut shown = Vec::new();
    for a in store.acts_of(id).await? {
        if disclosures.of(store, a.meeting).await?.proceedings {
            shown.push(a);
        }
    }
    let acts = shown
        .into_iter()
        .map(|a| {
            let (kind, text) = match &a.what {
                ActKind::Moved { text } => {
                    proposals += 1;
                    ("moved", format!("yrkade {text}"))
                }
                ActKind::Voted { choice, .. } => {
                    ballots += 1;
                    let label = kansli_core::meeting::VoteChoice::from_code(choice)
                        .map_or(choice.as_str(), |c| c.label_sv());
                    ("voted", format!("röstade {}", label.to_lowercase()))
                }
                ActKind::Reserved { text } => {
                    reservations += 1;
                    ("reserved", text.clone())
                }
                ActKind::Noted { text } => ("noted", format!("protokollsanteckning: {text}")),
                ActKind::Disqualified => ("disqualified", "deltog inte på grund av jäv".into()),
            };
            ActView {
                date: a.date.to_string(),
                body: a.body,
                number: a.number,
                html: format!("/sammantraden/{}/paragrafer/{}", a.meeting, a.number),
                title: a.title,
                kind: kind.into(),
                text,
            }
        })
        .collect();
    Ok(PersonView {
        person: (&p).into(),
        seats,
        acts,
        proposals,
        ballots,
        reservations,
    })
}

/// One public vote with each party's ballots.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyVoteRow {
    pub date: String,
    pub number: u32,
    pub title: String,
    pub html: String,
    /// One cell per party, in the order of [`PartyVotesView::parties`]:
    /// "2 ja, 1 nej", or empty when the party had no vote.
    pub cells: Vec<String>,
}

/// A body's votes by party.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyVotesView {
    pub body: NamedRef,
    pub parties: Vec<String>,
    pub votes: Vec<PartyVoteRow>,
}

pub async fn party_votes(
    store: &Store,
    body: kansli_core::BodyId,
) -> Result<PartyVotesView, StoreError> {
    let b = store.body(body).await?;
    // Only the votes of meetings whose proceedings are public
    // (`kansli_core::publication`).
    let mut disclosures = Disclosures::default();
    let mut ballots = Vec::new();
    for x in store.party_ballots(body).await? {
        if disclosures.of(store, x.meeting).await?.proceedings {
            ballots.push(x);
        }
    }
    let mut parties: Vec<String> = ballots
        .iter()
        .map(|x| x.party.clone().unwrap_or_else(|| "utan parti".into()))
        .collect();
    parties.sort();
    parties.dedup();
    let mut votes: Vec<PartyVoteRow> = Vec::new();
    let mut keys: Vec<(kansli_core::MeetingId, u32, usize)> = Vec::new();
    let mut counts: Vec<HashMap<String, [usize; 3]>> = Vec::new();
    for x in &ballots {
        let key = (x.meeting, x.number, x.vote);
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                counts.push(HashMap::new());
                votes.push(PartyVoteRow {
                    date: x.date.to_string(),
                    number: x.number,
                    title: if x.vote > 0 {
                        format!("{} (omröstning {})", x.title, x.vote + 1)
                    } else {
                        x.title.clone()
                    },
                    html: format!("/sammantraden/{}/paragrafer/{}", x.meeting, x.number),
                    cells: vec![],
                });
                keys.len() - 1
            }
        };
        let party = x.party.clone().unwrap_or_else(|| "utan parti".into());
        let slot = match x.choice.as_str() {
            "ja" => 0,
            "nej" => 1,
            _ => 2,
        };
        counts[i].entry(party).or_default()[slot] += 1;
    }
    for (row, count) in votes.iter_mut().zip(&counts) {
        row.cells = parties
            .iter()
            .map(|p| match count.get(p) {
                None => String::new(),
                Some([ja, nej, avstar]) => {
                    let mut parts = Vec::new();
                    if *ja > 0 {
                        parts.push(format!("{ja} ja"));
                    }
                    if *nej > 0 {
                        parts.push(format!("{nej} nej"));
                    }
                    if *avstar > 0 {
                        parts.push(format!("{avstar} avstår"));
                    }
                    parts.join(", ")
                }
            })
            .collect();
    }
    Ok(PartyVotesView {
        body: NamedRef {
            id: b.id.0,
            name: b.name,
        },
        parties,
        votes,
    })
}

/// Whether the latest version of a case's officer's report is still a
/// draft, neither marked final nor sent with a kallelse
/// (`kansli_core::publication::report_public`): staff see it marked UTKAST.
pub async fn report_is_draft(store: &Store, case: CaseId) -> Result<bool, StoreError> {
    Ok(store
        .report_publication(case)
        .await?
        .last()
        .is_some_and(|p| !publication::report_public(p.final_at.is_some(), p.sent_with_kallelse)))
}

/// A motion still open (not decided by the fullmäktige it was filed in),
/// with where it stands against its year (KL 5 kap. 35 §).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenMotionView {
    pub case_id: i64,
    pub number: String,
    pub title: String,
    /// "Lise-Lotte Bensköld Olsson (S) och Per Persson (S)".
    pub movers: String,
    pub filed: String,
    /// The fullmäktige it was filed in.
    pub filed_in: String,
    pub referred_to: Option<String>,
    /// One year after filing.
    pub deadline: String,
    /// in_time, near or overdue.
    pub standing: String,
    /// "12 dagar kvar", "ett år passerades för 30 dagar sedan".
    pub standing_label: String,
}

/// The organisation's motions not yet decided by the fullmäktige they were
/// filed in, oldest first, each with its standing on `today`, warning
/// `warn_days` before the year is out (`kansli_core::deadlines`). A motion
/// counts as decided when that fullmäktige has a paragraph on its case at
/// a meeting held after the filing. A case whose matter is secret is left
/// out, as everywhere for the public.
pub async fn open_motions(
    store: &Store,
    organisation: kansli_core::OrganisationId,
    today: jiff::civil::Date,
    warn_days: i32,
) -> Result<Vec<OpenMotionView>, StoreError> {
    use deadlines::MotionStanding;
    let secret = store.secret_cases(organisation).await?;
    let mut out = Vec::new();
    for case in store.cases(organisation).await? {
        if secret.contains_key(&case.id) {
            continue;
        }
        let Some(motion) = store.motion(case.id).await? else {
            continue;
        };
        let decided = store.case_steps(case.id).await?.iter().any(|s| {
            s.body.id == motion.filed_in
                && s.paragraph.is_some()
                && s.meeting.date > motion.filed
                && s.meeting.status.is_held()
        });
        if decided {
            continue;
        }
        let Ok(standing) = deadlines::motion_standing(motion.filed, today, warn_days) else {
            continue;
        };
        let (code, label, deadline) = match standing {
            MotionStanding::InTime { deadline } => {
                ("in_time", format!("senast {deadline}"), deadline)
            }
            MotionStanding::Near {
                deadline,
                days_left,
            } => (
                "near",
                match days_left {
                    0 => "året går ut i dag".to_string(),
                    1 => "1 dag kvar av året".to_string(),
                    n => format!("{n} dagar kvar av året"),
                },
                deadline,
            ),
            MotionStanding::Overdue {
                deadline,
                days_over,
            } => (
                "overdue",
                match days_over {
                    1 => "året gick ut i går".to_string(),
                    n => format!("året gick ut för {n} dagar sedan"),
                },
                deadline,
            ),
        };
        let movers = store.persons(&motion.movers).await?;
        let names: Vec<String> = motion
            .movers
            .iter()
            .filter_map(|p| movers.get(p))
            .map(|p| cap(Kind::Name, &p.display()))
            .collect();
        let filed_in = store.body(motion.filed_in).await?;
        let referred_to = match motion.referred_to {
            Some(b) => Some(cap(Kind::Name, &store.body(b).await?.name)),
            None => None,
        };
        out.push(OpenMotionView {
            case_id: case.id.0,
            number: cap(Kind::Code, &case.number),
            title: cap(Kind::Title, &motion.title),
            movers: join_sv(&names),
            filed: motion.filed.to_string(),
            filed_in: cap(Kind::Name, &filed_in.name),
            referred_to,
            deadline: deadline.to_string(),
            standing: code.into(),
            standing_label: label,
        });
    }
    out.sort_by(|a, b| a.filed.cmp(&b.filed).then(a.number.cmp(&b.number)));
    Ok(out)
}

/// The local time in Sweden (Europe/Stockholm) of a stored timestamp
/// (RFC 3339, UTC), as "2026-12-01 15:04"; the text itself when it is
/// not a timestamp.
pub fn swedish_time(stored: &str) -> String {
    let Ok(ts) = stored.parse::<jiff::Timestamp>() else {
        return cap(Kind::Code, stored);
    };
    match jiff::tz::TimeZone::get("Europe/Stockholm") {
        Ok(tz) => ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

// ---- the postlista (#18 D) -------------------------------------------------

/// One handling on the postlista. What a secret one shows is decided by
/// [`kansli_core::case::register_entry`] (OSL 5 kap. 2 §): its number,
/// date, direction and ground, never its title, its case's ärendemening,
/// its kind, its sender or receiver, or a link to a case whose matter is
/// secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostlistaEntryView {
    /// "RS231470-3".
    pub number: String,
    pub case_number: String,
    /// The day it came in or was drawn up.
    pub date: String,
    /// incoming, internal or outgoing.
    pub direction: String,
    /// "Inkommande", "Upprättad", "Utgående".
    pub direction_label: String,
    /// The kind ("Skrivelse"); none for a secret handling.
    pub kind_label: Option<String>,
    /// The handling's title; none for a secret handling.
    pub title: Option<String>,
    /// The case's ärendemening; none for a secret handling.
    pub case_title: Option<String>,
    /// The sender of an incoming, the receiver of an outgoing handling;
    /// none for a secret handling.
    pub counterpart: Option<String>,
    /// "Sekretess enligt 21 kap. 1 § OSL" for a secret handling.
    pub secrecy: Option<String>,
    /// The case's public page, when the case has one.
    pub case_html: Option<String>,
}

/// The postlista of an organisation for a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostlistaView {
    pub organisation: NamedRef,
    pub date: String,
    pub entries: Vec<PostlistaEntryView>,
    pub html: String,
    pub api: String,
    pub atom: String,
}

/// The postlista: every handling of the organisation dated on the day,
/// secret ones by their ground only.
pub async fn postlista(
    store: &Store,
    organisation: kansli_core::OrganisationId,
    day: kansli_core::Date,
) -> Result<PostlistaView, StoreError> {
    let org = store.organisation(organisation).await?;
    let secret_matters = store.secret_cases(organisation).await?;
    let entries = store
        .registered_on(organisation, day)
        .await?
        .iter()
        .map(|r| postlista_entry(r, secret_matters.get(&r.case.id).map(String::as_str)))
        .collect();
    let id = organisation.0;
    Ok(PostlistaView {
        organisation: NamedRef { id, name: org.name },
        date: day.to_string(),
        entries,
        html: format!("/organisationer/{id}/postlista?datum={day}"),
        api: format!("/api/v1/organisations/{id}/postlista?date={day}"),
        atom: format!("/organisationer/{id}/postlista.atom"),
    })
}

/// One row, by the register's rule.
pub fn postlista_entry(
    r: &kansli_store::diarium::Registered,
    case_matter: Option<&str>,
) -> PostlistaEntryView {
    let d = &r.document;
    let rule = kansli_core::case::register_entry(&d.access, case_matter);
    let case_number = cap(Kind::Code, &r.case.number);
    PostlistaEntryView {
        number: kansli_core::case::handling_number(&case_number, d.number),
        case_number,
        date: d.date.to_string(),
        direction: d.direction.code().into(),
        direction_label: d.direction.label_sv().into(),
        kind_label: rule.described.then(|| d.kind.label_sv().to_string()),
        title: rule.described.then(|| cap(Kind::Title, &d.title)),
        case_title: rule.described.then(|| cap(Kind::Title, &r.case.title)),
        counterpart: if rule.described {
            d.direction.counterpart().map(|c| cap(Kind::Line, c))
        } else {
            None
        },
        secrecy: rule
            .ground
            .as_ref()
            .map(|g| format!("Sekretess enligt {}", cap(Kind::Code, g))),
        case_html: case_matter
            .is_none()
            .then(|| format!("/arenden/{}", r.case.id)),
    }
}

// #20 L3: the live views (the public live page and the storbild). The web's
// live hub asks here, so that the rule stays in this one place.

/// What the public may follow of a meeting as it happens, from its
/// [`public_disclosure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveShown {
    /// Nothing of the proceedings: a meeting behind closed doors, one not
    /// yet opened, or one held and not yet justerat.
    Nothing,
    /// The proceedings as they happen: a meeting held in public, in session
    /// (KL 5 kap. 38 §, 6 kap. 25 §).
    Live,
    /// The justerat protocol (KL 6 kap. 35 §, 8 kap. 12 §): the record,
    /// through [`meeting`].
    Protocol,
}

/// [`LiveShown`] for a meeting whose public disclosure is `d`.
pub fn live_shown(d: &Disclosure) -> LiveShown {
    if d.protocol {
        LiveShown::Protocol
    } else if d.proceedings {
        LiveShown::Live
    } else {
        LiveShown::Nothing
    }
}

/// Whether the public may see what an item (and its paragraph, once taken
/// up) holds, by secrecy (OSL): else it is [`SECRET_ITEM_TITLE`] and no more.
pub fn item_public(item: &kansli_core::meeting::AgendaItem, paragraph: Option<&Paragraph>) -> bool {
    item.access.is_public() && paragraph.is_none_or(|p| p.access.is_public())
}

/// What the public reads in place of a secret item's title.
pub const SECRET_ITEM_TITLE: &str = "Ärende med sekretess";
