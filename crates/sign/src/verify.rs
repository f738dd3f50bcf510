//! Verify every signature of a PDF against a trusted root, offline.
//!
//! For each signed field the report says who signed (from the certificate),
//! when (the claimed `/M`), whether the signature covers the whole file,
//! whether it is intact (the byte range leaves out exactly its own
//! `/Contents`, the digest matches, the CMS signature verifies, and
//! signing-certificate-v2 names the signer's certificate), whether the
//! signer's chain leads to the root, and whether anything was changed after
//! it. That last check is deliberately strict: each later increment may only
//! add a signature dictionary and set that field's `/V`; anything else —
//! a page, an annotation, a new field, a deleted object — counts as
//! "changed after signing".

use crate::ess::SigningCertificateV2;
use crate::pdf::{self, load};
use crate::pki::{cert_is_ca, name_attribute};
use crate::{Error, Result};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode};
use lopdf::{Document, Object};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::SystemTime;
use x509_cert::Certificate;

/// The verification of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// SHA-256 of the whole file, lower-case hex.
    pub sha256: String,
    /// The signatures in the order of the form's fields.
    pub signatures: Vec<SignatureReport>,
}

impl Report {
    /// True when there is at least one signature and every one is valid and
    /// the last covers the whole file.
    pub fn all_valid(&self) -> bool {
        !self.signatures.is_empty()
            && self.signatures.iter().all(SignatureReport::is_valid)
            && self.signatures.iter().any(|s| s.covers_whole_document)
    }
}

/// What was found about one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// The signature field's name.
    pub field: String,
    /// The signer's name (certificate CN).
    pub signer_name: Option<String>,
    /// The signer's Kansli person id (certificate serialNumber).
    pub person_id: Option<String>,
    /// The organisation (certificate O).
    pub organisation: Option<String>,
    /// The signer certificate's serial number, lower-case hex (what a CRL
    /// revokes).
    pub certificate_serial: Option<String>,
    /// The signing time claimed in `/M` (PAdES B-B has no trusted time).
    pub time: Option<jiff::Timestamp>,
    /// The number of bytes of the file this signature covers (the length of
    /// the revision it signed).
    pub signed_length: usize,
    /// The signature covers the whole file as it is now.
    pub covers_whole_document: bool,
    /// Byte range, digest, CMS signature and signing certificate are right.
    pub intact: bool,
    /// The signer's certificate leads to the trusted root, and every
    /// certificate on the way was valid at the claimed time.
    pub trusted: bool,
    /// Something other than later signatures was appended after it.
    pub modified_after: bool,
    /// What failed, in Swedish, for the verification page.
    pub problems: Vec<String>,
}

impl SignatureReport {
    /// Intact, trusted and not changed afterwards.
    pub fn is_valid(&self) -> bool {
        self.intact && self.trusted && !self.modified_after
    }
}

/// Verifies every signature in `pdf_bytes` against `root`. A file that is
/// not a readable PDF is an error; a PDF without signatures gives a report
/// with none.
pub fn verify(pdf_bytes: &[u8], root: &Certificate) -> Result<Report> {
    let doc = load(pdf_bytes)?;
    let mut reports = Vec::new();
    for field in pdf::signature_fields(&doc) {
        let Some(value) = field.value else { continue };
        reports.push(check_signature(pdf_bytes, &doc, value, field.name, root));
    }
    let mut revisions = Revisions {
        bytes: pdf_bytes,
        loaded: HashMap::new(),
    };
    let mut ends: Vec<usize> = reports
        .iter()
        .map(|r| r.signed_length)
        .filter(|&e| e > 0)
        .collect();
    ends.push(pdf_bytes.len());
    ends.sort_unstable();
    ends.dedup();
    for report in &mut reports {
        if report.signed_length == 0 {
            report.modified_after = true;
            continue;
        }
        if let Some(problem) = revisions.changed_after(report.signed_length, &ends, &doc) {
            report.modified_after = true;
            report.problems.push(problem);
        }
    }
    Ok(Report {
        sha256: crate::sha256_hex(pdf_bytes),
        signatures: reports,
    })
}

