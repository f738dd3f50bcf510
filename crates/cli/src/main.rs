//! The `kansli` binary: a thin shell over the library crates.

mod bulk;

use clap::{Args, Parser, Subcommand};
use kansli_store::{Store, StoreError};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kansli",
    version,
    about = "Kansli – öppen programvara för kommuners och regioners politiska beslut",
    long_about = "Kansli – öppen programvara för kommuners och regioners politiska beslut.\n\n\
                  Snabbstart: `kansli demo` skapar en SQLite-databas med demodata och startar webbservern."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server on a database (SQLite file or PostgreSQL URL).
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "KANSLI_ADDR")]
        addr: SocketAddr,
        /// Mark cookies Secure: set when users reach the server over HTTPS
        /// (behind a TLS-terminating proxy).
        #[arg(long, env = "KANSLI_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The public base URL users reach the site at
        /// (https://kansli.example.se), for every absolute link in OParl,
        /// feeds and exports; default: http:// and the listening address.
        #[arg(long, env = "KANSLI_PUBLIC_URL", value_parser = kansli_web::parse_public_url)]
        public_url: Option<String>,
        /// Take this date as today (YYYY-MM-DD), for demonstrations of a
        /// past meeting; default: today in Sweden.
        #[arg(long, env = "KANSLI_TODAY")]
        today: Option<jiff::civil::Date>,
        /// A reverse proxy (IP address) whose X-Forwarded-For names the
        /// client of a sign-in; repeat or separate with commas.
        #[arg(
            long = "trusted-proxy",
            env = "KANSLI_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// The organisations' signing keys (see `kansli signing init`);
        /// default: the directory `nycklar` beside a SQLite file, if it
        /// exists. With PostgreSQL nothing can be signed without it.
        #[arg(long = "keys", env = "KANSLI_KEYS")]
        keys: Option<PathBuf>,
        #[command(flatten)]
        smtp: SmtpArg,
    },
    /// Create (or reuse) a SQLite database with the demo data and serve it.
    Demo {
        /// Directory for the database file kansli.db.
        #[arg(long, default_value = "kansli-data")]
        data_dir: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "KANSLI_ADDR")]
        addr: SocketAddr,
        /// Only create the database; do not start the server.
        #[arg(long)]
        no_serve: bool,
        /// The public base URL for absolute links (see `serve`); default:
        /// http:// and the listening address.
        #[arg(long, env = "KANSLI_PUBLIC_URL", value_parser = kansli_web::parse_public_url)]
        public_url: Option<String>,
        /// Take this date as today (YYYY-MM-DD); default: today in Sweden.
        #[arg(long, env = "KANSLI_TODAY")]
        today: Option<jiff::civil::Date>,
        /// The signing keys; default: `nycklar` in the data directory. The
        /// demo organisations' keys are made there when missing.
        #[arg(long = "keys", env = "KANSLI_KEYS")]
        keys: Option<PathBuf>,
        #[command(flatten)]
        smtp: SmtpArg,
    },
    /// The organisations' signing keys: a root certificate and a signing CA
    /// per organisation, in the keys directory.
    Signing {
        #[command(subcommand)]
        command: SigningCommand,
    },
    /// Verify the signatures of a PDF offline, against the given roots (or
    /// every root in the keys directory), and print the result in Swedish.
    ///
    /// Exit status: 0 when there is at least one signature, every one is
    /// intact, trusted and unchanged after, and the last covers the whole
    /// file; 1 when the file was verified and that is not so (also for an
    /// unsigned PDF); 2 when it could not be verified at all (no such file,
    /// not a PDF, no root to verify against).
    Verify {
        /// The PDF file.
        file: PathBuf,
        /// A trusted root certificate (PEM or DER); repeat for several.
        #[arg(long = "root")]
        roots: Vec<PathBuf>,
        /// Also trust every organisation's root in this keys directory
        /// (the default when no --root is given).
        #[arg(long = "keys", env = "KANSLI_KEYS")]
        keys: Option<PathBuf>,
    },
    /// The Swedish calendar: public holidays, working days, appeal deadlines.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens (what the API's writes authenticate with).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// List what is stored.
    Meetings {
        #[command(subcommand)]
        command: MeetingsCommand,
    },
    /// Render a document (protocol, extract, officer's report, kallelse,
    /// anslag) as PDF/A, HTML or text.
    Render {
        #[command(subcommand)]
        document: RenderCommand,
    },
    /// Read existing documents into structure.
    Import {
        #[command(subcommand)]
        document: ImportCommand,
    },
}

#[derive(Subcommand)]
enum SigningCommand {
    /// Create a root certificate and a signing CA for an organisation in
    /// `<keys>/<organisation id>/` (keys 0600, directory 0700), or with
    /// --root-cert, --ca-cert and --ca-key take existing ones. Never
    /// overwrites; prints where the files are and the root's SHA-256
    /// fingerprint.
    Init {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        keys: KeysArg,
        /// The organisation: its id or its name, as stored.
        #[arg(long)]
        organisation: String,
        /// An existing root certificate (PEM); its key stays offline.
        #[arg(long, requires_all = ["ca_cert", "ca_key"])]
        root_cert: Option<PathBuf>,
        /// An existing signing CA's certificate (PEM), issued by the root.
        #[arg(long, requires_all = ["root_cert", "ca_key"])]
        ca_cert: Option<PathBuf>,
        /// The signing CA's private key (PKCS#8 PEM, P-256).
        #[arg(long, requires_all = ["root_cert", "ca_cert"])]
        ca_key: Option<PathBuf>,
    },
    /// Print an organisation's root fingerprint and the public addresses of
    /// its root certificate and CRL.
    Show {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        keys: KeysArg,
        /// The organisation: its id or its name.
        #[arg(long)]
        organisation: String,
        /// The site's public base URL (as for `serve`).
        #[arg(long, env = "KANSLI_PUBLIC_URL", value_parser = kansli_web::parse_public_url)]
        public_url: Option<String>,
    },
}

