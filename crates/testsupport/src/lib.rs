//! Fresh databases for integration tests.
//!
//! Every test gets its own database: a SQLite file in a temporary directory,
//! and, when `KANSLI_TEST_POSTGRES_URL` names a PostgreSQL server (any
//! database on it that the user may connect to, with the right to create
//! databases), a new database created on that server with a random name.
//!
//! Without the variable the PostgreSQL half is skipped and says so loudly on
//! standard error. With `KANSLI_REQUIRE_POSTGRES=1` (set by `.ci/run`) a
//! missing variable fails the test instead, so CI cannot pass without the
//! PostgreSQL run.

use kansli_store::Store;
use sqlx::Connection;

/// The environment variable with the PostgreSQL server's URL.
pub const POSTGRES_ENV: &str = "KANSLI_TEST_POSTGRES_URL";
/// Set to 1 to make a missing PostgreSQL server an error.
pub const REQUIRE_ENV: &str = "KANSLI_REQUIRE_POSTGRES";

/// A database made for one test. Keep it alive as long as the test uses the
/// database: dropping it removes a SQLite file's directory.
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.label))
    }
}

/// A fresh, empty SQLite database file.
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("kansli.db");
    TestDb {
        url: format!("sqlite://{}?mode=rwc", path.display()),
        label: "sqlite",
        _dir: Some(dir),
    }
}

/// A fresh, empty PostgreSQL database, or `None` (with a loud notice) when no
/// server is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") {
            panic!(
                "{REQUIRE_ENV}=1 but {POSTGRES_ENV} is not set: the PostgreSQL tests cannot run"
            );
        }
        eprintln!(
            "\n*** SKIPPED: PostgreSQL half of this test (set {POSTGRES_ENV}=postgres://user@host:port/db to run it; .ci/run does) ***\n"
        );
        return None;
    };
    let name = format!("kansli_test_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_ENV}: {e}"));
    // The name is ours: hex digits after a fixed prefix.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    conn.close().await.ok();
    Some(TestDb {
        url: replace_database(&admin_url, &name),
        label: "postgres",
        _dir: None,
    })
}

/// Both backends: SQLite always, PostgreSQL when configured.
pub async fn all() -> Vec<TestDb> {
    let mut out = vec![sqlite()];
    out.extend(postgres().await);
    out
}

/// Set to 1 to make missing PDF tools (poppler's pdftotext, pdffonts,
/// pdfinfo) an error instead of a skipped check.
pub const REQUIRE_PDF_TOOLS_ENV: &str = "KANSLI_REQUIRE_PDF_TOOLS";

/// Runs a poppler tool (`pdftotext`, `pdffonts`, `pdfinfo`) on a PDF and
/// returns its standard output, or `None` with a loud notice when the tool
/// is not installed (an error under `KANSLI_REQUIRE_PDF_TOOLS=1`, which
/// `.ci/run` sets after installing poppler-utils).
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let mut command = std::process::Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    match command.output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("UTF-8 from poppler"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var(REQUIRE_PDF_TOOLS_ENV).as_deref() == Ok("1") {
                panic!(
                    "{REQUIRE_PDF_TOOLS_ENV}=1 but {tool} is not installed (Debian: poppler-utils)"
                );
            }
            eprintln!(
                "\n*** SKIPPED: {tool} check (install poppler-utils to run it; .ci/run does) ***\n"
            );
            None
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

/// A file of the shared fixtures (`shared/fixtures/seeds/NAME`), found beside
/// the repository or in any ancestor directory as the developers' guide lays
/// them out; `None` in a clone without them.
pub fn shared_fixture(name: &str) -> Option<String> {
    let relative = std::path::Path::new("shared/fixtures/seeds").join(name);
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(&relative))
        .find(|path| path.exists())
        .map(|path| {
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
}

/// The same server URL with another database name.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            replace_database("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}

pub mod assembly;

/// The value of cookie `name` among a response's `Set-Cookie` header
/// values (tests and benches that sign in over HTTP).
pub fn set_cookie<'a>(values: impl IntoIterator<Item = &'a str>, name: &str) -> Option<String> {
    values.into_iter().find_map(|v| {
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| value.to_string())
    })
}
