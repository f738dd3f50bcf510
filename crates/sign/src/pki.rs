//! The organisation's PKI: a root certificate (kept offline where possible,
//! published for verifiers), a signing CA under it held by the server, and
//! for every signature a fresh ECDSA P-256 key with a leaf certificate that
//! names the signer.
//!
//! The leaf names the person by name (CN), Kansli person id (serialNumber)
//! and organisation (O), never by personnummer: signed protocols are public.
//! It has key usage digitalSignature + nonRepudiation, extended key usage
//! emailProtection + documentSigning (NSS, which pdfsig uses, verifies
//! signers for the e-mail-signer usage, so an EKU without emailProtection is
//! refused), and it is valid until the CA expires: the key is destroyed
//! right after signing, so a long validity exposes nothing, and verifiers
//! that check validity "now" keep accepting the signature (PAdES B-B, see
//! `shared/reference/signatures.md`).
//!
//! When the signing CA has a CRL address ([`Issuer::with_crl_url`]), each
//! leaf names it in a CRL distribution point and [`Issuer::crl`] makes the
//! list to publish there. Poppler up to 23.x (Debian 12's pdfsig) reads
//! NSS's thread error code after a *successful* chain check, and without a
//! distribution point the last thing NSS did was look that extension up and
//! fail, so pdfsig prints "Unknown issue with Certificate" for a chain NSS
//! itself accepts. With a distribution point it prints "Certificate is
//! Trusted."; pyHanko then fetches the CRL, so it must be published.

use crate::{Error, Result};
use der::asn1::{Any, PrintableStringRef, SetOfVec};
use der::{Decode, DecodePem, Encode, EncodePem, Tag, Tagged};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand_core::{OsRng, RngCore};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::path::Path;
use std::time::{Duration, SystemTime};
pub use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{CrlDistributionPoints, ExtendedKeyUsage};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

/// How long a new root (and the signing CA under it) is valid: 30 years,
/// longer than a protocol's useful life in most disputes.
pub const ROOT_VALIDITY: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// File names used by [`OrganisationPki::write_to_dir`] and the loaders.
pub const ROOT_CERT_FILE: &str = "root.pem";
/// The root's private key (move it offline after `init`).
pub const ROOT_KEY_FILE: &str = "root-key.pem";
/// The signing CA's certificate.
pub const CA_CERT_FILE: &str = "signing-ca.pem";
/// The signing CA's private key.
pub const CA_KEY_FILE: &str = "signing-ca-key.pem";

/// The person who signs, as the certificate and the field name show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    /// Full name, as shown on the Intyg page (the certificate's CN).
    pub name: String,
    /// Kansli's person id (the certificate's serialNumber).
    pub person_id: i64,
    /// The role in which the person signs: ordförande, justerare, sekreterare.
    pub role: String,
}

impl Signatory {
    /// The signature field's name: the role (ASCII, lower case) and the
    /// person id, e.g. `justerare-42`. PDF partial field names may not
    /// contain a period, and plain ASCII reads the same in every viewer.
    pub fn field_name(&self) -> String {
        let role: String = self
            .role
            .chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'å' | 'ä' | 'á' | 'à' => 'a',
                'ö' | 'ó' | 'ò' => 'o',
                'é' | 'è' => 'e',
                'ü' => 'u',
                c if c.is_ascii_alphanumeric() => c,
                _ => '_',
            })
            .collect();
        format!("{role}-{}", self.person_id)
    }

    pub(crate) fn check(&self) -> Result<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Error::Invalid(
                "undertecknarens namn måste vara 1–200 tecken utan styrtecken".into(),
            ));
        }
        if self.role.trim().is_empty() || self.role.chars().count() > 50 {
            return Err(Error::Invalid(
                "undertecknarens roll måste vara 1–50 tecken".into(),
            ));
        }
        if self.person_id < 0 {
            return Err(Error::Invalid("person-id får inte vara negativt".into()));
        }
        Ok(())
    }
}

