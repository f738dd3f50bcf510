//! The demo data set, written as data by the project.
//!
//! - [`halland`]: Region Halland — the whole meeting of Regionstyrelsens
//!   arbetsutskott on 2025-01-28 (15 paragraphs, two roll-call votes,
//!   reservations) and the KAST case RS231470 from motion to its pending items
//!   in regionstyrelsen and regionfullmäktige.
//! - [`umea`]: Umeå kommun's individ- och familjenämnd deciding to introduce a
//!   KAST reception after refusing a motion for återremiss.
//! - [`jamtland`]: the joint steering group of Jämtland's municipalities
//!   deciding to run a KAST reception together.
//!
//! Names, titles, case numbers, decisions and votes are the public facts of the
//! sources; long prose is summarised in the project's own words. Where a source
//! does not give a fact the model needs (a meeting date, a paragraph number),
//! the meeting carries a `source_note` that says so, and readers see it.
//!
//! Nothing here reads a file: the product must run without the fixtures.

use kansli_core::decision::{Clause, Decision, DecisionPart, Formula};
use kansli_core::meeting::{Actor, BasisItem};
use kansli_core::org::Party;
use kansli_core::{Date, PersonId};
use kansli_store::access::Role;
use kansli_store::{Store, StoreError, Tx};

pub mod halland;
pub mod jamtland;
pub mod umea;

/// What [`load`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// False when the demo was already in the database and nothing was written.
    pub written: bool,
}

/// The name the demo's first organisation is stored under; its presence means
/// the demo is loaded.
pub const MARKER_ORGANISATION: &str = "Region Halland";

/// Loads the whole demo in one transaction, unless it is already there.
/// Either all of it is written or nothing is.
pub async fn load(store: &Store) -> Result<Loaded, StoreError> {
    if store
        .organisation_by_name(MARKER_ORGANISATION)
        .await?
        .is_some()
    {
        tracing::info!("demodata finns redan; inget skrivs");
        return Ok(Loaded { written: false });
    }
    let mut tx = store.begin("system:demo").await?;
    add_parties(&mut tx).await?;
    halland::load(&mut tx).await?;
    umea::load(&mut tx).await?;
    jamtland::load(&mut tx).await?;
    halland::diarium(&mut tx).await?;
    add_users(&mut tx).await?;
    tx.commit().await?;
    tracing::info!("demodata inläst");
    Ok(Loaded { written: true })
}

/// The demo's password for every demo user. A demo database is for trying
/// Kansli out; never use it for real data.
pub const DEMO_PASSWORD: &str = "kansli-demo-2025";

/// The demo users: (username, display name, role in Region Halland, the
/// person they are).
pub const DEMO_USERS: [(&str, &str, Option<Role>, Option<&str>); 6] = [
    (
        "admin",
        "Administratören (demo)",
        Some(Role::Administrator),
        None,
    ),
    // The secretary is Karolin Hamnér, the arbetsutskott's secretary in
    // the source protocol: the meetings she records name her.
    (
        "sekreterare",
        "Nämndsekreteraren (demo)",
        Some(Role::Secretary),
        Some("Karolin Hamnér"),
    ),
    (
        "handlaggare",
        "Handläggaren (demo)",
        Some(Role::CaseOfficer),
        None,
    ),
    (
        "ordforande",
        "Mikaela Waltersson",
        None,
        Some("Mikaela Waltersson"),
    ),
    (
        "justerare",
        "Lise-Lotte Bensköld Olsson",
        None,
        Some("Lise-Lotte Bensköld Olsson"),
    ),
    ("ledamot", "Per Persson", None, Some("Per Persson")),
];

/// What `kansli demo` prints about signing in.
pub fn sign_in_help() -> String {
    let names: Vec<&str> = DEMO_USERS.iter().map(|u| u.0).collect();
    format!(
        "Logga in på /logga-in som {}; lösenordet är {DEMO_PASSWORD} för alla (bara demo).",
        names.join(", ")
    )
}

/// The meeting whose protocol `kansli demo` leaves signed and posted:
/// Regionstyrelsens arbetsutskott (Region Halland) on 2025-01-28.
pub async fn signed_meeting(store: &Store) -> Result<kansli_core::MeetingId, StoreError> {
    store
        .all_meetings()
        .await?
        .into_iter()
        .find(|m| {
            m.organisation.name == MARKER_ORGANISATION
                && m.body.name == halland::RSAU
                && m.meeting.date == d(2025, 1, 28)
        })
        .map(|m| m.meeting.id)
        .ok_or_else(|| {
            StoreError::Corrupt(
                "demosammanträdet Regionstyrelsens arbetsutskott 2025-01-28 saknas".into(),
            )
        })
}

/// The demo user who sends [`signed_meeting`]'s protocol for justering and
/// posts its notice.
pub const SIGNED_SECRETARY: &str = DEMO_USERS[1].0;

/// The demo users of its chair (Mikaela Waltersson) and its justerare
/// (Lise-Lotte Bensköld Olsson), who sign it.
pub const SIGNED_SIGNERS: [&str; 2] = [DEMO_USERS[3].0, DEMO_USERS[4].0];

