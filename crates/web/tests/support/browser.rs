//! The browser harness: the real server with the demo on a random port and
//! a headless Chromium driven over WebDriver. Shared by the `browser*` tests.

#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use kansli_web::Config;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

/// Today, as the server sees it in these tests: a Tuesday.
pub const TODAY: &str = "2025-03-04";

pub fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    pub store: kansli_store::Store,
    /// Shared by the sessions of [`Browser::another`].
    pub _driver: std::sync::Arc<tokio::process::Child>,
    pub _profile: tempfile::TempDir,
    pub _keys: tempfile::TempDir,
    pub _db: std::sync::Arc<kansli_testsupport::TestDb>,
    /// #20 L3: where chromedriver listens and the browser it starts, for
    /// further sessions.
    pub driver_url: String,
    pub chromium: PathBuf,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server with the demo, and a headless Chromium; `None` (SKIPPED) when
/// the browser is not installed and not required.
pub async fn start() -> Option<Browser> {
    start_at(TODAY).await
}

/// As [`start`], with the server's today given (`YYYY-MM-DD`).
pub async fn start_at(today: &str) -> Option<Browser> {
    let driver = find_binary(&["chromedriver"]);
    let chromium = find_binary(&["chromium", "chromium-browser", "google-chrome"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        if std::env::var("KANSLI_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("KANSLI_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed");
        }
        eprintln!(
            "\n*** SKIPPED: browser tests (install chromium and chromium-driver; .ci/run does) ***\n"
        );
        return None;
    };
    let db = kansli_testsupport::sqlite();
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Region Halland's signing keys, as `kansli signing init` makes them.
    let keys = tempfile::tempdir().unwrap();
    let halland = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap();
    kansli_sign::OrganisationPki::create(&halland.name, jiff::Timestamp::now())
        .unwrap()
        .write_to_dir(&keys.path().join(halland.id.0.to_string()))
        .unwrap();
    let config = Config {
        today: Some(today.parse().unwrap()),
        keys_dir: Some(keys.path().to_path_buf()),
        ..Config::default()
    };
    let served = store.clone();
    tokio::spawn(async move {
        kansli_web::serve(listener, served, config, std::future::pending())
            .await
            .unwrap()
    });

    let port = free_port();
    let child = tokio::process::Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let mut ready = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "chromedriver did not start on port {port}");
    let driver_url = format!("http://127.0.0.1:{port}");
    let profile = tempfile::tempdir().unwrap();
    let client = session(&driver_url, &chromium, &profile).await;
    Some(Browser {
        client,
        base,
        store,
        _driver: std::sync::Arc::new(child),
        _profile: profile,
        _keys: keys,
        _db: std::sync::Arc::new(db),
        driver_url,
        chromium,
    })
}

/// A new Chromium session (its own profile: its own cookies) on the
/// chromedriver at `driver_url`.
async fn session(
    driver_url: &str,
    chromium: &std::path::Path,
    profile: &tempfile::TempDir,
) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--lang=sv-SE", "--window-size=1280,1024",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver_url)
        .await
        .expect("a Chromium session")
}

