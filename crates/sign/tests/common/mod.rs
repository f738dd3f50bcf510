//! Test helpers: a PDF/A-2a rendered by typst the way kansli-documents does
//! it, a fresh PKI, and the external verifiers (pdfsig, pyHanko, qpdf),
//! skipped loudly when missing unless KANSLI_REQUIRE_SIGN_TOOLS=1.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    library: LazyHash<Library>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|b| Font::iter(Bytes::new(b)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        library: LazyHash::new(Library::default()),
    }
});

struct TestWorld {
    main: Source,
}

impl World for TestWorld {
    fn library(&self) -> &LazyHash<Library> {
        &FONTS.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// A protocol-like PDF/A-2a of `pages` pages, the last an Intyg page.
pub fn protocol_pdf(pages: usize) -> Vec<u8> {
    let mut markup = String::from(
        "#set text(lang: \"sv\")\n#set document(title: \"Protokoll\", date: datetime(year: 2025, month: 1, day: 28))\n",
    );
    for page in 1..pages {
        markup.push_str(&format!(
            "= Paragraf {page}\n\nRegionstyrelsens arbetsutskott beslutar att godkänna ärendet. {}\n#pagebreak()\n",
            "Ärendet har beretts av förvaltningen och föredragits för utskottet. ".repeat(30)
        ));
    }
    markup.push_str(
        "= Intyg\n\nDetta protokoll är justerat elektroniskt av ordföranden och justeraren.\n",
    );
    let id = RootedPath::new(VirtualRoot::Project, VirtualPath::new("/main.typ").unwrap()).intern();
    let world = TestWorld {
        main: Source::new(id, markup),
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .expect("typst compiles");
    let options = PdfOptions {
        ident: Smart::Custom("Protokoll".into()),
        creator: Smart::Custom(Some("Kansli".into())),
        standards: PdfStandards::new(&[PdfStandard::A_2a]).unwrap(),
        tagged: true,
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).expect("PDF written")
}

/// Whether the external tools must be present (CI).
pub fn tools_required() -> bool {
    std::env::var("KANSLI_REQUIRE_SIGN_TOOLS").is_ok_and(|v| v == "1")
}

/// The pyHanko executable: KANSLI_PYHANKO, else `pyhanko` on PATH.
pub fn pyhanko() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("KANSLI_PYHANKO") {
        return Some(PathBuf::from(p));
    }
    which("pyhanko")
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The tools, or None after a loud skip (a panic when they are required).
pub struct Tools {
    pub pyhanko: PathBuf,
}

pub fn tools() -> Option<Tools> {
    let missing: Vec<&str> = ["pdfsig", "certutil", "qpdf"]
        .into_iter()
        .filter(|t| which(t).is_none())
        .collect();
    let pyhanko = pyhanko().filter(|p| p.is_file());
    if let (true, Some(pyhanko)) = (missing.is_empty(), &pyhanko) {
        return Some(Tools {
            pyhanko: pyhanko.clone(),
        });
    }
    let mut missing: Vec<String> = missing.into_iter().map(String::from).collect();
    if pyhanko.is_none() {
        missing.push("pyhanko (set KANSLI_PYHANKO or PATH)".into());
    }
    let what = format!("missing {}", missing.join(", "));
    if tools_required() {
        panic!("KANSLI_REQUIRE_SIGN_TOOLS=1 but signature tools are {what}");
    }
    eprintln!("SKIPPED: signature tools: {what}");
    None
}

pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("tool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// An NSS database in `dir/nss` that trusts `root_pem`.
pub fn nss_db(dir: &Path, root_pem: &Path) -> PathBuf {
    let db = dir.join("nss");
    std::fs::create_dir_all(&db).unwrap();
    let (ok, text) = run(Command::new("certutil")
        .args(["-N", "--empty-password", "-d"])
        .arg(format!("sql:{}", db.display())));
    assert!(ok, "certutil -N: {text}");
    let (ok, text) = run(Command::new("certutil")
        .args(["-A", "-n", "kansli-root", "-t", "CT,C,C", "-d"])
        .arg(format!("sql:{}", db.display()))
        .arg("-i")
        .arg(root_pem));
    assert!(ok, "certutil -A: {text}");
    db
}

pub fn pdfsig(nss: &Path, pdf: &Path) -> String {
    run(Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", nss.display()))
        .arg("-no-ocsp")
        .arg(pdf))
    .1
}

pub fn pyhanko_validate(tools: &Tools, root_pem: &Path, pdf: &Path) -> (bool, String) {
    run(Command::new(&tools.pyhanko)
        .args(["sign", "validate", "--executive-summary", "--trust"])
        .arg(root_pem)
        .arg("--trust-replace")
        .arg(pdf))
}

pub fn qpdf_check(pdf: &Path) -> (bool, String) {
    run(Command::new("qpdf").arg("--check").arg(pdf))
}

/// Serves whatever bytes are in the returned cell over HTTP on 127.0.0.1
/// (the CRL that pyHanko fetches); returns the port.
pub fn serve_bytes() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let served = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let mut request = Vec::new();
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let bytes = served.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&bytes);
        }
    });
    (port, body)
}
