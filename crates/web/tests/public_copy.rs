//! Issue #16, item 4: the public PDF of a signed protocol with a secret
//! paragraph is not the signed original but the organisation's sealed copy
//! without that paragraph, naming the original's SHA-256; the original
//! stays with staff.

use kansli_testsupport::all;

#[tokio::test]
async fn a_protocol_with_a_secret_paragraph_is_published_as_a_sealed_copy() {
    for db in all().await {
        let label = db.label;
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let keys = tmp.path().join("nycklar");
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        kansli_sign::keys::init(&keys, org.id.0, &org.name, jiff::Timestamp::now()).unwrap();
        let meeting = kansli_demo::signed_meeting(&store).await.unwrap();

        // One paragraph is secret (OSL) before the protocol is sent.
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, content FROM paragraphs WHERE meeting_id = $1 ORDER BY number",
        )
        .bind(meeting.0)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let words = |p: &serde_json::Value| -> String {
            p["matter"]
                .as_str()
                .unwrap_or("")
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (id, mut p) = rows
            .into_iter()
            .map(|(id, c)| (id, serde_json::from_str::<serde_json::Value>(&c).unwrap()))
            .find(|(_, p)| words(p).len() > 20)
            .expect("a paragraph with an Ärendet text");
        let matter = words(&p);
        p["access"] =
            serde_json::to_value(kansli_core::Access::secret("OSL 21 kap. 1 §").unwrap()).unwrap();
        sqlx::query("UPDATE paragraphs SET content = $2 WHERE id = $1")
            .bind(id)
            .bind(p.to_string())
            .execute(store.pool())
            .await
            .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = kansli_web::Config {
            public_url: Some(base.clone()),
            keys_dir: Some(keys.clone()),
            ..kansli_web::Config::default()
        };
        let state = kansli_web::AppState::new(store.clone(), config.clone());
        kansli_web::demo_signing::sign_and_post(
            &state,
            meeting,
            &kansli_web::demo_signing::DemoUsers {
                secretary: kansli_demo::SIGNED_SECRETARY,
                signers: &kansli_demo::SIGNED_SIGNERS,
                password: kansli_demo::DEMO_PASSWORD,
            },
            kansli_demo::SIGNED_KEPT_AT,
        )
        .await
        .unwrap();
        let served = store.clone();
        tokio::spawn(async move {
            kansli_web::serve(listener, served, config, std::future::pending())
                .await
                .unwrap()
        });

        let r = reqwest::get(format!(
            "{base}/sammantraden/{}/dokument/protokoll.pdf",
            meeting.0
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), 200, "{label}");
        let public = r.bytes().await.unwrap().to_vec();
        let original = store.signed_protocol(meeting).await.unwrap().unwrap();
        assert_ne!(
            public, original.bytes,
            "{label}: the original was published"
        );

        let root = kansli_sign::keys::load_root(&keys, org.id.0)
            .unwrap()
            .unwrap();
        let copy = kansli_sign::verify(&public, &root).unwrap();
        assert!(copy.all_valid(), "{label}: {copy:?}");
        assert_eq!(copy.signatures.len(), 1, "{label}");
        assert_eq!(
            kansli_sign::role_of_field(&copy.signatures[0].field),
            Some("sigill")
        );
        let signed = kansli_sign::verify(&original.bytes, &root).unwrap();
        assert!(
            signed.all_valid() && signed.signatures.len() == 2,
            "{label}"
        );

        // Asked again: the same stored copy, byte for byte.
        let again = reqwest::get(format!(
            "{base}/sammantraden/{}/dokument/protokoll.pdf",
            meeting.0
        ))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
        assert_eq!(again, public, "{label}");

        let flat = |pdf: &[u8]| {
            kansli_testsupport::poppler("pdftotext", &[], pdf)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        };
        if let (Some(copy_text), Some(original_text)) = (flat(&public), flat(&original.bytes)) {
            assert!(
                copy_text.contains("originalets SHA-256:"),
                "{label}: {copy_text}"
            );
            assert!(
                copy_text.contains(&original.sha256[..16]),
                "{label}: the copy does not name the original's SHA-256"
            );
            assert!(
                !copy_text.contains(&matter),
                "{label}: the secret paragraph leaked"
            );
            assert!(original_text.contains(&matter), "{label}: {matter}");
        }
    }
}