fn check_signature(
    bytes: &[u8],
    doc: &Document,
    sig_id: lopdf::ObjectId,
    field: String,
    root: &Certificate,
) -> SignatureReport {
    let mut r = SignatureReport {
        field,
        signer_name: None,
        person_id: None,
        organisation: None,
        certificate_serial: None,
        time: None,
        signed_length: 0,
        covers_whole_document: false,
        intact: false,
        trusted: false,
        modified_after: false,
        problems: Vec::new(),
    };
    let Ok(sig) = doc.get_dictionary(sig_id) else {
        r.problems.push("underskriftens ordlista saknas".into());
        return r;
    };
    r.time = sig
        .get(b"M")
        .ok()
        .and_then(|m| m.as_str().ok())
        .and_then(parse_pdf_date);
    let contents = match sig.get(b"Contents") {
        Ok(Object::String(s, _)) => s.as_slice(),
        _ => {
            r.problems.push("underskriften saknar /Contents".into());
            return r;
        }
    };
    let digest = match byte_range_digest(bytes, doc, sig_id, sig, contents) {
        Ok((end, digest)) => {
            r.signed_length = end;
            r.covers_whole_document = end == bytes.len();
            digest
        }
        Err(problem) => {
            r.problems.push(problem);
            return r;
        }
    };
    match check_cms(contents, &digest) {
        Ok((signer, certs)) => {
            let subject = &signer.tbs_certificate.subject;
            r.signer_name = name_attribute(subject, const_oid::db::rfc4519::CN);
            r.person_id = name_attribute(subject, const_oid::db::rfc4519::SERIAL_NUMBER);
            r.organisation = name_attribute(subject, const_oid::db::rfc4519::O);
            r.certificate_serial =
                Some(crate::hex(signer.tbs_certificate.serial_number.as_bytes()));
            r.intact = true;
            match r.time {
                Some(time) => match chain_to_root(&signer, &certs, root, SystemTime::from(time)) {
                    Ok(()) => r.trusted = true,
                    Err(p) => r.problems.push(p),
                },
                None => r.problems.push("underskriften saknar tidpunkt (/M)".into()),
            }
        }
        Err(problem) => r.problems.push(problem),
    }
    r
}

/// Checks the byte range and returns the signed length and the SHA-256 of
/// the ranges: `[0 a b c]`, the gap `a..b` exactly this dictionary's
/// `/Contents` hex string, inside its own object.
fn byte_range_digest(
    bytes: &[u8],
    doc: &Document,
    sig_id: lopdf::ObjectId,
    sig: &lopdf::Dictionary,
    contents: &[u8],
) -> std::result::Result<(usize, [u8; 32]), String> {
    let bad = || "underskriftens /ByteRange är felaktig".to_string();
    let range = match sig.get(b"ByteRange") {
        Ok(Object::Array(a)) if a.len() == 4 => a
            .iter()
            .map(|o| o.as_i64().ok().and_then(|i| usize::try_from(i).ok()))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let (start, gap_start, gap_end, tail) = (range[0], range[1], range[2], range[3]);
    let end = gap_end.checked_add(tail).ok_or_else(bad)?;
    if start != 0 || gap_start + 2 > gap_end || end > bytes.len() {
        return Err(bad());
    }
    let gap = &bytes[gap_start..gap_end];
    if gap[0] != b'<'
        || gap[gap.len() - 1] != b'>'
        || decode_hex(&gap[1..gap.len() - 1]).as_deref() != Some(contents)
    {
        return Err("byteintervallet utelämnar något annat än underskriften".into());
    }
    // The gap must lie inside the signature's own object.
    let offset = match doc.reference_table.get(sig_id.0) {
        Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => *offset as usize,
        _ => return Err("underskriftens objekt hittades inte".into()),
    };
    if offset >= gap_start || find(&bytes[offset..gap_start], b"endobj").is_some() {
        return Err("byteintervallet utelämnar något annat än underskriften".into());
    }
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..gap_start]);
    hasher.update(&bytes[gap_end..end]);
    Ok((end, hasher.finalize().into()))
}

