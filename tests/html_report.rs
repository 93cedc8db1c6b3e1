//! `report --html`: the page in a real browser. Headless Chromium (Debian's `chromium`, which
//! `scripts/test` installs) loads the page of four reports — the elastic corpus log, a one-day log, a
//! range with no hit, a report with every table folded — and the DOM it builds is checked against the
//! CSV of the same run: the headline numbers, every section, the fold notes. Every host name fails to
//! resolve, and the browser's network log and console are read: no request may leave the page and no
//! Content-Security-Policy violation may be reported (a planted external image shows both checks catch
//! one). Screenshots at 390 and 1280 px, light and dark, go to `target/tmp/html_report/`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Where the screenshots and pages are kept for a person to look at.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The browser: Debian's `chromium`. Missing, the test fails (it is not skipped): `scripts/test`
/// installs it.
fn chromium() -> Command {
    let probe = Command::new("chromium").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "Debian's chromium is needed (apt-get install chromium; scripts/test installs it)"
    );
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        // Every host name fails to resolve: a request that leaves the page cannot succeed.
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]);
    c
}

/// What the browser made of a page.
struct Loaded {
    /// The DOM after loading (`--dump-dom`).
    dom: String,
    /// Console messages (CSP violations are reported there).
    console: Vec<String>,
    /// URLs the page itself requested (not the browser's own background requests).
    page_requests: Vec<String>,
}

/// Loads `page` in the browser with its console on stderr and a network log, and returns the DOM.
fn load(page: &Path) -> Loaded {
    let profile = tempfile::tempdir().unwrap();
    let net_log = profile.path().join("net.json");
    let out = chromium()
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--enable-logging=stderr")
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--net-log-capture-mode=Default")
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {}",
        page.display()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Loaded {
        dom: String::from_utf8(out.stdout).unwrap(),
        console,
        page_requests: page_requests(&net_log),
    }
}

/// The requests of Chromium's network log started by the page: their initiator is the page's (opaque,
/// `file://`) origin and their isolation key the `file://` site, where the browser's own background
/// requests (updates, time) have no initiator. The page's own file is not a request that leaves it.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = fs::read_to_string(net_log).expect("chromium wrote its network log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("the network log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("URL_REQUEST_START_JOB in the log's constants");
    let events = log["events"].as_array().expect("events");
    let mut found = Vec::new();
    for e in events {
        if e["type"].as_u64() != Some(start_job) {
            continue;
        }
        let p = &e["params"];
        let url = p["url"].as_str().unwrap_or_default();
        let initiator = p["initiator"].as_str().unwrap_or("not an origin");
        let isolation = p["network_isolation_key"].as_str().unwrap_or_default();
        let from_page = initiator != "not an origin" || isolation.contains("file://");
        if from_page && !url.starts_with("file:") {
            found.push(url.to_string());
        }
    }
    found
}

/// Saves screenshots of `page` at 390 and 1280 px, light and dark, as `NAME-WIDTH[-dark].png`.
fn screenshots(page: &Path, name: &str) {
    for (width, height) in [(390, 2200), (1280, 2000)] {
        for dark in [false, true] {
            let png = out_dir().join(format!(
                "{name}-{width}{}.png",
                if dark { "-dark" } else { "" }
            ));
            let _ = fs::remove_file(&png);
            let profile = tempfile::tempdir().unwrap();
            let mut c = chromium();
            c.arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("--window-size={width},{height}"))
                .arg(format!("--screenshot={}", png.display()));
            if dark {
                c.args([
                    "--force-dark-mode",
                    "--blink-settings=preferredColorScheme=0",
                ]);
            }
            let out = c
                .arg(format!("file://{}", page.display()))
                .output()
                .expect("run chromium");
            assert!(out.status.success(), "screenshot of {name} at {width}");
            let size = fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
            assert!(size > 10_000, "{}: {size} bytes", png.display());
        }
    }
}

/// A report written as CSV and HTML by one run (so the estimates agree), and its summary.
struct Run {
    html: PathBuf,
    csv: PathBuf,
    summary: BTreeMap<String, String>,
    _dir: tempfile::TempDir,
}

