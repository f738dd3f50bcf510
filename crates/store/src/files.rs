//! Files attached to a case's documents (the motion as sent in, a scanned
//! letter). Each file is kept once per content hash (SHA-256), which is also
//! what the register shows, so a copy can be checked against it.

use crate::{Store, StoreError, Tx};
use base64::Engine;
use kansli_core::{AttachmentId, DocumentId, Refusal};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// The largest file accepted, of any kind (the upload's body limit).
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// A file attached to a document.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub document: DocumentId,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
}

/// The kinds of file the registry takes, each recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Odt,
    Docx,
    Png,
    Jpeg,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Pdf,
        FileKind::Odt,
        FileKind::Docx,
        FileKind::Png,
        FileKind::Jpeg,
    ];

    /// As the user reads it: "en PDF-fil".
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "en PDF-fil",
            FileKind::Odt => "ett ODT-dokument",
            FileKind::Docx => "ett DOCX-dokument",
            FileKind::Png => "en PNG-bild",
            FileKind::Jpeg => "en JPEG-bild",
        }
    }

    /// The name in the form's list: "PDF".
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Odt => "ODT",
            FileKind::Docx => "DOCX",
            FileKind::Png => "PNG",
            FileKind::Jpeg => "JPEG",
        }
    }

    /// The file name extensions that go with the kind, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Odt => &["odt"],
            FileKind::Docx => &["docx"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
        }
    }

    /// The largest file of this kind: documents may be long scans, a
    /// picture need not be.
    pub fn max_bytes(self) -> usize {
        match self {
            FileKind::Pdf => MAX_FILE_BYTES,
            FileKind::Odt | FileKind::Docx => 15 * 1024 * 1024,
            FileKind::Png | FileKind::Jpeg => 10 * 1024 * 1024,
        }
    }

    fn of_extension(ext: &str) -> Option<FileKind> {
        let ext = ext.to_ascii_lowercase();
        FileKind::ALL
            .into_iter()
            .find(|k| k.extensions().contains(&ext.as_str()))
    }
}

/// The form's `accept` attribute: every extension and media type taken.
pub fn accept_attribute() -> String {
    let mut parts: Vec<String> = Vec::new();
    for k in FileKind::ALL {
        parts.extend(k.extensions().iter().map(|e| format!(".{e}")));
        parts.push(k.media_type().into());
    }
    parts.join(",")
}

/// What the form says it takes: "PDF (högst 25 MB), ODT, DOCX (högst 15 MB), …".
pub fn accepted_kinds_sv() -> String {
    let mb = |k: FileKind| k.max_bytes() / 1024 / 1024;
    format!(
        "PDF (högst {} MB), ODT eller DOCX (högst {} MB), bild som PNG eller JPEG (högst {} MB)",
        mb(FileKind::Pdf),
        mb(FileKind::Docx),
        mb(FileKind::Png)
    )
}

/// What a file's content is, as far as the registry cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// One of the kinds taken.
    Kind(FileKind),
    /// Something else, described in Swedish ("HTML", "ett ZIP-arkiv").
    Other(&'static str),
}

