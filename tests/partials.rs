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
    "weekday_hours",
    "days",
    "weeks",
    "months",
    "status",
    "not_found",
    "requests",
    "bots",
    "campaigns",
];

fn ok(args: &[&str]) -> std::process::Output {
    common::run_ok(args)
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

/// Merging the day partials gives every table of one partial of all days, byte for byte (with one sketch
/// key, the estimated visitors too), in any order, when no row is folded (`--min-visitors 1`; with
/// folding, merge folds more: see `merge_folds_at_least_what_one_report_folds`); and every table of one
/// report over all days, except that one run counts distinct visitors over days exactly where the merge
/// estimates them, within the sketch's error.
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
        "--min-visitors",
        "1",
    ]);
    let whole_partial = d.dir.path().join("whole.partial");
    ok(&[
        "report",
        s(&d.whole),
        "--partial",
        s(&whole_partial),
        "--sketch-key",
        s(&d.key),
    ]);
    let merged_whole = d.dir.path().join("merged-whole");
    merge(&[whole_partial], &merged_whole, &["--min-visitors", "1"]);
    let want = tables(&merged_whole);
    let parts = partials(&d, true, "k");
    let fwd = d.dir.path().join("fwd");
    merge(&parts, &fwd, &["--min-visitors", "1"]);
    assert_eq!(tables(&fwd), want);
    let mut rev = parts.clone();
    rev.reverse();
    rev.rotate_left(1);
    let back = d.dir.path().join("back");
    merge(&rev, &back, &["--min-visitors", "1"]);
    assert_eq!(tables(&back), want);
    let exact = tables(&whole);
    assert_eq!(without_visitors(&exact), without_visitors(&want));
    // The estimate is near the exact count, which is at most the visitor-days.
    let get = |t: &BTreeMap<&str, String>, k: &str| -> u64 {
        t["summary"]
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k},")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (estimate, counted) = (get(&want, "visitors_estimated"), get(&exact, "visitors"));
    assert!(counted > 0 && counted <= get(&exact, "visitor_days"));
    assert!(
        estimate.abs_diff(counted) * 20 <= counted.max(20),
        "{estimate} vs {counted}"
    );
}

