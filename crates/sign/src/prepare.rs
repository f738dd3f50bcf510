//! Prepare a freshly rendered PDF for signing: one full rewrite, allowed only
//! before any signature, that adds an AcroForm with one empty, invisible
//! signature field per signatory on the last page (the Intyg page).
//!
//! The fields are all created here, before the first signature, because a
//! field added later is a change that validators (and Adobe) do not allow
//! after a signature. Each is a merged field + widget with `/F 132` (Print |
//! Locked: PDF/A-2 6.3.2 wants Print set, Hidden and NoView clear) and a
//! zero-size `/Rect`, so no appearance stream is needed (PDF/A-2 6.3.3).
//! `/SigFlags 3` (SignaturesExist | AppendOnly) tells editors to append.
//! Version, `/ID`, `/Info` and the XMP metadata are kept as they are.

use crate::pdf::{self, load_intact};
use crate::{Error, Result, Signatory};
use lopdf::{Dictionary, Object, StringFormat};

/// Adds one empty signature field per signatory, named
/// [`Signatory::field_name`], and returns the rewritten PDF. Refuses a
/// document that already carries a signature (a rewrite would break it),
/// an empty list, and two signatories with the same field name.
pub fn prepare(pdf_bytes: &[u8], signatories: &[Signatory]) -> Result<Vec<u8>> {
    if signatories.is_empty() {
        return Err(Error::Invalid("minst en undertecknare behövs".into()));
    }
    let mut names = Vec::new();
    for s in signatories {
        s.check()?;
        let name = s.field_name();
        if names.contains(&name) {
            return Err(Error::Invalid(format!(
                "{} står två gånger bland undertecknarna",
                s.name
            )));
        }
        names.push(name);
    }

    let mut doc = load_intact(pdf_bytes)?;
    let existing = pdf::signature_fields(&doc);
    if existing.iter().any(|f| f.value.is_some()) {
        return Err(Error::DocumentSigned);
    }
    if let Some(f) = existing.iter().find(|f| names.contains(&f.name)) {
        return Err(Error::Invalid(format!(
            "underskriftsfältet {} finns redan",
            f.name
        )));
    }
    let page = *doc
        .get_pages()
        .values()
        .next_back()
        .ok_or_else(|| Error::Pdf("dokumentet har inga sidor".into()))?;

    let mut widgets = Vec::new();
    for (s, name) in signatories.iter().zip(&names) {
        let mut w = Dictionary::new();
        w.set("Type", Object::Name(b"Annot".to_vec()));
        w.set("Subtype", Object::Name(b"Widget".to_vec()));
        w.set("FT", Object::Name(b"Sig".to_vec()));
        w.set(
            "T",
            Object::String(name.as_bytes().to_vec(), StringFormat::Literal),
        );
        // The user-facing name of the field (read aloud by screen readers).
        w.set(
            "TU",
            utf16_text(&format!(
                "Underskrift av {} ({})",
                s.name.trim(),
                s.role.trim()
            )),
        );
        w.set("F", Object::Integer(132));
        w.set(
            "Rect",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        );
        w.set("P", Object::Reference(page));
        widgets.push(Object::Reference(doc.add_object(w)));
    }

    // The page's /Annots: inline array, an indirect array, or none yet.
    let annots = doc
        .get_dictionary(page)
        .map_err(|e| Error::Pdf(e.to_string()))?
        .get(b"Annots")
        .ok()
        .cloned();
    match annots {
        Some(Object::Reference(id)) => match doc.get_object_mut(id) {
            Ok(Object::Array(a)) => a.extend(widgets.iter().cloned()),
            _ => return Err(Error::Pdf("sidans /Annots är ingen lista".into())),
        },
        Some(Object::Array(mut a)) => {
            a.extend(widgets.iter().cloned());
            set_in(&mut doc, page, "Annots", Object::Array(a))?;
        }
        _ => set_in(&mut doc, page, "Annots", Object::Array(widgets.clone()))?,
    }

    // The catalog's /AcroForm: inline, indirect, or new.
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Pdf("/Root saknas".into()))?;
    let form = doc
        .get_dictionary(root)
        .map_err(|e| Error::Pdf(e.to_string()))?
        .get(b"AcroForm")
        .ok()
        .cloned();
    let form_id = match form {
        Some(Object::Reference(id)) => id,
        Some(Object::Dictionary(d)) => doc.add_object(d),
        _ => doc.add_object(Dictionary::new()),
    };
    set_in(&mut doc, root, "AcroForm", Object::Reference(form_id))?;
    let fields = doc
        .get_dictionary(form_id)
        .ok()
        .and_then(|d| d.get(b"Fields").ok().cloned());
    let mut list = match fields {
        Some(Object::Array(a)) => a,
        Some(Object::Reference(id)) => match doc.get_object(id) {
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    list.extend(widgets);
    let form = doc
        .get_object_mut(form_id)
        .and_then(Object::as_dict_mut)
        .map_err(|_| Error::Pdf("/AcroForm är ingen ordlista".into()))?;
    form.set("Fields", Object::Array(list));
    form.set("SigFlags", Object::Integer(3));
    // PDF/A-2 6.4.1: NeedAppearances must not be true.
    form.remove(b"NeedAppearances");

    let mut out = Vec::with_capacity(pdf_bytes.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| Error::Pdf(e.to_string()))?;
    Ok(out)
}

fn set_in(doc: &mut lopdf::Document, id: lopdf::ObjectId, key: &str, value: Object) -> Result<()> {
    let d = doc
        .get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .map_err(|_| Error::Pdf(format!("objekt {} {} är ingen ordlista", id.0, id.1)))?;
    d.set(key, value);
    Ok(())
}

/// A PDF text string: UTF-16BE with a byte-order mark, written as hex so
/// the file stays 7-bit in its structure.
pub(crate) fn utf16_text(s: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}