#[derive(Args)]
struct KeysArg {
    /// The keys directory; default: `nycklar` beside a SQLite file
    /// (required with PostgreSQL).
    #[arg(long = "keys", env = "KANSLI_KEYS")]
    keys: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Read a protocol (a PDF or a text file, or - for standard input) and
    /// print what was read as JSON, with warnings for what was not
    /// understood.
    Protocol {
        /// The file, or - for standard input.
        file: PathBuf,
        /// Print what was read as JSON (the default without --db).
        #[arg(long)]
        json: bool,
        /// Store the meeting in this database (organisation, body and
        /// persons matched by name or created; a meeting already stored is
        /// refused). Everything or nothing is written.
        #[arg(long)]
        db: Option<String>,
        /// The organisation, when the protocol does not name it.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Internal: read a PDF's text from standard input, for the importer's
    /// sandbox (kansli_import::sandbox).
    #[command(hide = true)]
    PdfWorker,
    /// Import a back catalogue: every PDF and text file below a directory,
    /// read in parallel, each stored as a meeting with its source file.
    /// A file already imported (same SHA-256) is skipped, so a run can be
    /// repeated or resumed after Ctrl-C; one bad file never stops the run.
    /// Scanned PDFs are read with Tesseract (tesseract-ocr,
    /// tesseract-ocr-swe) when it is installed, otherwise reported as
    /// needing OCR. Writes a report as CSV and JSON.
    ///
    /// Exit status: 0 when every file was imported, already imported or
    /// skipped as another kind of file; 3 when the run went through and
    /// some file needs attention (fel, inte ett protokoll, dubblett,
    /// behöver OCR: see the report); 130 when stopped by Ctrl-C (SIGINT),
    /// after the meeting being written is committed or rolled back and
    /// the report of what was done is written; 1 when the run could not
    /// start or the report could not be written; 2 for a usage error.
    Protocols {
        /// The directory (walked recursively).
        dir: PathBuf,
        /// The database: a SQLite file or a postgres:// URL.
        #[arg(long, env = "KANSLI_DB")]
        db: String,
        /// The organisation, for protocols that do not name it.
        #[arg(long)]
        organisation: Option<String>,
        /// The report: PATH.csv and PATH.json (an extension .csv or .json
        /// is dropped). Default: kansli-inlasning-DATE-TIME in the current
        /// directory.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Files read at once; default: one per core.
        #[arg(long)]
        jobs: Option<usize>,
        /// Do not run OCR: report scanned PDFs as needing OCR.
        #[arg(long)]
        no_ocr: bool,
    },
}

#[derive(Subcommand)]
enum MeetingsCommand {
    /// One line per meeting: its ID (as in the meeting's URL), date, body,
    /// organisation and status.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Args)]
struct RenderOut {
    #[command(flatten)]
    db: DbArg,
    /// pdf (PDF/A-2a), html or txt.
    #[arg(long, default_value = "pdf")]
    format: String,
    /// Output file; - for standard output. Default: a name made from the
    /// document, in the current directory.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// The complete original, secret paragraphs included (for the archive and
    /// the signatures). Without it, secret content is left out as on the
    /// public pages.
    #[arg(long)]
    complete: bool,
}

#[derive(Subcommand)]
enum RenderCommand {
    /// The protocol of a meeting.
    Protocol {
        /// The meeting's ID (see `kansli meetings list`).
        #[arg(long)]
        meeting: i64,
        #[command(flatten)]
        out: RenderOut,
    },
    /// A protokollsutdrag: one paragraph, certified.
    Extract {
        #[arg(long)]
        meeting: i64,
        /// The paragraph's number (§).
        #[arg(long)]
        paragraph: u32,
        #[command(flatten)]
        out: RenderOut,
    },
    /// The latest officer's report (beslutsförslag) of a case.
    Report {
        /// The case number as registered, e.g. RS231470.
        #[arg(long)]
        case: String,
        #[command(flatten)]
        out: RenderOut,
    },
    /// The kallelse with föredragningslista of a meeting.
    Agenda {
        #[arg(long)]
        meeting: i64,
        #[command(flatten)]
        out: RenderOut,
    },
    /// The anslag that a meeting's protocol is approved.
    Notice {
        #[arg(long)]
        meeting: i64,
        #[command(flatten)]
        out: RenderOut,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from KANSLI_PASSWORD or, when that is
    /// not set, from the first line of standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// User name used to sign in (no spaces).
        #[arg(long)]
        username: String,
        /// Name shown in the audit log and the interface.
        #[arg(long)]
        name: Option<String>,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Give a user a role in an organisation: administrator, secretary (of
    /// one body with --body, else of all) or case-officer; or, with
    /// --person, link the user to the person they are (a member).
    Grant {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// administrator, secretary or case-officer.
        #[arg(long, requires = "organisation")]
        role: Option<String>,
        /// The organisation's name, as stored.
        #[arg(long)]
        organisation: Option<String>,
        /// The body's name (for a secretary of one body).
        #[arg(long)]
        body: Option<String>,
        /// The person's name, as stored.
        #[arg(long)]
        person: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an organisation with a role, and print it.
    /// It is printed this once and never stored: keep it.
    Create {
        #[command(flatten)]
        db: DbArg,
        /// The organisation's name, as stored.
        #[arg(long)]
        organisation: String,
        /// administrator, secretary or case-officer.
        #[arg(long)]
        role: String,
        /// What the token is for (shown in lists and on the web page).
        #[arg(long)]
        label: String,
        /// The user who creates it: an administrator of the organisation
        /// (or of the system).
        #[arg(long)]
        created_by: String,
    },
    /// Revoke a token by its id (see `kansli token list`).
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        id: i64,
    },
    /// One line per token: id, organisation, role, label, creator, created,
    /// and revoked (or "aktiv").
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// The named public holidays of YEAR (lag 1989:253), one per line.
    Holidays { year: i16 },
    /// The last day of the appeal period for a notice posted on DATE
    /// (KL 13 kap. 5 §, lag 1930:173).
    AppealDeadline { date: jiff::civil::Date },
    /// The first working day after DATE (lag 1930:173 2 §).
    NextWorkingDay { date: jiff::civil::Date },
}

/// The SMTP server for e-mail (kallelser, justering, förhinder).
#[derive(Args)]
struct SmtpArg {
    /// The SMTP server e-mail is sent through: a relay on the operator's
    /// network, reached by plain SMTP. None: no e-mail is sent (it stays
    /// in the outbox).
    #[arg(long = "smtp-host", env = "KANSLI_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Its port.
    #[arg(long = "smtp-port", env = "KANSLI_SMTP_PORT", default_value_t = 25)]
    smtp_port: u16,
    /// The sender of Kansli's e-mail ("Kansli <kansli@kommun.se>").
    #[arg(
        long = "smtp-from",
        env = "KANSLI_SMTP_FROM",
        default_value = "Kansli <kansli@localhost>"
    )]
    smtp_from: String,
}

impl SmtpArg {
    fn smtp(&self) -> Result<Option<kansli_web::mail::Smtp>, CliError> {
        match &self.smtp_host {
            None => Ok(None),
            Some(host) => kansli_web::mail::Smtp::new(host, self.smtp_port, &self.smtp_from)
                .map(Some)
                .map_err(|reason| kansli_core::Refusal::new("--smtp-from", reason).into()),
        }
    }
}

#[derive(Args)]
struct DbArg {
    /// Database: a path to a SQLite file (created when missing), a sqlite: URL
    /// or a postgres:// URL.
    #[arg(long, env = "KANSLI_DB")]
    db: String,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("kunde inte lyssna på {addr}: {}", io_sv(.source))]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("kunde inte skapa katalogen {path}: {}", io_sv(.source))]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("webbservern stannade: {}", io_sv(.0))]
    Serve(std::io::Error),
    #[error("{0}")]
    Refused(#[from] kansli_core::Refusal),
    #[error("lösenord saknas: sätt KANSLI_PASSWORD eller skriv det på standard in")]
    NoPassword,
    #[error(transparent)]
    Document(#[from] kansli_documents::DocumentError),
    #[error("kunde inte läsa {path}: {}", io_sv(.source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Import {
        path: PathBuf,
        source: kansli_import::ImportError,
    },
    #[error("{path}: {source}")]
    Save {
        path: PathBuf,
        source: kansli_import::SaveError,
    },
    /// Standard output could not be written (a closed pipe, a full disk).
    #[error("kunde inte skriva till standard ut: {}", io_sv(.0))]
    Stdout(std::io::Error),
    #[error("kunde inte skriva {path}: {}", io_sv(.source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Sign(#[from] kansli_sign::Error),
    #[error(
        "ingen nyckelkatalog: ange --keys KATALOG (eller KANSLI_KEYS); med PostgreSQL finns ingen standardkatalog"
    )]
    NoKeysDir,
    /// `kansli verify` could not verify the file (exit status 2).
    #[error("{0}")]
    VerifyInput(String),
    /// `kansli verify` verified the file and it is not valid (exit 1; the
    /// verdict is already printed).
    #[error("underskrifterna är inte giltiga")]
    NotValid,
    #[error("{path}: {source}")]
    ReadProtocol {
        path: PathBuf,
        source: kansli_import::bulk::ReadFailure,
    },
    #[error(transparent)]
    Bulk(#[from] kansli_import::bulk::BulkError),
    /// `kansli import protocols` went through and some file needs
    /// attention (exit 3; the summary is already printed).
    #[error("några filer lästes inte in; se rapporten")]
    NeedsAttention,
    /// Stopped by Ctrl-C (exit 130; the report is written).
    #[error("avbrutet")]
    Interrupted,
}

