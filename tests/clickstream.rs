//! The clickstream tables (`transitions`, `paths`, `goals`): a small log checked by hand, row by row;
//! day partials merging into the tables of one run; a plain report folding rare transitions early giving
//! what rendering would; no identifier in any of their outputs.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use proptest::prelude::*;

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

fn line(ip: &str, when: &str, target: &str, status: u16, referrer: &str) -> String {
    format!(
        "{ip} - - [{when} +0000] \"GET {target} HTTP/1.1\" {status} 100 \"{referrer}\" \"{UA}\"\n"
    )
}

/// Three visitors, five visits, two days:
/// - 10.0.0.1 on 1 Dec: from Google to /, /pricing, downloads a.pdf, /thanks, clicks the outlink;
/// - 10.0.0.2 on 1 Dec: /pricing alone, then 40 minutes later / alone (two visits, both bounces);
/// - 10.0.0.3 on 2 Dec: from news.example to /, /pricing twice, /thanks, /about (five page views).
fn hand_log() -> String {
    let site = "https://site.test";
    [
        line(
            "10.0.0.1",
            "01/Dec/2026:10:00:00",
            "/",
            200,
            "https://www.google.com/search?q=x",
        ),
        line(
            "10.0.0.1",
            "01/Dec/2026:10:01:00",
            "/pricing",
            200,
            &format!("{site}/"),
        ),
        line(
            "10.0.0.1",
            "01/Dec/2026:10:02:00",
            "/files/a.pdf",
            200,
            &format!("{site}/pricing"),
        ),
        line(
            "10.0.0.1",
            "01/Dec/2026:10:03:00",
            "/thanks",
            200,
            &format!("{site}/pricing"),
        ),
        line(
            "10.0.0.1",
            "01/Dec/2026:10:04:00",
            "/out?url=https%3A%2F%2Fpartner.example%2Fx",
            302,
            &format!("{site}/thanks"),
        ),
        line("10.0.0.2", "01/Dec/2026:11:00:00", "/pricing", 200, "-"),
        line("10.0.0.2", "01/Dec/2026:11:40:00", "/", 200, "-"),
        line(
            "10.0.0.3",
            "02/Dec/2026:09:00:00",
            "/",
            200,
            "https://news.example/a",
        ),
        line(
            "10.0.0.3",
            "02/Dec/2026:09:01:00",
            "/pricing",
            200,
            &format!("{site}/"),
        ),
        line(
            "10.0.0.3",
            "02/Dec/2026:09:02:00",
            "/pricing",
            200,
            &format!("{site}/pricing"),
        ),
        line(
            "10.0.0.3",
            "02/Dec/2026:09:03:00",
            "/thanks",
            200,
            &format!("{site}/pricing"),
        ),
        line(
            "10.0.0.3",
            "02/Dec/2026:09:04:00",
            "/about",
            200,
            &format!("{site}/thanks"),
        ),
    ]
    .concat()
}

const OPTIONS: &[&str] = &[
    "--site-host",
    "site.test",
    "--outlink-path",
    "/out",
    "--goal-path",
    "/thanks*",
];

