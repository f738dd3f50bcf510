//! The keys directory: one directory per organisation id, holding the files
//! of [`OrganisationPki::write_to_dir`] (`root.pem`, `root-key.pem`,
//! `signing-ca.pem`, `signing-ca-key.pem`).
//!
//! - [`init`] makes a new root and signing CA; [`import`] takes an
//!   organisation's existing ones (no root key: it stays with its owner).
//!   Neither ever overwrites a file.
//! - [`load_issuer`] reads the signing CA for signing, and refuses a key
//!   file or an organisation directory that others may read (a key is
//!   written 0600, its directory 0700).
//! - [`load_root`] reads the published root certificate (not secret).
//!
//! A private key is never printed, logged or put in an error message: errors
//! name the file, never its content.

use crate::pki::{
    CA_CERT_FILE, CA_KEY_FILE, Issuer, OrganisationPki, ROOT_CERT_FILE, ROOT_KEY_FILE,
    certificate_from_pem, create_private_dir, write_file,
};
use crate::{Error, Result};
use der::Encode;
use std::path::{Path, PathBuf};
use x509_cert::Certificate;

/// The directory of organisation `organisation` under the keys directory.
pub fn organisation_dir(keys_dir: &Path, organisation: i64) -> PathBuf {
    keys_dir.join(organisation.to_string())
}

/// What [`init`] or [`import`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The organisation's directory.
    pub dir: PathBuf,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// The root certificate's SHA-256 fingerprint ([`fingerprint`]).
    pub root_fingerprint: String,
}

/// The SHA-256 fingerprint of a certificate's DER encoding, as upper-case
/// hex pairs separated by colons (how OpenSSL and certificate viewers show
/// it), so that a verifier can compare the root they trust with the one
/// the organisation publishes.
pub fn fingerprint(cert: &Certificate) -> String {
    use sha2::Digest;
    let der = cert.to_der().unwrap_or_default();
    sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The certificate's subject as people read it: its CN, else its O.
pub fn subject(cert: &Certificate) -> String {
    let name = &cert.tbs_certificate.subject;
    crate::pki::name_attribute(name, const_oid::db::rfc4519::CN)
        .or_else(|| crate::pki::name_attribute(name, const_oid::db::rfc4519::O))
        .unwrap_or_else(|| name.to_string())
}

/// A time as Swedes read it: `2026-01-28 14:05:09` in Swedish time (the
/// zone named), falling back to UTC.
pub fn swedish_time(t: jiff::Timestamp) -> String {
    match jiff::tz::TimeZone::get("Europe/Stockholm") {
        Ok(tz) => t
            .to_zoned(tz)
            .strftime("%Y-%m-%d %H:%M:%S (svensk tid)")
            .to_string(),
        Err(_) => t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// Verifies `pdf` against each of `roots` and returns the best report with
/// the index of its root: one where every signature is valid, else the one
/// with the most trusted signatures (the first on a tie). A file that is not
/// a readable PDF is an error; so is an empty list of roots.
pub fn verify_against<'a>(
    pdf: &[u8],
    roots: impl IntoIterator<Item = &'a Certificate>,
) -> Result<(crate::Report, usize)> {
    let mut best: Option<(crate::Report, usize)> = None;
    let score = |r: &crate::Report| {
        (
            r.all_valid(),
            r.signatures.iter().filter(|s| s.trusted).count(),
        )
    };
    for (i, root) in roots.into_iter().enumerate() {
        let report = crate::verify(pdf, root)?;
        if best.as_ref().is_none_or(|(b, _)| score(&report) > score(b)) {
            best = Some((report, i));
        }
    }
    best.ok_or_else(|| Error::Invalid("inget rotcertifikat att verifiera mot".into()))
}

/// What [`check_crl`] found in a revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    /// When it was issued.
    pub this_update: std::time::SystemTime,
    /// When it is to be replaced.
    pub next_update: Option<std::time::SystemTime>,
    /// How many certificates it revokes.
    pub revoked: usize,
}

/// Parses a DER CRL and checks that `issuer` signed it (names match,
/// ECDSA P-256 with SHA-256): what a verifier fetching the CRL does.
pub fn check_crl(der_bytes: &[u8], issuer: &Certificate) -> Result<CrlInfo> {
    use der::Decode;
    use p256::ecdsa::signature::Verifier;
    let list = x509_cert::crl::CertificateList::from_der(der_bytes)
        .map_err(|e| Error::Certificate(format!("spärrlistan kunde inte läsas: {e}")))?;
    let tbs = &list.tbs_cert_list;
    if tbs.issuer != issuer.tbs_certificate.subject {
        return Err(Error::Certificate(
            "spärrlistan är utfärdad av någon annan".into(),
        ));
    }
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(
        issuer
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
    )
    .map_err(|e| Error::Certificate(e.to_string()))?;
    let signature = list
        .signature
        .as_bytes()
        .and_then(|b| p256::ecdsa::DerSignature::from_bytes(b).ok())
        .ok_or_else(|| Error::Certificate("spärrlistans underskrift kan inte läsas".into()))?;
    let signed = tbs
        .to_der()
        .map_err(|e| Error::Certificate(e.to_string()))?;
    key.verify(&signed, &signature)
        .map_err(|_| Error::Certificate("spärrlistans underskrift stämmer inte".into()))?;
    Ok(CrlInfo {
        this_update: tbs.this_update.to_system_time(),
        next_update: tbs.next_update.map(|t| t.to_system_time()),
        revoked: tbs.revoked_certificates.as_ref().map_or(0, Vec::len),
    })
}

/// The certificate as DER (for `rot.cer`).
pub fn certificate_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der()
        .map_err(|e| Error::Certificate(format!("certifikatet kunde inte kodas: {e}")))
}