/// Prints a line on standard output, returning the write's error (a closed
/// pipe, a full disk) instead of panicking as `println!` does.
macro_rules! say {
    ($($arg:tt)*) => {
        write_line(format_args!($($arg)*))?
    };
}

/// Prints a line on standard error. If even that fails there is no one
/// left to tell, so the error is dropped rather than panicking.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn write_line(args: std::fmt::Arguments) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(CliError::Stdout)
}

/// An I/O error as a Swedish user reads it, on one line.
fn io_sv(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match e.kind() {
        StorageFull => "enheten är full",
        BrokenPipe => "mottagaren har stängt röret",
        PermissionDenied => "åtkomst nekas",
        NotFound => "filen eller katalogen finns inte",
        AlreadyExists => "finns redan",
        AddrInUse => "adressen används redan",
        AddrNotAvailable => "adressen finns inte på den här datorn",
        IsADirectory => "är en katalog",
        ReadOnlyFilesystem => "filsystemet är skrivskyddat",
        InvalidData => "ogiltigt innehåll",
        WriteZero | UnexpectedEof => "överföringen avbröts",
        _ => "in- eller utmatningsfel",
    };
    match e.raw_os_error() {
        Some(n) => format!("{what} (systemfel {n})"),
        None => what.to_string(),
    }
}

