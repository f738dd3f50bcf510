//! What the other modules need of lopdf: loading that never panics, the
//! signature fields of a document, and small object accessors.

use crate::{Error, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// The largest PDF this crate reads (a protocol is a few MB at most).
pub const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

/// Loads a PDF; a malformed file or a parser panic becomes an error.
pub(crate) fn load(bytes: &[u8]) -> Result<Document> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(Error::Pdf(format!(
            "filen är större än {} MB",
            MAX_PDF_BYTES >> 20
        )));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::Pdf("filen börjar inte med %PDF-".into()));
    }
    let doc = std::panic::catch_unwind(|| Document::load_mem(bytes))
        .map_err(|_| Error::Pdf("PDF-läsaren gav upp".into()))?
        .map_err(|e| Error::Pdf(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(Error::Pdf("krypterade PDF-filer stöds inte".into()));
    }
    Ok(doc)
}

/// Loads a PDF that is to be changed (prepared or signed): as [`load`],
/// and refusing a file whose cross-references had to be repaired, since an
/// increment must point back at the file's own, intact xref.
pub(crate) fn load_intact(bytes: &[u8]) -> Result<Document> {
    let doc = load(bytes)?;
    if doc.xref_recovery.is_some() {
        return Err(Error::Pdf("korsreferenstabellen är skadad".into()));
    }
    Ok(doc)
}

/// A signature field (`/FT /Sig`) of the document.
#[derive(Debug, Clone)]
pub(crate) struct SigField {
    /// The field's object (our fields are merged field + widget).
    pub id: ObjectId,
    /// The fully qualified field name.
    pub name: String,
    /// The signature dictionary in `/V`, when signed.
    pub value: Option<ObjectId>,
}

/// Follows a reference (a chain of at most a few).
pub(crate) fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, o)| o)
}

pub(crate) fn dict<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, object)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn name_is(d: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    matches!(d.get(key), Ok(Object::Name(n)) if n == value)
}

/// The catalog's `/AcroForm` dictionary, if any.
pub(crate) fn acroform(doc: &Document) -> Option<&Dictionary> {
    let catalog = doc.catalog().ok()?;
    dict(doc, catalog.get(b"AcroForm").ok()?)
}

/// Every signature field reachable from `/AcroForm /Fields` (through
/// `/Kids`, at most 16 levels deep, each object visited once).
pub(crate) fn signature_fields(doc: &Document) -> Vec<SigField> {
    let mut out = Vec::new();
    let Some(form) = acroform(doc) else {
        return out;
    };
    let Ok(Some(fields)) = form.get(b"Fields").map(|f| resolve(doc, f)) else {
        return out;
    };
    let Object::Array(fields) = fields else {
        return out;
    };
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(Object, String, bool, usize)> = fields
        .iter()
        .rev()
        .map(|f| (f.clone(), String::new(), false, 0))
        .collect();
    while let Some((object, parent, parent_sig, depth)) = stack.pop() {
        let Object::Reference(id) = object else {
            continue;
        };
        if depth > 16 || !seen.insert(id) || seen.len() > 10_000 {
            continue;
        }
        let Ok(d) = doc.get_dictionary(id) else {
            continue;
        };
        let partial = d
            .get(b"T")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok());
        let name = match (&partial, parent.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{parent}.{p}"),
            (None, _) => parent.clone(),
        };
        let is_sig = match d.get(b"FT") {
            Ok(Object::Name(n)) => n == b"Sig",
            _ => parent_sig,
        };
        if let Ok(Object::Array(kids)) = d.get(b"Kids").map(|k| resolve(doc, k).unwrap_or(k)) {
            for kid in kids.iter().rev() {
                stack.push((kid.clone(), name.clone(), is_sig, depth + 1));
            }
            continue;
        }
        if is_sig {
            let value = match d.get(b"V") {
                Ok(Object::Reference(r)) => Some(*r),
                _ => None,
            };
            out.push(SigField { id, name, value });
        }
    }
    out
}

pub(crate) fn int(d: &Dictionary, key: &[u8]) -> Option<i64> {
    match d.get(key) {
        Ok(Object::Integer(i)) => Some(*i),
        _ => None,
    }
}
