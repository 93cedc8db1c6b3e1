//! `logveil report` end to end: the real binary on hand-checked and real logs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TABLES: &[&str] = &[
    "summary",
    "pages",
    "entry_pages",
    "exit_pages",
    "referrer_sites",
    "referrer_pages",
    "search_engines",
    "search_terms",
    "downloads",
    "outlinks",
    "browsers",
    "os",
    "devices",
    "networks",
    "hours",
    "weekday_hours",
    "days",
    "weeks",
    "months",
    "status",
    "not_found",
    "requests",
    "bots",
    "campaigns",
    "transitions",
    "paths",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name)
}

fn logveil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logveil"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run logveil")
}

fn ok(args: &[&str]) -> Output {
    let out = logveil(args);
    assert!(
        out.status.success(),
        "logveil {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn small_args<'a>(log: &'a str, csv: &'a str) -> Vec<&'a str> {
    vec![
        "report",
        log,
        "--csv",
        csv,
        "--site-host",
        "www.example.com",
        "--outlink-path",
        "/out",
    ]
}

/// Every table of the small log equals the file checked by hand (see `tests/fixtures/report-small.md`), at
/// `--min-visitors 2` (the log has three people: at the default 5 every free-text row would fold).
#[test]
fn small_log_every_table_as_checked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let log = fixture("report-small.log");
    let mut args = small_args(log.to_str().unwrap(), out.to_str().unwrap());
    args.extend(["--min-visitors", "2"]);
    ok(&args);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut want: Vec<String> = TABLES.iter().map(|t| format!("{t}.csv")).collect();
    want.sort();
    assert_eq!(names, want);
    for t in TABLES {
        let got = fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
        let expected = fs::read_to_string(fixture(&format!("report-small/{t}.csv"))).unwrap();
        assert_eq!(got, expected, "{t}.csv");
    }
}

/// With `--min-visitors 1` nothing is folded and the rare rows appear, scrubbed.
#[test]
fn min_visitors_one_shows_rare_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let log = fixture("report-small.log");
    let mut args = small_args(log.to_str().unwrap(), out.to_str().unwrap());
    args.extend(["--min-visitors", "1"]);
    ok(&args);
    let read = |t: &str| fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
    assert_eq!(
        read("referrer_pages"),
        "page,visits,visitor_days\nhttps://blog.other.org/post/7,1,1\nhttps://www.google.com/,1,1\n"
    );
    assert_eq!(
        read("downloads"),
        "path,downloads,visitor_days,bytes\n/files/catalog.pdf,1,1,15000\n"
    );
    assert_eq!(
        read("outlinks"),
        "target,clicks,visitor_days\nhttps://partner.example.net/deal,1,1\n"
    );
    assert_eq!(
        read("campaigns"),
        "source,medium,campaign,page_views,visitor_days\nnews,email,launch,1,1\n"
    );
    assert!(read("pages").contains("\n/users/:email/profile,1,1,1,1,1.00,0.00,0\n"));
    assert!(read("summary").contains("\nfolded_pages,0\n"));
}

/// No output holds an input IP, an email or a dropped query value, whatever the options.
#[test]
fn outputs_hold_no_ip_email_or_query_token() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let json = dir.path().join("r.json");
    let log = fixture("report-small.log");
    let mut args = small_args(log.to_str().unwrap(), out.to_str().unwrap());
    args.extend(["--min-visitors", "1", "--json", json.to_str().unwrap()]);
    let run = ok(&args);
    let mut texts = vec![
        fs::read_to_string(&json).unwrap(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    ];
    for t in TABLES {
        texts.push(fs::read_to_string(out.join(format!("{t}.csv"))).unwrap());
    }
    let all = texts.concat();
    for secret in [
        "10.1.2.3",
        "10.1.9.9",
        "192.0.2.55",
        "66.249.66.1",
        "203.0.113.7",
        "198.51.100.1",
        "10.9.8.7",
        "jane@example.com",
        "jane",
        "s3cr3t",
        "abc123",
        "ref=x",
        "session=",
    ] {
        assert!(!all.contains(secret), "output contains {secret}");
    }
}