/// A certificate authority: its certificate and its private key (a root or
/// the signing CA). The key is zeroised when the value is dropped.
pub struct Issuer {
    cert: Certificate,
    key: SigningKey,
    crl_url: Option<String>,
}

impl std::fmt::Debug for Issuer {
    // Never print a key, not even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("subject", &self.cert.tbs_certificate.subject.to_string())
            .finish_non_exhaustive()
    }
}

/// A freshly made signer key and its leaf certificate, for one signature
/// only. The key is zeroised when this is dropped (right after signing).
pub(crate) struct Leaf {
    pub(crate) cert: Certificate,
    pub(crate) key: SigningKey,
}

/// The organisation's root and signing CA, as made by
/// [`OrganisationPki::create`].
#[derive(Debug)]
pub struct OrganisationPki {
    /// The root: its certificate is published; its key belongs offline.
    pub root: Issuer,
    /// The signing CA the server uses to issue leaf certificates.
    pub signing_ca: Issuer,
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::Certificate(e.to_string())
}

fn attribute(oid: der::asn1::ObjectIdentifier, value: &str) -> Result<RelativeDistinguishedName> {
    let printable =
        oid == const_oid::db::rfc4519::C || oid == const_oid::db::rfc4519::SERIAL_NUMBER;
    let value = if printable {
        // X.520 gives countryName and serialNumber as PrintableString.
        PrintableStringRef::new(value).map_err(err)?;
        Any::new(Tag::PrintableString, value.as_bytes()).map_err(err)?
    } else {
        Any::new(Tag::Utf8String, value.as_bytes()).map_err(err)?
    };
    let mut set = SetOfVec::new();
    set.insert(AttributeTypeAndValue { oid, value })
        .map_err(err)?;
    Ok(RelativeDistinguishedName(set))
}

fn name(parts: &[(der::asn1::ObjectIdentifier, &str)]) -> Result<Name> {
    let rdns = parts
        .iter()
        .map(|(oid, value)| attribute(*oid, value))
        .collect::<Result<Vec<_>>>()?;
    Ok(RdnSequence(rdns))
}

/// A positive 127-bit random serial number: distinct for every certificate,
/// since NSS refuses two different certificates with the same issuer and
/// serial.
fn serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(err)
}

fn time(t: SystemTime) -> Result<Time> {
    // Whole seconds: DER times carry no fractions here.
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(err)?
        .as_secs();
    Time::try_from(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).map_err(err)
}

/// The first value of an attribute in a name, as text.
pub(crate) fn name_attribute(name: &Name, oid: der::asn1::ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)
        .and_then(|atv| {
            let bytes = atv.value.value();
            match atv.value.tag() {
                Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
                    std::str::from_utf8(bytes).ok().map(str::to_string)
                }
                _ => None,
            }
        })
}

fn check_organisation(organisation: &str) -> Result<&str> {
    let organisation = organisation.trim();
    if organisation.is_empty()
        || organisation.chars().count() > 64
        || organisation.chars().any(char::is_control)
    {
        return Err(Error::Invalid(
            "organisationens namn måste vara 1–64 tecken utan styrtecken".into(),
        ));
    }
    Ok(organisation)
}

impl OrganisationPki {
    /// Creates a root and a signing CA for `organisation`, both P-256,
    /// valid for [`ROOT_VALIDITY`] from `now`.
    pub fn create(organisation: &str, now: jiff::Timestamp) -> Result<Self> {
        let organisation = check_organisation(organisation)?;
        let now = SystemTime::from(now);
        use const_oid::db::rfc4519::{C, CN, O};
        let validity = Validity {
            not_before: time(now)?,
            not_after: time(now + ROOT_VALIDITY)?,
        };

        let root_key = SigningKey::random(&mut OsRng);
        let root_name = name(&[
            (C, "SE"),
            (O, organisation),
            (
                CN,
                &format!("{organisation} rotcertifikat för underskrifter"),
            ),
        ])?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*root_key.verifying_key()).map_err(err)?;
        let builder = CertificateBuilder::new(
            Profile::Root,
            serial()?,
            validity,
            root_name.clone(),
            spki,
            &root_key,
        )
        .map_err(err)?;
        let root_cert = builder.build::<DerSignature>().map_err(err)?;