fn decode_hex(hex: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = hex
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|&b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let mut out: Vec<u8> = digits
        .chunks(2)
        .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
        .collect();
    out.shrink_to_fit();
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses the CMS and checks it against the digest of the signed ranges;
/// returns the signer's certificate and all certificates carried.
fn check_cms(
    contents: &[u8],
    digest: &[u8; 32],
) -> std::result::Result<(Certificate, Vec<Certificate>), String> {
    let bad = |what: &str| format!("underskriftens CMS-struktur: {what}");
    // /Contents is the DER followed by zero padding: take one TLV.
    let header_len = {
        let mut reader = der::SliceReader::new(contents).map_err(|_| bad("tom"))?;
        let header = der::Header::decode(&mut reader).map_err(|_| bad("kan inte läsas"))?;
        let head = header.encoded_len().map_err(|_| bad("kan inte läsas"))?;
        (head + header.length).map_err(|_| bad("kan inte läsas"))?
    };
    let total = usize::try_from(header_len).map_err(|_| bad("för lång"))?;
    let der = contents.get(..total).ok_or_else(|| bad("avkortad"))?;
    let info = ContentInfo::from_der(der).map_err(|_| bad("kan inte läsas"))?;
    if info.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(bad("inte SignedData"));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|_| bad("SignedData kan inte läsas"))?;
    if signed.signer_infos.0.len() != 1 {
        return Err(bad("ska ha exakt en SignerInfo"));
    }
    let signer_info = signed
        .signer_infos
        .0
        .get(0)
        .ok_or_else(|| bad("SignerInfo saknas"))?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(bad("innehållet ska vara fristående (detached)"));
    }
    if signer_info.digest_alg.oid != const_oid::db::rfc5912::ID_SHA_256 {
        return Err(bad("bara SHA-256 stöds"));
    }
    if signer_info.signature_algorithm.oid != const_oid::db::rfc5912::ECDSA_WITH_SHA_256 {
        return Err(bad("bara ecdsa-with-SHA256 stöds"));
    }
    let certs: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let signer = match &signer_info.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => certs.iter().find(|c| {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .cloned()
    .ok_or_else(|| bad("undertecknarens certifikat saknas"))?;

    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("signerade attribut saknas"))?;
    let single = |oid| {
        let found: Vec<_> = attrs.iter().filter(|a| a.oid == oid).collect();
        match found.as_slice() {
            [a] if a.values.len() == 1 => a.values.get(0).cloned(),
            _ => None,
        }
    };
    let md = single(const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .ok_or_else(|| bad("message-digest saknas"))?;
    let md = md
        .decode_as::<der::asn1::OctetString>()
        .map_err(|_| bad("message-digest kan inte läsas"))?;
    if md.as_bytes() != digest.as_slice() {
        return Err("dokumentet har ändrats: kontrollsumman stämmer inte".into());
    }
    let ct = single(const_oid::db::rfc5911::ID_CONTENT_TYPE)
        .ok_or_else(|| bad("content-type saknas"))?;
    if ct.decode_as::<der::asn1::ObjectIdentifier>().ok() != Some(const_oid::db::rfc5911::ID_DATA) {
        return Err(bad("content-type ska vara id-data"));
    }
    let sc = single(const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)
        .ok_or_else(|| bad("signing-certificate-v2 saknas"))?;
    let sc = sc
        .decode_as::<SigningCertificateV2>()
        .map_err(|_| bad("signing-certificate-v2 kan inte läsas"))?;
    let signer_der = signer
        .to_der()
        .map_err(|_| bad("certifikatet kan inte kodas"))?;
    let first = sc
        .certs
        .first()
        .ok_or_else(|| bad("signing-certificate-v2 är tom"))?;
    let sha256_ok = first
        .hash_algorithm
        .as_ref()
        .is_none_or(|a| a.oid == const_oid::db::rfc5912::ID_SHA_256);
    let serial_ok = first.issuer_serial.as_ref().is_none_or(|is| {
        is.serial_number == signer.tbs_certificate.serial_number
            && is.issuer.iter().any(|g| {
                matches!(g, x509_cert::ext::pkix::name::GeneralName::DirectoryName(n) if *n == signer.tbs_certificate.issuer)
            })
    });
    if !sha256_ok || *first.cert_hash.as_bytes() != Sha256::digest(&signer_der)[..] || !serial_ok {
        return Err(bad(
            "signing-certificate-v2 pekar inte på undertecknarens certifikat",
        ));
    }

    let key = p256_key(&signer).ok_or_else(|| bad("undertecknarens nyckel är inte P-256"))?;
    let signature = DerSignature::from_bytes(signer_info.signature.as_bytes())
        .map_err(|_| bad("signaturen kan inte läsas"))?;
    let signed_attrs = attrs
        .to_der()
        .map_err(|_| bad("attributen kan inte kodas"))?;
    key.verify(&signed_attrs, &signature)
        .map_err(|_| "underskriften är inte giltig: signaturen stämmer inte".to_string())?;
    Ok((signer, certs))
}

fn p256_key(cert: &Certificate) -> Option<VerifyingKey> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
        return None;
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()?
        .decode_as::<der::asn1::ObjectIdentifier>()
        .ok()?;
    if curve != const_oid::db::rfc5912::SECP_256_R_1 {
        return None;
    }
    VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).ok()
}