fn report(name: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let html = out_dir().join(format!("{name}.html"));
    let csv = dir.path().join("csv");
    let mut all = vec!["report", "-q", "--csv", csv.to_str().unwrap()];
    all.extend(["--html", html.to_str().unwrap()]);
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = fs::read_to_string(csv.join("summary.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Run {
        html,
        csv,
        summary,
        _dir: dir,
    }
}

/// The tables of the run's CSV directory, by name, with their rows.
fn tables(csv: &Path) -> BTreeMap<String, String> {
    fs::read_dir(csv)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The section of the DOM with `id="ID"`, up to its closing tag.
fn section<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind("<section")?;
    let end = dom[at..].find("</section>")? + at;
    Some(&dom[start..end])
}

/// The headline cards of the DOM: `(data-metric, data-value, the number shown)`.
fn cards(dom: &str) -> Vec<(String, f64, String)> {
    let attr = |s: &str, name: &str| {
        let key = format!("{name}=\"");
        let at = s.find(&key)? + key.len();
        Some(s[at..at + s[at..].find('"')?].to_string())
    };
    dom.split("<div class=\"card\"")
        .skip(1)
        .map(|card| {
            let head = &card[..card.find('>').unwrap()];
            let shown = card.split("<dd class=\"num\">").nth(1).unwrap();
            let shown = &shown[..shown.find("</dd>").unwrap()];
            (
                attr(head, "data-metric").unwrap(),
                attr(head, "data-value").unwrap().parse().unwrap(),
                shown.to_string(),
            )
        })
        .collect()
}

/// The number the CSV summary gives for a card's metric (`bot_hits/hits`: their ratio).
fn expected(summary: &BTreeMap<String, String>, metric: &str) -> f64 {
    let get = |m: &str| -> f64 {
        summary
            .get(m)
            .unwrap_or_else(|| panic!("summary has no {m}"))
            .parse()
            .unwrap_or_else(|_| panic!("{m} is not a number"))
    };
    match metric.split_once('/') {
        Some((a, b)) if get(b) > 0.0 => get(a) / get(b),
        Some(_) => 0.0,
        None => get(metric),
    }
}

/// Checks a page with hits: the cards equal the CSV, every table has its section, nothing left the page.
fn check_page(name: &str, r: &Run, loaded: &Loaded) {
    let dom = &loaded.dom;
    assert_eq!(loaded.console, Vec::<String>::new(), "{name}: console");
    assert_eq!(
        loaded.page_requests,
        Vec::<String>::new(),
        "{name}: requests"
    );
    let cards = cards(dom);
    assert_eq!(cards.len(), 7, "{name}: {cards:?}");
    for (metric, value, shown) in &cards {
        let want = expected(&r.summary, metric);
        assert!(
            (value - want).abs() < 0.006,
            "{name}: card {metric} = {value}, CSV {want}"
        );
        // Counts are shown whole, digits grouped: the digits are the CSV's.
        if !metric.contains("rate") && !metric.contains('/') && !metric.ends_with("_s") {
            let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits, format!("{want}"), "{name}: {metric} shown {shown}");
        }
    }
    let first = &r.summary["first_day"];
    assert!(
        section(dom, "headline").is_some() && dom.contains(first.as_str()),
        "{name}"
    );
    for id in ["trend", "heatmap"] {
        assert!(section(dom, id).is_some(), "{name}: no {id} section");
    }
    let charted = [
        "summary",
        "hours",
        "days",
        "weeks",
        "months",
        "weekday_hours",
    ];
    for (table, csv) in tables(&r.csv) {
        if charted.contains(&table.as_str()) {
            continue;
        }
        let s = section(dom, &table).unwrap_or_else(|| panic!("{name}: no section {table}"));
        // A table that folded rows says so, and why.
        if csv.lines().skip(1).any(|l| l.contains("(other)")) {
            assert!(
                s.contains("folded into (other)") && s.contains("--min-visitors"),
                "{name}: {table} does not say it folded"
            );
        }
    }
}

#[test]
fn the_page_in_a_browser_equals_the_csv_and_requests_nothing() {
    let elastic = corpus("combined-elastic-apache_logs.log");
    let elastic = elastic.to_str().unwrap();
    let small = sample_fixture("report-small.log");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("elastic", vec![elastic]),
        (
            "one-day",
            vec![
                small.as_str(),
                "--since",
                "2026-11-23",
                "--until",
                "2026-11-24",
                "--site-host",
                "www.example.com",
                "--min-visitors",
                "2",
            ],
        ),
        (
            "empty",
            vec![elastic, "--since", "2030-01-01", "--until", "2030-01-02"],
        ),
        ("folded", vec![elastic, "--min-visitors", "100000"]),
    ];
    for (name, args) in cases {
        let r = report(name, &args);
        let size = fs::metadata(&r.html).unwrap().len();
        assert!(size <= 1 << 20, "{name}: {size} bytes");
        let loaded = load(&r.html);
        match name {
            "empty" => {
                assert_eq!(loaded.console, Vec::<String>::new());
                assert_eq!(loaded.page_requests, Vec::<String>::new());
                assert!(
                    loaded
                        .dom
                        .contains("No hits between 2030-01-01 and 2030-01-02."),
                    "{}",
                    loaded.dom
                );
                assert!(cards(&loaded.dom).is_empty() && !loaded.dom.contains("id=\"pages\""));
            }
            _ => check_page(name, &r, &loaded),
        }
        if name == "one-day" {
            assert!(loaded.dom.contains("Page views and hits per hour"));
            assert!(loaded.dom.contains("<h1>www.example.com</h1>"));
        }
        if name == "folded" {
            let notes = loaded.dom.matches("folded into (other)").count();
            assert!(notes >= 8, "{notes} fold notes");
        }
        screenshots(&r.html, name);
    }
}