/// On a real log: no client IP of the input appears in any output.
#[test]
fn corpus_outputs_hold_no_client_ip() {
    let log = corpus("combined-elastic-apache_logs.log");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&[
        "report",
        log.to_str().unwrap(),
        "--csv",
        out.to_str().unwrap(),
        "--min-visitors",
        "1",
    ]);
    let text = fs::read_to_string(&log).unwrap();
    let ips: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|ip| !ip.ends_with(".0.0"))
        .collect();
    assert!(ips.len() > 1000);
    for t in TABLES {
        let csv = fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
        for field in csv.split([',', '\n', ' ', '/', '"', '?', '=', '&']) {
            assert!(!ips.contains(field), "{t}.csv holds an input IP");
        }
    }
}

/// `--threads 1` and `--threads 2` give byte-identical CSV (many chunks: a real 2.3 MB log, repeated past
/// three report chunks, and given twice).
#[test]
fn one_thread_and_two_threads_give_identical_csv() {
    let real = fs::read(corpus("combined-elastic-apache_logs.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("repeated.log");
    let copies = 3 * logveil::report::REPORT_CHUNK_BYTES / real.len() + 1;
    fs::write(&big, real.repeat(copies)).unwrap();
    let log = big.to_str().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    // No sketch key: each run draws its own, and the output is the same bytes all the same (distinct
    // visitors over days are counted exactly, not estimated under the key).
    ok(&[
        "report",
        log,
        log,
        "--csv",
        one.to_str().unwrap(),
        "--threads",
        "1",
    ]);
    ok(&[
        "report",
        log,
        log,
        "--csv",
        two.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    for t in TABLES {
        let a = fs::read(one.join(format!("{t}.csv"))).unwrap();
        let b = fs::read(two.join(format!("{t}.csv"))).unwrap();
        assert_eq!(a, b, "{t}.csv differs");
    }
}

/// Lines (1-based) left out of a GoAccess comparison, each with its reason.
type LeftOut = &'static [(usize, &'static str)];

/// Corpus logs GoAccess 1.7 reads, with its `--log-format` preset, and the lines left out of both runs
/// because one tool rejects them for a documented reason (`docs/REPORTS.md`, "Agreement with GoAccess").
/// Bytes are compared too unless the file is in [`GOACCESS_NO_BYTES`].
const GOACCESS_CORPUS: &[(&str, &str, LeftOut)] = &[
    ("combined-elastic-apache_logs.log", "COMBINED", &[]),
    ("nginx-combined-xff-lnav-zanbil-shop.log", "COMBINED", &[]),
    (
        "nginx-combined-beats-nginx-access.log",
        "COMBINED",
        &[(
            13,
            "a vhost-prefixed line in a combined file: logveil detects and reads it, GoAccess's COMBINED rejects it",
        )],
    ),
    ("combined-matomo-ncsa_extended.log", "COMBINED", &[]),
    ("combined-matomo-logs_to_tests.log", "COMBINED", &[]),
    ("common-ipv6-beats-apache-darwin.log", "COMMON", &[]),
    ("w3c-iis85-lnav-w3c_big.log", "W3C", &[]),
];

/// Files whose bytes GoAccess does not read, with the reason.
const GOACCESS_NO_BYTES: &[(&str, &str)] = &[(
    "w3c-iis85-lnav-w3c_big.log",
    "GoAccess's W3C preset maps no sc-bytes field: it reports 0 bytes",
)];

/// Per-status, per-day and per-hour hits and the total bytes of `log` by GoAccess.
fn goaccess_counts(
    log: &Path,
    format: &str,
    dir: &Path,
) -> [std::collections::BTreeMap<String, u64>; 4] {
    let ga_json = dir.join("ga.json");
    let ga = Command::new("goaccess")
        .arg(log)
        .arg(format!("--log-format={format}"))
        .args(["--no-global-config", "-o"])
        .arg(&ga_json)
        .stdin(Stdio::null())
        .output()
        .expect("goaccess must be installed (scripts/test installs it)");
    assert!(
        ga.status.success(),
        "goaccess: {}",
        String::from_utf8_lossy(&ga.stderr)
    );
    let ga: serde_json::Value = serde_json::from_slice(&fs::read(&ga_json).unwrap()).unwrap();
    let mut status = std::collections::BTreeMap::new();
    for class in ga["status_codes"]["data"].as_array().unwrap() {
        for item in class["items"].as_array().unwrap() {
            let code = item["data"].as_str().unwrap()[..3].to_string();
            status.insert(code, item["hits"]["count"].as_u64().unwrap());
        }
    }
    let mut days = std::collections::BTreeMap::new();
    for d in ga["visitors"]["data"].as_array().unwrap() {
        let s = d["data"].as_str().unwrap();
        let date = format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..8]);
        days.insert(date, d["hits"]["count"].as_u64().unwrap());
    }
    let mut hours = std::collections::BTreeMap::new();
    for h in ga["visit_time"]["data"].as_array().unwrap() {
        let n = h["hits"]["count"].as_u64().unwrap();
        if n > 0 {
            hours.insert(h["data"].as_str().unwrap().to_string(), n);
        }
    }
    let bytes = [(
        "bytes".to_string(),
        ga["general"]["bandwidth"].as_u64().unwrap(),
    )]
    .into();
    [status, days, hours, bytes]
}