/// `child` is signed by `issuer` (names match, ECDSA P-256 with SHA-256).
pub(crate) fn issued_by(child: &Certificate, issuer: &Certificate) -> bool {
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject
        || child.signature_algorithm.oid != const_oid::db::rfc5912::ECDSA_WITH_SHA_256
    {
        return false;
    }
    let (Some(key), Ok(tbs)) = (p256_key(issuer), child.tbs_certificate.to_der()) else {
        return false;
    };
    let Some(sig) = child
        .signature
        .as_bytes()
        .and_then(|b| DerSignature::from_bytes(b).ok())
    else {
        return false;
    };
    key.verify(&tbs, &sig).is_ok()
}

fn valid_at(cert: &Certificate, time: SystemTime) -> bool {
    let v = &cert.tbs_certificate.validity;
    v.not_before.to_system_time() <= time && time <= v.not_after.to_system_time()
}

/// The signer's chain, through the CA certificates carried in the CMS, to
/// the trusted root (at most four links).
fn chain_to_root(
    signer: &Certificate,
    certs: &[Certificate],
    root: &Certificate,
    time: SystemTime,
) -> std::result::Result<(), String> {
    if !signer_key_usage_ok(signer) {
        return Err("undertecknarens certifikat får inte användas för underskrifter".into());
    }
    let mut current = signer.clone();
    for _ in 0..4 {
        if !valid_at(&current, time) {
            return Err("ett certifikat var inte giltigt vid underskriftens tidpunkt".into());
        }
        if issued_by(&current, root) {
            if !valid_at(root, time) {
                return Err("rotcertifikatet var inte giltigt vid underskriftens tidpunkt".into());
            }
            return Ok(());
        }
        match certs
            .iter()
            .find(|c| cert_is_ca(c) && **c != current && issued_by(&current, c))
        {
            Some(next) => current = next.clone(),
            None => break,
        }
    }
    Err("certifikatet är inte utfärdat under det betrodda rotcertifikatet".into())
}

fn signer_key_usage_ok(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_KEY_USAGE)
        .is_none_or(|e| {
            KeyUsage::from_der(e.extn_value.as_bytes()).is_ok_and(|k| {
                k.0.contains(KeyUsages::DigitalSignature) || k.0.contains(KeyUsages::NonRepudiation)
            })
        })
}

/// A PDF date `D:YYYYMMDDHHmmSS` with an optional `Z`, `+HH'mm'` or
/// `-HH'mm'`; missing trailing parts default as ISO 32000 says.
fn parse_pdf_date(raw: &[u8]) -> Option<jiff::Timestamp> {
    let s = std::str::from_utf8(raw).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let part = |from: usize, len: usize, default: i64| -> Option<i64> {
        digits
            .get(from..from + len)
            .map_or(Some(default), |p| p.parse().ok())
    };
    let (y, mo, d) = (part(0, 4, 0)?, part(4, 2, 1)?, part(6, 2, 1)?);
    let (h, mi, se) = (part(8, 2, 0)?, part(10, 2, 0)?, part(12, 2, 0)?);
    let rest = &s[digits.len()..];
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i64> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            let secs =
                nums.first().copied().unwrap_or(0) * 3600 + nums.get(1).copied().unwrap_or(0) * 60;
            if sign == '-' { -secs } else { secs }
        }
        _ => 0,
    };
    let date = jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(se.min(59)).ok()?,
        0,
    )
    .ok()?;
    let offset = jiff::tz::Offset::from_seconds(i32::try_from(offset_secs).ok()?).ok()?;
    offset.to_timestamp(date).ok()
}

