//! Retention: `merge --keep-days` leaves out partials whose days are all too old (and says how many), and
//! `prune --keep-days` deletes old partials and dated report directories, and nothing it did not write.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

/// The date `days` days before today (in UTC: the machine's local date that logveil reads is at most a
/// day away, and every period here is far from the boundaries).
fn ago(days: i64) -> chrono::NaiveDate {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    epoch + chrono::Duration::days(now / 86_400 - days)
}

/// One line of a page view at noon on `date`.
fn line(date: chrono::NaiveDate, ip: &str, path: &str) -> String {
    format!(
        "{ip} - - [{} +0000] \"GET {path} HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"\n",
        date.and_hms_opt(12, 0, 0)
            .unwrap()
            .format("%d/%b/%Y:%H:%M:%S")
    )
}

fn ok(args: &[&str]) -> std::process::Output {
    common::run_ok(args)
}

/// A partial of one day's log, written to `to`.
fn partial_of(dir: &Path, dates: &[chrono::NaiveDate], to: &Path) {
    let log = dir.join("day.log");
    let text: String = dates.iter().map(|d| line(*d, "10.9.8.7", "/p")).collect();
    fs::write(&log, text).unwrap();
    ok(&[
        "report",
        log.to_str().unwrap(),
        "--partial",
        to.to_str().unwrap(),
        "-q",
    ]);
    fs::remove_file(&log).unwrap();
}

/// A report directory (`report --csv`) of one day's log.
fn report_dir_of(dir: &Path, date: chrono::NaiveDate, to: &Path) {
    let log = dir.join("day.log");
    fs::write(&log, line(date, "10.9.8.7", "/p")).unwrap();
    ok(&[
        "report",
        log.to_str().unwrap(),
        "--csv",
        to.to_str().unwrap(),
        "-q",
    ]);
    fs::remove_file(&log).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// What prune must remove.
    old: Vec<PathBuf>,
    /// What it must leave.
    kept: Vec<PathBuf>,
}

/// A tree of dated partials and reports, and files prune must not touch.
fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let work = dir.path().join("work");
    fs::create_dir_all(root.join("nested/deeper")).unwrap();
    fs::create_dir_all(&work).unwrap();
    let mut old = Vec::new();
    let mut kept = Vec::new();
    // Partials: all days old; one old and one recent day; recent; old and compressed, nested.
    let p = root.join("old.partial");
    partial_of(&work, &[ago(400), ago(399)], &p);
    old.push(p);
    let p = root.join("mixed.partial");
    partial_of(&work, &[ago(400), ago(1)], &p);
    kept.push(p);
    let p = root.join("nested/recent.partial");
    partial_of(&work, &[ago(2)], &p);
    kept.push(p);
    let plain = work.join("gz.partial");
    partial_of(&work, &[ago(500)], &plain);
    let gz = root.join("nested/deeper/older.partial.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &fs::read(&plain).unwrap()).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    old.push(gz);
    // Report directories named by date: old, recent.
    let d = root.join(ago(300).format("%Y-%m-%d").to_string());
    report_dir_of(&work, ago(300), &d);
    old.push(d);
    let d = root.join(ago(3).format("%Y-%m-%d").to_string());
    report_dir_of(&work, ago(3), &d);
    kept.push(d);
    // Not logveil's: a dated directory holding a notes file beside a summary.csv; a log; a file that
    // starts like a partial and is not one; a symbolic link to an old partial; an old report directory
    // under a name that is no date.
    let d = root.join("2001-01-01");
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join("summary.csv"), "metric,value\n").unwrap();
    fs::write(d.join("notes.txt"), "keep me\n").unwrap();
    kept.push(d.join("notes.txt"));
    kept.push(d.join("summary.csv"));
    let f = root.join("access.log");
    fs::write(&f, line(ago(900), "10.9.8.7", "/")).unwrap();
    kept.push(f);
    let f = root.join("fake.partial");
    fs::write(
        &f,
        "{\"schema\":\"logveil-partial\",\"version\":3,\"days\":{\"2001-01-01\":",
    )
    .unwrap();
    kept.push(f);
    let link = root.join("link.partial");
    std::os::unix::fs::symlink(root.join("old.partial"), &link).unwrap();
    kept.push(link);
    let d = root.join("archive-2001");
    report_dir_of(&work, ago(800), &d);
    kept.push(d.join("summary.csv"));
    Tree {
        _dir: dir,
        root,
        old,
        kept,
    }
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