/// Recognises a file by its first bytes (and, for the office formats, by
/// the entries of the ZIP container they are), never by its name.
pub fn sniff(bytes: &[u8]) -> Content {
    use Content::*;
    if bytes.starts_with(b"%PDF-") {
        return Kind(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Kind(FileKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_content(bytes);
    }
    let binary: &[(&[u8], &str)] = &[
        (b"GIF87a", "en GIF-bild"),
        (b"GIF89a", "en GIF-bild"),
        (b"II*\0", "en TIFF-bild"),
        (b"MM\0*", "en TIFF-bild"),
        (
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            "ett äldre Office-dokument (DOC, XLS eller PPT)",
        ),
        (b"{\\rtf", "ett RTF-dokument"),
        (b"MZ", "ett Windows-program"),
        (b"\x7fELF", "ett program"),
        (b"\x1f\x8b", "ett gzip-arkiv"),
        (b"Rar!", "ett RAR-arkiv"),
        (b"7z\xbc\xaf\x27\x1c", "ett 7z-arkiv"),
    ];
    if let Some((_, what)) = binary.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Other(what);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Other("en WebP-bild");
    }
    // Text: look at what it starts with, ignoring a BOM and white space.
    let head = &bytes[..bytes.len().min(1024)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at 1024 bytes is still text.
        Err(e) if e.valid_up_to() + 4 > head.len() && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return Other("okänt binärt innehåll"),
    };
    if text.contains('\0') {
        return Other("okänt binärt innehåll");
    }
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.contains("<html")
        || lower.contains("<script")
        || lower.contains("<body")
    {
        Other("HTML")
    } else if lower.contains("<svg") {
        Other("en SVG-bild")
    } else if lower.starts_with("<?xml") {
        Other("XML")
    } else if lower.is_empty() {
        Other("tomt")
    } else {
        Other("text")
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// The names in a ZIP file's central directory (bounded, so a crafted
/// file cannot make us loop long), or `None` when it cannot be read.
fn zip_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    // The end-of-central-directory record is in the last 64 kB + 22 bytes.
    let from = bytes.len().saturating_sub(65_557);
    let eocd = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(bytes, eocd + 10)?.min(10_000);
    let mut at = u32_at(bytes, eocd + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let name_len = u16_at(bytes, at + 28)?;
        let extra = u16_at(bytes, at + 30)?;
        let comment = u16_at(bytes, at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra + comment;
    }
    Some(names)
}

/// An OpenDocument file starts with an uncompressed entry `mimetype`
/// holding its media type (ODF 1.2, part 3, 3.3); an Office Open XML
/// document has `[Content_Types].xml` and a main part under `word/`.
fn zip_content(bytes: &[u8]) -> Content {
    let name_len = u16_at(bytes, 26).unwrap_or(0);
    let extra = u16_at(bytes, 28).unwrap_or(0);
    if bytes.get(30..30 + name_len) == Some(b"mimetype") && u16_at(bytes, 8) == Some(0) {
        let size = u32_at(bytes, 18).unwrap_or(0).min(200);
        let start = 30 + name_len + extra;
        let mime = bytes.get(start..start + size).unwrap_or(b"");
        return match mime {
            b"application/vnd.oasis.opendocument.text" => Content::Kind(FileKind::Odt),
            b"application/vnd.oasis.opendocument.spreadsheet" => {
                Content::Other("ett kalkylark (ODS)")
            }
            b"application/vnd.oasis.opendocument.presentation" => {
                Content::Other("en presentation (ODP)")
            }
            _ => Content::Other("ett annat OpenDocument-format"),
        };
    }
    let Some(names) = zip_names(bytes) else {
        return Content::Other("ett trasigt ZIP-arkiv");
    };
    let has = |n: &[u8]| names.contains(&n);
    let under = |p: &[u8]| names.iter().any(|n| n.starts_with(p));
    if has(b"[Content_Types].xml") {
        if under(b"word/") {
            return Content::Kind(FileKind::Docx);
        }
        if under(b"xl/") {
            return Content::Other("ett kalkylark (XLSX)");
        }
        if under(b"ppt/") {
            return Content::Other("en presentation (PPTX)");
        }
    }
    Content::Other("ett ZIP-arkiv")
}

/// Checks an uploaded file: its content must be one of the kinds taken,
/// its name's extension must agree with the content, and it must be
/// within its kind's size. The refusal names the file and says what was
/// found.
pub fn check_upload(file_name: &str, bytes: &[u8]) -> Result<FileKind, Refusal> {
    let at = "filen";
    if bytes.is_empty() {
        return Err(Refusal::new(at, format!("«{file_name}» är tom")));
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let found = sniff(bytes);
    let taken = "Kansli tar emot PDF, ODT, DOCX, PNG och JPEG";
    let named = FileKind::of_extension(ext);
    let kind = match (named, &found) {
        (Some(named), Content::Kind(k)) if named == *k => *k,
        (Some(named), Content::Kind(k)) => {
            return Err(Refusal::new(
                at,
                format!(
                    "«{file_name}» är inte {}: innehållet är {}; byt filändelse till .{}",
                    named.label(),
                    k.label(),
                    k.extensions()[0]
                ),
            ));
        }
        (Some(named), Content::Other(what)) => {
            return Err(Refusal::new(
                at,
                format!(
                    "«{file_name}» är inte {}: innehållet är {what}. {taken}",
                    named.label()
                ),
            ));
        }
        (None, found) => {
            let what = match found {
                Content::Kind(k) => k.label(),
                Content::Other(what) => what,
            };
            let ending = if ext.is_empty() {
                "saknar filändelse".to_string()
            } else {
                format!("har filändelsen .{ext}, som inte tas emot")
            };
            return Err(Refusal::new(
                at,
                format!("«{file_name}» {ending} (innehållet är {what}). {taken}"),
            ));
        }
    };
    if bytes.len() > kind.max_bytes() {
        let size = format!("{:.1}", bytes.len() as f64 / 1024.0 / 1024.0).replace('.', ",");
        return Err(Refusal::new(
            at,
            format!(
                "«{file_name}» är {size} MB; {} får vara högst {} MB",
                kind.name(),
                kind.max_bytes() / 1024 / 1024
            ),
        ));
    }
    Ok(kind)
}

/// The media type a file name says, for the kinds a registry receives
/// (files stored before uploads were checked by content keep theirs).
pub fn media_type_of(file_name: &str) -> &'static str {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match FileKind::of_extension(ext) {
        Some(k) => k.media_type(),
        None if ext.eq_ignore_ascii_case("txt") => "text/plain; charset=utf-8",
        None => "application/octet-stream",
    }
}

fn attachment_row(r: &sqlx::any::AnyRow) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: AttachmentId(r.try_get("id")?),
        document: DocumentId(r.try_get("document_id")?),
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        added_at: r.try_get("added_at")?,
    })
}

