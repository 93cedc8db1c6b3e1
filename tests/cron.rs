//! Nightly runs: rotated log sets in any order, `--since`/`--until`, and `{date}` in output paths.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use logveil::report::TABLE_NAMES as TABLES;

fn ok(args: &[&str]) {
    let out = common::run(args);
    assert!(
        out.status.success(),
        "logveil {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tables(dir: &Path) -> BTreeMap<&'static str, String> {
    TABLES
        .iter()
        // The place tables appear only with --geoip, goals only with --goal-path.
        .filter(|t| !["countries", "regions", "asn", "goals"].contains(t))
        .map(|t| {
            (
                *t,
                fs::read_to_string(dir.join(format!("{t}.csv"))).unwrap(),
            )
        })
        .collect()
}

fn summary(dir: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(dir.join("summary.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let (k, v) = l.split_once(',').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn num(s: &BTreeMap<String, String>, k: &str) -> u64 {
    s[k].parse().unwrap()
}

/// A rotated set (`access.log.2.gz`, `access.log.1`, `access.log`) given in any order gives the report of
/// the unrotated log.
#[test]
fn rotated_set_in_any_order_gives_the_same_report() {
    let text = fs::read(common::corpus("combined-elastic-apache_logs.log")).unwrap();
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let third = lines.len() / 3;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(d.join("access.log.2.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(&lines[..third].concat()).unwrap();
    gz.finish().unwrap();
    fs::write(d.join("access.log.1"), lines[third..2 * third].concat()).unwrap();
    fs::write(d.join("access.log"), lines[2 * third..].concat()).unwrap();
    // One sketch key for every run (no longer needed: distinct visitors over days are counted exactly,
    // so the output is the same under any key).
    let key = d.join("sketch.key");
    ok(&["keygen", key.to_str().unwrap()]);
    let whole = d.join("whole");
    ok(&[
        "report",
        common::corpus("combined-elastic-apache_logs.log")
            .to_str()
            .unwrap(),
        "--csv",
        whole.to_str().unwrap(),
        "--sketch-key",
        key.to_str().unwrap(),
    ]);
    let want = tables(&whole);
    for (i, order) in [
        ["access.log.2.gz", "access.log.1", "access.log"],
        ["access.log.2.gz", "access.log", "access.log.1"],
        ["access.log", "access.log.1", "access.log.2.gz"],
    ]
    .iter()
    .enumerate()
    {
        let out = d.join(format!("out{i}"));
        let mut args = vec!["report".to_string()];
        args.extend(
            order
                .iter()
                .map(|f| d.join(f).to_string_lossy().into_owned()),
        );
        args.extend(["--csv".to_string(), out.to_string_lossy().into_owned()]);
        args.extend([
            "--sketch-key".to_string(),
            key.to_string_lossy().into_owned(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&args);
        assert_eq!(tables(&out), want, "order {order:?}");
    }
}

/// `--since D --until D+1` keeps exactly day D (as in the full report), and the summary accounts for every
/// line: the others are counted as excluded before or after.
#[test]
fn since_until_keep_one_day_and_count_the_rest() {
    let log = common::corpus("combined-elastic-apache_logs.log");
    let log = log.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all");
    ok(&["report", log, "--csv", all.to_str().unwrap()]);
    let days = fs::read_to_string(all.join("days.csv")).unwrap();
    let rows: Vec<Vec<&str>> = days
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.len() >= 3);
    let (day, next) = (rows[1][0], rows[2][0]);
    let one = dir.path().join("one");
    ok(&[
        "report",
        log,
        "--since",
        day,
        "--until",
        next,
        "--csv",
        one.to_str().unwrap(),
    ]);
    let one_days = fs::read_to_string(one.join("days.csv")).unwrap();
    assert_eq!(
        one_days,
        format!(
            "date,hits,page_views,visitors,visits,bytes\n{}\n",
            rows[1].join(",")
        )
    );
    let s = summary(&one);
    let hits = |r: &[Vec<&str>]| r.iter().map(|r| r[1].parse::<u64>().unwrap()).sum::<u64>();
    assert_eq!(num(&s, "excluded_before_since"), hits(&rows[..1]));
    assert_eq!(num(&s, "excluded_after_until"), hits(&rows[2..]));
    assert_eq!(
        num(&s, "lines"),
        num(&s, "parsed") + num(&s, "unparsed") + num(&s, "blank")
    );
    assert_eq!(
        num(&s, "parsed"),
        num(&s, "hits")
            + num(&s, "opted_out")
            + num(&s, "excluded_before_since")
            + num(&s, "excluded_after_until")
    );
    assert_eq!(s["first_day"], day);
    assert_eq!(s["last_day"], day);
}

/// `today`/`yesterday` are the machine's date: a 2015 log lies entirely before today; `{date}` in an output
/// path becomes the date of `--since`.
#[test]
fn today_yesterday_and_date_placeholder() {
    let log = common::corpus("combined-elastic-apache_logs.log");
    let log = log.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let today = dir.path().join("today");
    ok(&[
        "report",
        log,
        "--since",
        "today",
        "--csv",
        today.to_str().unwrap(),
    ]);
    let s = summary(&today);
    assert_eq!(num(&s, "hits"), 0);
    assert_eq!(num(&s, "excluded_before_since"), num(&s, "parsed"));
    let until = dir.path().join("until");
    ok(&[
        "report",
        log,
        "--until",
        "yesterday",
        "--csv",
        until.to_str().unwrap(),
    ]);
    assert_eq!(num(&summary(&until), "hits"), num(&s, "parsed"));

    let pattern = dir.path().join("stats/{date}");
    ok(&[
        "report",
        log,
        "--since",
        "2015-05-18T00:00:00Z",
        "--csv",
        pattern.to_str().unwrap(),
    ]);
    let made = dir.path().join("stats/2015-05-18");
    assert_eq!(summary(&made)["first_day"], "2015-05-18");
    let out = common::run(&["report", log, "--csv", pattern.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = common::run(&["report", log, "--since", "18/May/2015"]);
    assert_eq!(out.status.code(), Some(2));
}