impl Browser {
    /// #20 L3: another Chromium session on the same server and driver, with
    /// cookies of its own (another user, or nobody signed in).
    pub async fn another(&self) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let client = session(&self.driver_url, &self.chromium, &profile).await;
        Browser {
            client,
            base: self.base.clone(),
            store: self.store.clone(),
            _driver: self._driver.clone(),
            _profile: profile,
            _keys: tempfile::tempdir().unwrap(),
            _db: self._db.clone(),
            driver_url: self.driver_url.clone(),
            chromium: self.chromium.clone(),
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("goto {path}: {e}"));
    }

    pub async fn main_text(&self) -> String {
        self.client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("field {css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Sets a field's value directly (date and time inputs read keys by
    /// locale).
    pub async fn set(&self, id: &str, value: &str) {
        self.client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![json!(id), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set {id}: {e}"));
    }

    /// Chooses the option of a select whose text contains `text`.
    pub async fn choose(&self, id: &str, text: &str) {
        let found = self
            .client
            .execute(
                "const s = document.getElementById(arguments[0]);
                 const o = [...s.options].find(o => o.text.includes(arguments[1]));
                 if (!o) return false; s.value = o.value; return true;",
                vec![json!(id), json!(text)],
            )
            .await
            .unwrap();
        assert_eq!(found, json!(true), "no option «{text}» in #{id}");
    }

    /// Clicks and, when the click loads a new page, waits until it has.
    pub async fn click(&self, css: &str) {
        self.client
            .execute("window.__kansliOld = true;", vec![])
            .await
            .unwrap();
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        let navigates = e.attr("type").await.unwrap().is_none_or(|t| t == "submit")
            && e.tag_name().await.unwrap() == "button"
            || e.tag_name().await.unwrap() == "a";
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        if navigates {
            self.wait_for_load(css).await;
        }
    }

    pub async fn wait_for_load(&self, what: &str) {
        for _ in 0..200 {
            let done = self
                .client
                .execute(
                    "return window.__kansliOld === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(json!(false));
            if done == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page after {what}");
    }

    pub async fn click_xpath(&self, xpath: &str) {
        self.client
            .execute("window.__kansliOld = true;", vec![])
            .await
            .unwrap();
        let e = self
            .client
            .find(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("{xpath}: {e}"));
        // As `click`: a link or a submit button loads a new page.
        let tag = e.tag_name().await.unwrap();
        let navigates = tag == "a"
            || tag == "button" && e.attr("type").await.unwrap().is_none_or(|t| t == "submit");
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
        if navigates {
            self.wait_for_load(xpath).await;
        }
    }

    pub async fn follow(&self, link_text: &str) {
        self.click_xpath(&format!("//a[contains(., '{link_text}')]"))
            .await;
    }

    /// Ticks the checkbox whose label contains `label`, within `scope` (a
    /// form's CSS selector).
    pub async fn tick(&self, scope: &str, label: &str) {
        let found = self
            .client
            .execute(
                "const f = document.querySelector(arguments[0]);
                 const l = [...f.querySelectorAll('label')].find(l => l.textContent.includes(arguments[1]) && l.querySelector('input'));
                 if (!l) return false; l.querySelector('input').checked = true; return true;",
                vec![json!(scope), json!(label)],
            )
            .await
            .unwrap();
        assert_eq!(found, json!(true), "no checkbox «{label}» in {scope}");
    }

    /// Submits the form that holds `css` by pressing its submit button, or
    /// the button itself.
    pub async fn submit(&self, form_css: &str) {
        self.click(&format!(
            "{form_css} button[type=submit], {form_css} button:not([type])"
        ))
        .await;
    }

    pub async fn flash(&self) -> String {
        match self.client.find(Locator::Css(".alert")).await {
            Ok(e) => e.text().await.unwrap(),
            Err(_) => String::new(),
        }
    }

    pub async fn expect_done(&self, what: &str) {
        let f = self.flash().await;
        assert!(
            !f.is_empty() && !f.contains("Inte genomfört"),
            "{what}: «{f}» on {}",
            self.path().await
        );
    }

    pub async fn sign_in(&self, username: &str) {
        self.client.delete_all_cookies().await.ok();
        self.goto("/logga-in").await;
        self.fill("#username", username).await;
        self.fill("#password", kansli_demo::DEMO_PASSWORD).await;
        self.click("main form button[type=submit]").await;
        assert_eq!(self.path().await, "/sekretariat", "{username} signs in");
        self.check_page().await;
    }

    /// What every page must have, for WCAG 2.1 AA's basics: a language, one
    /// h1, a label for every field, a name for every button and link, text
    /// for every image, and a way past the header.
    pub async fn check_page(&self) {
        let problems = self
            .client
            .execute(
                r##"const p = [];
                if (document.documentElement.lang !== 'sv') p.push('lang is not sv');
                if (document.querySelectorAll('h1').length !== 1) p.push('h1 count ' + document.querySelectorAll('h1').length);
                if (!document.title.trim()) p.push('no title');
                for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
                  const named = (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
                  if (!named) p.push('unlabelled ' + e.tagName + ' ' + (e.name || e.id));
                }
                for (const e of document.querySelectorAll('button, a[href]')) {
                  if (!(e.textContent.trim() || e.getAttribute('aria-label'))) p.push('unnamed ' + e.tagName);
                }
                for (const e of document.querySelectorAll('img')) if (!e.hasAttribute('alt')) p.push('img without alt');
                const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
                const dup = ids.filter((x, i) => ids.indexOf(x) !== i);
                if (dup.length) p.push('duplicate ids ' + dup.join(','));
                if (!document.querySelector('a.skip[href="#innehall"]')) p.push('no skip link');
                return p;"##,
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            problems,
            json!([]),
            "accessibility on {}",
            self.path().await
        );
    }

    /// Runs axe-core's WCAG 2.0/2.1 A and AA rules on the page and fails
    /// on any serious or critical violation.
    pub async fn axe(&self, axe: &str) {
        let found = self.axe_violations(axe).await;
        assert_eq!(found, json!([]), "axe-core on {}", self.path().await);
    }

    /// The serious and critical violations axe-core finds on the page.
    pub async fn axe_violations(&self, axe: &str) -> serde_json::Value {
        self.client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("axe-core loads");
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap()
    }

    /// The session's CSRF token, from the sign-out form every staff page
    /// start has.
    pub async fn csrf(&self) -> String {
        self.goto("/sekretariat").await;
        self.client
            .find(Locator::Css("form[action='/logga-ut'] input[name=csrf]"))
            .await
            .unwrap()
            .attr("value")
            .await
            .unwrap()
            .unwrap()
    }

    /// Sends a form from the page's own script (as a crafted request would
    /// be sent), returning the status and the final page's text.
    pub async fn post(&self, path: &str, fields: serde_json::Value) -> (u64, String) {
        let r = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0], {method: 'POST', body: new URLSearchParams(arguments[1])})
                   .then(r => r.text().then(t => done([r.status, t])));",
                vec![json!(path), fields],
            )
            .await
            .unwrap();
        (r[0].as_u64().unwrap(), r[1].as_str().unwrap().to_string())
    }
}

/// axe-core as `npm ci` in `tests/axe` installs it (`.ci/run` does), or
/// `None` with a loud notice when it is not installed and not required.
pub fn axe_source() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            if std::env::var("KANSLI_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!(
                    "KANSLI_REQUIRE_BROWSER=1 but {} cannot be read: {e} (run npm ci in crates/web/tests/axe)",
                    path.display()
                );
            }
            eprintln!(
                "\n*** SKIPPED: browser axe-core checks (run `npm ci --prefix crates/web/tests/axe`; .ci/run does) ***\n"
            );
            None
        }
    }
}