fn report(log: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "report",
        log.to_str().unwrap(),
        "--csv",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(OPTIONS);
    args.extend_from_slice(extra);
    let run = common::run(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A CSV's rows (header left out), as a set of lines.
fn rows(dir: &Path, table: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(dir.join(format!("{table}.csv"))).unwrap();
    text.lines().skip(1).map(str::to_string).collect()
}

fn set(lines: &[&str]) -> BTreeSet<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn every_transition_path_and_goal_of_a_small_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("small.log");
    fs::write(&log, hand_log()).unwrap();
    let out = dir.path().join("out");
    report(&log, &out, &["--min-visitors", "1"]);
    let header = |t: &str| {
        let text = fs::read_to_string(out.join(format!("{t}.csv"))).unwrap();
        text.lines().next().unwrap().to_string()
    };
    assert_eq!(
        header("transitions"),
        "from_page,to_page,transitions,visitor_days"
    );
    assert_eq!(
        rows(&out, "transitions"),
        set(&[
            "(direct),/,1,1",
            "(direct),/pricing,1,1",
            "(entrance) news.example,/,1,1",
            "(entrance) www.google.com,/,1,1",
            "/,/pricing,2,2",
            "/,(exit),1,1",
            "/pricing,(download) /files/a.pdf,1,1",
            "/pricing,(exit),1,1",
            "/pricing,/pricing,1,1",
            "/pricing,/thanks,2,2",
            "/thanks,(outlink) https://partner.example/x,1,1",
            "/thanks,(exit),1,1",
            "/thanks,/about,1,1",
            "/about,(exit),1,1",
        ])
    );
    assert_eq!(
        header("paths"),
        "path,visits,conversions,bounces,visitor_days"
    );
    assert_eq!(
        rows(&out, "paths"),
        set(&[
            "/ > /pricing > /thanks,1,1,0,1",
            "/pricing,1,0,1,1",
            "/,1,0,1,1",
            "/ > /pricing > /pricing > /thanks > (more),1,1,0,1",
        ])
    );
    assert_eq!(
        header("goals"),
        "goal,via,source,conversions,visits,conversion_rate,visitor_days"
    );
    assert_eq!(
        rows(&out, "goals"),
        set(&[
            "/thanks*,(all),(all),2,4,0.50,2",
            "/thanks*,entry_page,/,2,3,0.67,2",
            "/thanks*,referrer_site,news.example,1,1,1.00,1",
            "/thanks*,referrer_site,www.google.com,1,1,1.00,1",
        ])
    );
    // The first rows: by count, then by key.
    let text = fs::read_to_string(out.join("transitions.csv")).unwrap();
    assert_eq!(text.lines().nth(1), Some("/,/pricing,2,2"));
    // A shorter --path-depth cuts the long visit and marks it.
    let short = dir.path().join("short");
    report(&log, &short, &["--min-visitors", "1", "--path-depth", "2"]);
    let paths = rows(&short, "paths");
    assert!(paths.contains("/ > /pricing > (more),2,2,0,2"), "{paths:?}");
    // Without --goal-path there is no goals table, and nothing converts.
    let plain = dir.path().join("plain");
    let run = common::run(&[
        "report",
        log.to_str().unwrap(),
        "--csv",
        plain.to_str().unwrap(),
        "--min-visitors",
        "1",
    ]);
    assert!(run.status.success());
    assert!(!plain.join("goals.csv").exists());
    assert!(rows(&plain, "paths").iter().all(|r| r.contains(",0,")));
}

#[test]
fn rows_of_fewer_visitors_fold_and_the_summary_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("small.log");
    fs::write(&log, hand_log()).unwrap();
    let out = dir.path().join("out");
    report(&log, &out, &["--min-visitors", "2"]);
    // Only the moves of two distinct visitors stay; the 12 others (12 moves) sum into (other).
    assert_eq!(
        rows(&out, "transitions"),
        set(&[
            "/,/pricing,2,2",
            "/pricing,/thanks,2,2",
            "(other),(other),12,12"
        ])
    );
    let summary = rows(&out, "summary");
    assert!(summary.contains("folded_transitions,12"), "{summary:?}");
    assert!(summary.contains("folded_paths,4"), "{summary:?}");
    // The goal's own row never folds; entry page / was the entry of 2 converting visitors.
    let goals = rows(&out, "goals");
    assert!(
        goals.contains("/thanks*,(all),(all),2,4,0.50,2"),
        "{goals:?}"
    );
    assert!(
        goals.contains("/thanks*,entry_page,/,2,3,0.67,2"),
        "{goals:?}"
    );
}