#[test]
fn prune_removes_old_partials_and_dated_reports_and_nothing_else() {
    let t = tree();
    // --dry-run lists, removes nothing.
    let dry = ok(&["prune", s(&t.root), "--keep-days", "30", "--dry-run"]);
    let listed: Vec<String> = String::from_utf8(dry.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut expected: Vec<String> = t.old.iter().map(|p| s(p).to_string()).collect();
    expected.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    let err = String::from_utf8(dry.stderr).unwrap();
    assert!(
        err.contains("would remove 2 partials and 1 report directory"),
        "{err}"
    );
    assert!(err.contains("fake.partial: left alone"), "{err}");
    assert!(t.old.iter().chain(&t.kept).all(|p| exists(p)));

    let run = ok(&["prune", s(&t.root), "--keep-days", "30"]);
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(
        err.contains("removed 2 partials and 1 report directory"),
        "{err}"
    );
    assert!(err.contains("kept 3 newer"), "{err}");
    assert_eq!(String::from_utf8(run.stdout).unwrap().lines().count(), 3);
    for p in &t.old {
        assert!(!exists(p), "{} should be gone", p.display());
    }
    for p in &t.kept {
        assert!(exists(p), "{} should be left", p.display());
    }
    // The link still points at where the old partial was: it was not followed, nor removed.
    assert!(
        fs::symlink_metadata(t.root.join("link.partial"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A second run finds nothing more to remove; a long period removes nothing.
    let again = ok(&["prune", s(&t.root), "--keep-days", "30", "-q"]);
    assert!(again.stdout.is_empty() && again.stderr.is_empty());
    let long = ok(&["prune", s(&t.root), "--keep-days", "100000"]);
    assert!(long.stdout.is_empty());
}

#[test]
fn prune_refuses_what_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("file");
    fs::write(&f, "x").unwrap();
    let out = common::run(&["prune", s(&f), "--keep-days", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a directory") && err.lines().count() == 1,
        "{err}"
    );
    let missing = common::run(&["prune", s(&dir.path().join("nope")), "--keep-days", "1"]);
    assert_eq!(missing.status.code(), Some(74));
    let no_days = common::run(&["prune", s(dir.path())]);
    assert_eq!(no_days.status.code(), Some(2));
}

#[test]
fn merge_keep_days_skips_partials_of_old_days_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let old = work.join("old.partial");
    partial_of(work, &[ago(400)], &old);
    let older = work.join("older.partial");
    partial_of(work, &[ago(500), ago(499)], &older);
    let recent = work.join("recent.partial");
    partial_of(work, &[ago(2)], &recent);
    let out = work.join("out");
    let run = ok(&[
        "merge",
        s(&old),
        s(&older),
        s(&recent),
        "--keep-days",
        "30",
        "--csv",
        s(&out),
    ]);
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(err.contains("skipped 2 partials"), "{err}");
    let days = fs::read_to_string(out.join("days.csv")).unwrap();
    assert_eq!(days.lines().count(), 2, "{days}");
    assert!(days.contains(&ago(2).format("%Y-%m-%d").to_string()));
    // The same from the config file.
    let conf = work.join("logveil.toml");
    fs::write(&conf, "[merge]\nkeep-days = 30\n").unwrap();
    let out2 = work.join("out2");
    let run = ok(&[
        "merge",
        "--config",
        s(&conf),
        s(&old),
        s(&recent),
        "--csv",
        s(&out2),
    ]);
    assert!(
        String::from_utf8(run.stderr)
            .unwrap()
            .contains("skipped 1 partial ")
    );
    assert_eq!(
        fs::read_to_string(out2.join("days.csv")).unwrap(),
        days.clone()
    );
    // Nothing recent: an error, not an empty report.
    let none = common::run(&[
        "merge",
        s(&old),
        "--keep-days",
        "30",
        "--csv",
        s(&work.join("o3")),
    ]);
    assert_ne!(none.status.code(), Some(0));
    let err = String::from_utf8(none.stderr).unwrap();
    assert!(err.contains("older than --keep-days"), "{err}");
    assert!(!work.join("o3").exists());
}
