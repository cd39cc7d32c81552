//! The dashboard in a real browser (issue #14): Debian's chromium driven by its
//! chromedriver over WebDriver (fantoccini), against the server of `support::both` (the
//! nuclear-caps scenario played into a fresh SQLite store, then a PostgreSQL one). It
//! checks what a person sees: the phase and relief on either side of a change, a
//! dispute's days left, the time control moving the page, the status form's answer,
//! the inclusion check, the log as it stood at an instant, the published reports, a
//! simulation's charts, the live notice when the agreement's log grows (entries appended
//! while the page is open), keyboard-only use; axe-core (npm, installed into a temporary
//! directory at test time) reports no WCAG 2.1 A/AA violation on any page; a screenshot
//! of each page goes to `target/screenshots/`.
//!
//! Without `/usr/bin/chromedriver` (or npm) the test says it skips, unless `CI=true`,
//! where it fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use accord_server::Role;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use super::support::{ARDEN, Fixture, both_with, repo};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says why the test cannot run: a failure in CI, a printed skip elsewhere.
fn unavailable(what: &str) -> Option<()> {
    assert!(!in_ci(), "the browser tests need {what} in CI");
    eprintln!("SKIPPED: the dashboard's browser tests need {what}");
    None
}

/// axe-core's script, installed once per run by npm into a temporary directory.
fn axe() -> Option<&'static str> {
    static AXE: OnceLock<Option<String>> = OnceLock::new();
    AXE.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let installed = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(dir.path())
            .arg("axe-core@4")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            return None;
        }
        std::fs::read_to_string(dir.path().join("node_modules/axe-core/axe.min.js")).ok()
    })
    .as_deref()
}

/// A chromedriver on a free port, ended when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Driver(child, port)
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     format!("--user-data-dir={}", profile.display()), "--window-size=1280,1400"],
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    // chromedriver takes a moment to listen.
    for _ in 0..50 {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await;
        if let Ok(client) = connected {
            return client;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer on port {}", driver.1);
}

fn screenshots() -> PathBuf {
    let dir = repo().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `path`, saves a screenshot as `name`, runs axe-core and asserts no violation.
async fn visit(c: &Client, f: &Fixture, path: &str, name: &str) {
    c.goto(&format!("{}{path}", f.base)).await.unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{}-{name}.png", f.kind)), png).unwrap();
    let Some(axe) = axe() else { return };
    c.execute(&format!("{axe}\nreturn null;"), vec![])
        .await
        .unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(
        violations.is_empty(),
        "{path}: axe-core found {violations:#?}"
    );
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The text of `css` read in one script call: while the live update swaps a part, an
/// element found by WebDriver may be replaced before its text is asked for (stale).
async fn settled_text(c: &Client, css: &str) -> String {
    let found = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    found.as_str().unwrap_or_default().to_owned()
}

/// Logs in with the keyboard only: Tab to the token field, type, Enter.
async fn log_in(c: &Client, f: &Fixture, role: Role) {
    c.goto(&format!("{}/login", f.base)).await.unwrap();
    let field = c.find(Locator::Id("token")).await.unwrap();
    field.send_keys(&f.tokens[&role]).await.unwrap();
    field.send_keys(&Key::Enter.to_string()).await.unwrap();
    c.wait()
        .for_element(Locator::Css("form.inline strong"))
        .await
        .unwrap();
    assert_eq!(text(c, "form.inline strong").await, role.as_str());
}

#[test]
fn the_dashboard_in_a_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        let _ =
            unavailable("chromium and chromium-driver (apt-get install chromium chromium-driver)");
        return;
    }
    if axe().is_none() {
        let _ = unavailable("npm to install axe-core");
    }
    let simulations = simulated();
    let published = simulations.path().to_owned();
    both_with(
        |config| config.simulations = Some(published.clone()),
        async |f| {
            let driver = driver();
            let profile = tempfile::tempdir().unwrap();
            let c = browser(&driver, profile.path()).await;
            // A failing check panics here: the driver (and its browser) end when dropped.
            pages(&c, f).await;
            c.close().await.unwrap();
        },
    );
}

async fn pages(c: &Client, f: &Fixture) {
    home(c, f).await;
    agreement(c, f).await;
    time_control(c, f).await;
    indicator(c, f).await;
    log(c, f).await;
    keyboard(c, f).await;
    log_in(c, f, Role::Compliance).await;
    in_force(c, f).await;
    screening(c, f).await;
    visit(c, f, "/login", "login").await;
    log_in(c, f, Role::Admin).await;
    indicator_entitled(c, f).await;
    log_as_of(c, f).await;
    reports(c, f).await;
    simulation(c, f).await;
    // Last: it plays another agreement into the store.
    live(c, f).await;
}

/// A simulation of the nuclear agreement as `accord simulate … --out DIR/AGREEMENT`
/// writes it, in a directory for `--simulations`.
fn simulated() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let texts = vec![
        accord_app::agreements::AgreementText::read(&repo().join("examples/nuclear-caps.toml"))
            .unwrap(),
    ];
    let model =
        accord_app::simulate::ModelText::read(&repo().join("examples/models/nuclear-caps.toml"))
            .unwrap();
    let settings = accord_simulate::Settings {
        runs: 40,
        seed: 1,
        horizon: "P5Y".parse().unwrap(),
        sensitivity_runs: 8,
        evaluation: accord_simulate::Evaluation::IncrementalEveryReview,
    };
    let sim = accord_app::simulate::simulate(&texts, &model, &settings, &|_| {}).unwrap();
    let out = dir.path().join(ARDEN);
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("simulation.json"), accord_render::pretty(&sim)).unwrap();
    dir
}