#[test]
fn bad_clickstream_options_are_usage_errors() {
    for args in [
        &["--path-depth", "0"][..],
        &["--path-depth", "11"],
        &["--goal-path", "/a["],
        &["--goal-path", "/a", "--goal-path", "/a"],
        &["--table", "goals"],
    ] {
        let mut all = vec!["report"];
        all.extend_from_slice(args);
        let out = common::logveil(&all, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("logveil: ") && err.lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn clickstream_outputs_hold_no_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("planted.log");
    let token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0e9f8d7c6";
    let mut text = hand_log();
    for (i, ip) in ["192.168.100.50", "172.16.254.3"].iter().enumerate() {
        let when = format!("03/Dec/2026:1{i}:00:00");
        text += &line(
            ip,
            &when,
            "/user/jane.doe@example.com/settings",
            200,
            &format!("https://mail.example/read?to=jane.doe@example.com&ip={ip}"),
        );
        let when = format!("03/Dec/2026:1{i}:01:00");
        text += &line(ip, &when, &format!("/reset/{token}"), 200, "-");
        let when = format!("03/Dec/2026:1{i}:02:00");
        text += &line(
            ip,
            &when,
            &format!(
                "/out?url=https%3A%2F%2Fx.example%2Fu%2Fjane.doe%40example.com%3Fsid%3D{token}"
            ),
            302,
            "-",
        );
        let when = format!("03/Dec/2026:1{i}:03:00");
        text += &line(ip, &when, "/thanks/jane.doe@example.com", 200, "-");
    }
    fs::write(&log, &text).unwrap();
    let out = dir.path().join("out");
    let json = dir.path().join("r.json");
    let html = dir.path().join("r.html");
    let partial = dir.path().join("p.partial");
    report(
        &log,
        &out,
        &[
            "--min-visitors",
            "1",
            "--json",
            json.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--partial",
            partial.to_str().unwrap(),
        ],
    );
    let mut outputs: Vec<(String, Vec<u8>)> = ["transitions", "paths", "goals"]
        .iter()
        .map(|t| {
            (
                t.to_string(),
                fs::read(out.join(format!("{t}.csv"))).unwrap(),
            )
        })
        .collect();
    for f in [&json, &html, &partial] {
        outputs.push((f.display().to_string(), fs::read(f).unwrap()));
    }
    // The planted rows made it into the tables (so the scan below scans them).
    let transitions = String::from_utf8(outputs[0].1.clone()).unwrap();
    assert!(transitions.contains("/reset/"), "{transitions}");
    assert!(
        transitions.contains("(outlink) https://x.example/u/"),
        "{transitions}"
    );
    for (name, bytes) in &outputs {
        common::assert_no_ipv4_or_email(name, bytes);
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(token), "{name} holds the token");
        assert!(!text.contains("jane.doe"), "{name} holds the mailbox");
    }
}

/// The lines of a generated log on days 1 to 3 of December 2026, from a few visitors.
fn generated() -> impl Strategy<Value = Vec<(u32, String)>> {
    let one = (
        0usize..5,
        1u32..4,
        0u32..86_400,
        0usize..8,
        0usize..4,
        prop::bool::weighted(0.1),
    );
    prop::collection::vec(one, 1..120).prop_map(|picks| {
        const PAGES: [&str; 8] = [
            "/",
            "/a",
            "/b",
            "/c",
            "/thanks",
            "/f.pdf",
            "/out?url=https%3A%2F%2Fp.example%2F",
            "/d",
        ];
        const REFS: [&str; 4] = [
            "-",
            "https://search.example/?q=x",
            "https://site.test/a",
            "https://news.example/n",
        ];
        picks
            .into_iter()
            .map(|(v, day, secs, page, r, not_found)| {
                let when = format!(
                    "{day:02}/Dec/2026:{:02}:{:02}:{:02}",
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60
                );
                let ip = format!("10.1.{v}.{}", v * 7 + 1);
                let status = if not_found { 404 } else { 200 };
                (day, line(&ip, &when, PAGES[page], status, REFS[r]))
            })
            .collect()
    })
}

fn read_tables(dir: &Path) -> Vec<(String, String)> {
    ["transitions", "paths", "goals"]
        .iter()
        .map(|t| {
            let path = dir.join(format!("{t}.csv"));
            (t.to_string(), fs::read_to_string(path).unwrap_or_default())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Merging the partials of the days of a log (in any order) gives the clickstream tables of one run
    /// over it; and a plain report, which folds rare transitions while it names them, gives the report
    /// that one writing a partial (nothing folded early) renders.
    #[test]
    fn day_partials_merge_into_the_clickstream_of_one_run(lines in generated(), reverse in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole.log");
        let text: String = lines.iter().map(|(_, l)| l.as_str()).collect();
        fs::write(&whole, &text).unwrap();
        let one = dir.path().join("one");
        report(&whole, &one, &["--min-visitors", "1"]);
        let mut parts = Vec::new();
        for day in 1..4u32 {
            let day_text: String = lines.iter().filter(|(d, _)| *d == day).map(|(_, l)| l.as_str()).collect();
            if day_text.is_empty() {
                continue;
            }
            let log = dir.path().join(format!("{day}.log"));
            fs::write(&log, &day_text).unwrap();
            let partial = dir.path().join(format!("{day}.partial"));
            let csv = dir.path().join(format!("{day}.csv"));
            report(&log, &csv, &["--min-visitors", "1", "--partial", partial.to_str().unwrap()]);
            parts.push(partial.to_str().unwrap().to_string());
        }
        if reverse {
            parts.reverse();
        }
        let merged = dir.path().join("merged");
        let mut args = vec!["merge", "--min-visitors", "1", "--csv", merged.to_str().unwrap()];
        args.extend(parts.iter().map(String::as_str));
        let run = common::run(&args);
        prop_assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        prop_assert_eq!(read_tables(&merged), read_tables(&one));

        let early = dir.path().join("early");
        report(&whole, &early, &["--min-visitors", "2"]);
        let late = dir.path().join("late");
        let partial = dir.path().join("late.partial");
        report(&whole, &late, &["--min-visitors", "2", "--partial", partial.to_str().unwrap()]);
        for t in logveil::report::TABLE_NAMES {
            let a = fs::read_to_string(early.join(format!("{t}.csv"))).unwrap_or_default();
            let b = fs::read_to_string(late.join(format!("{t}.csv"))).unwrap_or_default();
            prop_assert_eq!(a, b, "{}", t);
        }
    }
}