fn refuse_existing(dir: &Path) -> Result<()> {
    for name in [ROOT_CERT_FILE, ROOT_KEY_FILE, CA_CERT_FILE, CA_KEY_FILE] {
        let path = dir.join(name);
        if path.exists() || path.is_symlink() {
            return Err(Error::Invalid(format!(
                "nycklar finns redan i {}: {} finns; inget skrevs över",
                dir.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates a new root certificate and signing CA for the organisation
/// with id `organisation` and name `name`, in
/// `<keys_dir>/<organisation>/`. Refuses when any of the four files is
/// already there: an organisation's keys are never replaced by accident.
pub fn init(
    keys_dir: &Path,
    organisation: i64,
    name: &str,
    now: jiff::Timestamp,
) -> Result<Created> {
    let dir = organisation_dir(keys_dir, organisation);
    refuse_existing(&dir)?;
    let pki = OrganisationPki::create(name, now)?;
    pki.write_to_dir(&dir)?;
    Ok(Created {
        files: [ROOT_CERT_FILE, ROOT_KEY_FILE, CA_CERT_FILE, CA_KEY_FILE]
            .iter()
            .map(|f| dir.join(f))
            .collect(),
        root_fingerprint: fingerprint(pki.root.certificate()),
        dir,
    })
}

/// As [`init`] when the organisation has no keys yet; when it has a
/// complete set, keeps it and returns `None` (the demo runs this at every
/// start). A partial set (some files missing) is an error.
pub fn ensure(
    keys_dir: &Path,
    organisation: i64,
    name: &str,
    now: jiff::Timestamp,
) -> Result<Option<Created>> {
    let dir = organisation_dir(keys_dir, organisation);
    let present: Vec<&str> = [ROOT_CERT_FILE, CA_CERT_FILE, CA_KEY_FILE]
        .into_iter()
        .filter(|f| dir.join(f).exists())
        .collect();
    match present.len() {
        0 => init(keys_dir, organisation, name, now).map(Some),
        3 => {
            // Readable and matching, or an error now rather than at the
            // first signature.
            load_issuer(keys_dir, organisation)?;
            Ok(None)
        }
        _ => Err(Error::Invalid(format!(
            "nyckelkatalogen {} är ofullständig (finns: {}); rätta den för hand",
            dir.display(),
            present.join(", ")
        ))),
    }
}

/// Takes an organisation's existing root certificate and signing CA
/// (certificate and PKCS#8 P-256 key, all PEM) into
/// `<keys_dir>/<organisation>/`. Checks that the root is a self-signed CA,
/// that the CA is a CA issued by the root, that the key belongs to the CA
/// certificate, and that both are valid at `now`. The root's key is not
/// asked for: it stays offline. Never overwrites.
pub fn import(
    keys_dir: &Path,
    organisation: i64,
    root_pem: &str,
    ca_cert_pem: &str,
    ca_key_pem: &str,
    now: jiff::Timestamp,
) -> Result<Created> {
    let root = certificate_from_pem(root_pem)
        .map_err(|e| Error::Certificate(format!("rotcertifikatet kunde inte läsas: {e}")))?;
    if !crate::pki::cert_is_ca(&root) || !crate::verify::issued_by(&root, &root) {
        return Err(Error::Certificate(
            "rotcertifikatet är inte ett självutfärdat CA-certifikat".into(),
        ));
    }
    let issuer = Issuer::from_pem(ca_cert_pem, ca_key_pem)?;
    if !crate::verify::issued_by(issuer.certificate(), &root) {
        return Err(Error::Certificate(
            "underskrifts-CA:ts certifikat är inte utfärdat av rotcertifikatet".into(),
        ));
    }
    let at = std::time::SystemTime::from(now);
    for (what, cert) in [
        ("rotcertifikatet", &root),
        ("underskrifts-CA:ts certifikat", issuer.certificate()),
    ] {
        let v = &cert.tbs_certificate.validity;
        if at < v.not_before.to_system_time() || at > v.not_after.to_system_time() {
            return Err(Error::Certificate(format!("{what} är inte giltigt nu")));
        }
    }
    let dir = organisation_dir(keys_dir, organisation);
    refuse_existing(&dir)?;
    create_private_dir(&dir).map_err(io_error(&dir))?;
    let root_text = crate::pki::certificate_pem_of(&root)?;
    let ca_text = issuer.certificate_pem()?;
    let key_text = issuer.key_pem()?;
    let files: [(&str, &[u8], u32); 3] = [
        (ROOT_CERT_FILE, root_text.as_bytes(), 0o644),
        (CA_CERT_FILE, ca_text.as_bytes(), 0o644),
        (CA_KEY_FILE, key_text.as_bytes(), 0o600),
    ];
    let mut written = Vec::new();
    for (name, bytes, mode) in files {
        let path = dir.join(name);
        write_file(&path, bytes, mode).map_err(io_error(&path))?;
        written.push(path);
    }
    Ok(Created {
        dir,
        files: written,
        root_fingerprint: fingerprint(&root),
    })
}

/// Whether the organisation has a published root certificate.
pub fn has_keys(keys_dir: &Path, organisation: i64) -> bool {
    organisation_dir(keys_dir, organisation)
        .join(ROOT_CERT_FILE)
        .is_file()
}

/// The organisation ids that have a directory with a root certificate,
/// ascending.
pub fn organisations(keys_dir: &Path) -> Vec<i64> {
    let Ok(entries) = std::fs::read_dir(keys_dir) else {
        return vec![];
    };
    let mut ids: Vec<i64> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i64>().ok())
        .filter(|id| has_keys(keys_dir, *id))
        .collect();
    ids.sort_unstable();
    ids
}

/// The organisation's root certificate, or `None` when it has no keys.
pub fn load_root(keys_dir: &Path, organisation: i64) -> Result<Option<Certificate>> {
    if !has_keys(keys_dir, organisation) {
        return Ok(None);
    }
    crate::pki::load_root_certificate(&organisation_dir(keys_dir, organisation)).map(Some)
}

/// The organisation's signing CA, or `None` when it has no keys. Refuses
/// a key file or directory that group or others may read or write
/// ([`check_private`]).
pub fn load_issuer(keys_dir: &Path, organisation: i64) -> Result<Option<Issuer>> {
    let dir = organisation_dir(keys_dir, organisation);
    let key = dir.join(CA_KEY_FILE);
    if !key.exists() {
        return Ok(None);
    }
    check_private(&dir, 0o700)?;
    check_private(&key, 0o600)?;
    let root = dir.join(ROOT_KEY_FILE);
    if root.exists() {
        check_private(&root, 0o600)?;
    }
    crate::pki::load_signing_ca(&dir).map(Some)
}

/// Refuses `path` when group or others have any access to it (mode bits
/// 0o077): a private key readable by others is no longer private.
/// `wanted` is the mode suggested in the error. A symbolic link is followed.
pub fn check_private(path: &Path, wanted: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(io_error(path))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::Invalid(format!(
                "{} har rättigheterna {mode:o} och kan läsas av andra än ägaren; \
                 rätta med chmod {wanted:o} {0} (nycklarna bör dessutom bytas om någon annan kan ha läst dem)",
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, wanted);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2026-01-10T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn init_then_load_and_refuse_again() {
        let tmp = tempfile::tempdir().unwrap();
        let created = init(tmp.path(), 7, "Region Test", now()).unwrap();
        assert_eq!(created.dir, tmp.path().join("7"));
        assert_eq!(created.root_fingerprint.len(), 32 * 3 - 1);
        let root = load_root(tmp.path(), 7).unwrap().unwrap();
        assert_eq!(fingerprint(&root), created.root_fingerprint);
        let issuer = load_issuer(tmp.path(), 7).unwrap().unwrap();
        assert_eq!(issuer.organisation().as_deref(), Some("Region Test"));
        let before = std::fs::read(tmp.path().join("7").join(CA_KEY_FILE)).unwrap();
        let again = init(tmp.path(), 7, "Region Test", now()).unwrap_err();
        assert!(again.to_string().contains("finns redan"), "{again}");
        let after = std::fs::read(tmp.path().join("7").join(CA_KEY_FILE)).unwrap();
        assert_eq!(before, after);
        assert_eq!(organisations(tmp.path()), vec![7]);
        assert!(load_root(tmp.path(), 8).unwrap().is_none());
        assert!(load_issuer(tmp.path(), 8).unwrap().is_none());
        // ensure keeps what is there.
        assert!(
            ensure(tmp.path(), 7, "Region Test", now())
                .unwrap()
                .is_none()
        );
        assert!(ensure(tmp.path(), 8, "Kommun", now()).unwrap().is_some());
        assert_eq!(organisations(tmp.path()), vec![7, 8]);
    }

    #[cfg(unix)]
    #[test]
    fn readable_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        init(tmp.path(), 1, "Region Test", now()).unwrap();
        let key = tmp.path().join("1").join(CA_KEY_FILE);
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(tmp.path().join("1"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_issuer(tmp.path(), 1).unwrap_err().to_string();
        assert!(e.contains("644") && e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(tmp.path().join("1"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let e = load_issuer(tmp.path(), 1).unwrap_err().to_string();
        assert!(e.contains("chmod 700"), "{e}");
    }

    #[test]
    fn import_checks_chain_and_key() {
        let a = OrganisationPki::create("Kommun A", now()).unwrap();
        let b = OrganisationPki::create("Kommun B", now()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let root_a = a.root.certificate_pem().unwrap();
        let ca_a = a.signing_ca.certificate_pem().unwrap();
        let key_a = a.signing_ca.key_pem().unwrap();
        let key_b = b.signing_ca.key_pem().unwrap();
        // A key of another CA.
        let e = import(tmp.path(), 3, &root_a, &ca_a, &key_b, now()).unwrap_err();
        assert!(e.to_string().contains("hör inte till"), "{e}");
        // A CA under another root.
        let root_b = b.root.certificate_pem().unwrap();
        let e = import(tmp.path(), 3, &root_b, &ca_a, &key_a, now()).unwrap_err();
        assert!(e.to_string().contains("inte utfärdat av rot"), "{e}");
        // The CA given as root.
        let e = import(tmp.path(), 3, &ca_a, &ca_a, &key_a, now()).unwrap_err();
        assert!(e.to_string().contains("självutfärdat"), "{e}");
        assert!(!tmp.path().join("3").join(CA_KEY_FILE).exists());
        let created = import(tmp.path(), 3, &root_a, &ca_a, &key_a, now()).unwrap();
        assert_eq!(created.files.len(), 3);
        assert_eq!(created.root_fingerprint, fingerprint(a.root.certificate()));
        assert!(!tmp.path().join("3").join(ROOT_KEY_FILE).exists());
        assert!(load_issuer(tmp.path(), 3).unwrap().is_some());
        let e = import(tmp.path(), 3, &root_a, &ca_a, &key_a, now()).unwrap_err();
        assert!(e.to_string().contains("finns redan"), "{e}");
    }

    #[test]
    fn crl_is_checked_against_its_issuer() {
        let a = OrganisationPki::create("Kommun A", now()).unwrap();
        let b = OrganisationPki::create("Kommun B", now()).unwrap();
        let next = now() + jiff::SignedDuration::from_hours(168);
        let crl = a.signing_ca.crl(1, now(), next, &[]).unwrap();
        let info = check_crl(&crl, a.signing_ca.certificate()).unwrap();
        assert_eq!(info.revoked, 0);
        assert_eq!(info.next_update, Some(std::time::SystemTime::from(next)));
        assert!(check_crl(&crl, b.signing_ca.certificate()).is_err());
        let mut broken = crl.clone();
        let last = broken.len() - 3;
        broken[last] ^= 1;
        assert!(check_crl(&broken, a.signing_ca.certificate()).is_err());
        assert!(check_crl(b"not der", a.signing_ca.certificate()).is_err());
    }
}