/// How many entries of the agreement's log were recorded by the end of `date`, read
/// from the store.
fn recorded_by(f: &Fixture, date: &str) -> u64 {
    let as_of = accord_app::time::parse_instant(date).unwrap();
    f.blocking(|store| {
        let mut ledger = accord_app::log::find(store, &ARDEN.parse().unwrap()).unwrap();
        let entries = ledger.read_verified().unwrap().entries;
        entries.iter().filter(|e| e.recorded_at <= as_of).count() as u64
    })
}

/// The log as it stood on a day: only the entries recorded by then, no checkpoint signed
/// later, and the time control moving it.
async fn log_as_of(c: &Client, f: &Fixture) {
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}/log?as_of=2026-06-12"),
        "log-as-of",
    )
    .await;
    assert_eq!(text(c, "#as-of-date").await, "2026-06-12");
    let then = recorded_by(f, "2026-06-12");
    assert_eq!(text(c, "#log-size strong").await, then.to_string());
    assert!(
        c.find(Locator::Id("checkpoint-note")).await.is_err(),
        "the only checkpoint was signed over later entries"
    );
    let newest = text(c, "#entries tbody tr th").await;
    assert_eq!(newest, format!("#{}", then - 1));
    c.find(Locator::LinkText("30 days later"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(
        c,
        &format!("{}/agreements/{ARDEN}/log?as_of=2026-07-12", f.base),
    )
    .await;
    let later = recorded_by(f, "2026-07-12");
    assert!(later > then, "entries were recorded in between");
    assert_eq!(text(c, "#log-size strong").await, later.to_string());
    // After the last entry, the log and its checkpoint as they are now.
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}/log?as_of=2030-01-01&entry=3"),
        "log-after",
    )
    .await;
    assert!(text(c, "#checkpoint-note").await.contains(ARDEN));
    c.find(Locator::Css("#entry-3 button.check"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#result-3.ok"))
        .await
        .unwrap();
}

/// The agreement page lists the reports published by its instant; the home page links
/// the latest; the link answers the report.
async fn reports(c: &Client, f: &Fixture) {
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}?as_of=2026-06-12"),
        "agreement-no-report",
    )
    .await;
    assert!(
        text(c, "#reports")
            .await
            .contains("No report is published yet")
    );
    visit(c, f, "/?as_of=2030-01-01", "home-reports").await;
    let latest = c.find(Locator::Css("td.report a")).await.unwrap();
    let href = latest.attr("href").await.unwrap().unwrap();
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}?as_of=2030-01-01"),
        "agreement-reports",
    )
    .await;
    let rows = text(c, "#reports-table tbody").await;
    let size = recorded_by(f, "2030-01-01");
    assert!(rows.contains(&format!("{size} entries")), "{rows}");
    let link = c
        .find(Locator::Css("#reports-table tbody th a"))
        .await
        .unwrap();
    assert_eq!(link.attr("href").await.unwrap().unwrap(), href);
    link.click().await.unwrap();
    wait_for_url(c, &format!("{}{href}", f.base)).await;
    let (status, body) = f
        .get_bytes(&href.replace("index.html", "manifest.json"))
        .await;
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["entries"], size);
}