/// The exit status when standard output was closed by its reader
/// (`kansli meetings list | head -3`): quiet, and 128 + SIGPIPE, as a
/// program killed by the signal reports, so `set -o pipefail` sees the same
/// as with other tools.
const EXIT_CLOSED_PIPE: u8 = 141;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KANSLI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output, mistakes to standard
            // error; a failed write of either is not worth a panic.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    // The PDF worker (#19): a child process of the importer, no runtime.
    if let Command::Import {
        document: ImportCommand::PdfWorker,
    } = cli.command
    {
        return kansli_import::sandbox::worker_main();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            note!("fel: kunde inte starta: {}", io_sv(&e));
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli)).and_then(|()| {
        use std::io::Write;
        std::io::stdout().flush().map_err(CliError::Stdout)
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_CLOSED_PIPE)
        }
        Err(CliError::NotValid) => ExitCode::from(1),
        Err(CliError::NeedsAttention) => ExitCode::from(3),
        Err(CliError::Interrupted) => ExitCode::from(130),
        Err(e @ CliError::VerifyInput(_)) => {
            note!("fel: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            note!("fel: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            secure_cookies,
            public_url,
            today,
            trusted_proxies,
            keys,
            smtp,
        } => {
            let smtp = smtp.smtp()?;
            let store = Store::connect(&db.db).await?;
            let keys_dir = keys.or_else(|| default_keys_dir(&db.db).filter(|d| d.is_dir()));
            if keys_dir.is_none() {
                tracing::warn!(
                    "ingen nyckelkatalog (--keys): protokoll kan inte signeras på den här servern"
                );
            }
            serve(
                store,
                addr,
                kansli_web::Config {
                    secure_cookies,
                    public_url,
                    today,
                    trusted_proxies,
                    keys_dir,
                    smtp,
                    ..kansli_web::Config::default()
                },
                None,
            )
            .await
        }
        Command::Demo {
            data_dir,
            addr,
            no_serve,
            public_url,
            today,
            keys,
            smtp,
        } => {
            let smtp = smtp.smtp()?;
            std::fs::create_dir_all(&data_dir).map_err(|source| CliError::DataDir {
                path: data_dir.clone(),
                source,
            })?;
            let path = data_dir.join("kansli.db");
            let store = Store::connect(&path.display().to_string()).await?;
            let loaded = kansli_demo::load(&store).await?;
            say!(
                "Databas: {} ({})",
                path.display(),
                if loaded.written {
                    "demodata inläst"
                } else {
                    "demodata fanns redan"
                }
            );
            let keys_dir = keys.unwrap_or_else(|| data_dir.join("nycklar"));
            let mut made = 0;
            for org in store.organisations().await? {
                if kansli_sign::keys::ensure(
                    &keys_dir,
                    org.id.0,
                    &org.name,
                    jiff::Timestamp::now(),
                )?
                .is_some()
                {
                    made += 1;
                }
            }
            say!(
                "Nycklar: {} ({})",
                keys_dir.display(),
                if made > 0 {
                    format!("nya nycklar för {made} organisationer")
                } else {
                    "nycklarna fanns redan".to_string()
                }
            );
            let (token, organisation) = kansli_demo::api_token(&store).await?;
            // Bound before signing, so that the certificates name the CRL at
            // the address the server really answers at (also for port 0).
            let listener = if no_serve {
                None
            } else {
                Some(bind(addr).await?)
            };
            let public_url = public_url.unwrap_or_else(|| {
                kansli_web::listening_url(listener.as_ref().map_or(addr, |(_, bound)| *bound))
            });
            let config = kansli_web::Config {
                today,
                public_url: Some(public_url),
                keys_dir: Some(keys_dir),
                smtp,
                ..kansli_web::Config::default()
            };
            let config = sign_demo_protocol(&store, config).await?;
            let Some((listener, bound)) = listener else {
                say!(
                    "{}",
                    kansli_demo::api_token_help(&token, organisation, &format!("http://{addr}"))
                );
                return Ok(());
            };
            say!("{}", kansli_demo::sign_in_help());
            let banner = move |bound: SocketAddr| {
                kansli_demo::api_token_help(&token, organisation, &format!("http://{bound}"))
            };
            serve_on(listener, bound, store, config, Some(Box::new(banner))).await
        }
        Command::Calendar { command } => calendar(command),
        Command::Signing { command } => signing(command).await,
        Command::Verify { file, roots, keys } => verify(&file, &roots, keys.as_deref()),
        Command::Token { command } => token(command).await,
        Command::Meetings {
            command: MeetingsCommand::List { db },
        } => {
            let store = Store::connect(&db.db).await?;
            for m in store.all_meetings().await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}",
                    m.meeting.id,
                    m.meeting.date,
                    m.body.name,
                    m.organisation.name,
                    m.meeting.status.label_sv()
                );
            }
            Ok(())
        }
        Command::Render { document } => render(document).await,
        // Answered in main, before the runtime starts.
        Command::Import {
            document: ImportCommand::PdfWorker,
        } => Ok(()),
        Command::Import {
            document:
                ImportCommand::Protocol {
                    file,
                    json,
                    db,
                    organisation,
                },
        } => {
            let (bytes, protocol) = import_protocol(&file)?;
            if json || db.is_none() {
                say!("{}", protocol.to_json());
            }
            if let Some(db) = db {
                let store = Store::connect(&db).await?;
                let file_name = if file.as_os_str() == "-" {
                    "stdin".to_string()
                } else {
                    file.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                let options = kansli_import::SaveOptions {
                    organisation,
                    source: Some(kansli_import::SourceFile { file_name, bytes }),
                };
                let saved = kansli_import::save(&store, &protocol, &options)
                    .await
                    .map_err(|source| CliError::Save {
                        path: file.clone(),
                        source,
                    })?;
                for w in &protocol.warnings {
                    note!("varning, rad {}: {}", w.line, w.message);
                }
                for n in &saved.notes {
                    note!("obs: {n}");
                }
                note!(
                    "Sammanträdet lagrat med id {} ({} nya personer).",
                    saved.meeting,
                    saved.created_persons
                );
                if !json {
                    say!("{}", saved.meeting);
                }
            }
            Ok(())
        }
        Command::Import {
            document:
                ImportCommand::Protocols {
                    dir,
                    db,
                    organisation,
                    report,
                    jobs,
                    no_ocr,
                },
        } => {
            bulk::protocols(bulk::Args {
                dir,
                db,
                organisation,
                report,
                jobs,
                no_ocr,
            })
            .await
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    name,
                    admin,
                },
        } => {
            let password = match std::env::var("KANSLI_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|_| CliError::NoPassword)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if password.is_empty() {
                return Err(CliError::NoPassword);
            }
            let store = Store::connect(&db.db).await?;
            let mut tx = store.begin("system:cli").await?;
            let display = name.unwrap_or_else(|| username.clone());
            let id = tx.add_user(&username, &display, &password, admin).await?;
            tx.commit().await?;
            say!(
                "Användaren {username} har lagts till (id {id}{}).",
                if admin { ", administratör" } else { "" }
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Grant {
                    db,
                    username,
                    role,
                    organisation,
                    body,
                    person,
                },
        } => grant(&db.db, &username, role, organisation, body, person).await,
    }
}

