//! The progress bar: drawn on stderr only when it is a terminal (a real pseudo-terminal here), never with
//! `--quiet` or off a terminal, cleared before the summary, never showing anything from the input, and
//! changing nothing in the output.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Lines with addresses and emails in every field that holds them, after a real log.
fn input(dir: &Path) -> PathBuf {
    let mut text = std::fs::read(common::sample("apache-combined-elastic.log")).unwrap();
    text.extend_from_slice(
        b"192.168.100.50 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a?email=jo%40example.com HTTP/1.0\" \
          200 2326 \"http://www.example.com/start.html?u=ann@example.org\" \"Mozilla/4.08 (10.1.2.3)\"\n\
          not a log line from 172.16.254.3 by bob@example.net\n",
    );
    let path = dir.join("access.log");
    std::fs::write(&path, text).unwrap();
    path
}

/// What a run with stderr on a terminal gave.
struct TtyRun {
    success: bool,
    stdout: Vec<u8>,
    /// Everything written to the terminal.
    tty: Vec<u8>,
}

/// Runs `logveil ARGS` with stderr on a pseudo-terminal, stdout piped, and `stdin` fed through a pipe in
/// the given pieces (or no stdin when `None`). Before each piece after the first, the feeder waits until
/// logveil has written some output (so it is running and has read the pieces before), then `pause`.
fn run_on_tty(args: &[&str], stdin: Option<(&[&[u8]], Duration)>) -> TtyRun {
    let (master, terminal) = common::pty();
    let mut child = {
        let mut cmd = common::bin();
        cmd.args(args)
            .env("TERM", "xterm")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(terminal))
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        cmd.spawn().expect("spawn logveil")
        // The command, which holds this process's copy of the terminal, is dropped here: once logveil
        // exits, reading the controlling side ends.
    };
    let reader = common::read_terminal(master);
    let (output_seen, seen) = std::sync::mpsc::channel::<()>();
    let feeder = stdin.map(|(pieces, pause)| {
        let mut pipe = child.stdin.take().unwrap();
        let pieces: Vec<Vec<u8>> = pieces.iter().map(|p| p.to_vec()).collect();
        std::thread::spawn(move || {
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    let _ = seen.recv_timeout(Duration::from_secs(60));
                    std::thread::sleep(pause);
                }
                pipe.write_all(piece).unwrap();
            }
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut stdout = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = out.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        if stdout.is_empty() {
            let _ = output_seen.send(());
        }
        stdout.extend_from_slice(&buf[..n]);
    }
    let status = child.wait().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    TtyRun {
        success: status.success(),
        stdout,
        tty: reader.join().unwrap(),
    }
}

/// The bar's prefix, as drawn.
fn bar_drawn(tty: &[u8], command: &str) -> bool {
    String::from_utf8_lossy(tty).contains(&format!("logveil {command} "))
}

/// Asserts that no full IPv4 address or email from the input reached the terminal.
fn assert_no_leak(tty: &[u8]) {
    assert!(
        common::full_ipv4s(tty).is_empty(),
        "{:?}",
        common::full_ipv4s(tty)
    );
    assert!(common::emails(tty).is_empty(), "{:?}", common::emails(tty));
}

/// Off a terminal, `--progress` draws nothing: stderr holds exactly the summary line.
#[test]
fn off_a_terminal_stderr_has_only_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let log = input(dir.path());
    let lines = common::count_lines(&std::fs::read(&log).unwrap());
    for progress in [&["--progress"][..], &[]] {
        let out = common::run(&[&["anonymize", log.to_str().unwrap()], progress].concat());
        assert!(out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!("logveil: anonymize: {lines} lines: ")),
            "{stderr:?}"
        );
        assert_eq!(stderr.matches('\n').count(), 1, "{stderr:?}");
        assert!(stderr.ends_with('\n'));
        assert!(!stderr.contains(['\r', '\x1b']), "{stderr:?}");
    }
    let csv = dir.path().join("csv");
    let out = common::run(&[
        "report",
        log.to_str().unwrap(),
        "--progress",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// On a terminal, `--progress` draws the bar, clears it before the summary, shows nothing of the input,
/// and the output is byte for byte that of a run off a terminal; a compressed input too.
#[test]
fn on_a_terminal_the_bar_shows_and_changes_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let log = input(dir.path());
    let text = std::fs::read(&log).unwrap();
    let gz = dir.path().join("access.log.gz");
    let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
    enc.write_all(&text).unwrap();
    enc.finish().unwrap();
    let plain = common::run(&["anonymize", "-j2", log.to_str().unwrap()]);
    assert!(plain.status.success());
    assert!(!plain.stdout.is_empty());
    for file in [&log, &gz] {
        let run = run_on_tty(
            &["anonymize", "-j2", "--progress", file.to_str().unwrap()],
            None,
        );
        assert!(run.success);
        assert_eq!(run.stdout, plain.stdout, "{}", file.display());
        assert!(
            bar_drawn(&run.tty, "anonymize"),
            "{:?}",
            String::from_utf8_lossy(&run.tty)
        );
        assert_no_leak(&run.tty);
        // The summary comes last, after the bar was cleared (ESC [ 2 K), on a line of its own.
        let tty = String::from_utf8_lossy(&run.tty);
        let summary = tty.rfind("logveil: anonymize: ").unwrap();
        assert!(tty[..summary].ends_with("\x1b[2K"), "{tty:?}");
        assert!(!tty[summary..].contains('\x1b'), "{tty:?}");
        assert_eq!(tty[summary..].lines().count(), 1, "{tty:?}");
    }
}

/// `report` draws its bar too, with a spinner on stdin, and nothing of the input.
#[test]
fn report_shows_a_bar_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(input(dir.path())).unwrap();
    let csv = dir.path().join("csv");
    let run = run_on_tty(
        &["report", "--progress", "--csv", csv.to_str().unwrap()],
        Some((&[&text], Duration::ZERO)),
    );
    assert!(run.success);
    assert!(
        bar_drawn(&run.tty, "report"),
        "{:?}",
        String::from_utf8_lossy(&run.tty)
    );
    assert_no_leak(&run.tty);
    assert!(csv.join("summary.csv").is_file());
}