/// The simulation `--simulations` publishes: linked from the agreement, its charts each
/// an image with a title and the data as a table.
async fn simulation(c: &Client, f: &Fixture) {
    c.goto(&format!("{}/agreements/{ARDEN}", f.base))
        .await
        .unwrap();
    c.find(Locator::LinkText("simulated pathways"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(c, &format!("{}/agreements/{ARDEN}/simulation", f.base)).await;
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}/simulation"),
        "simulation",
    )
    .await;
    let charts = c
        .find_all(Locator::Css("svg.chart[role=img]"))
        .await
        .unwrap();
    let phases = c
        .find_all(Locator::Css("#sim-phases tbody tr"))
        .await
        .unwrap();
    assert_eq!(
        charts.len(),
        phases.len() + 2,
        "histograms, survival, tornado"
    );
    for chart in &charts {
        assert!(chart.html(false).await.unwrap().contains("<title"));
    }
    for table in ["#survival-table", "#tornado-table", "#sim-triggers"] {
        assert!(c.find(Locator::Css(table)).await.is_ok(), "{table}");
    }
    // An agreement with none published: a page saying so.
    let missing = f
        .get("/agreements/arden-staged-lifting/simulation", None)
        .await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("no simulation of"),
        "{}",
        missing.body
    );
}

/// The staged-lifting rehearsal four years earlier (2027 → 2023, 2028 → 2024: leap years
/// kept), written with its agreement into a temporary directory: its entries are then
/// recorded before now, so that a page looking at now changes as they are appended.
fn staged_lifting_in_the_past() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let earlier = |text: String| {
        text.replace("2026-", "2022-")
            .replace("2027-", "2023-")
            .replace("2028-", "2024-")
            .replace("2029-", "2025-")
    };
    let read = |path: &str| std::fs::read_to_string(repo().join(path)).unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    std::fs::write(
        dir.path().join("staged-lifting.toml"),
        earlier(read("examples/staged-lifting.toml")),
    )
    .unwrap();
    let scenario = dir.path().join("scenarios/staged-lifting.toml");
    std::fs::write(
        &scenario,
        earlier(read("examples/scenarios/staged-lifting.toml")),
    )
    .unwrap();
    (dir, scenario)
}