async fn render(command: RenderCommand) -> Result<(), CliError> {
    use kansli_core::MeetingId;
    use kansli_documents::{Format, Request};
    let (request, out) = match command {
        RenderCommand::Protocol { meeting, out } => (
            Request::Protocol {
                meeting: MeetingId(meeting),
            },
            out,
        ),
        RenderCommand::Extract {
            meeting,
            paragraph,
            out,
        } => (
            Request::Extract {
                meeting: MeetingId(meeting),
                paragraph,
            },
            out,
        ),
        RenderCommand::Agenda { meeting, out } => (
            Request::Agenda {
                meeting: MeetingId(meeting),
            },
            out,
        ),
        RenderCommand::Notice { meeting, out } => (
            Request::Notice {
                meeting: MeetingId(meeting),
            },
            out,
        ),
        RenderCommand::Report { case, out } => {
            let store = Store::connect(&out.db.db).await?;
            let id = kansli_documents::case_by_number(&store, &case).await?;
            store.close().await;
            (Request::OfficerReport { case: id }, out)
        }
    };
    let format: Format = out.format.parse()?;
    let audience = if out.complete {
        kansli_documents::view::Audience::Official
    } else {
        kansli_documents::view::Audience::Public
    };
    let store = Store::connect(&out.db.db).await?;
    let doc = kansli_documents::load(&store, &request, audience).await?;
    store.close().await;
    let name = kansli_documents::file_name(&doc, format);
    // Typesetting is CPU-bound; keep it off the async workers.
    let bytes = tokio::task::spawn_blocking(move || kansli_documents::render(&doc, format))
        .await
        .map_err(|e| kansli_documents::DocumentError::Pdf(e.to_string()))??;
    let path = out.output.unwrap_or_else(|| PathBuf::from(name));
    if path.as_os_str() == "-" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(CliError::Stdout)?;
    } else {
        std::fs::write(&path, &bytes).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
        note!("Skrev {} ({} byte).", path.display(), bytes.len());
    }
    Ok(())
}

fn import_protocol(
    file: &std::path::Path,
) -> Result<(Vec<u8>, kansli_import::ImportedProtocol), CliError> {
    use std::io::Read;
    let path = file.to_path_buf();
    let bytes = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|source| CliError::Read {
                path: path.clone(),
                source,
            })?;
        buf
    } else {
        std::fs::read(file).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?
    };
    // The same reading as the bulk import: the PDF reader, OCR for a scan.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let ocr = kansli_import::ocr::Ocr::detect();
    let read = kansli_import::bulk::read_file(&bytes, &bulk::pdf_reader(), ocr.as_ref(), &stop)
        .map_err(|source| match source {
            kansli_import::bulk::ReadFailure::Import(source) => CliError::Import {
                path: path.clone(),
                source,
            },
            source => CliError::ReadProtocol {
                path: path.clone(),
                source,
            },
        })?;
    Ok((bytes, read.protocol))
}

