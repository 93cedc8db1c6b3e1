//! Memory stays bounded on hostile input: a gzip bomb and an endless line on stdin. Each run's peak
//! resident set is read from the kernel (`wait4`), so the bound is measured, not assumed.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;

/// Peak RSS allowed: the run holds a few batches of blocks and one capped line, far below the input.
const BOUND_KB: i64 = 100 << 10;
/// Bytes of hostile input: more than twice the bound, so a reader that gathered it would fail the test.
const INPUT: usize = 256 << 20;

/// Writes the standard input of a run.
type Feed = Box<dyn FnOnce(&mut dyn Write) + Send>;

/// Runs `logveil ARGS` (with `stdin` fed from a thread when given) and returns exit code, stdout and peak
/// RSS in KiB.
// The child is reaped by `wait4` (which also gives its peak RSS), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str], stdin: Option<Feed>) -> (i32, Vec<u8>, i64) {
    let mut child = bin()
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let feeder = stdin.map(|feed| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || feed(&mut pipe))
    });
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).unwrap();
        out
    });
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid, with valid pointers; `child` is not waited for otherwise.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let pid = libc::wait4(child.id() as i32, &mut status, 0, &mut usage);
        assert_eq!(pid, child.id() as i32);
        usage
    };
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    let out = reader.join().unwrap();
    assert!(
        libc::WIFEXITED(status),
        "logveil did not exit normally: {status}"
    );
    (libc::WEXITSTATUS(status), out, usage.ru_maxrss)
}

#[test]
fn a_gzip_bomb_is_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).unwrap(),
        flate2::Compression::default(),
    );
    // A real line, then 256 MiB of one letter with no newline: one endless line. (Zeros would be refused
    // as binary at once, see bad_input.rs.)
    enc.write_all(b"10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n")
        .unwrap();
    let zeros = vec![b'x'; 1 << 20];
    for _ in 0..INPUT >> 20 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap();
    assert!(
        std::fs::metadata(&bomb).unwrap().len() < 2 << 20,
        "a bomb: small on disk"
    );
    for cmd in ["anonymize", "report", "check"] {
        let (code, out, rss) = run_measured(&[cmd, bomb.to_str().unwrap()], None);
        assert!(matches!(code, 0 | 1), "{cmd}: exit {code}");
        assert!(rss < BOUND_KB, "{cmd}: peak RSS {rss} KiB");
        if cmd == "anonymize" {
            // The letters hold no boundary: the endless line is cut to nothing, still one line.
            assert_eq!(
                out,
                b"10.1.0.0 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n\n"
            );
        }
    }
}

#[test]
fn an_endless_line_on_stdin_is_read_in_bounded_memory() {
    let feed = |pipe: &mut dyn Write| {
        let words = b"from 10.20.30.40 by jo@example.org ".repeat(30_000);
        let mut sent = 0;
        while sent < INPUT {
            if pipe.write_all(&words).is_err() {
                return;
            }
            sent += words.len();
        }
        let _ = pipe.write_all(b"\nlast 10.9.8.7\n");
    };
    let (code, out, rss) = run_measured(&["anonymize"], Some(Box::new(feed)));
    assert_eq!(code, 0);
    assert!(rss < BOUND_KB, "peak RSS {rss} KiB");
    assert_eq!(count_lines(&out), 2);
    assert!(out.len() <= (1 << 20) + 20);
    assert!(out.ends_with(b"\nlast 10.9.0.0\n"));
    assert!(full_ipv4s(&out).is_empty() && emails(&out).is_empty());
}

/// `report` memory does not grow with page views: they wait in sorted runs on disk past `--sort-events`.
/// 2.5 million page views (100 MB as 40-byte events) of a few visitors go through stdin; the default run
/// stays under the bound, and the same run holding every event in memory does not, so the bound is what
/// the spilling buys.
#[test]
fn report_memory_does_not_grow_with_page_views() {
    const VIEWS: usize = 2_500_000;
    let feed = |pipe: &mut dyn Write| {
        let mut block = Vec::new();
        for i in 0..10_000 {
            block.extend_from_slice(
                format!(
                    "10.1.{}.{} - - [10/Oct/2000:13:{:02}:{:02} -0700] \"GET /p{} HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"\n",
                    i % 7,
                    i % 11,
                    (i / 60) % 60,
                    i % 60,
                    i % 13
                )
                .as_bytes(),
            );
        }
        for _ in 0..VIEWS / 10_000 {
            if pipe.write_all(&block).is_err() {
                return;
            }
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let spilled = dir.path().join("spilled");
    let held = dir.path().join("held");
    let run = |csv: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["report", "-q", "--csv", csv.to_str().unwrap()];
        args.extend(extra);
        let (code, _, rss) = run_measured(&args, Some(Box::new(feed)));
        assert_eq!(code, 0);
        let summary = std::fs::read_to_string(csv.join("summary.csv")).unwrap();
        assert!(
            summary.contains(&format!("page_views,{VIEWS}\n")),
            "{summary}"
        );
        rss
    };
    let rss = run(&spilled, &["--temp-dir", dir.path().to_str().unwrap()]);
    assert!(
        rss < BOUND_KB,
        "peak RSS {rss} KiB with the default --sort-events"
    );
    let rss = run(&held, &["--sort-events", "1000000000"]);
    assert!(
        rss > BOUND_KB,
        "peak RSS {rss} KiB holding every event: the test measures nothing"
    );
}