/// `--quiet` on a terminal: nothing at all on stderr, with or without `--progress`.
#[test]
fn quiet_on_a_terminal_draws_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = input(dir.path());
    for args in [
        &["anonymize", "--quiet", log.to_str().unwrap()][..],
        &["anonymize", "--progress", "--quiet", log.to_str().unwrap()],
        &["anonymize", "--quiet", "--progress", log.to_str().unwrap()],
    ] {
        let run = run_on_tty(args, None);
        assert!(run.success);
        assert!(!run.stdout.is_empty());
        assert!(
            run.tty.is_empty(),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&run.tty)
        );
    }
    let csv = dir.path().join("csv");
    let run = run_on_tty(
        &[
            "report",
            "-q",
            "--progress",
            log.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(run.success);
    assert!(
        run.tty.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&run.tty)
    );
}

/// By default a small file gives no bar (its chunks are all cut in the first moments), and `--no-progress`
/// wins over an earlier `--progress`: the terminal gets the summary alone.
#[test]
fn small_inputs_and_no_progress_draw_no_bar() {
    let dir = tempfile::tempdir().unwrap();
    let log = input(dir.path());
    for args in [
        &["anonymize", log.to_str().unwrap()][..],
        &[
            "anonymize",
            "--progress",
            "--no-progress",
            log.to_str().unwrap(),
        ],
    ] {
        let run = run_on_tty(args, None);
        assert!(run.success);
        let tty = String::from_utf8(run.tty).unwrap();
        assert!(tty.starts_with("logveil: anonymize: "), "{args:?}: {tty:?}");
        assert_eq!(tty.lines().count(), 1, "{tty:?}");
    }
}

/// By default a stream of unknown size shows the spinner once the run has lasted two seconds: the input
/// arrives in two halves, the second once the first has been written out and a pause longer than that has
/// passed.
#[test]
fn a_long_stream_shows_the_spinner_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(input(dir.path())).unwrap();
    let half = text.len() / 2;
    let cut = half + text[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let pieces: [&[u8]; 2] = [&text[..cut], &text[cut..]];
    let run = run_on_tty(&["anonymize"], Some((&pieces, Duration::from_millis(2500))));
    assert!(run.success);
    assert_eq!(common::count_lines(&run.stdout), common::count_lines(&text));
    assert!(
        bar_drawn(&run.tty, "anonymize"),
        "{:?}",
        String::from_utf8_lossy(&run.tty)
    );
    assert_no_leak(&run.tty);
    // The rate counts from the start of the run: the whole input over at least 2.5 s, not the first half
    // as if it had arrived the instant the bar appeared.
    let rates = rates_drawn(&run.tty);
    assert!(!rates.is_empty(), "{:?}", String::from_utf8_lossy(&run.tty));
    let bound = text.len() as f64 / 2.5 * 4.0;
    assert!(
        rates.iter().all(|&r| r <= bound),
        "{rates:?} bytes/s against at most {bound}"
    );
}

/// The rates the bar drew (`12.5 MiB/s`), in bytes per second.
fn rates_drawn(tty: &[u8]) -> Vec<f64> {
    let text = String::from_utf8_lossy(tty);
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .collect();
    let unit = |u: &str| -> Option<f64> {
        let exp = ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"]
            .iter()
            .position(|x| *x == u)?;
        Some(1024f64.powi(exp as i32))
    };
    words
        .windows(2)
        .filter_map(|w| Some(w[0].parse::<f64>().ok()? * unit(w[1])?))
        .collect()
}
