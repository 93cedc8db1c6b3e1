//! Faults around a run: full disks, closed pipes, inputs truncated while mapped, signals mid-run.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use common::*;

const LINE: &str = r#"192.168.100.50 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?sid=77&q=cats HTTP/1.0" 200 2326 "http://www.example.com/start.html?email=jo%40example.com" "Mozilla/4.08 [en] (Win98; I ;Nav)""#;

fn stderr_of(child: Child) -> (Option<i32>, String, Vec<u8>) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stderr).unwrap(),
        out.stdout,
    )
}

#[test]
fn every_command_reports_a_full_disk_with_exit_74() {
    let input = sample("apache-combined-elastic.log");
    let input = input.to_str().unwrap();
    for (args, name) in [
        (vec!["anonymize", input], "<stdout>"),
        (vec!["anonymize", "-o", "/dev/full", input], "/dev/full"),
        (vec!["check", input], "<stdout>"),
        (vec!["report", "--table", "pages", input], "<stdout>"),
        (vec!["report", "--json", "/dev/full", input], "/dev/full"),
    ] {
        let out = bin()
            .args(&args)
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(74), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err,
            format!("logveil: {name}: no space left on device\n"),
            "{args:?}"
        );
    }
    // /dev/full is still the device it was.
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let file = corpus("combined-elastic-apache_logs.log");
    let f = file.to_str().unwrap();
    let many: Vec<&str> = std::iter::repeat_n(f, 20).collect();
    for args in [
        [&["anonymize"][..], &many].concat(),
        [&["check"][..], &many].concat(),
        [&["report", "--table", "status"][..], &many].concat(),
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is dropped here: like `| head -c1`.
        let (code, err, _) = stderr_of(child);
        assert_eq!(code, Some(0), "{}: {err}", args[0]);
        assert_eq!(err, "", "{}", args[0]);
    }
}