fn calendar(command: CalendarCommand) -> Result<(), CliError> {
    use kansli_core::{calendar, deadlines};
    match command {
        CalendarCommand::Holidays { year } => {
            for h in calendar::holidays(year)? {
                say!("{} {}", h.date, h.name);
            }
        }
        CalendarCommand::AppealDeadline { date } => {
            let end = deadlines::appeal_deadline(date)?;
            say!("{end}");
            let plain = date
                .checked_add(jiff::Span::new().weeks(3))
                .map_err(|e| kansli_core::Refusal::new("datum", e.to_string()))?;
            if plain != end {
                let why = calendar::day_off(plain)?.unwrap_or("ledig dag");
                say!(
                    "Tre veckor efter {date} är {plain} ({why}); fristen flyttas till nästa vardag enligt lag (1930:173) 2 §."
                );
            } else {
                say!("Tre veckor från anslagsdagen {date} (KL 13 kap. 5 §).");
            }
            say!(
                "Anslaget får tas ned tidigast {}.",
                deadlines::notice_take_down(date)?
            );
        }
        CalendarCommand::NextWorkingDay { date } => {
            say!("{}", calendar::next_working_day(date)?);
        }
    }
    Ok(())
}

/// Says more once the address is known (the demo's API token and a curl
/// line with the real port).
type Banner = Box<dyn FnOnce(SocketAddr) -> String + Send>;

async fn serve(
    store: Store,
    addr: SocketAddr,
    config: kansli_web::Config,
    banner: Option<Banner>,
) -> Result<(), CliError> {
    let (listener, bound) = bind(addr).await?;
    serve_on(listener, bound, store, config, banner).await
}

/// The listener on `addr` and the address it is bound to (the real port
/// when `addr` asks for port 0).
async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), CliError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| CliError::Bind { addr, source })?;
    Ok((listener, bound))
}

async fn serve_on(
    listener: tokio::net::TcpListener,
    bound: SocketAddr,
    store: Store,
    config: kansli_web::Config,
    banner: Option<Banner>,
) -> Result<(), CliError> {
    // The one line a user (and the tests) look for. A server whose
    // standard output is gone keeps serving: the line is only a courtesy.
    if let Err(e) = write_line(format_args!("Kansli körs på http://{bound}/")) {
        tracing::warn!(error = %e, "could not print the address");
    }
    if let Some(banner) = banner
        && let Err(e) = write_line(format_args!("{}", banner(bound)))
    {
        tracing::warn!(error = %e, "could not print the API token");
    }
    tracing::info!(%bound, "lyssnar");
    kansli_web::serve(listener, store.clone(), config, shutdown_signal())
        .await
        .map_err(CliError::Serve)?;
    store.close().await;
    Ok(())
}

/// The demo's signed protocol (`kansli_web::demo_signing`): the 2025-01-28
/// protocol of Regionstyrelsens arbetsutskott sent for justering, signed by
/// its chair and its justerare and posted, unless that is already done.
/// The certificates name the CRL under `config.public_url`: the
/// `--public-url`, else the address the server is bound to. With port 0
/// and `--no-serve` there is no such address: the certificates then name
/// port 0, where nothing answers (the signatures stay valid; a reader that
/// fetches the CRL reports the revocation status as unknown), and they
/// keep that address on later runs, since a signed protocol is never
/// signed again. Gives the config back for serving.
async fn sign_demo_protocol(
    store: &Store,
    config: kansli_web::Config,
) -> Result<kansli_web::Config, CliError> {
    let meeting = kansli_demo::signed_meeting(store).await?;
    let app = kansli_web::AppState::new(store.clone(), config);
    let done = kansli_web::demo_signing::sign_and_post(
        &app,
        meeting,
        &kansli_web::demo_signing::DemoUsers {
            secretary: kansli_demo::SIGNED_SECRETARY,
            signers: &kansli_demo::SIGNED_SIGNERS,
            password: kansli_demo::DEMO_PASSWORD,
        },
        kansli_demo::SIGNED_KEPT_AT,
    )
    .await?;
    if done.steps.is_empty() {
        say!("Signerat protokoll (sammanträde {meeting}): fanns redan");
    } else {
        say!(
            "Signerat protokoll (sammanträde {meeting}): {}",
            done.steps.join("; ")
        );
    }
    Ok((*app.config).clone())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("stänger ned");
}

async fn grant(
    db: &str,
    username: &str,
    role: Option<String>,
    organisation: Option<String>,
    body: Option<String>,
    person: Option<String>,
) -> Result<(), CliError> {
    use kansli_core::Refusal;
    let store = Store::connect(db).await?;
    let user = store
        .user_named(username)
        .await?
        .ok_or_else(|| Refusal::new("användare", format!("användaren {username} finns inte")))?;
    let mut tx = store.begin("system:cli").await?;
    if let Some(role) = role {
        let role = parse_role(&role)?;
        let org_name = organisation.unwrap_or_default();
        let org = store
            .organisation_by_name(&org_name)
            .await?
            .ok_or_else(|| Refusal::new("organisation", format!("«{org_name}» finns inte")))?;
        let body = match body {
            Some(name) => Some(
                store
                    .bodies(org.id)
                    .await?
                    .into_iter()
                    .find(|b| b.name == name)
                    .ok_or_else(|| Refusal::new("organ", format!("«{name}» finns inte")))?
                    .id,
            ),
            None => None,
        };
        tx.grant_role(user.id, role, org.id, body).await?;
        say!("{username} är nu {} i {}.", role.label(), org.name);
    }
    if let Some(name) = person {
        let p = store
            .person_by_name(&name)
            .await?
            .ok_or_else(|| Refusal::new("person", format!("«{name}» finns inte")))?;
        tx.link_person(user.id, p.id).await?;
        say!("{username} är kopplad till {}.", p.name);
    }
    tx.commit().await?;
    Ok(())
}