/// The document as it was at each revision end, loaded once each.
struct Revisions<'a> {
    bytes: &'a [u8],
    loaded: HashMap<usize, Option<Document>>,
}

impl Revisions<'_> {
    fn get(&mut self, end: usize) -> Option<&Document> {
        let bytes = self.bytes;
        self.loaded
            .entry(end)
            .or_insert_with(|| {
                let doc = load(&bytes[..end]).ok()?;
                doc.xref_recovery.is_none().then_some(doc)
            })
            .as_ref()
    }

    /// Whether anything but signatures was appended after the revision that
    /// ends at `end`, comparing each revision with the next.
    fn changed_after(&mut self, end: usize, ends: &[usize], full: &Document) -> Option<String> {
        let later: Vec<usize> = ends.iter().copied().filter(|&e| e > end).collect();
        if later.is_empty() {
            return None;
        }
        if full.xref_recovery.is_some() {
            return Some("filens korsreferenser är skadade".into());
        }
        let mut previous = end;
        for next in later {
            let a = self.get(previous).cloned();
            let b = self.get(next).cloned();
            let (Some(a), Some(b)) = (a, b) else {
                return Some("en senare version av filen kan inte läsas".into());
            };
            if let Some(problem) = only_signatures_added(&a, &b) {
                return Some(problem);
            }
            previous = next;
        }
        None
    }
}

/// `None` when `b` differs from `a` only by new signature dictionaries and
/// signature fields that gained their `/V`; else what changed.
fn only_signatures_added(a: &Document, b: &Document) -> Option<String> {
    let changed = || Some("dokumentet har ändrats efter underskriften".to_string());
    for key in [&b"Root"[..], b"Info", b"ID", b"Encrypt"] {
        if a.trailer.get(key).ok() != b.trailer.get(key).ok() {
            return changed();
        }
    }
    let mut new_sigs = Vec::new();
    let mut filled = Vec::new();
    for (id, object) in &b.objects {
        match a.objects.get(id) {
            Some(old) if old == object => {}
            Some(Object::Dictionary(old)) => {
                let Object::Dictionary(new) = object else {
                    return changed();
                };
                let Ok(Object::Reference(v)) = new.get(b"V") else {
                    return changed();
                };
                if !pdf::name_is(old, b"FT", b"Sig") || old.has(b"V") {
                    return changed();
                }
                let mut expected = old.clone();
                expected.set("V", Object::Reference(*v));
                if &expected != new {
                    return changed();
                }
                filled.push(*v);
            }
            Some(_) => return changed(),
            None => match object {
                Object::Dictionary(d) if pdf::name_is(d, b"Type", b"Sig") => new_sigs.push(*id),
                _ => return changed(),
            },
        }
    }
    if a.objects.keys().any(|id| !b.objects.contains_key(id)) {
        return changed();
    }
    new_sigs.sort_unstable();
    filled.sort_unstable();
    if new_sigs != filled {
        return changed();
    }
    None
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Certificate(e.to_string())
    }
}

/// The role a signature field names ([`crate::Signatory::field_name`]:
/// `ordforande-3`, `justerare-42`, `sekreterare-7`, `sigill-0`), spelled as
/// on the Intyg page; `None` for a field Kansli did not make.
pub fn role_of_field(field: &str) -> Option<&'static str> {
    let (role, id) = field.rsplit_once('-')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match role {
        "ordforande" => Some("ordförande"),
        "justerare" => Some("justerare"),
        "sekreterare" => Some("sekreterare"),
        "sigill" => Some("sigill"),
        _ => None,
    }
}

#[cfg(test)]
mod role_tests {
    use super::role_of_field;
    use crate::Signatory;

    #[test]
    fn roles_round_trip_through_field_names() {
        for role in ["ordförande", "justerare", "sekreterare", "sigill"] {
            let s = Signatory {
                name: "N".into(),
                person_id: 12,
                role: role.into(),
            };
            assert_eq!(role_of_field(&s.field_name()), Some(role));
        }
        assert_eq!(role_of_field("Signature1"), None);
        assert_eq!(role_of_field("justerare-"), None);
        assert_eq!(role_of_field("okänd-3"), None);
    }
}