/// The same four from logveil's JSON report.
fn logveil_counts(log: &Path) -> [std::collections::BTreeMap<String, u64>; 4] {
    let ours: serde_json::Value =
        serde_json::from_slice(&ok(&["report", log.to_str().unwrap(), "--json", "-"]).stdout)
            .unwrap();
    let rows = |t: &str| ours["tables"][t]["rows"].as_array().unwrap().clone();
    let pairs = |t: &str| -> std::collections::BTreeMap<String, u64> {
        rows(t)
            .iter()
            .filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_u64()?)))
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    let summary = pairs("summary");
    let bytes = [("bytes".to_string(), summary["bytes"])].into();
    [pairs("status"), pairs("days"), pairs("hours"), bytes]
}

/// Hits per status code, per day and per hour, and the total bytes, equal GoAccess's on every corpus log
/// it reads (GoAccess counts every parsed line, bots included, as `status`, `days` and `hours` do), the
/// lines one tool rejects for a documented reason left out of both runs.
#[test]
fn status_day_hour_hits_and_bytes_match_goaccess_on_the_corpus() {
    for (name, format, left_out) in GOACCESS_CORPUS {
        let dir = tempfile::tempdir().unwrap();
        let text = fs::read_to_string(corpus(name)).unwrap();
        let kept: String = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(i, _)| !left_out.iter().any(|(n, _)| *n == i + 1))
            .map(|(_, l)| l)
            .collect();
        let log = dir.path().join(name);
        fs::write(&log, kept).unwrap();
        let ga = goaccess_counts(&log, format, dir.path());
        let ours = logveil_counts(&log);
        assert!(
            ga[0].values().sum::<u64>() > 0,
            "{name}: GoAccess read nothing"
        );
        for (what, (a, b)) in ["status", "days", "hours", "bytes"]
            .iter()
            .zip(ours.iter().zip(&ga))
        {
            if *what == "bytes" && GOACCESS_NO_BYTES.iter().any(|(n, _)| n == name) {
                continue;
            }
            assert_eq!(a, b, "{name}: {what} differ from GoAccess's");
        }
    }
}

