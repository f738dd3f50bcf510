use kansli_core::Refusal;

/// What can go wrong in the store. Messages are in Swedish: they reach users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The rules refused the input; nothing was written.
    #[error("{}", join(.0))]
    Refused(Vec<Refusal>),
    #[error("{what} finns inte ({id})")]
    NotFound { what: &'static str, id: String },
    /// A unique rule of the data was broken (a duplicate case number, a
    /// second meeting with the same paragraphs).
    #[error("finns redan: {0}")]
    Conflict(String),
    /// The protocol is approved (justerat) and can no longer change.
    #[error("protokollet är justerat och kan inte ändras: {0}")]
    Sealed(String),
    #[error("kunde inte ansluta till databasen {0}")]
    Connect(String),
    #[error("databasfel: {0}")]
    Database(sqlx::Error),
    #[error("databasens schema kunde inte uppdateras: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data that does not read back as the domain type (a bug, or a
    /// database edited by hand).
    #[error("lagrade uppgifter kunde inte läsas: {0}")]
    Corrupt(String),
}

fn join(refusals: &[Refusal]) -> String {
    refusals
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        StoreError::Refused(vec![r])
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Conflict(db.message().to_string());
        }
        StoreError::Database(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