        let ca_key = SigningKey::random(&mut OsRng);
        let ca_name = name(&[
            (C, "SE"),
            (O, organisation),
            (CN, &format!("{organisation} underskrifts-CA (Kansli)")),
        ])?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*ca_key.verifying_key()).map_err(err)?;
        let profile = Profile::SubCA {
            issuer: root_cert.tbs_certificate.subject.clone(),
            path_len_constraint: Some(0),
        };
        let builder =
            CertificateBuilder::new(profile, serial()?, validity, ca_name, spki, &root_key)
                .map_err(err)?;
        let ca_cert = builder.build::<DerSignature>().map_err(err)?;

        Ok(OrganisationPki {
            root: Issuer {
                cert: root_cert,
                key: root_key,
                crl_url: None,
            },
            signing_ca: Issuer {
                cert: ca_cert,
                key: ca_key,
                crl_url: None,
            },
        })
    }

    /// Writes the four PEM files ([`ROOT_CERT_FILE`], [`ROOT_KEY_FILE`],
    /// [`CA_CERT_FILE`], [`CA_KEY_FILE`]) into `dir`, creating it (0700) if
    /// needed. Keys are written owner-only (0600); existing files are never
    /// overwritten, so a second `init` cannot destroy an organisation's keys.
    pub fn write_to_dir(&self, dir: &Path) -> Result<()> {
        let io = |path: &Path, source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        create_private_dir(dir).map_err(|e| io(dir, e))?;
        for name in [ROOT_CERT_FILE, ROOT_KEY_FILE, CA_CERT_FILE, CA_KEY_FILE] {
            let path = dir.join(name);
            if path.exists() {
                return Err(io(
                    &path,
                    std::io::Error::new(std::io::ErrorKind::AlreadyExists, "finns redan"),
                ));
            }
        }
        let files: [(&str, Zeroizing<String>, bool); 4] = [
            (
                ROOT_CERT_FILE,
                Zeroizing::new(self.root.certificate_pem()?),
                false,
            ),
            (ROOT_KEY_FILE, self.root.key_pem()?, true),
            (
                CA_CERT_FILE,
                Zeroizing::new(self.signing_ca.certificate_pem()?),
                false,
            ),
            (CA_KEY_FILE, self.signing_ca.key_pem()?, true),
        ];
        for (name, text, secret) in files {
            let path = dir.join(name);
            write_file(&path, text.as_bytes(), if secret { 0o600 } else { 0o644 })
                .map_err(|e| io(&path, e))?;
        }
        Ok(())
    }
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

pub(crate) fn write_file(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The mode is set at creation, so the key is never readable by
        // others, not even for a moment.
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn read_text(path: &Path) -> Result<Zeroizing<String>> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Reads a certificate from PEM (the first certificate in the text).
pub fn certificate_from_pem(pem: &str) -> Result<Certificate> {
    Certificate::from_pem(pem.trim().as_bytes()).map_err(err)
}

/// Reads a certificate from PEM or DER bytes.
pub fn certificate_from_bytes(bytes: &[u8]) -> Result<Certificate> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => certificate_from_pem(text),
        _ => Certificate::from_der(bytes).map_err(err),
    }
}

/// A certificate as PEM.
pub fn certificate_pem_of(cert: &Certificate) -> Result<String> {
    cert.to_pem(LineEnding::LF).map_err(err)
}

/// Reads the organisation's published root certificate from `dir`.
pub fn load_root_certificate(dir: &Path) -> Result<Certificate> {
    certificate_from_pem(&read_text(&dir.join(ROOT_CERT_FILE))?)
}

/// Reads the signing CA (certificate and key) from `dir`.
pub fn load_signing_ca(dir: &Path) -> Result<Issuer> {
    Issuer::from_pem(
        &read_text(&dir.join(CA_CERT_FILE))?,
        &read_text(&dir.join(CA_KEY_FILE))?,
    )
}

