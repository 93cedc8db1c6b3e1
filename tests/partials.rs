//! `report --partial` and `merge`: partials of single days merge into the report of all days, in any
//! order; overlapping days are refused or resolved as asked; broken partials give a one-line error.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

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
    "days",
    "weeks",
    "months",
    "status",
    "not_found",
    "bots",
    "campaigns",
];

fn ok(args: &[&str]) -> std::process::Output {
    let out = common::run(args);
    assert!(
        out.status.success(),
        "logveil {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tables(dir: &Path) -> BTreeMap<&'static str, String> {
    TABLES
        .iter()
        .map(|t| {
            (
                *t,
                fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap(),
            )
        })
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The corpus log split into one file per day (lines keep their order), and the whole log.
struct Days {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
    whole: PathBuf,
    key: PathBuf,
}

fn split_by_day() -> Days {
    let whole = common::corpus("combined-elastic-apache_logs.log");
    let text = fs::read_to_string(&whole).unwrap();
    let mut by_day: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines() {
        let date = line.split('[').nth(1).unwrap()[..11].to_string();
        let e = by_day.entry(date).or_default();
        e.push_str(line);
        e.push('\n');
    }
    assert!(by_day.len() >= 4, "the log spans several days");
    let dir = tempfile::tempdir().unwrap();
    let files = by_day
        .values()
        .enumerate()
        .map(|(i, lines)| {
            let p = dir.path().join(format!("day{i}.log"));
            fs::write(&p, lines).unwrap();
            p
        })
        .collect();
    let key = dir.path().join("sketch.key");
    ok(&["keygen", s(&key)]);
    Days {
        dir,
        files,
        whole,
        key,
    }
}

/// One partial per day file, with or without the shared sketch key.
fn partials(d: &Days, with_key: bool, tag: &str) -> Vec<PathBuf> {
    d.files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = d.dir.path().join(format!("{tag}{i}.partial"));
            let mut args = vec!["report", s(f), "--partial", s(&p)];
            if with_key {
                args.extend(["--sketch-key", s(&d.key)]);
            }
            ok(&args);
            p
        })
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path, extra: &[&str]) {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| s(p)));
    args.extend(["--csv", s(out)]);
    args.extend(extra);
    ok(&args);
}

/// Merging the day partials gives every table of one report over all days, byte for byte (with one sketch
/// key, the estimated visitors too), in any order.
#[test]
fn day_partials_merge_into_the_report_of_all_days_in_any_order() {
    let d = split_by_day();
    let whole = d.dir.path().join("whole");
    ok(&[
        "report",
        s(&d.whole),
        "--csv",
        s(&whole),
        "--sketch-key",
        s(&d.key),
    ]);
    let want = tables(&whole);
    let parts = partials(&d, true, "k");
    let fwd = d.dir.path().join("fwd");
    merge(&parts, &fwd, &[]);
    assert_eq!(tables(&fwd), want);
    let mut rev = parts.clone();
    rev.reverse();
    rev.rotate_left(1);
    let back = d.dir.path().join("back");
    merge(&rev, &back, &[]);
    assert_eq!(tables(&back), want);
    // The estimate is near the truth: visitors over 4 days are at most the visitor-days.
    let summary = &want["summary"];
    let get = |k: &str| -> u64 {
        summary
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k},")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(get("visitors_estimated") > 0 && get("visitors_estimated") <= get("visitor_days"));
}

