//! Signed protocols (PAdES baseline B-B), in four steps with one job each:
//!
//! - [`pki`]: the organisation's root certificate and signing CA, and for
//!   every signature a fresh ECDSA P-256 key with a leaf certificate naming
//!   the signer (name, Kansli person id, organisation; never a personnummer,
//!   since protocols are public). The leaf key is dropped (zeroised) as soon
//!   as the signature is made.
//! - [`prepare`]: one full rewrite of a freshly rendered PDF, before any
//!   signature, that adds an empty signature field per signatory.
//! - [`sign`]: fills one field as an incremental update (append only), so
//!   every earlier signature stays valid: `ETSI.CAdES.detached`, signed
//!   attributes content-type, message-digest and signing-certificate-v2, no
//!   CMS signing-time; the claimed time is the dictionary's `/M`.
//! - [`verify`]: finds every signature, checks digest, CMS signature,
//!   signing-certificate-v2, the chain to a trusted root and whether anything
//!   but later signatures was appended after it, and returns a plain report.
//!
//! Signed bytes are never re-rendered: callers store what [`prepare`] and
//! [`sign`] return and only ever append to it.

#![warn(missing_docs)]

mod ess;
pub mod keys;
mod pdf;
pub mod pki;
pub mod prepare;
pub mod sign;
pub mod verify;

pub use pki::{Issuer, OrganisationPki, Signatory};
pub use prepare::prepare;
pub use sign::sign;
pub use verify::{Report, SignatureReport, role_of_field, verify};

/// Why signing or verification could not be done. The messages are Swedish,
/// since they reach the secretary or the visitor of the verification page.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not a PDF this crate can read (or is damaged).
    #[error("filen kunde inte läsas som PDF: {0}")]
    Pdf(String),
    /// A certificate or key could not be read, made or encoded.
    #[error("certifikat eller nyckel: {0}")]
    Certificate(String),
    /// The named signature field does not exist in the document.
    #[error("underskriftsfältet {0} finns inte i dokumentet")]
    NoSuchField(String),
    /// The named field already holds a signature.
    #[error("underskriftsfältet {0} är redan underskrivet")]
    AlreadySigned(String),
    /// The document already carries signatures, so it may not be rewritten.
    #[error("dokumentet är redan underskrivet och får inte skrivas om")]
    DocumentSigned,
    /// The signature does not fit in the reserved space.
    #[error("underskriften ({0} byte) får inte plats i det reserverade utrymmet")]
    TooLarge(usize),
    /// Invalid input from the caller (field name, signatory).
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing a file (keys, certificates).
    #[error("fil {path}: {source}")]
    Io {
        /// The file concerned.
        path: std::path::PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, Error>;

/// SHA-256 of some bytes, as lower-case hex: how documents are named in logs
/// and on the anslag.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