impl Tx {
    /// Keeps `bytes` in `file_contents` under their SHA-256 (`sha256`),
    /// once: content already there is not written again.
    pub(crate) async fn keep_file_content(
        &mut self,
        sha256: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM file_contents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        if stored.is_none() {
            sqlx::query("INSERT INTO file_contents (sha256, size, content) VALUES ($1, $2, $3)")
                .bind(sha256)
                .bind(bytes.len() as i64)
                .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Attaches a file to a document. The file must pass [`check_upload`]:
    /// an empty file, one of a kind not taken, one whose name does not
    /// agree with its content, or one over its kind's size is refused.
    pub async fn attach_file(
        &mut self,
        document: DocumentId,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<AttachmentId, StoreError> {
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let at = format!("filen «{name}»");
        if name.is_empty() {
            return Err(Refusal::new("filen", "filnamn saknas").into());
        }
        kansli_core::limits::check("filnamn", kansli_core::limits::Kind::Name, &name)?;
        if bytes.is_empty() {
            return Err(Refusal::new(at, "filen är tom").into());
        }
        let media_type = check_upload(&name, bytes)?.media_type();
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM documents WHERE id = $1")
            .bind(document.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "handlingen",
                id: document.to_string(),
            });
        }
        let sha256 = crate::access::sha256_hex(bytes);
        self.keep_file_content(&sha256, bytes).await?;
        let id = self.next_id("attachments").await?;
        sqlx::query(
            "INSERT INTO attachments (id, document_id, file_name, media_type, sha256, size, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(document.0)
        .bind(&name)
        .bind(media_type)
        .bind(&sha256)
        .bind(bytes.len() as i64)
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "attach",
            "document",
            Some(document.0),
            json!({"file": name, "sha256": sha256, "size": bytes.len()}),
        )
        .await?;
        Ok(AttachmentId(id))
    }
}

impl Store {
    /// The files of a document, oldest first.
    pub async fn attachments(&self, document: DocumentId) -> Result<Vec<Attachment>, StoreError> {
        let rows = sqlx::query("SELECT * FROM attachments WHERE document_id = $1 ORDER BY id")
            .bind(document.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(attachment_row).collect()
    }

    /// Whether a document is public or secret (with its ground).
    pub async fn document_access(
        &self,
        document: DocumentId,
    ) -> Result<kansli_core::Access, StoreError> {
        let ground: Option<Option<String>> =
            sqlx::query_scalar("SELECT secrecy_ground FROM documents WHERE id = $1")
                .bind(document.0)
                .fetch_optional(self.pool())
                .await?;
        match ground {
            Some(g) => Ok(crate::read::access_from_column(g)),
            None => Err(StoreError::NotFound {
                what: "handlingen",
                id: document.to_string(),
            }),
        }
    }

    /// One file with its content, checked against its hash.
    pub async fn attachment(&self, id: AttachmentId) -> Result<(Attachment, Vec<u8>), StoreError> {
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "filen",
                id: id.to_string(),
            })?;
        let a = attachment_row(&row)?;
        let content: String =
            sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
                .bind(&a.sha256)
                .fetch_one(self.pool())
                .await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|e| StoreError::Corrupt(format!("fil {id}: {e}")))?;
        if crate::access::sha256_hex(&bytes) != a.sha256 {
            return Err(StoreError::Corrupt(format!(
                "fil {id}: innehållet stämmer inte med kontrollsumman"
            )));
        }
        Ok((a, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP archive of stored (uncompressed) entries, as office files
    /// are; the CRC is left zero since nothing here checks it.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let mut header = Vec::new();
            header.extend_from_slice(b"PK\x03\x04");
            header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            header.extend_from_slice(&0u32.to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&0u32.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn each_kind_is_recognised_by_its_content() {
        let odt = zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ]);
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        let xlsx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<x/>"),
        ]);
        let ods = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        let cases: [(&[u8], Content); 9] = [
            (b"%PDF-1.7\n", Content::Kind(FileKind::Pdf)),
            (b"\x89PNG\r\n\x1a\n\0\0", Content::Kind(FileKind::Png)),
            (&[0xFF, 0xD8, 0xFF, 0xE0], Content::Kind(FileKind::Jpeg)),
            (&odt, Content::Kind(FileKind::Odt)),
            (&docx, Content::Kind(FileKind::Docx)),
            (&xlsx, Content::Other("ett kalkylark (XLSX)")),
            (&ods, Content::Other("ett kalkylark (ODS)")),
            (b"\xEF\xBB\xBF  <!DOCTYPE html><p>x", Content::Other("HTML")),
            (b"GIF89a....", Content::Other("en GIF-bild")),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), expected);
        }
        assert_eq!(
            sniff(b"PK\x03\x04 broken"),
            Content::Other("ett trasigt ZIP-arkiv")
        );
        assert_eq!(sniff(b"Hej, detta \xC3\xA4r text."), Content::Other("text"));
        assert_eq!(
            sniff(&[0, 159, 146, 150]),
            Content::Other("okänt binärt innehåll")
        );
        assert_eq!(check_upload("Protokoll.ODT", &odt), Ok(FileKind::Odt));
        assert_eq!(check_upload("beslut.docx", &docx), Ok(FileKind::Docx));
        assert_eq!(
            check_upload("foto.JPEG", &[0xFF, 0xD8, 0xFF, 0xE1]),
            Ok(FileKind::Jpeg)
        );
    }

    #[test]
    fn the_name_must_agree_with_the_content_and_the_size_with_the_kind() {
        let refused = |name: &str, bytes: &[u8]| check_upload(name, bytes).unwrap_err().reason;
        assert_eq!(
            refused("x.pdf", b"<html><body>hej</body></html>"),
            "«x.pdf» är inte en PDF-fil: innehållet är HTML. Kansli tar emot PDF, ODT, DOCX, PNG och JPEG"
        );
        let docx = zip(&[("[Content_Types].xml", b""), ("word/document.xml", b"")]);
        assert!(
            refused("brev.odt", &docx)
                .contains("innehållet är ett DOCX-dokument; byt filändelse till .docx")
        );
        assert!(refused("virus.exe", b"MZ\x90\0").contains("filändelsen .exe"));
        assert!(refused("utan-ändelse", b"%PDF-1.4").contains("saknar filändelse"));
        assert!(refused("tom.pdf", b"").contains("tom"));
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(FileKind::Jpeg.max_bytes() + 1, 0);
        assert_eq!(
            refused("stor.v1.jpg", &big),
            "«stor.v1.jpg» är 10,0 MB; JPEG får vara högst 10 MB"
        );
        assert!(accept_attribute().starts_with(".pdf,application/pdf,.odt,"));
    }
}