/// JSON carries the schema version and every table; `--table` prints the same CSV as the file.
#[test]
fn json_and_single_table_outputs() {
    let log = fixture("report-small.log");
    let log = log.to_str().unwrap();
    let json: serde_json::Value = serde_json::from_slice(
        &ok(&[
            "report",
            log,
            "--site-host",
            "www.example.com",
            "--json",
            "-",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(json["schema"], "logveil-report");
    assert_eq!(json["version"], 2);
    for t in TABLES {
        assert!(json["tables"][t]["columns"].is_array(), "{t}");
    }
    assert_eq!(
        json["tables"]["summary"]["rows"][0],
        serde_json::json!(["lines", 23])
    );
    let table = ok(&[
        "report",
        log,
        "--site-host",
        "www.example.com",
        "--min-visitors",
        "2",
        "--table",
        "pages",
    ])
    .stdout;
    let expected = fs::read(fixture("report-small/pages.csv")).unwrap();
    assert_eq!(table, expected);
    let bad = logveil(&["report", log, "--table", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Gzip and stdin inputs give the same report as the plain file.
#[test]
fn gzip_and_stdin_inputs() {
    use std::io::Write;
    let log = fixture("report-small.log");
    let plain = fs::read(&log).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("small.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&plain).unwrap();
    enc.finish().unwrap();
    let want = ok(&["report", log.to_str().unwrap(), "--table", "summary"]).stdout;
    assert_eq!(
        ok(&["report", gz.to_str().unwrap(), "--table", "summary"]).stdout,
        want
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_logveil"))
        .args(["report", "--table", "summary"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&plain).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.stdout, want);
}

/// An unusable `--csv` directory fails before any input is read (the input here does not even exist).
#[test]
fn unwritable_csv_dir_fails_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let target = file.join("sub");
    let out = logveil(&[
        "report",
        "/nonexistent/input.log",
        "--csv",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a-file"), "{err}");
    assert!(!err.contains("input.log"), "{err}");
}

/// Lines in reverse order (every visit out of order) give the same tables as the hand-checked ones.
#[test]
fn out_of_order_lines_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("report-small.log")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reversed = dir.path().join("reversed.log");
    fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let mut args = small_args(reversed.to_str().unwrap(), out.to_str().unwrap());
    args.extend(["--min-visitors", "2"]);
    ok(&args);
    for t in TABLES {
        let got = fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
        let expected = fs::read_to_string(fixture(&format!("report-small/{t}.csv"))).unwrap();
        assert_eq!(got, expected, "{t}.csv");
    }
}

/// Page views spilled to disk in sorted runs (`--sort-events` far below the log's page views, so there
/// are hundreds of runs and they are merged on the way) give byte-identical CSV and JSON to a run that
/// holds them all in memory, and the runs leave nothing in `--temp-dir`.
#[test]
fn spilled_page_views_give_identical_tables() {
    let real = fs::read(corpus("combined-elastic-apache_logs.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("twice.log");
    fs::write(&log, real.repeat(2)).unwrap();
    let log = log.to_str().unwrap();
    let key = dir.path().join("sketch.key");
    let key = key.to_str().unwrap();
    ok(&["keygen", key]);
    let temp = dir.path().join("temp");
    fs::create_dir(&temp).unwrap();
    let run = |name: &str, extra: &[&str]| {
        let csv = dir.path().join(name);
        let json = dir.path().join(format!("{name}.json"));
        let mut args = vec![
            "report",
            log,
            "--csv",
            csv.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--sketch-key",
            key,
        ];
        args.extend(extra);
        ok(&args);
        (csv, fs::read(json).unwrap())
    };
    let (held, held_json) = run("held", &[]);
    let (spilled, spilled_json) = run(
        "spilled",
        &["--sort-events", "20", "--temp-dir", temp.to_str().unwrap()],
    );
    let views = fs::read_to_string(held.join("summary.csv")).unwrap();
    assert!(views.contains("page_views,"), "{views}");
    for t in TABLES {
        let a = fs::read(held.join(format!("{t}.csv"))).unwrap();
        let b = fs::read(spilled.join(format!("{t}.csv"))).unwrap();
        assert_eq!(a, b, "{t}.csv differs");
    }
    assert_eq!(held_json, spilled_json);
    assert_eq!(fs::read_dir(&temp).unwrap().count(), 0);
}

/// An unusable `--temp-dir` fails before any input is read: exit 74, one line naming the directory, and
/// no `--csv` directory.
#[test]
fn unusable_temp_dir_fails_first() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out");
    let out = logveil(&[
        "report",
        "/nonexistent/input.log",
        "--csv",
        csv.to_str().unwrap(),
        "--temp-dir",
        "/nonexistent/spill",
    ]);
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/spill"), "{err}");
    assert!(err.contains("--temp-dir"), "{err}");
    assert!(!err.contains("input.log"), "{err}");
    assert!(!csv.exists());
}

/// A combined line at `hh:mm` on day `day` of November 2026.
fn clf(
    ip: &str,
    day: u32,
    time: &str,
    target: &str,
    status: u16,
    referer: &str,
    ua: &str,
) -> String {
    format!(
        "{ip} - - [{day:02}/Nov/2026:{time}:00 +0000] \"GET {target} HTTP/1.1\" {status} 100 \"{referer}\" \"{ua}\"\n"
    )
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

/// A row of a CSV table by its first cell.
fn row<'a>(csv: &'a str, key: &str) -> Option<&'a str> {
    csv.lines().find(|l| l.split(',').next() == Some(key))
}

/// A summary row as a number.
fn metric(summary: &str, name: &str) -> u64 {
    row(summary, name)
        .and_then(|l| l.split(',').nth(1))
        .unwrap_or_else(|| panic!("no {name} in {summary}"))
        .parse()
        .unwrap()
}

/// `--min-visitors` counts distinct visitors of the whole run, and defaults to 5: one person (same IP and
/// user agent) on five days is one visitor, so their page, referrer site and network fold although they
/// make five visitor-days; five people on one day are shown; four are not; a fifth who fetched
/// `/robots.txt` is a bot and does not count. The summary says what was folded.
#[test]
fn min_visitors_counts_people_not_visitor_days_and_defaults_to_five() {
    let mut log = String::new();
    for day in 1..=5 {
        log += &clf(
            "172.16.5.5",
            day,
            "10:00",
            "/lonely",
            200,
            "https://solo.example.org/p",
            FIREFOX,
        );
    }
    for i in 1..=5 {
        let ip = format!("10.20.0.{i}");
        log += &clf(
            &ip,
            9,
            "10:00",
            "/popular",
            200,
            "https://many.example.com/x",
            FIREFOX,
        );
        if i < 5 {
            log += &clf(&ip, 9, "11:00", "/four", 200, "-", FIREFOX);
            log += &clf(&ip, 9, "11:00", "/almost", 200, "-", FIREFOX);
        }
    }
    log += &clf("10.20.0.5", 9, "11:00", "/four", 404, "-", FIREFOX);
    // A robots.txt fetcher is a bot: its view of /almost does not make five.
    log += &clf("10.20.9.9", 9, "12:00", "/robots.txt", 200, "-", FIREFOX);
    log += &clf("10.20.9.9", 9, "12:01", "/almost", 200, "-", FIREFOX);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("five.log");
    fs::write(&path, &log).unwrap();
    let out = dir.path().join("out");
    ok(&[
        "report",
        path.to_str().unwrap(),
        "--csv",
        out.to_str().unwrap(),
    ]);
    let read = |t: &str| fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
    let pages = read("pages");
    assert!(row(&pages, "/popular").is_some(), "{pages}");
    assert!(row(&pages, "/lonely").is_none(), "{pages}");
    assert!(row(&pages, "/four").is_none(), "{pages}");
    assert!(row(&pages, "/almost").is_none(), "{pages}");
    // The folded rows' counts go to (other): 5 views of /lonely, 4 of /four, 4 of /almost.
    let other = row(&pages, "(other)").unwrap_or_default();
    assert!(other.starts_with("(other),13,13,"), "{pages}");
    let sites = read("referrer_sites");
    assert_eq!(
        sites,
        "site,visits,visitor_days\nmany.example.com,5,5\n(other),5,5\n"
    );
    let networks = read("networks");
    assert!(row(&networks, "10.20.0.0").is_some(), "{networks}");
    assert!(row(&networks, "172.16.0.0").is_none(), "{networks}");
    assert!(row(&networks, "(other)").is_some(), "{networks}");
    let summary = read("summary");
    for (name, n) in [
        ("min_visitors", 5),
        ("folded_pages", 3),
        ("folded_referrer_sites", 1),
        ("folded_referrer_pages", 1),
        ("folded_networks", 1),
        ("folded_not_found", 1),
    ] {
        assert_eq!(metric(&summary, name), n, "{name}");
    }

    // Folding is by K: at 1 nothing folds, at 6 the five people fold too.
    let open = ok(&[
        "report",
        path.to_str().unwrap(),
        "--min-visitors",
        "1",
        "--table",
        "pages",
    ]);
    let open = String::from_utf8(open.stdout).unwrap();
    assert!(open.contains("\n/lonely,5,5,"), "{open}");
    let six = ok(&[
        "report",
        path.to_str().unwrap(),
        "--min-visitors",
        "6",
        "--table",
        "pages",
    ]);
    let six = String::from_utf8(six.stdout).unwrap();
    assert_eq!(six.lines().count(), 2, "{six}");
}

/// Letters for `n` (base 26, four letters): `aaaa`, `aaab`, …; no digits, so no scrubbing rule touches
/// them and only folding can keep them out.
fn letters(mut n: usize) -> String {
    let mut s = [b'a'; 4];
    for c in s.iter_mut().rev() {
        *c = b'a' + (n % 26) as u8;
        n /= 26;
    }
    String::from_utf8(s.to_vec()).unwrap()
}

/// Privacy: at the default K, a string only one visitor sent — in a page, a referrer site and page, a
/// search engine keyword, a site-search term, a 404, a download, an outlink, a campaign — appears in no
/// CSV or JSON output, although each visitor came on five days. The strings survive scrubbing, so at
/// `--min-visitors 1` they do appear (the test can fail).
#[test]
fn unique_strings_of_single_visitors_never_reach_the_outputs() {
    let mut log = String::new();
    let planted: Vec<String> = (0..40)
        .map(|i| format!("zq{}", letters(i * 7919)))
        .collect();
    for (i, p) in planted.iter().enumerate() {
        let ip = format!("10.{}.3.4", 100 + i);
        let ua = format!("{FIREFOX} Build/{i}");
        for day in 1..=5 {
            log += &clf(
                &ip,
                day,
                "10:00",
                &format!("/u/{p}?utm_source={p}&utm_medium=mail&utm_campaign={p}"),
                200,
                &format!("https://{p}.example.org/{p}"),
                &ua,
            );
            log += &clf(&ip, day, "10:01", &format!("/search?q={p}"), 200, "-", &ua);
            log += &clf(&ip, day, "10:02", &format!("/gone/{p}"), 404, "-", &ua);
            log += &clf(&ip, day, "10:03", &format!("/files/{p}.pdf"), 200, "-", &ua);
            log += &clf(
                &ip,
                day,
                "10:04",
                &format!("/out?url=https%3A%2F%2Fpartner.example.net%2F{p}"),
                302,
                "-",
                &ua,
            );
            log += &clf(
                &ip,
                day,
                "12:00",
                "/",
                200,
                &format!("https://www.google.com/search?q={p}"),
                &ua,
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planted.log");
    fs::write(&path, &log).unwrap();
    let outputs = |extra: &[&str], name: &str| -> String {
        let out = dir.path().join(name);
        let json = dir.path().join(format!("{name}.json"));
        let mut args = vec![
            "report",
            path.to_str().unwrap(),
            "--csv",
            out.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            "--outlink-path",
            "/out",
        ];
        args.extend(extra);
        ok(&args);
        let mut all = fs::read_to_string(&json).unwrap();
        for t in TABLES {
            all += &fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
        }
        all
    };
    let open = outputs(&["--min-visitors", "1"], "open");
    for table in [
        "/u/",
        "search_terms",
        "referrer",
        "/gone/",
        "/files/",
        "partner",
        "campaign",
    ] {
        assert!(open.contains(table));
    }
    for p in &planted {
        for seen in [
            format!("/u/{p}"),
            format!("{p}.example.org"),
            format!("/gone/{p}"),
            format!("/files/{p}.pdf"),
            format!("partner.example.net/{p}"),
            format!("{p},mail,{p}"),
            format!("\n{p},5,5\n"),
            format!("Google,{p},5,5"),
        ] {
            assert!(open.contains(&seen), "unfolded output lacks {seen}");
        }
    }
    let folded = outputs(&[], "folded");
    for p in &planted {
        assert!(!folded.contains(p.as_str()), "{p} reached an output");
    }
    assert!(folded.contains("\nmin_visitors,5\n"), "the default K");
}