#[test]
fn an_input_truncated_while_mapped_is_an_error_not_a_crash() {
    // copytruncate: the file is cut to nothing while logveil has it mapped and is stalled on a full pipe.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let mut text = String::new();
    // Larger than what the run holds ahead of a stalled writer (a few batches of 16 MiB windows).
    while text.len() < 160 << 20 {
        text.push_str(LINE);
        text.push('\n');
    }
    std::fs::write(&path, &text).unwrap();
    let mut child = bin()
        .args(["anonymize", "-q", "--threads", "2", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Read a little so the run is under way, then let the pipe fill up and stall it.
    let mut head = vec![0u8; 4096];
    stdout.read_exact(&mut head).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let (code, err, _) = stderr_of(child);
    assert_eq!(code, Some(74), "{err}");
    assert_eq!(
        err,
        format!(
            "logveil: {}: the file shrank while it was read (truncated in place, e.g. by logrotate \
             copytruncate); the run is stopped so that no incomplete output passes for a complete one\n",
            path.display()
        )
    );
    // What was written before the fault is whole, anonymised lines: the zero pages never reach the output.
    let out = [head, rest].concat();
    assert!(!out.contains(&0), "zeros from the lost pages were written");
    assert!(out.ends_with(b"\n"));
    assert!(count_lines(&out) < count_lines(text.as_bytes()));
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with(b"192.168.0.0 - - [10/Oct/2000"),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn an_input_that_grows_while_read_gives_its_first_length() {
    // Appending (what a web server does to its log) is safe: logveil reads the length it saw at open.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let lines = 200_000;
    std::fs::write(&path, format!("{LINE}\n").repeat(lines)).unwrap();
    let mut child = bin()
        .args(["anonymize", "-q", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0u8; 4096];
    stdout.read_exact(&mut head).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(format!("{LINE}\n").repeat(1000).as_bytes())
        .unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let (code, err, _) = stderr_of(child);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(count_lines(&[head, rest].concat()), lines);
}

/// Lines [`start_mid_run`] feeds.
const FED_LINES: usize = 10_000;

/// Starts `logveil ARGS` reading a pipe that stays open, feeds it some lines, and returns the child with
/// the pipe still open (the run is mid-way: it waits for more input).
fn start_mid_run(args: &[&str]) -> (Child, std::process::ChildStdin) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{LINE}\n").repeat(FED_LINES).as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    (child, stdin)
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill with the pid of a child we spawned and have not waited for.
    let r = unsafe { libc::kill(child.id() as i32, sig) };
    assert_eq!(r, 0);
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

/// A previous run's outputs in `dir`: an anonymised log, a JSON report and a CSV report directory.
fn previous_outputs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let out_file = dir.join("anon.log");
    let json = dir.join("report.json");
    let csv = dir.join("csv");
    let sample = sample("nginx-combined-beats.log");
    let s = sample.to_str().unwrap();
    assert!(
        run(&["anonymize", "-q", "-o", out_file.to_str().unwrap(), s])
            .status
            .success()
    );
    let report = run(&[
        "report",
        s,
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(report.status.success());
    (out_file, json, csv)
}

#[test]
fn sigterm_or_sigkill_mid_report_leaves_the_previous_outputs_intact() {
    for sig in [libc::SIGTERM, libc::SIGKILL] {
        let dir = tempfile::tempdir().unwrap();
        let (_, json, csv) = previous_outputs(dir.path());
        let before = (std::fs::read(&json).unwrap(), files_in(&csv));
        let args = [
            "report",
            "--json",
            json.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ];
        let (child, stdin) = start_mid_run(&args);
        signal(&child, sig);
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(sig));
        let after = (std::fs::read(&json).unwrap(), files_in(&csv));
        assert!(before == after, "signal {sig}: a previous report changed");
    }
}

#[test]
fn sigterm_mid_piped_anonymize_keeps_the_previous_output_and_loses_no_line() {
    // `-o FILE` from stdin appends (a piped logger): SIGTERM drains the pipe, writes every line and exits
    // 0; SIGKILL may stop it anywhere, but what FILE held before is still there, unchanged.
    for sig in [libc::SIGTERM, libc::SIGKILL] {
        let dir = tempfile::tempdir().unwrap();
        let (out_file, _, _) = previous_outputs(dir.path());
        let before = std::fs::read(&out_file).unwrap();
        let (child, stdin) = start_mid_run(&["anonymize", "-q", "-o", out_file.to_str().unwrap()]);
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        let after = std::fs::read(&out_file).unwrap();
        assert!(
            after.starts_with(&before),
            "signal {sig}: the previous output changed"
        );
        use std::os::unix::process::ExitStatusExt;
        if sig == libc::SIGTERM {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let added = &after[before.len()..];
            assert_eq!(count_lines(added), FED_LINES, "SIGTERM lost lines");
            assert!(full_ipv4s(added).is_empty());
        } else {
            assert_eq!(out.status.signal(), Some(sig));
        }
    }
}

/// A sorted run that cannot be written to `--temp-dir` (here: a file-size limit, as a full disk would)
/// fails the report with exit 74 and one line naming the directory, and leaves the previous report intact.
#[test]
fn a_spill_that_cannot_be_written_fails_the_report_and_keeps_the_previous_one() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let (_, json, csv) = previous_outputs(dir.path());
    let before = (std::fs::read(&json).unwrap(), files_in(&csv));
    let temp = dir.path().join("temp");
    std::fs::create_dir(&temp).unwrap();
    let input = sample("apache-combined-elastic.log");
    let mut cmd = bin();
    cmd.args([
        "report",
        "-q",
        input.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--sort-events",
        "200",
        "--temp-dir",
        temp.to_str().unwrap(),
    ]);
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 10,
                rlim_max: 4 << 10,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Past the limit, writes fail with EFBIG instead of the process being killed.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("logveil: {}: ", temp.display())),
        "{err}"
    );
    assert!(err.contains("file too large"), "{err}");
    let after = (std::fs::read(&json).unwrap(), files_in(&csv));
    assert!(before == after, "the previous report changed");
    assert_eq!(std::fs::read_dir(&temp).unwrap().count(), 0);
}
