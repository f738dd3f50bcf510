//! Prepare, sign twice, verify — checked by our own verifier and by
//! independent ones (pdfsig/NSS, pyHanko, qpdf), positive and negative, plus
//! the PDF/A-2 rules for signatures as assertions.

mod common;

use kansli_sign::pki::{self, OrganisationPki, Signatory};
use kansli_sign::{prepare, sign, verify};
use std::path::Path;

fn chair() -> Signatory {
    Signatory {
        name: "Åsa Öberg".into(),
        person_id: 12,
        role: "ordförande".into(),
    }
}

fn approver() -> Signatory {
    Signatory {
        name: "Per Persson".into(),
        person_id: 34,
        role: "justerare".into(),
    }
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// A PKI whose CA publishes its CRL on a local HTTP server, and a
/// protocol signed by the chair and then the approver.
struct Signed {
    pki: OrganisationPki,
    prepared: Vec<u8>,
    one: Vec<u8>,
    two: Vec<u8>,
}

fn signed() -> Signed {
    let (port, crl) = common::serve_bytes();
    let mut pki = OrganisationPki::create("Region Halland", now()).unwrap();
    pki.signing_ca = pki
        .signing_ca
        .with_crl_url(&format!("http://127.0.0.1:{port}/signering/ca.crl"))
        .unwrap();
    let next = now() + jiff::SignedDuration::from_hours(24 * 7);
    *crl.lock().unwrap() = pki.signing_ca.crl(1, now(), next, &[]).unwrap();
    let pdf = common::protocol_pdf(3);
    let prepared = prepare(&pdf, &[chair(), approver()]).unwrap();
    let one = sign(&prepared, &pki.signing_ca, &chair(), now()).unwrap();
    let two = sign(&one, &pki.signing_ca, &approver(), now()).unwrap();
    Signed {
        pki,
        prepared,
        one,
        two,
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn two_signatures_verify_with_our_verifier() {
    let s = signed();
    let report = verify(&s.two, s.pki.root.certificate()).unwrap();
    assert_eq!(report.signatures.len(), 2, "{report:#?}");
    assert!(report.all_valid(), "{report:#?}");
    let (a, b) = (&report.signatures[0], &report.signatures[1]);
    assert_eq!(a.field, "ordforande-12");
    assert_eq!(a.signer_name.as_deref(), Some("Åsa Öberg"));
    assert_eq!(a.person_id.as_deref(), Some("12"));
    assert_eq!(a.organisation.as_deref(), Some("Region Halland"));
    assert_eq!(b.signer_name.as_deref(), Some("Per Persson"));
    assert!(!a.covers_whole_document && b.covers_whole_document);
    assert_eq!(a.signed_length, s.one.len());
    assert!(a.intact && a.trusted && !a.modified_after, "{a:#?}");
    assert!(b.intact && b.trusted && !b.modified_after, "{b:#?}");
    assert_ne!(
        a.certificate_serial, b.certificate_serial,
        "a fresh leaf per signature"
    );
    assert_eq!(report.sha256, kansli_sign::sha256_hex(&s.two));
    // The signed bytes stay as they were: each signature only appends.
    assert!(s.one.starts_with(&s.prepared) && s.two.starts_with(&s.one));

    // Another organisation's root trusts neither signature.
    let other = OrganisationPki::create("Region Skåne", now()).unwrap();
    let report = verify(&s.two, other.root.certificate()).unwrap();
    assert!(report.signatures.iter().all(|r| r.intact && !r.trusted));
    assert!(!report.all_valid());
}

#[test]
fn independent_verifiers_accept_two_signatures_and_reject_tampering() {
    let Some(tools) = common::tools() else { return };
    let s = signed();
    let dir = tempfile::tempdir().unwrap();
    let root = write(
        dir.path(),
        "root.pem",
        s.pki.root.certificate_pem().unwrap().as_bytes(),
    );
    let nss = common::nss_db(dir.path(), &root);
    let two = write(dir.path(), "two.pdf", &s.two);

    let out = common::pdfsig(&nss, &two);
    assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    assert_eq!(out.matches("Certificate is Trusted.").count(), 2, "{out}");
    assert_eq!(out.matches("Total document signed").count(), 1, "{out}");
    // "Total document signed" belongs to the last signature, the first
    // covers only its own revision.
    let sections: Vec<&str> = out.split("Signature #").skip(1).collect();
    assert_eq!(sections.len(), 2, "{out}");
    assert!(sections[0].contains("Not total document signed"), "{out}");
    assert!(
        sections[1].contains("Total document signed") && !sections[1].contains("Not total"),
        "{out}"
    );
    assert!(out.contains("Signature Type: ETSI.CAdES.detached"), "{out}");

    let (ok, text) = common::pyhanko_validate(&tools, &root, &two);
    assert!(ok, "pyHanko: {text}");
    assert_eq!(text.matches(":VALID").count(), 2, "{text}");
    let (ok, text) = common::qpdf_check(&two);
    assert!(ok, "qpdf --check: {text}");
    let (ok, text) = common::qpdf_check(&write(dir.path(), "prepared.pdf", &s.prepared));
    assert!(ok, "qpdf --check (prepared): {text}");

    // One flipped byte inside the first signed range (in a content stream,
    // so the file still parses).
    let mut flipped = s.two.clone();
    let at = find(&flipped, b"stream").unwrap() + 20;
    flipped[at] ^= 0x01;
    let path = write(dir.path(), "flipped.pdf", &flipped);
    let out = common::pdfsig(&nss, &path);
    assert!(out.contains("Digest Mismatch."), "{out}");
    let (ok, text) = common::pyhanko_validate(&tools, &root, &path);
    assert!(!ok, "pyHanko accepted a flipped byte: {text}");
    let report = verify(&flipped, s.pki.root.certificate()).unwrap();
    assert!(report.signatures.iter().all(|r| !r.intact), "{report:#?}");

    // An unsigned increment that changes the page text after both signed.
    let forged = append_page_change(&s.two);
    let path = write(dir.path(), "forged.pdf", &forged);
    let (ok, text) = common::pyhanko_validate(&tools, &root, &path);
    assert!(
        !ok && text.contains("INVALID"),
        "pyHanko accepted a changed page: {text}"
    );
    let (ok, text) = common::qpdf_check(&path);
    assert!(ok, "the forged file is itself well-formed: {text}");
    let report = verify(&forged, s.pki.root.certificate()).unwrap();
    assert!(
        report
            .signatures
            .iter()
            .all(|r| r.intact && r.modified_after && !r.covers_whole_document),
        "{report:#?}"
    );
    assert!(!report.all_valid());
}

#[test]
fn a_change_between_two_signatures_voids_only_the_first() {
    let s = signed();
    // The change comes after the chair signed, before the approver did.
    let forged_one = append_page_change(&s.one);
    let two = sign(&forged_one, &s.pki.signing_ca, &approver(), now()).unwrap();
    let report = verify(&two, s.pki.root.certificate()).unwrap();
    let (a, b) = (&report.signatures[0], &report.signatures[1]);
    assert!(a.intact && a.modified_after, "{a:#?}");
    assert!(
        b.intact && !b.modified_after && b.covers_whole_document,
        "{b:#?}"
    );
    assert!(!report.all_valid());
}

/// Appends an incremental update that replaces the first page's content.
fn append_page_change(pdf: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let contents = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"Contents")
        .unwrap()
        .clone();
    let id = match contents {
        lopdf::Object::Reference(id) => id,
        lopdf::Object::Array(a) => a[0].as_reference().unwrap(),
        _ => panic!("no content stream"),
    };
    let mut out = pdf.to_vec();
    let offset = out.len();
    let text = b"BT /F1 24 Tf 72 700 Td (Forged) Tj ET";
    out.extend_from_slice(
        format!(
            "{} {} obj\n<</Length {}>>\nstream\n",
            id.0,
            id.1,
            text.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(text);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(format!("xref\n{} 1\n{offset:010} {:05} n \n", id.0, id.1).as_bytes());
    let mut trailer = lopdf::Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID", b"Size"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", lopdf::Object::Integer(doc.xref_start as i64));
    out.extend_from_slice(b"trailer\n");
    lopdf::Writer::write_object(&mut out, &lopdf::Object::Dictionary(trailer)).unwrap();
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn pdfa_rules_for_signatures_hold() {
    use lopdf::Object;
    let s = signed();
    let original = common::protocol_pdf(3);
    let doc = lopdf::Document::load_mem(&s.two).unwrap();
    let before = lopdf::Document::load_mem(&original).unwrap();

    // Version, /ID, /Info and the XMP metadata are kept.
    assert_eq!(doc.version, before.version);
    assert_eq!(doc.trailer.get(b"ID").ok(), before.trailer.get(b"ID").ok());
    let info = |d: &lopdf::Document| {
        d.trailer
            .get(b"Info")
            .ok()
            .and_then(|i| d.dereference(i).ok())
            .map(|(_, o)| o.clone())
    };
    assert_eq!(info(&doc), info(&before));
    let metadata = |d: &lopdf::Document| {
        let m = d
            .catalog()
            .unwrap()
            .get(b"Metadata")
            .unwrap()
            .as_reference()
            .unwrap();
        d.get_object(m)
            .unwrap()
            .as_stream()
            .unwrap()
            .content
            .clone()
    };
    assert_eq!(metadata(&doc), metadata(&before));

    // 6.1.2: the header and the binary comment (four bytes > 127) survive.
    let header_len = find(&original, b"\n").unwrap() + 1;
    assert_eq!(s.two[..header_len], original[..header_len]);
    assert_eq!(s.two[header_len], b'%');
    assert!(
        s.two[header_len + 1..header_len + 5]
            .iter()
            .all(|&b| b > 127)
    );

    // 6.1.3: the last trailer has /ID, and nothing but one EOL follows %%EOF.
    let tail = &s.two[s.two.len() - 6..];
    assert_eq!(tail, b"%%EOF\n");
    let last_trailer = &s.two[s.two.windows(7).rposition(|w| w == b"trailer").unwrap()..];
    assert!(find(last_trailer, b"/ID").is_some());

    // 6.1.12: no /Perms (or only DocMDP/UR3).
    if let Ok(perms) = doc.catalog().unwrap().get(b"Perms") {
        let perms = doc.dereference(perms).unwrap().1.as_dict().unwrap();
        assert!(perms.iter().all(|(k, _)| k == b"DocMDP" || k == b"UR3"));
    }

    let form = doc.catalog().unwrap().get(b"AcroForm").unwrap();
    let form = doc.dereference(form).unwrap().1.as_dict().unwrap();
    assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    assert!(!form.has(b"NeedAppearances"));
    let fields = form.get(b"Fields").unwrap().as_array().unwrap();
    assert_eq!(fields.len(), 2);
    let last_page = *doc.get_pages().values().next_back().unwrap();
    let annots = doc
        .get_dictionary(last_page)
        .unwrap()
        .get(b"Annots")
        .unwrap();
    let annots = doc
        .dereference(annots)
        .unwrap()
        .1
        .as_array()
        .unwrap()
        .clone();
    for field in fields {
        let id = field.as_reference().unwrap();
        let w = doc.get_dictionary(id).unwrap();
        assert!(
            annots.contains(&Object::Reference(id)),
            "widget in the page's /Annots"
        );
        assert_eq!(w.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
        // 6.3.2: Print set, Hidden and NoView clear.
        let f = w.get(b"F").unwrap().as_i64().unwrap();
        assert!(f & 4 != 0 && f & 2 == 0 && f & 32 == 0, "F = {f}");
        // 6.3.3: AP only with N, unless the Rect has zero size.
        let rect: Vec<f32> = w
            .get(b"Rect")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect();
        let zero = rect[0] == rect[2] || rect[1] == rect[3];
        if let Ok(ap) = w.get(b"AP") {
            assert!(
                zero || doc
                    .dereference(ap)
                    .unwrap()
                    .1
                    .as_dict()
                    .unwrap()
                    .iter()
                    .all(|(k, _)| k == b"N")
            );
        }
        assert!(zero || w.has(b"AP"));

        // 6.4.3: the ByteRange covers all but /Contents, one SignerInfo,
        // the signer's certificate included.
        let sig = doc
            .get_dictionary(w.get(b"V").unwrap().as_reference().unwrap())
            .unwrap();
        assert_eq!(
            sig.get(b"SubFilter").unwrap().as_name().unwrap(),
            b"ETSI.CAdES.detached"
        );
        assert!(sig.has(b"M"));
        let range: Vec<usize> = sig
            .get(b"ByteRange")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_i64().unwrap() as usize)
            .collect();
        assert_eq!(range[0], 0);
        assert_eq!(s.two[range[1]], b'<');
        assert_eq!(s.two[range[2] - 1], b'>');
        let end = range[2] + range[3];
        assert!(end == s.one.len() || end == s.two.len());
        let contents = sig.get(b"Contents").unwrap().as_str().unwrap();
        assert_eq!((range[2] - range[1] - 2) / 2, contents.len());
        check_cms(contents);
    }
}

/// The CMS: one SignerInfo, leaf and CA included and the signer's
/// certificate among them, ecdsa-with-SHA256, signed attributes exactly
/// content-type, message-digest and signing-certificate-v2 in DER order,
/// no signing-time.
fn check_cms(contents: &[u8]) {
    use der::{Decode, Encode};
    let mut reader = der::SliceReader::new(contents).unwrap();
    let header = <der::Header as der::Decode>::decode(&mut reader).unwrap();
    let len = usize::try_from((header.encoded_len().unwrap() + header.length).unwrap()).unwrap();
    assert!(
        contents[len..].iter().all(|&b| b == 0),
        "zero padding after the DER"
    );
    let info = cms::content_info::ContentInfo::from_der(&contents[..len]).unwrap();
    let sd: cms::signed_data::SignedData = info.content.decode_as().unwrap();
    assert!(sd.encap_content_info.econtent.is_none(), "detached");
    assert_eq!(sd.signer_infos.0.len(), 1);
    let si = sd.signer_infos.0.get(0).unwrap();
    assert_eq!(
        si.signature_algorithm.oid,
        const_oid::db::rfc5912::ECDSA_WITH_SHA_256
    );
    let certs = sd.certificates.as_ref().unwrap();
    assert_eq!(certs.0.len(), 2, "leaf and signing CA");
    let cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        panic!()
    };
    assert!(certs.0.iter().any(|c| matches!(c, cms::cert::CertificateChoices::Certificate(c)
        if c.tbs_certificate.serial_number == ias.serial_number && c.tbs_certificate.issuer == ias.issuer)));
    check_certificates(certs.0.iter().filter_map(|c| match c {
        cms::cert::CertificateChoices::Certificate(c) => Some(c),
        _ => None,
    }));
    let attrs = si.signed_attrs.as_ref().unwrap();
    let mut oids: Vec<_> = attrs.iter().map(|a| a.oid).collect();
    oids.sort();
    let mut expected = vec![
        const_oid::db::rfc5911::ID_CONTENT_TYPE,
        const_oid::db::rfc5911::ID_MESSAGE_DIGEST,
        const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
    ];
    expected.sort();
    assert_eq!(oids, expected);
    assert!(
        attrs
            .iter()
            .all(|a| a.oid != const_oid::db::rfc5911::ID_SIGNING_TIME)
    );
    // DER order: each encoded attribute sorts after the previous one.
    let encoded: Vec<Vec<u8>> = attrs.iter().map(|a| a.to_der().unwrap()).collect();
    assert!(
        encoded.windows(2).all(|w| w[0] <= w[1]),
        "signed attributes are DER-sorted"
    );
}

/// What NSS and the brief ask of the leaf and the CA it carries.
fn check_certificates<'a>(certs: impl Iterator<Item = &'a x509_cert::Certificate>) {
    use der::Decode;
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
    let certs: Vec<_> = certs.collect();
    let ext = |c: &x509_cert::Certificate, oid| {
        c.tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == oid)
            .cloned()
    };
    let bc = |c| {
        BasicConstraints::from_der(
            ext(c, const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
                .unwrap()
                .extn_value
                .as_bytes(),
        )
        .unwrap()
    };
    let (leaf, ca) = if bc(certs[0]).ca {
        (certs[1], certs[0])
    } else {
        (certs[0], certs[1])
    };
    assert!(!bc(leaf).ca && bc(ca).ca);
    assert!(
        ext(ca, const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
            .unwrap()
            .critical
    );
    let ku = |c| {
        let e = ext(c, const_oid::db::rfc5280::ID_CE_KEY_USAGE).unwrap();
        assert!(e.critical);
        KeyUsage::from_der(e.extn_value.as_bytes()).unwrap()
    };
    assert!(
        ku(leaf).0.contains(KeyUsages::DigitalSignature)
            && ku(leaf).0.contains(KeyUsages::NonRepudiation)
    );
    assert!(!ku(leaf).0.contains(KeyUsages::KeyCertSign));
    assert!(ku(ca).0.contains(KeyUsages::KeyCertSign));
    let eku = ExtendedKeyUsage::from_der(
        ext(leaf, const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)
            .unwrap()
            .extn_value
            .as_bytes(),
    )
    .unwrap();
    assert!(
        eku.0
            .contains(&const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION),
        "NSS checks the e-mail-signer usage"
    );
    assert!(ext(leaf, const_oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS).is_some());
    for oid in [
        const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    ] {
        assert!(ext(leaf, oid).is_some() && ext(ca, oid).is_some());
    }
    assert_eq!(leaf.tbs_certificate.issuer, ca.tbs_certificate.subject);
    assert_ne!(
        leaf.tbs_certificate.serial_number,
        ca.tbs_certificate.serial_number
    );
    assert!(
        leaf.tbs_certificate.validity.not_after.to_system_time()
            <= ca.tbs_certificate.validity.not_after.to_system_time()
    );
    assert!(
        leaf.tbs_certificate.validity.not_before.to_system_time()
            >= ca.tbs_certificate.validity.not_before.to_system_time()
    );
}

#[test]
fn without_a_crl_address_pyhanko_still_validates_offline() {
    let Some(tools) = common::tools() else { return };
    let pki = OrganisationPki::create("Region Halland", now()).unwrap();
    assert!(pki.signing_ca.crl_url().is_none());
    let prepared = prepare(&common::protocol_pdf(1), &[chair()]).unwrap();
    let signed = sign(&prepared, &pki.signing_ca, &chair(), now()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = write(
        dir.path(),
        "root.pem",
        pki.root.certificate_pem().unwrap().as_bytes(),
    );
    let path = write(dir.path(), "signed.pdf", &signed);
    let (ok, text) = common::pyhanko_validate(&tools, &root, &path);
    assert!(ok, "pyHanko: {text}");
    // Poppler <= 23.x reads a stale NSS error after a successful chain
    // check, so without a CRL distribution point Debian 12's pdfsig prints
    // "Unknown issue with Certificate" although NSS accepted the chain;
    // fixed poppler prints "Certificate is Trusted.". Either way the
    // signature itself is valid.
    let nss = common::nss_db(dir.path(), &root);
    let out = common::pdfsig(&nss, &path);
    assert!(out.contains("Signature is Valid."), "{out}");
    assert!(
        out.contains("Certificate is Trusted.") || out.contains("Unknown issue with Certificate"),
        "{out}"
    );
}

#[test]
fn the_crl_is_signed_by_the_ca_and_revokes_what_it_is_told() {
    use der::Decode;
    let pki = OrganisationPki::create("Region Halland", now()).unwrap();
    let later = now() + jiff::SignedDuration::from_hours(24);
    let der = pki
        .signing_ca
        .crl(7, now(), later, &[("4a01ff".into(), now())])
        .unwrap();
    let crl = x509_cert::crl::CertificateList::from_der(&der).unwrap();
    assert_eq!(
        crl.tbs_cert_list.issuer,
        pki.signing_ca.certificate().tbs_certificate.subject
    );
    let revoked = crl.tbs_cert_list.revoked_certificates.unwrap();
    assert_eq!(revoked[0].serial_number.as_bytes(), &[0x4a, 0x01, 0xff]);
    assert!(
        pki.signing_ca
            .crl(1, now(), later, &[("zz".into(), now())])
            .is_err()
    );
    assert!(pki.signing_ca.with_crl_url("ftp://x").is_err());
}

#[test]
fn keys_are_owner_only_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let created = OrganisationPki::create("Region Halland", now()).unwrap();
    created.write_to_dir(&keys).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (name, mode) in [
            (pki::ROOT_KEY_FILE, 0o600),
            (pki::CA_KEY_FILE, 0o600),
            (pki::ROOT_CERT_FILE, 0o644),
        ] {
            let m = std::fs::metadata(keys.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(m, mode, "{name}");
        }
        let m = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
        assert_eq!(m, 0o700);
    }
    // Never overwritten.
    assert!(created.write_to_dir(&keys).is_err());
    assert!(
        !format!("{created:?}").contains("PRIVATE"),
        "Debug never shows a key"
    );

    let ca = pki::load_signing_ca(&keys).unwrap();
    let root = pki::load_root_certificate(&keys).unwrap();
    assert_eq!(ca.certificate(), created.signing_ca.certificate());
    assert_eq!(ca.organisation().as_deref(), Some("Region Halland"));
    let pdf = prepare(&common::protocol_pdf(1), &[chair()]).unwrap();
    let signed = sign(&pdf, &ca, &chair(), now()).unwrap();
    assert!(verify(&signed, &root).unwrap().all_valid());

    // A key that does not belong to the certificate, and a leaf as CA.
    let other = OrganisationPki::create("Region Skåne", now()).unwrap();
    let cert = created.signing_ca.certificate_pem().unwrap();
    assert!(pki::Issuer::from_pem(&cert, &other.signing_ca.key_pem().unwrap()).is_err());
    assert!(pki::Issuer::from_pem("not a pem", "nor this").is_err());
}

#[test]
fn refusals_leave_the_document_as_it_was() {
    let s = signed();
    let err = sign(&s.two, &s.pki.signing_ca, &chair(), now()).unwrap_err();
    assert!(matches!(err, kansli_sign::Error::AlreadySigned(_)), "{err}");
    let stranger = Signatory {
        name: "Eva Ek".into(),
        person_id: 99,
        role: "justerare".into(),
    };
    let err = sign(&s.prepared, &s.pki.signing_ca, &stranger, now()).unwrap_err();
    assert!(matches!(err, kansli_sign::Error::NoSuchField(_)), "{err}");
    assert!(err.to_string().contains("justerare-99"));
    let err = prepare(&s.one, std::slice::from_ref(&stranger)).unwrap_err();
    assert!(matches!(err, kansli_sign::Error::DocumentSigned), "{err}");
    assert!(prepare(&common::protocol_pdf(1), &[]).is_err());
    assert!(prepare(&common::protocol_pdf(1), &[chair(), chair()]).is_err());
    let nameless = Signatory {
        name: " ".into(),
        ..chair()
    };
    assert!(prepare(&common::protocol_pdf(1), &[nameless]).is_err());
}

#[test]
fn verify_never_panics_on_broken_input() {
    let s = signed();
    let root = s.pki.root.certificate();
    assert!(verify(b"", root).is_err());
    assert!(verify(b"not a pdf", root).is_err());
    assert!(verify(b"%PDF-1.7\n%%EOF", root).is_err());
    // Every truncation and a spread of single-byte corruptions: an error or
    // a report, never a panic, and never a valid report.
    let step = s.two.len() / 97;
    for cut in (1..s.two.len()).step_by(step.max(1)) {
        if let Ok(r) = verify(&s.two[..cut], root) {
            assert!(!r.all_valid(), "truncated at {cut}");
        }
    }
    for at in (0..s.two.len()).step_by(step.max(1)) {
        let mut bad = s.two.clone();
        bad[at] = bad[at].wrapping_add(0x55);
        if let Ok(r) = verify(&bad, root) {
            assert!(!r.all_valid(), "corrupted at {at}");
        }
    }
    // An unsigned document has no signatures, which is not valid.
    let report = verify(&s.prepared, root).unwrap();
    assert!(report.signatures.is_empty() && !report.all_valid());
}