/// A role as the command line names it.
fn parse_role(role: &str) -> Result<kansli_store::access::Role, kansli_core::Refusal> {
    match role {
        "administrator" => Ok(kansli_store::access::Role::Administrator),
        "secretary" => Ok(kansli_store::access::Role::Secretary),
        "case-officer" => Ok(kansli_store::access::Role::CaseOfficer),
        other => Err(kansli_core::Refusal::new(
            "roll",
            format!("okänd roll «{other}»: administrator, secretary eller case-officer"),
        )),
    }
}

async fn token(command: TokenCommand) -> Result<(), CliError> {
    use kansli_core::Refusal;
    match command {
        TokenCommand::Create {
            db,
            organisation,
            role,
            label,
            created_by,
        } => {
            let role = parse_role(&role)?;
            let store = Store::connect(&db.db).await?;
            let org = store
                .organisation_by_name(&organisation)
                .await?
                .ok_or_else(|| {
                    Refusal::new("organisation", format!("«{organisation}» finns inte"))
                })?;
            let user = store.user_named(&created_by).await?.ok_or_else(|| {
                Refusal::new("användare", format!("användaren {created_by} finns inte"))
            })?;
            let mut tx = store.begin(&format!("user:{}", user.username)).await?;
            let new = tx.create_api_token(org.id, role, &label, user.id).await?;
            tx.commit().await?;
            note!(
                "API-nyckel {} skapad för {} ({}). Den visas bara nu:",
                new.id,
                org.name,
                role.label()
            );
            say!("{}", new.token);
        }
        TokenCommand::Revoke { db, id } => {
            let store = Store::connect(&db.db).await?;
            let mut tx = store.begin("system:cli").await?;
            let revoked = tx.revoke_api_token(id, None).await?;
            tx.commit().await?;
            say!("API-nyckel {id} («{}») är återkallad.", revoked.label);
        }
        TokenCommand::List { db } => {
            let store = Store::connect(&db.db).await?;
            let mut names = std::collections::HashMap::new();
            for o in store.organisations().await? {
                names.insert(o.id, o.name);
            }
            for t in store.api_tokens(None).await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    names.get(&t.organisation).map_or("?", String::as_str),
                    t.role.label(),
                    t.label,
                    t.created_by_name,
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("aktiv")
                );
            }
        }
    }
    Ok(())
}

/// The keys directory beside a SQLite database file (`<dir>/nycklar`);
/// `None` for PostgreSQL or an in-memory database.
fn default_keys_dir(db: &str) -> Option<PathBuf> {
    let url = kansli_store::database_url(db);
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    let parent = std::path::Path::new(path)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    Some(parent.join("nycklar"))
}

fn keys_dir_for(keys: KeysArg, db: &str) -> Result<PathBuf, CliError> {
    keys.keys
        .or_else(|| default_keys_dir(db))
        .ok_or(CliError::NoKeysDir)
}

/// An organisation named by its id or its name.
async fn organisation_arg(
    store: &Store,
    organisation: &str,
) -> Result<kansli_core::org::Organisation, CliError> {
    let by_id = match organisation.trim().parse::<i64>() {
        Ok(id) => store
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.id.0 == id),
        Err(_) => None,
    };
    match by_id {
        Some(o) => Ok(o),
        None => store
            .organisation_by_name(organisation.trim())
            .await?
            .ok_or_else(|| {
                kansli_core::Refusal::new(
                    "organisation",
                    format!("«{organisation}» finns inte (ange id eller namn)"),
                )
                .into()
            }),
    }
}

fn read_text_file(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}

async fn signing(command: SigningCommand) -> Result<(), CliError> {
    match command {
        SigningCommand::Init {
            db,
            keys,
            organisation,
            root_cert,
            ca_cert,
            ca_key,
        } => {
            let keys_dir = keys_dir_for(keys, &db.db)?;
            let store = Store::connect(&db.db).await?;
            let org = organisation_arg(&store, &organisation).await?;
            let now = jiff::Timestamp::now();
            let created = match (root_cert, ca_cert, ca_key) {
                (Some(root), Some(cert), Some(key)) => {
                    let key_text = read_text_file(&key)?;
                    kansli_sign::keys::import(
                        &keys_dir,
                        org.id.0,
                        &read_text_file(&root)?,
                        &read_text_file(&cert)?,
                        &key_text,
                        now,
                    )?
                }
                _ => kansli_sign::keys::init(&keys_dir, org.id.0, &org.name, now)?,
            };
            say!(
                "Nycklar för {} (id {}) finns nu i {}:",
                org.name,
                org.id.0,
                created.dir.display()
            );
            for file in &created.files {
                say!("  {}", file.display());
            }
            say!(
                "Rotcertifikatets SHA-256-fingeravtryck: {}",
                created.root_fingerprint
            );
            if created
                .files
                .iter()
                .any(|f| f.ends_with(kansli_sign::pki::ROOT_KEY_FILE))
            {
                say!(
                    "Flytta {} till en säker plats utanför servern: den behövs bara för att göra ett nytt underskrifts-CA.",
                    kansli_sign::pki::ROOT_KEY_FILE
                );
            }
        }
        SigningCommand::Show {
            db,
            keys,
            organisation,
            public_url,
        } => {
            let keys_dir = keys_dir_for(keys, &db.db)?;
            let store = Store::connect(&db.db).await?;
            let org = organisation_arg(&store, &organisation).await?;
            let root = kansli_sign::keys::load_root(&keys_dir, org.id.0)?.ok_or_else(|| {
                kansli_core::Refusal::new(
                    "nycklar",
                    format!(
                        "{} har inga nycklar i {}; skapa dem med kansli signing init --organisation {}",
                        org.name,
                        keys_dir.display(),
                        org.id.0
                    ),
                )
            })?;
            let config = kansli_web::Config {
                public_url,
                ..kansli_web::Config::default()
            };
            say!("Organisation: {} (id {})", org.name, org.id.0);
            say!(
                "Katalog: {}",
                kansli_sign::keys::organisation_dir(&keys_dir, org.id.0).display()
            );
            say!(
                "Rotcertifikatets SHA-256-fingeravtryck: {}",
                kansli_sign::keys::fingerprint(&root)
            );
            say!(
                "Rotcertifikat: {}",
                config.absolute(&kansli_web::verification::root_pem_path(org.id))
            );
            say!(
                "Spärrlista: {}",
                config.absolute(&kansli_web::verification::crl_path(org.id))
            );
        }
    }
    Ok(())
}

