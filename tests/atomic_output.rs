//! Report outputs appear whole or not at all: a run killed half-way leaves the previous report intact, and
//! an output that cannot be written fails before any input is read.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::Signal;

fn fixture_log() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report-small.log")
        .to_string_lossy()
        .into_owned()
}

/// Every entry under `dir` (recursively), with file contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            for (k, v) in snapshot(&e.path()) {
                out.insert(format!("{name}/{k}"), v);
            }
        } else {
            out.insert(name, fs::read(e.path()).unwrap());
        }
    }
    out
}

fn temp_entries(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Starts `logveil report --csv/--json/--partial TARGET` reading stdin, waits until its temporary output
/// exists, feeds it part of a log (never closing stdin), then stops it with SIGTERM; then the same again
/// with SIGKILL. Neither run may finish.
fn kill_half_way(args: &[&str], parent: &Path) {
    for (signal, sig) in [("TERM", Signal::TERM), ("KILL", Signal::KILL)] {
        let mut child = common::bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while temp_entries(parent).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no temporary output appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = fs::read(common::corpus("combined-elastic-apache_logs.log")).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&log[..log.len() / 2]).unwrap();
        stdin.flush().unwrap();
        common::signal(child.id(), sig);
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: the run finished");
        drop(stdin);
    }
}

#[test]
fn csv_dir_killed_half_way_keeps_the_previous_report() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("stats");
    let out_s = out.to_str().unwrap();
    let log = fixture_log();
    let first = common::run(&["report", &log, "--csv", out_s]);
    assert!(first.status.success());
    let before = snapshot(&out);
    // Every table but the three place tables (--geoip) and goals (--goal-path).
    assert!(before.contains_key("summary.csv") && before.len() == 26);

    kill_half_way(&["report", "--csv", out_s], root.path());
    assert_eq!(snapshot(&out), before, "the previous report changed");
    let names: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(names, vec!["stats".to_string()]);

    // The next run replaces the report whole and removes what the killed run left.
    let again = common::run(&["report", &log, "--csv", out_s, "--min-visitors", "1"]);
    assert!(again.status.success());
    let after = snapshot(&out);
    assert_eq!(after.len(), 26);
    assert_ne!(after, before);
    assert_eq!(temp_entries(root.path()), Vec::<String>::new());
}

#[test]
fn json_file_killed_half_way_keeps_the_previous_file() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("report.json");
    let out_s = out.to_str().unwrap();
    let log = fixture_log();
    assert!(
        common::run(&["report", &log, "--json", out_s])
            .status
            .success()
    );
    let before = fs::read(&out).unwrap();
    kill_half_way(&["report", "--json", out_s], root.path());
    assert_eq!(fs::read(&out).unwrap(), before);
    assert!(
        common::run(&["report", &log, "--json", out_s, "--min-visitors", "1"])
            .status
            .success()
    );
    assert_ne!(fs::read(&out).unwrap(), before);
    assert_eq!(temp_entries(root.path()), Vec::<String>::new());
}

/// A directory holding anything but a report is refused before reading (replacing it would delete it).
#[test]
fn csv_dir_with_other_files_is_refused_first() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("stats");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let res = Command::new(env!("CARGO_BIN_EXE_logveil"))
        .args(["report", "/nonexistent/input.log", "--csv"])
        .arg(&out)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(74));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(
        err.contains("notes.txt") && !err.contains("input.log"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(temp_entries(root.path()), Vec::<String>::new());
}

/// `--partial FILE` is written like `--json`: a run killed with SIGTERM or SIGKILL (here while it reads, with its
/// temporary partial open beside the target) leaves the previous partial whole and mergeable, and the next
/// run replaces it and removes the killed run's temporary file.
#[test]
fn partial_killed_half_way_keeps_the_previous_partial() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("day.partial");
    let out_s = out.to_str().unwrap();
    let log = fixture_log();
    assert!(
        common::run(&["report", &log, "--partial", out_s])
            .status
            .success()
    );
    let before = fs::read(&out).unwrap();
    kill_half_way(&["report", "--partial", out_s], root.path());
    assert_eq!(fs::read(&out).unwrap(), before);
    assert!(
        common::run(&["merge", out_s, "--table", "days"])
            .status
            .success()
    );
    assert!(
        common::run(&["report", &log, "--partial", out_s])
            .status
            .success()
    );
    let after = fs::read(&out).unwrap();
    assert_ne!(after, before, "a new partial (its write time)");
    assert_eq!(temp_entries(root.path()), Vec::<String>::new());
}