/// The agreement's page, looking at now, tells of entries appended to its log while it
/// is open and updates its parts in place: another scenario's play (four years earlier,
/// so that its entries count now) is held after a few entries, the page opened, then the
/// play resumed — the current phase changes on the page without reading it again.
async fn live(c: &Client, f: &Fixture) {
    const STAGED: &str = "arden-staged-lifting";
    let (_dir, scenario) = staged_lifting_in_the_past();
    let rehearsal = accord_app::play::rehearse_file(&scenario, None).unwrap();
    let (held, wait_held) = std::sync::mpsc::channel::<()>();
    let (resume, wait_resume) = std::sync::mpsc::channel::<()>();
    let store = f.store.clone();
    let player = std::thread::spawn(move || {
        rehearsal
            .play_into_watched(&store, &mut |size| {
                if size == 3 {
                    held.send(()).unwrap();
                    wait_resume.recv().unwrap();
                }
                Ok(())
            })
            .unwrap()
    });
    tokio::task::block_in_place(|| wait_held.recv()).unwrap();
    c.goto(&format!("{}/agreements/{STAGED}", f.base))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body[data-listening]"))
        .await
        .unwrap();
    assert_eq!(text(c, "#live").await, "", "nothing new yet");
    let phase_before = text(c, "#current-phase").await;
    let entries_before = text(c, "#entry-count").await;
    assert_eq!(entries_before, "3", "the entries held so far count now");
    // A mark on the document: still there after the update, so the page was not read
    // again by navigation.
    c.execute("window.accordMark = 'kept'; return null;", vec![])
        .await
        .unwrap();
    resume.send(()).unwrap();
    let played = tokio::task::block_in_place(|| player.join()).unwrap();
    let notice = c
        .wait()
        .for_element(Locator::Css("#live .notice"))
        .await
        .unwrap();
    let words = notice.text().await.unwrap();
    assert!(
        words.contains("this agreement's log: new entries (size "),
        "{words}"
    );
    // The parts are updated in place, until the page shows the whole log.
    let all = played.entries.to_string();
    let mut tries = 0;
    while settled_text(c, "#entry-count").await != all {
        tries += 1;
        assert!(
            tries < 600,
            "the page was not updated in place to {all} entries"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The rehearsal's phase at its third entry is already the one it ends in (a relief
    // phase entered on signature), so the phase line is checked to be shown again after
    // the swap, not to differ; the entry count above is what changes in place.
    let phase_after = settled_text(c, "#current-phase").await;
    assert!(
        !phase_after.is_empty()
            && phase_after.starts_with(&phase_before.chars().take(10).collect::<String>()),
        "the current phase is shown after the update: {phase_after:?} (before: {phase_before:?})"
    );
    assert_eq!(
        c.execute("return window.accordMark || null;", vec![])
            .await
            .unwrap(),
        serde_json::json!("kept"),
        "updated in place, not by reading the page again"
    );
    c.wait()
        .for_element(Locator::Css("#live .updated"))
        .await
        .unwrap();
    std::fs::write(
        screenshots().join(format!("{}-agreement-live.png", f.kind)),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.find(Locator::LinkText("Refresh the page"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::LinkText("the evidence log"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(c, &format!("{}/agreements/{STAGED}/log", f.base)).await;
    assert_eq!(
        text(c, "#log-size strong").await,
        played.entries.to_string(),
        "the log as it is now"
    );
}

async fn home(c: &Client, f: &Fixture) {
    visit(c, f, "/?as_of=2026-03-01", "home-before").await;
    let before = text(c, "tbody tr td:nth-child(3)").await;
    visit(c, f, "/?as_of=2026-07-31", "home").await;
    let after = text(c, "tbody tr td:nth-child(3)").await;
    assert_eq!(before, PHASE_BEFORE, "the current phase before the change");
    assert_eq!(after, PHASE_AFTER, "the current phase after the change");
}

async fn agreement(c: &Client, f: &Fixture) {
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}?as_of={RELIEF_BEFORE}"),
        "agreement-before",
    )
    .await;
    let before = text(c, &format!("#relief-{RELIEF_ACTION} td:nth-child(3)")).await;
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}?as_of={RELIEF_AFTER}"),
        "agreement",
    )
    .await;
    let after = text(c, &format!("#relief-{RELIEF_ACTION} td:nth-child(3)")).await;
    assert_eq!((before.as_str(), after.as_str()), RELIEF_STATUSES);
    let chart = c
        .find(Locator::Css("svg.chart[role=img] title"))
        .await
        .unwrap();
    assert!(chart.html(true).await.unwrap().contains("Phase timeline"));
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}?as_of={DISPUTE_DAY}"),
        "agreement-dispute",
    )
    .await;
    assert_eq!(
        text(c, &format!("#dispute-{DISPUTE} td.days-left")).await,
        DISPUTE_LEFT
    );
}