/// Without a shared sketch key the additive tables are still exact; the estimates that would need joining
/// sketches of different runs are left empty.
#[test]
fn without_a_sketch_key_additive_tables_match_and_estimates_are_empty() {
    let d = split_by_day();
    let whole = d.dir.path().join("whole");
    ok(&["report", s(&d.whole), "--csv", s(&whole)]);
    let parts = partials(&d, false, "r");
    let merged = d.dir.path().join("merged");
    merge(&parts, &merged, &[]);
    let (want, got) = (tables(&whole), tables(&merged));
    for t in TABLES {
        if ["summary", "weeks", "months"].contains(t) {
            continue;
        }
        assert_eq!(got[t], want[t], "{t}.csv");
    }
    let drop_estimate = |csv: &str, col: usize| -> Vec<String> {
        csv.lines()
            .map(|l| {
                let mut c: Vec<&str> = l.split(',').collect();
                c.remove(col);
                c.join(",")
            })
            .collect()
    };
    for t in ["weeks", "months"] {
        assert_eq!(drop_estimate(&got[t], 4), drop_estimate(&want[t], 4), "{t}");
        assert!(
            got[t]
                .lines()
                .skip(1)
                .all(|l| l.split(',').nth(4) == Some(""))
        );
    }
    let summary = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| !l.starts_with("visitors_estimated,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(summary(&got["summary"]), summary(&want["summary"]));
    assert!(got["summary"].contains("\nvisitors_estimated,\n"));
}

/// A day in two partials: refused by default (naming the day and both files); `--overlap latest` keeps the
/// newer (a re-run replaces the day, no double counting); `--overlap add` adds them.
#[test]
fn a_day_seen_twice_is_refused_replaced_or_added() {
    let d = split_by_day();
    let parts = partials(&d, true, "a");
    let rerun = d.dir.path().join("rerun.partial");
    ok(&[
        "report",
        s(&d.files[1]),
        "--partial",
        s(&rerun),
        "--sketch-key",
        s(&d.key),
    ]);
    let once = d.dir.path().join("once");
    merge(&parts, &once, &[]);

    let mut twice = parts.clone();
    twice.push(rerun.clone());
    let mut args = vec!["merge"];
    args.extend(twice.iter().map(|p| s(p)));
    args.extend(["--table", "days"]);
    let out = common::run(&args);
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("a1.partial") && err.contains("rerun.partial"),
        "{err}"
    );

    let latest = d.dir.path().join("latest");
    merge(&twice, &latest, &["--overlap", "latest"]);
    assert_eq!(tables(&latest), tables(&once));
    twice.reverse();
    let latest_rev = d.dir.path().join("latest_rev");
    merge(&twice, &latest_rev, &["--overlap", "latest"]);
    assert_eq!(tables(&latest_rev), tables(&once));

    let added = d.dir.path().join("added");
    merge(&twice, &added, &["--overlap", "add"]);
    let days = |dir: &Path| -> Vec<Vec<u64>> {
        fs::read_to_string(dir.join("days.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').skip(1).map(|n| n.parse().unwrap()).collect())
            .collect()
    };
    let (one, two) = (days(&once), days(&added));
    assert_eq!(two[0], one[0]);
    assert_eq!(two[1], one[1].iter().map(|n| n * 2).collect::<Vec<_>>());
}

/// Broken partials: one-line error naming the file, exit 65 (74 when unreadable), never a panic.
#[test]
fn corrupt_truncated_and_wrong_version_partials_fail_cleanly() {
    let d = split_by_day();
    let good = d.dir.path().join("good.partial");
    ok(&["report", s(&d.files[0]), "--partial", s(&good)]);
    let text = fs::read_to_string(&good).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated", text[..text.len() / 2].to_string(), "truncated"),
        (
            "version",
            text.replacen("\"version\":1", "\"version\":99", 1),
            "version 99",
        ),
        ("log", fs::read_to_string(&d.files[0]).unwrap(), "corrupt"),
        (
            "json",
            "{\"schema\":\"something-else\"}\n".to_string(),
            "not a logveil partial",
        ),
        (
            "field",
            text.replacen("\"hits\":", "\"hits\":\"x\",\"h\":", 1),
            "corrupt",
        ),
        ("empty", String::new(), "empty"),
    ];
    for (name, content, says) in cases {
        let p = d.dir.path().join(format!("{name}.partial"));
        fs::write(&p, content).unwrap();
        let out = common::run(&["merge", s(&good), s(&p), "--table", "summary"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(&format!("{name}.partial:")), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
        assert!(!err.contains("panicked") && out.stdout.is_empty(), "{name}");
    }
    let out = common::run(&["merge", "/nonexistent/x.partial"]);
    assert_eq!(out.status.code(), Some(74));
}

/// A partial holds no full IP or email, and goes through stdout and back through stdin.
#[test]
fn partial_holds_no_identifier_and_pipes_through_stdout() {
    let log = common::corpus("combined-elastic-apache_logs.log");
    let out = ok(&["report", s(&log), "--partial", "-"]);
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 1);
    assert!(common::full_ipv4s(&out.stdout).is_empty());
    assert!(common::emails(&out.stdout).is_empty());
    let merged = common::run_with_stdin(&["merge", "-", "--table", "days"], &out.stdout);
    assert!(merged.status.success());
    let direct = ok(&["report", s(&log), "--table", "days"]);
    assert_eq!(merged.stdout, direct.stdout);
}
