//! Sign one prepared field as an incremental update: the original bytes are
//! kept as they are and only three things are appended — the signature
//! dictionary, the field with its `/V` set, and a cross-reference section
//! with a trailer that points back (`/Prev`) and keeps `/Root`, `/Info` and
//! `/ID`. Every earlier signature therefore still covers exactly the bytes it
//! covered.
//!
//! The signature is PAdES baseline B-B: `/SubFilter /ETSI.CAdES.detached`,
//! a detached CMS SignedData with one SignerInfo by a fresh P-256 key
//! (ecdsa-with-SHA256), the leaf and CA certificates, and the signed
//! attributes content-type, message-digest and signing-certificate-v2 in
//! DER order; no CMS signing-time (ETSI EN 319 142-1 puts the claimed time
//! in `/M` instead).

use crate::ess::{EssCertIdV2, IssuerSerial, SigningCertificateV2};
use crate::pdf::{self, load_intact};
use crate::pki::{Issuer, Leaf, cert_der};
use crate::prepare::utf16_text;
use crate::{Error, Result, Signatory};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use lopdf::{Object, Writer};
use p256::ecdsa::{DerSignature, SigningKey};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use std::io::Write;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;

/// Bytes reserved for the CMS in `/Contents` (written as twice as many hex
/// digits). A B-B signature with two P-256 certificates is about 1.5 KiB;
/// the rest leaves room for longer chains and, later, a timestamp.
pub const CONTENTS_BYTES: usize = 16 * 1024;

/// The `/ByteRange` is written with this many characters between the
/// brackets and patched in place once the offsets are known.
const BYTE_RANGE_WIDTH: usize = 34;

/// Signs the field [`Signatory::field_name`] of a prepared PDF on behalf of
/// `signatory` at `time`, with a fresh key and leaf certificate issued by
/// `ca`, and returns the PDF with the signature appended. The leaf key is
/// dropped (zeroised) before this returns.
pub fn sign(
    pdf_bytes: &[u8],
    ca: &Issuer,
    signatory: &Signatory,
    time: jiff::Timestamp,
) -> Result<Vec<u8>> {
    signatory.check()?;
    let doc = load_intact(pdf_bytes)?;
    let field_name = signatory.field_name();
    let field = pdf::signature_fields(&doc)
        .into_iter()
        .find(|f| f.name == field_name)
        .ok_or_else(|| Error::NoSuchField(field_name.clone()))?;
    if field.value.is_some() {
        return Err(Error::AlreadySigned(field_name));
    }
    let mut widget = doc
        .get_dictionary(field.id)
        .map_err(|e| Error::Pdf(e.to_string()))?
        .clone();

    let leaf = ca.issue_leaf(signatory, time)?;

    let size = pdf::int(&doc.trailer, b"Size")
        .unwrap_or(0)
        .max(i64::from(doc.max_id) + 1);
    let sig_id = u32::try_from(size).map_err(|_| Error::Pdf("för många objekt".into()))?;
    let mut out = Vec::with_capacity(pdf_bytes.len() + 2 * CONTENTS_BYTES + 4096);
    out.extend_from_slice(pdf_bytes);
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }

    // The signature dictionary, written by hand so that the offsets of the
    // /ByteRange and /Contents placeholders are known.
    let sig_offset = out.len();
    let m = time.strftime("D:%Y%m%d%H%M%S+00'00'").to_string();
    write!(out, "{sig_id} 0 obj\n<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ({m}) /Name ")
        .map_err(io)?;
    Writer::write_object(&mut out, &utf16_text(signatory.name.trim())).map_err(io)?;
    out.extend_from_slice(b" /ByteRange [");
    let range_at = out.len();
    out.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    out.extend_from_slice(b"] /Contents ");
    let contents_start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * CONTENTS_BYTES, b'0');
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(b">>\nendobj\n");

    // The field, unchanged but for its value.
    widget.set("V", Object::Reference((sig_id, 0)));
    let widget_offset = out.len();
    writeln!(out, "{} {} obj", field.id.0, field.id.1).map_err(io)?;
    Writer::write_object(&mut out, &Object::Dictionary(widget)).map_err(io)?;
    out.extend_from_slice(b"\nendobj\n");

    // Cross-reference section for the two objects, then the trailer.
    let xref_offset = out.len();
    let mut entries = [(field.id, widget_offset), ((sig_id, 0), sig_offset)];
    entries.sort();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0.0 == entries[j - 1].0.0 + 1 {
            j += 1;
        }
        writeln!(out, "{} {}", entries[i].0.0, j - i).map_err(io)?;
        for ((_, generation), offset) in &entries[i..j] {
            // Each entry is 20 bytes: the EOL is " \n".
            writeln!(out, "{offset:010} {generation:05} n ").map_err(io)?;
        }
        i = j;
    }
    let mut trailer = lopdf::Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(sig_id) + 1));
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(doc.xref_start as i64));
    out.extend_from_slice(b"trailer\n");
    Writer::write_object(&mut out, &Object::Dictionary(trailer)).map_err(io)?;
    write!(out, "\nstartxref\n{xref_offset}\n%%EOF\n").map_err(io)?;

    // Patch the byte range: everything but the /Contents hex string.
    let range = format!(
        "0 {contents_start} {contents_end} {}",
        out.len() - contents_end
    );
    if range.len() > BYTE_RANGE_WIDTH {
        return Err(Error::Pdf("dokumentet är för stort".into()));
    }
    out[range_at..range_at + range.len()].copy_from_slice(range.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_start]);
    hasher.update(&out[contents_end..]);
    let digest = hasher.finalize();

    let cms = signed_data(&digest, &leaf, ca)?;
    drop(leaf);
    if cms.len() > CONTENTS_BYTES {
        return Err(Error::TooLarge(cms.len()));
    }
    let hex = crate::hex(&cms);
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