async fn time_control(c: &Client, f: &Fixture) {
    c.goto(&format!("{}/agreements/{ARDEN}?as_of=2026-06-01", f.base))
        .await
        .unwrap();
    assert_eq!(text(c, "#as-of-date").await, "2026-06-01");
    let before = text(c, &format!("#relief-{RELIEF_ACTION} td:nth-child(3)")).await;
    c.find(Locator::LinkText("30 days later"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(
        c,
        &format!("{}/agreements/{ARDEN}?as_of=2026-07-01", f.base),
    )
    .await;
    assert_eq!(text(c, "#as-of-date").await, "2026-07-01");
    let after = text(c, &format!("#relief-{RELIEF_ACTION} td:nth-child(3)")).await;
    assert_eq!(
        (before.as_str(), after.as_str()),
        ("scheduled", "granted"),
        "the page moved with the control"
    );
    // The slider (JavaScript): a key moves it a day and submits the form with its date.
    let slider = c.find(Locator::Id("as_of_slider")).await.unwrap();
    slider.send_keys(&Key::Left.to_string()).await.unwrap();
    wait_for_url(
        c,
        &format!("{}/agreements/{ARDEN}?as_of=2026-06-30", f.base),
    )
    .await;
    assert_eq!(text(c, "#as-of-date").await, "2026-06-30");
}

/// The public view of a confidential indicator: the chart and its table, no value, each
/// sealed entry as its commitment.
async fn indicator(c: &Client, f: &Fixture) {
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}/indicators/{INDICATOR}?as_of=2026-07-31"),
        "indicator-public",
    )
    .await;
    let chart = c.find(Locator::Css("svg.chart[role=img]")).await.unwrap();
    assert!(chart.html(false).await.unwrap().contains("<title"));
    assert!(
        c.find(Locator::Css("#periods")).await.is_ok(),
        "the data as a table"
    );
    assert!(
        c.find(Locator::Css("svg.overlay a")).await.is_err(),
        "no sealed value is drawn"
    );
    let evidence = text(c, "#evidence").await;
    assert!(evidence.contains("sealed, commitment "), "{evidence}");
    assert!(!evidence.contains("3.6"), "{evidence}");
}

/// An entitled viewer sees the values: each point links to its entry.
async fn indicator_entitled(c: &Client, f: &Fixture) {
    visit(
        c,
        f,
        &format!("/agreements/{ARDEN}/indicators/{INDICATOR}?as_of=2026-07-31"),
        "indicator",
    )
    .await;
    let evidence = text(c, "#evidence").await;
    assert!(evidence.contains("3.6"), "{evidence}");
    let point = c.find(Locator::Css("svg.overlay a")).await.unwrap();
    let label = point.attr("aria-label").await.unwrap().unwrap();
    let index = label
        .rsplit_once('#')
        .unwrap()
        .1
        .trim_end_matches(')')
        .to_owned();
    // Followed from the keyboard: focused, then Enter.
    c.execute(
        "arguments[0].focus();",
        vec![serde_json::to_value(&point).unwrap()],
    )
    .await
    .unwrap();
    press(c, Key::Enter).await;
    wait_for_url(
        c,
        &format!(
            "{}/agreements/{ARDEN}/log?entry={index}&as_of=2026-07-31",
            f.base
        ),
    )
    .await;
    assert!(
        c.find(Locator::Css(&format!("#entry-{index}.focus")))
            .await
            .is_ok()
    );
}

async fn log(c: &Client, f: &Fixture) {
    visit(c, f, &format!("/agreements/{ARDEN}/log?entry=3"), "log").await;
    let button = c.find(Locator::Css("#entry-3 button.check")).await.unwrap();
    button.click().await.unwrap();
    let result = c
        .wait()
        .for_element(Locator::Css("#result-3.ok"))
        .await
        .unwrap();
    assert!(
        result.text().await.unwrap().starts_with("Included"),
        "{}",
        result.text().await.unwrap()
    );
}

async fn wait_for_url(c: &Client, expected: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str() == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the browser did not reach {expected}: {}",
        c.current_url().await.unwrap()
    );
}

/// Presses one key on the keyboard (not on an element): what a person using only the
/// keyboard does.
async fn press(c: &Client, key: Key) {
    use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    c.perform_actions(actions).await.unwrap();
}

/// The text of the focused element.
async fn focused(c: &Client) -> String {
    c.active_element().await.unwrap().text().await.unwrap()
}