/// The checks above catch a request: an external image planted in the page is reported as a CSP
/// violation, and without the policy, as a request in the network log.
#[test]
fn a_planted_external_image_is_caught() {
    let r = report("planted-source", &[&sample_fixture("report-small.log")]);
    let page = fs::read_to_string(&r.html).unwrap();
    let img = "<body><img src=\"http://logveil.invalid/pixel.png\" alt=\"\">";
    let dir = tempfile::tempdir().unwrap();

    let planted = dir.path().join("planted.html");
    fs::write(&planted, page.replacen("<body>", img, 1)).unwrap();
    let loaded = load(&planted);
    assert!(
        loaded
            .console
            .iter()
            .any(|l| l.contains("Content Security Policy") && l.contains("logveil.invalid")),
        "no CSP violation reported: {:?}",
        loaded.console
    );

    let csp_start = page
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + page[csp_start..].find('>').unwrap() + 1;
    let without = format!("{}{}", &page[..csp_start], &page[csp_end..]);
    let planted = dir.path().join("planted-without-policy.html");
    fs::write(&planted, without.replacen("<body>", img, 1)).unwrap();
    let loaded = load(&planted);
    assert_eq!(
        loaded.page_requests,
        ["http://logveil.invalid/pixel.png"],
        "the request was not seen"
    );
}

/// Paths, referrers and user agents are the log writer's text: `<script>` and quotes in them are shown as
/// text, never run or parsed as markup.
#[test]
fn markup_in_the_log_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hostile.log");
    let mut lines = String::new();
    for i in 0..6 {
        lines.push_str(&format!(
            "10.0.{i}.7 - - [23/Nov/2026:10:0{i}:00 +0000] \"GET /p/<script>alert(1)</script>\\\"x HTTP/1.1\" 200 10 \
             \"https://evil.example.org/<img src=x onerror=alert(2)>\\\"q\" \"Mozilla/5.0 \\\"<script>alert(3)</script>\"\n"
        ));
    }
    fs::write(&log, lines).unwrap();
    let html = dir.path().join("r.html");
    let out = run(&[
        "report",
        "-q",
        log.to_str().unwrap(),
        "--min-visitors",
        "1",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
    // The path with its quote, the referrer's host and the browser, all as text (paths may break
    // after a slash: `<wbr>`).
    let plain = page.replace("<wbr>", "");
    assert!(
        plain.contains("/p/&lt;script&gt;alert(1)&lt;/script&gt;\\&quot;x"),
        "{page}"
    );
    assert!(page.contains("evil.example.org"), "{page}");
    let loaded = load(&html);
    assert!(!loaded.dom.contains("<script") && !loaded.dom.contains("<img"));
    assert!(loaded.dom.contains("&lt;script&gt;alert(1)"));
    assert_eq!(loaded.console, Vec::<String>::new());
}

/// The page holds no full address, email or dropped query value of the input.
#[test]
fn the_page_holds_no_address_email_or_token() {
    let r = report(
        "privacy",
        &[
            &sample_fixture("report-small.log"),
            "--min-visitors",
            "1",
            "--outlink-path",
            "/out",
        ],
    );
    let page = fs::read(&r.html).unwrap();
    assert_eq!(full_ipv4s(&page), Vec::<String>::new());
    assert_eq!(emails(&page), Vec::<String>::new());
    let text = String::from_utf8(page).unwrap();
    for secret in ["s3cr3t", "abc123", "ref=x", "session=", "jane"] {
        assert!(!text.contains(secret), "the page holds {secret}");
    }
    let r = report(
        "privacy-elastic",
        &[
            corpus("combined-elastic-apache_logs.log").to_str().unwrap(),
            "--min-visitors",
            "1",
        ],
    );
    let page = fs::read(&r.html).unwrap();
    assert_eq!(full_ipv4s(&page), Vec::<String>::new());
    assert_eq!(emails(&page), Vec::<String>::new());
}

/// A fixture of `tests/fixtures`, as a string argument.
fn sample_fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}