fn is_ca(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
    let mut ca = false;
    let mut cert_sign = true;
    for ext in cert.tbs_certificate.extensions.iter().flatten() {
        if ext.extn_id == const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS {
            ca = BasicConstraints::from_der(ext.extn_value.as_bytes()).is_ok_and(|b| b.ca);
        } else if ext.extn_id == const_oid::db::rfc5280::ID_CE_KEY_USAGE {
            cert_sign = KeyUsage::from_der(ext.extn_value.as_bytes())
                .is_ok_and(|k| k.0.contains(KeyUsages::KeyCertSign));
        }
    }
    ca && cert_sign
}

pub(crate) fn cert_is_ca(cert: &Certificate) -> bool {
    is_ca(cert)
}

impl Issuer {
    /// Takes an existing CA (for an organisation with its own PKI): its
    /// certificate as PEM and its P-256 private key as PKCS#8 PEM. Refuses
    /// a key that does not belong to the certificate, and a certificate
    /// that is not a CA.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self> {
        let cert = certificate_from_pem(cert_pem)?;
        let key = SigningKey::from_pkcs8_pem(key_pem.trim())
            .map_err(|_| Error::Certificate("nyckeln är inte en PKCS#8-nyckel för P-256".into()))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(err)?;
        if spki != cert.tbs_certificate.subject_public_key_info {
            return Err(Error::Certificate(
                "nyckeln hör inte till certifikatet".into(),
            ));
        }
        if !is_ca(&cert) {
            return Err(Error::Certificate(
                "certifikatet är ingen certifikatutfärdare (basicConstraints CA, keyCertSign)"
                    .into(),
            ));
        }
        Ok(Issuer {
            cert,
            key,
            crl_url: None,
        })
    }

    /// Sets the address (http or https) where this CA's CRL is published;
    /// every leaf issued afterwards names it. See the module documentation
    /// for why pdfsig needs it.
    pub fn with_crl_url(mut self, url: &str) -> Result<Self> {
        let ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.len() <= 500
            && url.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(Error::Invalid(
                "spärrlistans adress måste vara en http- eller https-adress utan mellanslag".into(),
            ));
        }
        self.crl_url = Some(url.to_string());
        Ok(self)
    }

    /// The CRL address leaves name, if any.
    pub fn crl_url(&self) -> Option<&str> {
        self.crl_url.as_deref()
    }

    /// A DER certificate revocation list signed by this CA, issued at
    /// `this_update`, to be replaced before `next_update`, revoking the
    /// leaves whose serial numbers (hex, as in
    /// [`SignatureReport::certificate_serial`](crate::SignatureReport)) are
    /// given with their revocation times.
    pub fn crl(
        &self,
        number: u64,
        this_update: jiff::Timestamp,
        next_update: jiff::Timestamp,
        revoked: &[(String, jiff::Timestamp)],
    ) -> Result<Vec<u8>> {
        use der::referenced::OwnedToRef;
        use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
        use x509_cert::ext::AsExtension;
        use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber};
        let issuer = self.cert.tbs_certificate.subject.clone();
        let revoked = revoked
            .iter()
            .map(|(serial, at)| {
                let bytes = crate::unhex(serial)
                    .ok_or_else(|| Error::Invalid(format!("ogiltigt serienummer {serial}")))?;
                Ok(RevokedCert {
                    serial_number: SerialNumber::new(&bytes).map_err(err)?,
                    revocation_date: time(SystemTime::from(*at))?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let spki = self
            .cert
            .tbs_certificate
            .subject_public_key_info
            .owned_to_ref();
        let aki = AuthorityKeyIdentifier::try_from(spki).map_err(err)?;
        let number = CrlNumber(der::asn1::Uint::new(&number.to_be_bytes()).map_err(err)?);
        let extensions = vec![
            aki.to_extension(&issuer, &[]).map_err(err)?,
            number.to_extension(&issuer, &[]).map_err(err)?,
        ];
        let mut this = time(SystemTime::from(this_update))?;
        let mut next = time(SystemTime::from(next_update))?;
        utc_if_possible(&mut this)?;
        utc_if_possible(&mut next)?;
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: AlgorithmIdentifierOwned {
                oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
                parameters: None,
            },
            issuer,
            this_update: this,
            next_update: Some(next),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: Some(extensions),
        };
        let tbs_der = tbs.to_der().map_err(err)?;
        let signature: DerSignature =
            signature::Signer::try_sign(&self.key, &tbs_der).map_err(err)?;
        let list = CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
                parameters: None,
            },
            signature: der::asn1::BitString::from_bytes(signature.as_bytes()).map_err(err)?,
        };
        list.to_der().map_err(err)
    }

    /// The CA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The CA's certificate as PEM.
    pub fn certificate_pem(&self) -> Result<String> {
        self.cert.to_pem(LineEnding::LF).map_err(err)
    }

    /// The private key as PKCS#8 PEM, zeroised when dropped. Only for
    /// writing the key file: never log it or send it anywhere.
    pub fn key_pem(&self) -> Result<Zeroizing<String>> {
        self.key.to_pkcs8_pem(LineEnding::LF).map_err(err)
    }

    /// The organisation named in the certificate (O, or else CN).
    pub fn organisation(&self) -> Option<String> {
        let subject = &self.cert.tbs_certificate.subject;
        name_attribute(subject, const_oid::db::rfc4519::O)
            .or_else(|| name_attribute(subject, const_oid::db::rfc4519::CN))
    }

    /// Makes a fresh P-256 key and a leaf certificate naming `signatory`,
    /// valid from `now` until the CA expires.
    pub(crate) fn issue_leaf(&self, signatory: &Signatory, now: jiff::Timestamp) -> Result<Leaf> {
        signatory.check()?;
        use const_oid::db::rfc4519::{C, CN, O, SERIAL_NUMBER};
        let not_after = self.cert.tbs_certificate.validity.not_after;
        let now = SystemTime::from(now);
        if now >= not_after.to_system_time() {
            return Err(Error::Certificate(
                "underskrifts-CA:ts certifikat har gått ut".into(),
            ));
        }
        let organisation = self.organisation().unwrap_or_default();
        let person_id = self.person_id_text(signatory.person_id);
        let subject = name(&[
            (C, "SE"),
            (O, &organisation),
            (SERIAL_NUMBER, &person_id),
            (CN, signatory.name.trim()),
        ])?;
        let key = SigningKey::random(&mut OsRng);
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(err)?;
        let profile = Profile::Leaf {
            issuer: self.cert.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let validity = Validity {
            not_before: time(now)?,
            not_after,
        };
        let mut builder =
            CertificateBuilder::new(profile, serial()?, validity, subject, spki, &self.key)
                .map_err(err)?;
        builder
            .add_extension(&ExtendedKeyUsage(vec![
                const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION,
                ID_KP_DOCUMENT_SIGNING,
            ]))
            .map_err(err)?;
        if let Some(url) = &self.crl_url {
            let uri = der::asn1::Ia5String::new(url).map_err(err)?;
            builder
                .add_extension(&CrlDistributionPoints(vec![DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(vec![
                        GeneralName::UniformResourceIdentifier(uri),
                    ])),
                    reasons: None,
                    crl_issuer: None,
                }]))
                .map_err(err)?;
        }
        let cert = builder.build::<DerSignature>().map_err(err)?;
        Ok(Leaf { cert, key })
    }

    fn person_id_text(&self, person_id: i64) -> String {
        person_id.to_string()
    }
}

/// id-kp-documentSigning (RFC 9336).
const ID_KP_DOCUMENT_SIGNING: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");

/// RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after.
fn utc_if_possible(t: &mut Time) -> Result<()> {
    if let Time::GeneralTime(g) = t {
        let date = g.to_date_time();
        if date.year() < 2050 {
            *t = Time::UtcTime(der::asn1::UtcTime::from_date_time(date).map_err(err)?);
        }
    }
    Ok(())
}

/// DER of a certificate (for hashing and embedding).
pub(crate) fn cert_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(err)
}