/// Keyboard only, on each page: the first Tab reaches the skip link and Enter on it moves
/// to the content; Tabs then reach the navigation in order; on the log page the
/// inclusion check is reached and run from the keyboard.
async fn keyboard(c: &Client, f: &Fixture) {
    for path in [
        "/",
        &format!("/agreements/{ARDEN}"),
        &format!("/agreements/{ARDEN}/indicators/{INDICATOR}"),
        &format!("/agreements/{ARDEN}/log?as_of=2026-06-12"),
        &format!("/agreements/{ARDEN}/simulation"),
        "/in-force",
        "/screening",
        "/login",
    ] {
        c.goto(&format!("{}{path}", f.base)).await.unwrap();
        press(c, Key::Tab).await;
        assert_eq!(focused(c).await, "Skip to content", "{path}");
        press(c, Key::Tab).await;
        assert_eq!(
            focused(c).await,
            "Agreements",
            "{path}: the navigation comes next"
        );
    }
    c.goto(&format!("{}/agreements/{ARDEN}", f.base))
        .await
        .unwrap();
    press(c, Key::Tab).await;
    press(c, Key::Enter).await;
    assert!(c.current_url().await.unwrap().as_str().ends_with("#main"));
    // The inclusion check, by keyboard: focus its button (Tab order), Enter.
    c.goto(&format!("{}/agreements/{ARDEN}/log?entry=5", f.base))
        .await
        .unwrap();
    for _ in 0..200 {
        press(c, Key::Tab).await;
        if focused(c).await == "Check inclusion of #5" {
            break;
        }
    }
    assert_eq!(focused(c).await, "Check inclusion of #5");
    press(c, Key::Enter).await;
    let result = c
        .wait()
        .for_element(Locator::Css("#result-5.ok"))
        .await
        .unwrap();
    assert!(result.text().await.unwrap().starts_with("Included"));
}

async fn in_force(c: &Client, f: &Fixture) {
    visit(c, f, "/in-force", "in-force-form").await;
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Central Bank of Arden")
        .await
        .unwrap();
    c.find(Locator::Id("activity"))
        .await
        .unwrap()
        .send_keys("food")
        .await
        .unwrap();
    c.find(Locator::Css("label[for=j-EU]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A date field's typing order depends on the browser's locale: set its value.
    c.execute(
        "document.getElementById('date').value = '2026-07-01';",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#status-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("answer")).await.unwrap();
    let answer = text(c, "#answer").await;
    assert!(answer.contains("EU:"), "{answer}");
    assert!(answer.contains(STATUS_OUTCOME), "{answer}");
    let url = c.current_url().await.unwrap();
    visit(
        c,
        f,
        &format!("{}?{}", url.path(), url.query().unwrap_or("")),
        "in-force",
    )
    .await;
}

async fn screening(c: &Client, f: &Fixture) {
    visit(c, f, "/screening?name=Central+Bank+of+Ardenn", "screening").await;
    let hits = text(c, "#hits").await;
    assert!(hits.contains("Central Bank of Arden"), "{hits}");
}

// What the nuclear-caps scenario gives on the dates the test looks at (read from
// `accord timeline` and `accord evaluate --json` on the played scenario).
const PHASE_BEFORE: &str =
    "Adoption: preparations and civil nuclear cooperation (since 2026-01-15)";
const PHASE_AFTER: &str = "Implementation day: caps verified (since 2026-07-15)";
const RELIEF_ACTION: &str = "bank-delistings";
const RELIEF_BEFORE: &str = "2026-06-19";
const RELIEF_AFTER: &str = "2026-06-21";
const RELIEF_STATUSES: (&str, &str) = ("scheduled", "granted");
const DISPUTE: &str = "enrichment-may";
/// The joint commission's stage began on 2026-06-10 with a deadline of 2026-06-25.
const DISPUTE_DAY: &str = "2026-06-12";
const DISPUTE_LEFT: &str = "13 days left";
/// Its evidence is confidential (sealed in the log).
const INDICATOR: &str = "u235_enrichment";
const STATUS_OUTCOME: &str = "relieved";