fn io(e: std::io::Error) -> Error {
    Error::Pdf(e.to_string())
}

fn cert_err(e: impl std::fmt::Display) -> Error {
    Error::Certificate(e.to_string())
}

/// The signing-certificate-v2 attribute for `leaf`: its SHA-256 (the
/// DEFAULT algorithm, so omitted) and its issuer and serial number.
fn signing_certificate_v2(leaf: &x509_cert::Certificate) -> Result<Attribute> {
    let hash = Sha256::digest(cert_der(leaf)?);
    let value = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(hash.to_vec()).map_err(cert_err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    leaf.tbs_certificate.issuer.clone(),
                )],
                serial_number: leaf.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let der = value.to_der().map_err(cert_err)?;
    let mut values = SetOfVec::new();
    values
        .insert(Any::from_der(&der).map_err(cert_err)?)
        .map_err(cert_err)?;
    Ok(Attribute {
        oid: const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
        values,
    })
}

/// The detached CMS SignedData over `digest`, DER.
fn signed_data(digest: &[u8], leaf: &Leaf, ca: &Issuer) -> Result<Vec<u8>> {
    let content = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: leaf.cert.tbs_certificate.issuer.clone(),
        serial_number: leaf.cert.tbs_certificate.serial_number.clone(),
    });
    let mut signer = SignerInfoBuilder::new(&leaf.key, sid, sha256.clone(), &content, Some(digest))
        .map_err(cert_err)?;
    signer
        .add_signed_attribute(signing_certificate_v2(&leaf.cert)?)
        .map_err(cert_err)?;
    let mut builder = SignedDataBuilder::new(&content);
    builder
        .add_digest_algorithm(sha256)
        .map_err(cert_err)?
        .add_certificate(CertificateChoices::Certificate(leaf.cert.clone()))
        .map_err(cert_err)?
        .add_certificate(CertificateChoices::Certificate(ca.certificate().clone()))
        .map_err(cert_err)?
        .add_signer_info::<SigningKey, DerSignature>(signer)
        .map_err(cert_err)?;
    let info = builder.build().map_err(cert_err)?;
    info.to_der().map_err(cert_err)
}