/// Where the signed protocol is kept, as its notice says.
pub const SIGNED_KEPT_AT: &str = "Regionkontoret, Halmstad (demo)";

/// The label of the API token that `kansli demo` makes for `admin`.
pub const DEMO_TOKEN_LABEL: &str = "Demo (kansli demo)";

/// A new API token of the demo's organisation administrator `admin`
/// (administrator role in Region Halland), and the organisation it is for.
/// Tokens are shown only when created, so every call makes a new one and
/// revokes the demo token made before it, all in one transaction.
pub async fn api_token(store: &Store) -> Result<(String, kansli_core::OrganisationId), StoreError> {
    let org = store
        .organisation_by_name(MARKER_ORGANISATION)
        .await?
        .ok_or_else(|| StoreError::Corrupt("demoorganisationen saknas".into()))?;
    let admin = store
        .user_named(DEMO_USERS[0].0)
        .await?
        .ok_or_else(|| StoreError::Corrupt("demoanvändaren admin saknas".into()))?;
    let earlier: Vec<i64> = store
        .api_tokens(Some(org.id))
        .await?
        .into_iter()
        .filter(|t| {
            t.label == DEMO_TOKEN_LABEL && t.created_by == admin.id && t.revoked_at.is_none()
        })
        .map(|t| t.id)
        .collect();
    let mut tx = store.begin("system:demo").await?;
    for id in earlier {
        tx.revoke_api_token(id, Some(org.id)).await?;
    }
    let new = tx
        .create_api_token(org.id, Role::Administrator, DEMO_TOKEN_LABEL, admin.id)
        .await?;
    tx.commit().await?;
    Ok((new.token, org.id))
}

/// What `kansli demo` prints about the API token: the token and a curl
/// command that registers a case with it on the server at `base`.
pub fn api_token_help(
    token: &str,
    organisation: kansli_core::OrganisationId,
    base: &str,
) -> String {
    format!(
        "API-nyckel för admin (ny vid varje start, den förra återkallas): {token}\n\
         Prova: curl -X POST -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \
         -d '{{\"title\":\"Ärende via API:t\"}}' {base}/api/v1/organisations/{}/cases",
        organisation.0
    )
}

async fn add_users(tx: &mut Tx) -> Result<(), StoreError> {
    let org = tx
        .organisation_named(MARKER_ORGANISATION)
        .await?
        .ok_or_else(|| StoreError::Corrupt("demoorganisationen saknas".into()))?;
    let org = org.id;
    for (username, name, role, person) in DEMO_USERS {
        let user = tx.add_user(username, name, DEMO_PASSWORD, false).await?;
        // Example addresses (example.se is reserved): e-mail is tried against
        // a test server, never a real inbox.
        tx.set_email(user, Some(&format!("{username}@example.se")))
            .await?;
        if let Some(role) = role {
            tx.grant_role(user, role, org, None).await?;
        }
        if let Some(person) = person {
            let p = tx
                .person_named(person)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("demopersonen {person} saknas")))?;
            tx.link_person(user, p).await?;
        }
    }
    Ok(())
}

/// The parties of the Riksdag, which every organisation in the demo uses.
async fn add_parties(tx: &mut Tx) -> Result<(), StoreError> {
    for (abbreviation, name) in [
        ("S", "Socialdemokraterna"),
        ("M", "Moderaterna"),
        ("SD", "Sverigedemokraterna"),
        ("C", "Centerpartiet"),
        ("V", "Vänsterpartiet"),
        ("KD", "Kristdemokraterna"),
        ("L", "Liberalerna"),
        ("MP", "Miljöpartiet de gröna"),
    ] {
        tx.add_party(&Party {
            abbreviation: abbreviation.into(),
            name: name.into(),
        })
        .await?;
    }
    Ok(())
}

// Small constructors that keep the data files readable.

pub(crate) fn d(year: i16, month: i8, day: i8) -> Date {
    jiff::civil::date(year, month, day)
}

pub(crate) fn clauses(texts: &[&str]) -> Vec<Clause> {
    texts.iter().map(|t| Clause::new(*t)).collect()
}

/// One decision part; `recorded` is the opening as the protocol prints it,
/// kept only when it differs from the house style of `formula`.
pub(crate) fn part(
    body: &str,
    formula: Formula,
    recorded: &str,
    clauses: Vec<Clause>,
) -> DecisionPart {
    let wording = (formula.intro(body) != recorded).then(|| recorded.to_string());
    DecisionPart {
        formula,
        wording,
        clauses,
    }
}

pub(crate) fn decision(parts: Vec<DecisionPart>) -> Decision {
    Decision { parts }
}

pub(crate) fn proposes(chain: &[&str]) -> Formula {
    Formula::Proposes {
        chain: chain.iter().map(|s| s.to_string()).collect(),
        further: false,
    }
}

pub(crate) fn person(p: PersonId) -> Actor {
    Actor::Person { person: p }
}

pub(crate) fn party(abbreviation: &str) -> Actor {
    Actor::Party {
        party: abbreviation.into(),
    }
}

pub(crate) fn basis(titles: &[&str]) -> Vec<BasisItem> {
    titles.iter().map(|t| BasisItem::titled(*t)).collect()
}