/// The tables without the distinct visitors over days (the summary's `visitors` or `visitors_estimated`
/// row, the fifth column of `weeks` and `months`): what one run and a merge give alike.
fn without_visitors(tables: &BTreeMap<&'static str, String>) -> BTreeMap<&'static str, String> {
    let mut out = tables.clone();
    for (name, csv) in out.iter_mut() {
        *csv = csv
            .lines()
            .filter(|l| {
                *name != "summary"
                    || !(l.starts_with("visitors,") || l.starts_with("visitors_estimated,"))
            })
            .map(|l| {
                if ["weeks", "months"].contains(name) {
                    let mut c: Vec<&str> = l.split(',').collect();
                    c.remove(4);
                    c.join(",")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    out
}

/// Without a shared sketch key the additive tables are still exact; the estimates that would need joining
/// sketches of different runs are left empty.
#[test]
fn without_a_sketch_key_additive_tables_match_and_estimates_are_empty() {
    let d = split_by_day();
    let whole = d.dir.path().join("whole");
    ok(&[
        "report",
        s(&d.whole),
        "--csv",
        s(&whole),
        "--min-visitors",
        "1",
    ]);
    let parts = partials(&d, false, "r");
    let merged = d.dir.path().join("merged");
    merge(&parts, &merged, &["--min-visitors", "1"]);
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
            .filter(|l| !l.starts_with("visitors_estimated,") && !l.starts_with("visitors,"))
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
    let mut args = vec!["merge"];
    args.extend(twice.iter().map(|p| s(p)));
    args.extend(["--csv", s(&added), "--overlap", "add"]);
    let warned = ok(&args);
    let date = tables(&once)["days"].lines().nth(2).unwrap()[..10].to_string();
    let err = String::from_utf8_lossy(&warned.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("day {date} added")) && err.contains("upper bounds"),
        "{err}"
    );
    args.push("--quiet");
    assert!(ok(&args).stderr.is_empty());
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
            text.replacen(
                &format!("\"version\":{}", logveil::report::PARTIAL_VERSION),
                "\"version\":99",
                1,
            ),
            "version 99",
        ),
        (
            "log",
            fs::read_to_string(&d.files[0]).unwrap(),
            "not a partial (made by `logveil report --partial`)",
        ),
        (
            "json",
            "{\"schema\":\"something-else\"}\n".to_string(),
            "not a partial (made by `logveil report --partial`)",
        ),
        (
            "field",
            text.replacen("\"hits\":", "\"hits\":\"x\",\"h\":", 1),
            "corrupt",
        ),
        ("empty", String::new(), "empty"),
        // Counts no log can make: refused, so no sum of a merge can overflow.
        (
            "huge",
            text.replacen("\"hits\":", "\"hits\":18446744073709551615,\"h\":", 1),
            "above 281474976710656",
        ),
        (
            "negative",
            text.replacen("\"hits\":", "\"hits\":-1,\"h\":", 1),
            "negative",
        ),
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

/// Lines planting identifiers in every field a report reads, on two days.
const PLANTED: &str = "\
203.0.113.77 - - [21/Nov/2026:09:00:00 +0000] \"GET /account/jane.doe@example.com/orders?session=8f14e45fceea167a5a36dedd4bea2543 HTTP/1.1\" 200 900 \"https://mail.example.org/read?to=jane.doe@example.com&sid=0cc175b9c0f1b6a831c399e269772661\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0 contact bob@example.net\"
203.0.113.77 - - [21/Nov/2026:09:01:00 +0000] \"GET /search?q=jane.doe@example.com+198.51.100.23 HTTP/1.1\" 200 900 \"https://www.google.com/search?q=call+jane.doe@example.com\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
198.51.100.23 - - [21/Nov/2026:10:00:00 +0000] \"GET /reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U HTTP/1.1\" 200 100 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1\"
198.51.100.23 - - [21/Nov/2026:10:00:30 +0000] \"GET /files/report-4111111111111111.pdf HTTP/1.1\" 200 5000 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1\"
198.51.100.23 - - [21/Nov/2026:10:01:00 +0000] \"GET /missing/jane.doe@example.com HTTP/1.1\" 404 100 \"-\" \"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1\"
203.0.113.77 - - [22/Nov/2026:08:00:00 +0000] \"GET /?utm_source=jane.doe@example.com&utm_medium=mail&utm_campaign=8f14e45fceea167a5a36dedd4bea2543 HTTP/1.1\" 200 900 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
203.0.113.77 - - [22/Nov/2026:08:00:10 +0000] \"GET /out?url=https%3A%2F%2Fpartner.example.net%2Fu%2Fjane.doe%40example.com%3Ftoken%3D0cc175b9c0f1b6a831c399e269772661 HTTP/1.1\" 302 0 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
";

/// What a partial or a merged output must not hold: full IPv4s, emails (common's scanners), the planted
/// values, and anything `logveil check` reports (tokens, JWTs, card numbers).
fn assert_clean(name: &str, bytes: &[u8]) {
    common::assert_no_ipv4_or_email(name, bytes);
    let text = String::from_utf8_lossy(bytes);
    for secret in [
        "203.0.113.77",
        "198.51.100.23",
        "jane",
        "bob@",
        "8f14e45fceea167a5a36dedd4bea2543",
        "0cc175b9c0f1b6a831c399e269772661",
        "eyJhbGciOiJIUzI1NiJ9",
        "4111111111111111",
        "s3cr3t",
    ] {
        assert!(!text.contains(secret), "{name} holds {secret}");
    }
    let check = common::run_with_stdin(&["check"], bytes);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// A partial, the report written beside it and every output of `merge` (CSV, JSON, stderr) hold no IP,
/// email, token or planted value, with rare rows unfolded (`--min-visitors 1`), on planted lines, a small
/// hand-made log with secrets and a real log.
#[test]
fn partials_and_merged_outputs_hold_no_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let planted = dir.path().join("planted.log");
    fs::write(&planted, PLANTED).unwrap();
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-small.log");
    let real = common::corpus("combined-elastic-apache_logs.log");
    let key = dir.path().join("sketch.key");
    ok(&["keygen", s(&key)]);
    let mut parts = Vec::new();
    for (i, log) in [&planted, &small, &real].into_iter().enumerate() {
        let part = dir.path().join(format!("{i}.partial"));
        let csv = dir.path().join(format!("report{i}"));
        let run = ok(&[
            "report",
            s(log),
            "--partial",
            s(&part),
            "--csv",
            s(&csv),
            "--min-visitors",
            "1",
            "--sketch-key",
            s(&key),
        ]);
        assert_clean("report stderr", &run.stderr);
        let bytes = fs::read(&part).unwrap();
        assert!(bytes.len() > 1000, "a real partial");
        assert_clean(&format!("{i}.partial"), &bytes);
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    let json = dir.path().join("merged.json");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| s(p)));
    args.extend([
        "--csv",
        s(&merged),
        "--json",
        s(&json),
        "--min-visitors",
        "1",
    ]);
    let run = ok(&args);
    assert_clean("merge stderr", &run.stderr);
    assert_clean("merged.json", &fs::read(&json).unwrap());
    let tables = tables(&merged);
    assert!(tables["pages"].lines().count() > 100, "rows of every input");
    for (t, csv) in tables {
        assert_clean(&format!("merged {t}.csv"), csv.as_bytes());
    }
}

/// Nothing in a partial depends on the visitor key or the sketch key but the sketch registers and the key's
/// fingerprint: two runs on one log under different random keys write the same partial otherwise. So no
/// visitor hash, day key or keyed id is serialised; and no number is as large as a 64-bit hash.
#[test]
fn a_partial_serialises_nothing_keyed_but_the_sketches() {
    let log = common::corpus("combined-elastic-apache_logs.log");
    let strip = |v: &mut serde_json::Value| -> Vec<serde_json::Value> {
        let o = v.as_object_mut().unwrap();
        o.remove("written").unwrap();
        o.remove("sketch_key_id").unwrap();
        o["days"]
            .as_object_mut()
            .unwrap()
            .values_mut()
            .map(|d| d.as_object_mut().unwrap().remove("sketch").unwrap())
            .collect()
    };
    let partial = || -> serde_json::Value {
        let out = ok(&["report", s(&log), "--partial", "-"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (mut a, mut b) = (partial(), partial());
    let (sa, sb) = (strip(&mut a), strip(&mut b));
    assert_eq!(sa.len(), 4);
    assert_ne!(sa, sb, "the sketches are keyed, and the keys differ");
    assert_eq!(a, b, "something besides the sketches depends on the keys");
    fn numbers(v: &serde_json::Value, out: &mut Vec<u64>) {
        match v {
            serde_json::Value::Number(n) => out.push(n.as_u64().unwrap()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    numbers(&a, &mut all);
    assert!(all.len() > 1000);
    assert!(all.iter().all(|&n| n < 1 << 40), "a hash-sized number");
}

/// `--since`/`--until` and `--ip-mode` hold in the partial: merging it renders the run's own report (the
/// excluded lines in the summary, truncated networks: never a pseudonym, even under `pseudonymize`).
#[test]
fn a_partial_honours_since_until_and_the_ip_mode() {
    let d = split_by_day();
    let ip_key = d.dir.path().join("ip.key");
    ok(&["keygen", s(&ip_key)]);
    let report = d.dir.path().join("report");
    let part = d.dir.path().join("range.partial");
    ok(&[
        "report",
        s(&d.whole),
        "--since",
        "2015-05-18",
        "--until",
        "2015-05-20",
        "--ip-mode",
        "pseudonymize",
        "--key-file",
        s(&ip_key),
        "--csv",
        s(&report),
        "--partial",
        s(&part),
        "--sketch-key",
        s(&d.key),
        // Every network shown, to check none is a pseudonym.
        "--min-visitors",
        "1",
    ]);
    let merged = d.dir.path().join("merged");
    merge(&[part], &merged, &["--min-visitors", "1"]);
    let (want, got) = (tables(&report), tables(&merged));
    assert_eq!(without_visitors(&got), without_visitors(&want));
    let summary = &got["summary"];
    for row in ["excluded_before_since,", "excluded_after_until,"] {
        let n: u64 = summary
            .lines()
            .find_map(|l| l.strip_prefix(row))
            .unwrap()
            .parse()
            .unwrap();
        assert!(n > 0, "{row}");
    }
    let days: Vec<&str> = got["days"].lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(days, ["2015-05-18", "2015-05-19"]);
    assert!(got["networks"].lines().count() > 1);
    for row in got["networks"].lines().skip(1) {
        let network = row.split(',').next().unwrap();
        assert!(network.ends_with(".0.0"), "not a /16 network: {row}");
        let first: u8 = network.split('.').next().unwrap().parse().unwrap();
        assert!(first < 240, "a pseudonym: {row}");
    }
}

/// The new options work from `--config` like every other: `partial` and `sketch-key` under `[report]`,
/// `overlap`, `csv` and `quiet` under `[merge]`.
#[test]
fn partial_and_merge_options_come_from_the_config_file() {
    let d = split_by_day();
    let conf = d.dir.path().join("logveil.toml");
    let part = d.dir.path().join("{date}.partial");
    let out = d.dir.path().join("stats");
    fs::write(
        &conf,
        format!(
            "[report]\npartial = {:?}\nsketch-key = {:?}\n[merge]\noverlap = \"add\"\ncsv = {:?}\nquiet = true\n",
            s(&part),
            s(&d.key),
            s(&out)
        ),
    )
    .unwrap();
    for since in ["2015-05-18", "2015-05-19"] {
        ok(&[
            "report",
            "--config",
            s(&conf),
            s(&d.whole),
            "--since",
            since,
            "--until",
            "2015-05-20",
        ]);
    }
    let p18 = d.dir.path().join("2015-05-18.partial");
    let p19 = d.dir.path().join("2015-05-19.partial");
    // 2015-05-19 is in both: the file says add, quietly.
    let run = ok(&["merge", "--config", s(&conf), s(&p18), s(&p19)]);
    assert!(
        run.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("days.csv").exists());
    // The command line wins over the file.
    let run = common::run(&[
        "merge",
        "--config",
        s(&conf),
        s(&p18),
        s(&p19),
        "--overlap",
        "error",
    ]);
    assert_eq!(run.status.code(), Some(65));
}

/// The tables whose rare rows fold, with the number of key columns and the summary row counting them.
const FOLDED: &[(&str, usize, &str)] = &[
    ("pages", 1, "folded_pages"),
    ("entry_pages", 1, "folded_entry_pages"),
    ("exit_pages", 1, "folded_exit_pages"),
    ("referrer_sites", 1, "folded_referrer_sites"),
    ("referrer_pages", 1, "folded_referrer_pages"),
    ("search_engines", 2, "folded_search_keywords"),
    ("search_terms", 1, "folded_search_terms"),
    ("downloads", 1, "folded_downloads"),
    ("outlinks", 1, "folded_outlinks"),
    ("networks", 1, "folded_networks"),
    ("not_found", 1, "folded_not_found"),
    ("campaigns", 3, "folded_campaigns"),
];

/// The rows of a CSV table other than `(other)`, by their first `cols` cells.
fn shown(csv: &str, cols: usize) -> std::collections::BTreeSet<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').take(cols).collect::<Vec<_>>().join(","))
        .filter(|k| !k.split(',').any(|c| c == "(other)"))
        .collect()
}

/// A summary row as a number.
fn metric(summary: &str, name: &str) -> u64 {
    summary
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name},")))
        .unwrap_or_else(|| panic!("no {name} in the summary"))
        .parse()
        .unwrap()
}

/// Partials of different runs hash a person differently, so `merge` folds by the largest distinct count
/// of one partial: a lower bound. It shows only rows one report over all the logs shows, and folds at
/// least as many; one partial merges into exactly its own report, folding included; a version-1
/// partial (no run-wide counts) still merges, folding by its days' visitors.
#[test]
fn merge_folds_at_least_what_one_report_folds() {
    let d = split_by_day();
    let whole = d.dir.path().join("whole");
    let part = d.dir.path().join("whole.partial");
    ok(&[
        "report",
        s(&d.whole),
        "--csv",
        s(&whole),
        "--partial",
        s(&part),
        "--sketch-key",
        s(&d.key),
    ]);
    let want = tables(&whole);
    assert_eq!(metric(&want["summary"], "min_visitors"), 5, "the default K");
    let parts = partials(&d, true, "f");
    let merged = d.dir.path().join("merged");
    merge(&parts, &merged, &[]);
    let got = tables(&merged);
    assert_eq!(
        metric(&got["summary"], "min_visitors"),
        5,
        "merge's default K"
    );
    let mut more = 0;
    for (t, cols, folded) in FOLDED {
        let (g, w) = (shown(&got[t], *cols), shown(&want[t], *cols));
        assert!(g.is_subset(&w), "{t}: merge shows {:?}", g.difference(&w));
        let (fg, fw) = (
            metric(&got["summary"], folded),
            metric(&want["summary"], folded),
        );
        assert!(fg >= fw, "{folded}: {fg} < {fw}");
        more += fg - fw;
    }
    assert!(
        more > 0,
        "rows public over four days but not on any one of them"
    );
    // Everything but the folded tables is the same.
    for t in ["days", "status", "browsers", "hours", "bots"] {
        assert_eq!(got[t], want[t], "{t}.csv");
    }

    let one = d.dir.path().join("one");
    merge(std::slice::from_ref(&part), &one, &[]);
    assert_eq!(without_visitors(&tables(&one)), without_visitors(&want));

    let mut v1: serde_json::Value = serde_json::from_slice(&fs::read(&part).unwrap()).unwrap();
    let o = v1.as_object_mut().unwrap();
    assert!(o.remove("visitors").is_some() && o.remove("visitors_cap").is_some());
    o.insert("version".into(), 1.into());
    let old = d.dir.path().join("v1.partial");
    fs::write(&old, serde_json::to_string(&v1).unwrap() + "\n").unwrap();
    let from_old = d.dir.path().join("from_old");
    merge(&[old], &from_old, &[]);
    let got = tables(&from_old);
    assert_eq!(got["days"], want["days"]);
    for (t, cols, _) in FOLDED {
        assert!(
            shown(&got[t], *cols).is_subset(&shown(&want[t], *cols)),
            "{t}"
        );
    }
}

/// A hand-made combined line.
fn line(ip: &str, day: u32, path: &str, ua: &str) -> String {
    format!(
        "{ip} - - [{day:02}/Nov/2026:10:00:00 +0000] \"GET {path} HTTP/1.1\" 200 100 \"https://ref.example.org/x\" \"{ua}\"\n"
    )
}

/// One person on five nights is one visitor: nightly partials merged keep the row folded. Five people on
/// five nights (one a night) are shown by one report over the five logs, but not by the merge of the
/// nightly partials, which cannot tell them from one person (the documented limit); `--min-visitors 1`
/// shows both.
#[test]
fn nightly_partials_fold_one_person_and_cannot_prove_five() {
    let dir = tempfile::tempdir().unwrap();
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
    let mut all = String::new();
    let mut parts = Vec::new();
    for night in 0..5u32 {
        let mut log = line("10.7.7.7", 10 + night, "/lonely", ua);
        log += &line(&format!("10.8.{night}.1"), 10 + night, "/five-nights", ua);
        all += &log;
        let f = dir.path().join(format!("n{night}.log"));
        fs::write(&f, &log).unwrap();
        let p = dir.path().join(format!("n{night}.partial"));
        ok(&["report", s(&f), "--partial", s(&p)]);
        parts.push(p);
    }
    let whole_log = dir.path().join("all.log");
    fs::write(&whole_log, &all).unwrap();
    let whole = ok(&["report", s(&whole_log), "--table", "pages"]);
    let whole = String::from_utf8(whole.stdout).unwrap();
    assert!(whole.contains("\n/five-nights,5,5,"), "{whole}");
    assert!(!whole.contains("/lonely"), "{whole}");

    let merged = dir.path().join("merged");
    merge(&parts, &merged, &[]);
    let got = tables(&merged);
    assert!(!got["pages"].contains("/lonely") && !got["pages"].contains("/five-nights"));
    assert_eq!(metric(&got["summary"], "folded_pages"), 2);
    let open = dir.path().join("open");
    merge(&parts, &open, &["--min-visitors", "1"]);
    let got = tables(&open);
    assert!(
        got["pages"].contains("\n/lonely,5,5,") && got["pages"].contains("\n/five-nights,5,5,")
    );
}

/// Shards of a sharded job (`report --emit-events`, `--from-events`, docs/SCALE.md): merged, they give the
/// report of the whole log, exact visitors over weeks and months included; a shard missing or given twice
/// is refused, naming the shard.
#[test]
fn the_shards_of_a_job_merge_into_the_report_of_the_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log = common::sample("apache-combined-elastic.log");
    let job = d.join("job.key");
    ok(&["keygen", s(&job)]);
    let events = d.join("events");
    ok(&[
        "report",
        s(&log),
        "-q",
        "--emit-events",
        s(&events),
        "--job-key",
        s(&job),
        "--shards",
        "3",
    ]);
    let text = fs::read_to_string(&events).unwrap();
    let mut shards = Vec::new();
    for i in 0..3 {
        let own: String = text
            .lines()
            .filter(|l| l.starts_with(&format!("{i}\t")))
            .map(|l| format!("{l}\n"))
            .collect();
        let ev = d.join(format!("shard{i}.events"));
        fs::write(&ev, own).unwrap();
        let partial = d.join(format!("shard{i}.partial"));
        ok(&[
            "report",
            "--from-events",
            s(&ev),
            "-q",
            "--partial",
            s(&partial),
        ]);
        shards.push(partial);
    }
    let direct = d.join("direct");
    ok(&["report", s(&log), "-q", "--csv", s(&direct)]);
    let merged = d.join("merged");
    merge(&shards, &merged, &[]);
    assert_eq!(tables(&direct), tables(&merged));
    assert!(!tables(&merged)["weeks"].contains("visitors_estimated"));

    let out = common::run(&[
        "merge",
        s(&shards[0]),
        s(&shards[2]),
        "--csv",
        s(&d.join("x")),
    ]);
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shard 1 of 3 of job") && err.contains("missing"),
        "{err}"
    );
    let out = common::run(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
        s(&shards[1]),
        "--csv",
        s(&d.join("y")),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("given twice"));
    // A log given to --from-events is not an event stream.
    let out = common::run(&[
        "report",
        "--from-events",
        s(&log),
        "-q",
        "--csv",
        s(&d.join("z")),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an event stream"));
}

/// A partial longer than a log line may be (over 1 MiB: a busy month's pages) merges like any other.
#[test]
fn a_partial_over_a_mebibyte_merges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log: String = (0..20_000)
        .map(|i| {
            format!(
                "10.{}.{}.{} - - [23/Nov/2026:10:{:02}:00 +0000] \"GET /page/{i}/a-long-enough-slug HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 Firefox/120.0\"\n",
                i % 200,
                i / 200 % 200,
                i % 250 + 1,
                i % 60
            )
        })
        .collect();
    let path = d.join("big.log");
    fs::write(&path, log).unwrap();
    let partial = d.join("big.partial");
    ok(&["report", s(&path), "-q", "--partial", s(&partial)]);
    assert!(fs::metadata(&partial).unwrap().len() > 1 << 20);
    let out = d.join("merged");
    merge(&[partial], &out, &[]);
    assert!(tables(&out)["summary"].contains("hits,20000"));
}