/// A root certificate from a file, PEM or DER.
fn read_root(path: &std::path::Path) -> Result<kansli_sign::pki::Certificate, CliError> {
    let bytes = std::fs::read(path).map_err(|source| {
        CliError::VerifyInput(format!(
            "kunde inte läsa {}: {}",
            path.display(),
            io_sv(&source)
        ))
    })?;
    kansli_sign::pki::certificate_from_bytes(&bytes)
        .map_err(|e| CliError::VerifyInput(format!("{}: inget certifikat: {e}", path.display())))
}

fn verify(
    file: &std::path::Path,
    roots: &[PathBuf],
    keys: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let mut trusted = Vec::new();
    for path in roots {
        trusted.push((path.display().to_string(), read_root(path)?));
    }
    if let Some(dir) = keys {
        for id in kansli_sign::keys::organisations(dir) {
            if let Ok(Some(root)) = kansli_sign::keys::load_root(dir, id) {
                trusted.push((format!("organisation {id} i {}", dir.display()), root));
            }
        }
    }
    if trusted.is_empty() {
        return Err(CliError::VerifyInput(
            "inget rotcertifikat att verifiera mot: ange --root ROT.pem (eller --keys KATALOG)"
                .into(),
        ));
    }
    let bytes = std::fs::read(file).map_err(|source| {
        CliError::VerifyInput(format!(
            "kunde inte läsa {}: {}",
            file.display(),
            io_sv(&source)
        ))
    })?;
    let (report, root) = kansli_sign::keys::verify_against(&bytes, trusted.iter().map(|(_, r)| r))
        .map_err(|e| CliError::VerifyInput(format!("{}: {e}", file.display())))?;
    say!("Fil: {}", file.display());
    say!("SHA-256: {}", report.sha256);
    let root_cert = &trusted[root].1;
    say!(
        "Verifierad mot: {} ({}), SHA-256 {}",
        kansli_sign::keys::subject(root_cert),
        trusted[root].0,
        kansli_sign::keys::fingerprint(root_cert)
    );
    let yes_no = |b: bool| if b { "ja" } else { "nej" };
    let count = report.signatures.len();
    for (i, s) in report.signatures.iter().enumerate() {
        say!("Underskrift {} av {count} (fältet {}):", i + 1, s.field);
        say!(
            "  Undertecknare: {}",
            s.signer_name.as_deref().unwrap_or("okänd")
        );
        say!(
            "  Person-id: {}",
            s.person_id.as_deref().unwrap_or("saknas")
        );
        say!(
            "  Organisation: {}",
            s.organisation.as_deref().unwrap_or("saknas")
        );
        say!(
            "  Roll: {}",
            kansli_sign::role_of_field(&s.field).unwrap_or("okänd (fältet är inte Kanslis)")
        );
        say!(
            "  Tidpunkt: {}",
            s.time
                .map(kansli_sign::keys::swedish_time)
                .unwrap_or_else(|| "saknas".into())
        );
        say!(
            "  Obruten (innehållet är det som signerades): {}",
            yes_no(s.intact)
        );
        say!(
            "  Betrodd (utfärdad under rotcertifikatet): {}",
            yes_no(s.trusted)
        );
        say!("  Ändrad efter underskriften: {}", yes_no(s.modified_after));
        say!("  Omfattar hela filen: {}", yes_no(s.covers_whole_document));
        for p in &s.problems {
            say!("  Fel: {p}");
        }
    }
    if report.all_valid() {
        say!(
            "Slutsats: GILTIG. Alla {count} underskrifter är obrutna och betrodda, och filen är inte ändrad efter den sista."
        );
        Ok(())
    } else {
        say!(
            "Slutsats: INTE GILTIG. {}",
            if count == 0 {
                "Filen har inga underskrifter.".to_string()
            } else {
                let bad = report.signatures.iter().filter(|s| !s.is_valid()).count();
                if bad == 0 {
                    "Den sista underskriften omfattar inte hela filen: något har lagts till efteråt.".to_string()
                } else {
                    format!("{bad} av {count} underskrifter håller inte.")
                }
            }
        );
        Err(CliError::NotValid)
    }
}
