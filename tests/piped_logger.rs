//! `logveil anonymize -o FILE` as a piped logger: lines appended as they come, SIGHUP reopens the file after
//! logrotate moved it, SIGTERM ends the run with every line read written. The real binary, a real pipe.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, ChildStdin, Stdio};
use std::time::{Duration, Instant};

use common::*;
use rustix::process::Signal;

/// A line holding a client IP, a forwarded-for chain, an email in the query and a session cookie.
fn line(n: usize) -> String {
    format!(
        "203.0.113.{n} - - [10/Oct/2026:13:55:36 +0000] \"GET /page/{n}?email=jo{n}%40example.com&q=cats HTTP/1.1\" \
         200 {n} \"-\" \"Mozilla/5.0\" \"198.51.100.{n}, 10.20.30.{n}\" \"session=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b{n:02}\"\n"
    )
}

/// Starts `logveil anonymize ARGS` reading a pipe that the test writes to.
fn start(args: &[&str]) -> (Child, ChildStdin) {
    let mut child = bin()
        .arg("anonymize")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn logveil");
    let stdin = child.stdin.take().expect("stdin");
    (child, stdin)
}

/// Waits for the child to exit (10 s at most), returning its exit code and stderr.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let ended = wait_until(Duration::from_secs(10), || {
        child.try_wait().expect("try_wait").is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let out = child.wait_with_output().expect("wait");
    assert!(ended, "logveil did not exit");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every line of `lines` is anonymised: no full IPv4, no email, no session value.
fn assert_anonymised(lines: &[String]) {
    let text = lines.join("\n");
    assert_eq!(full_ipv4s(text.as_bytes()), Vec::<String>::new());
    assert_eq!(emails(text.as_bytes()), Vec::<String>::new());
    assert!(!text.contains("3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b"), "{text}");
}

/// The `/page/N` numbers of the lines, in order.
fn pages(lines: &[String]) -> Vec<usize> {
    lines
        .iter()
        .map(|l| {
            let at = l.find("/page/").expect("a request line") + 6;
            l[at..].split(['?', ' ']).next().unwrap().parse().unwrap()
        })
        .collect()
}

fn send(stdin: &mut ChildStdin, text: &str) {
    stdin.write_all(text.as_bytes()).expect("write to logveil");
    stdin.flush().expect("flush");
}

#[test]
fn a_sparse_line_reaches_the_file_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    let (child, mut stdin) = start(&["--quiet", "-o", out.to_str().unwrap()]);
    send(&mut stdin, &line(1));
    // The first line also waits for the process to start.
    assert!(wait_until(Duration::from_secs(10), || file_lines(&out)
        .len()
        == 1));
    // Then traffic goes quiet; the next line must not wait for more input or for EOF.
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    send(&mut stdin, &line(2));
    let arrived = wait_until(Duration::from_secs(5), || file_lines(&out).len() == 2);
    let latency = sent.elapsed();
    assert!(arrived, "the second line never reached the file before EOF");
    assert!(latency < Duration::from_secs(1), "took {latency:?}");
    drop(stdin);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "{stderr}");
    let lines = file_lines(&out);
    assert_eq!(pages(&lines), vec![1, 2]);
    assert_anonymised(&lines);
}

#[test]
fn reading_stdin_appends_and_reading_files_replaces_unless_append() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    std::fs::write(&out, line(1)).unwrap();
    let o = out.to_str().unwrap();
    let run = run_with_stdin(&["anonymize", "-q", "-o", o], line(2).as_bytes());
    assert!(run.status.success());
    let lines = file_lines(&out);
    assert_eq!(pages(&lines), vec![1, 2], "stdin appends");

    let input = dir.path().join("in.log");
    std::fs::write(&input, line(3)).unwrap();
    let i = input.to_str().unwrap();
    assert!(
        run_with_stdin(&["anonymize", "-q", "-o", o, "--append", i], b"")
            .status
            .success()
    );
    assert_eq!(
        pages(&file_lines(&out)),
        vec![1, 2, 3],
        "--append appends files"
    );
    assert!(
        run_with_stdin(&["anonymize", "-q", "-o", o, i], b"")
            .status
            .success()
    );
    assert_eq!(
        pages(&file_lines(&out)),
        vec![3],
        "files replace the output"
    );
    // Only the line logveil wrote is checked: line 1 was planted raw.
    assert_anonymised(&file_lines(&out));
}

#[test]
fn append_needs_an_output() {
    let run = run_with_stdin(&["anonymize", "--append"], b"");
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn sighup_reopens_the_file_after_logrotate_moved_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    let rotated = dir.path().join("access.log.1");
    let (child, mut stdin) = start(&["--quiet", "-o", out.to_str().unwrap()]);
    for n in 1..=3 {
        send(&mut stdin, &line(n));
    }
    assert!(wait_until(Duration::from_secs(10), || file_lines(&out)
        .len()
        == 3));
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    // logrotate (nocreate): move the file, then signal the logger. A line written in between still belongs
    // to the moved file.
    std::fs::rename(&out, &rotated).unwrap();
    send(&mut stdin, &line(4));
    assert!(wait_until(Duration::from_secs(10), || file_lines(&rotated)
        .len()
        == 4));
    signal(child.id(), Signal::HUP);
    // The new file appears without waiting for traffic, with the mode of the one it follows.
    assert!(wait_until(Duration::from_secs(10), || out.exists()));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    for n in 5..=6 {
        send(&mut stdin, &line(n));
    }
    drop(stdin);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(pages(&file_lines(&rotated)), vec![1, 2, 3, 4]);
    assert_eq!(pages(&file_lines(&out)), vec![5, 6]);
    assert_anonymised(&file_lines(&rotated));
    assert_anonymised(&file_lines(&out));
}

#[test]
fn sighup_twice_with_the_file_in_place_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    let (child, mut stdin) = start(&["--quiet", "-o", out.to_str().unwrap()]);
    send(&mut stdin, &line(1));
    assert!(wait_until(Duration::from_secs(10), || file_lines(&out)
        .len()
        == 1));
    signal(child.id(), Signal::HUP);
    signal(child.id(), Signal::HUP);
    send(&mut stdin, &line(2));
    drop(stdin);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(pages(&file_lines(&out)), vec![1, 2]);
}

#[test]
fn sigterm_writes_every_line_read_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    let (child, mut stdin) = start(&["-o", out.to_str().unwrap()]);
    for n in 1..=3 {
        send(&mut stdin, &line(n));
    }
    assert!(wait_until(Duration::from_secs(10), || file_lines(&out)
        .len()
        == 3));
    // A line the server wrote just before stopping us, and one it had not finished: both are in the pipe
    // (the test keeps the pipe open, as Apache's children do), neither may be lost.
    send(&mut stdin, &line(4));
    let partial = line(5);
    send(&mut stdin, partial.trim_end());
    signal(child.id(), Signal::TERM);
    let (code, stderr) = finish(child);
    drop(stdin);
    assert_eq!(code, Some(0), "{stderr}");
    let lines = file_lines(&out);
    assert_eq!(pages(&lines), vec![1, 2, 3, 4, 5]);
    assert_anonymised(&lines);
    assert_eq!(
        stderr,
        "logveil: anonymize: 5 lines: 5 parsed, 0 scrubbed, 0 blank\n"
    );
    assert!(std::fs::read(&out).unwrap().ends_with(b"\n"));
}

#[test]
fn sigterm_with_output_to_stdout_ends_cleanly_too() {
    let (mut child, mut stdin) = start(&["--quiet"]);
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    send(&mut stdin, &line(7));
    // Once the first line is out, logveil is running with its handlers in place.
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    send(&mut stdin, &line(8));
    signal(child.id(), Signal::TERM);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let (code, stderr) = finish(child);
    drop(stdin);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<String> = (first + &rest).lines().map(str::to_string).collect();
    assert_eq!(pages(&lines), vec![7, 8]);
    assert_anonymised(&lines);
}

#[test]
fn a_missing_output_directory_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/dir/access.log");
    let run = run_with_stdin(
        &["anonymize", "-o", out.to_str().unwrap()],
        line(1).as_bytes(),
    );
    assert_eq!(run.status.code(), Some(74));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with("logveil: ") && stderr.contains("access.log"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn a_piped_stdin_gets_a_larger_pipe_buffer() {
    let max: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
        .expect("pipe-max-size")
        .trim()
        .parse()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("access.log");
    let (child, mut stdin) = start(&["--quiet", "-o", out.to_str().unwrap()]);
    send(&mut stdin, &line(1));
    // Once a line is through, logveil has set its pipe up.
    assert!(wait_until(Duration::from_secs(10), || file_lines(&out)
        .len()
        == 1));
    let after = rustix::pipe::fcntl_getpipe_size(&stdin).unwrap();
    // The kernel's default is 64 KiB; logveil asks for 1 MiB, or the most the machine allows.
    assert!(
        max > 64 << 10,
        "this machine does not allow pipes larger than the default"
    );
    assert_eq!(after, max.min(1 << 20));
    // Lines still go through one at a time.
    send(&mut stdin, &line(2));
    assert!(wait_until(Duration::from_secs(5), || file_lines(&out)
        .len()
        == 2));
    drop(stdin);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "{stderr}");
    assert_anonymised(&file_lines(&out));
}

#[test]
fn a_fifo_given_as_a_file_is_read_as_lines_come() {
    // Its first block is looked at (is it text?) with what has arrived: the first line must not wait for
    // more input, as it would if the look waited for a full block.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("access.fifo");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let out = dir.path().join("access.log");
    let child = bin()
        .args(["anonymize", "--quiet", "--append", "-o"])
        .arg(&out)
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening blocks until logveil has opened the other end.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writer.write_all(line(1).as_bytes()).unwrap();
    let arrived = wait_until(Duration::from_secs(10), || file_lines(&out).len() == 1);
    writer.write_all(line(2).as_bytes()).unwrap();
    drop(writer);
    let (code, stderr) = finish(child);
    assert!(arrived, "the first line waited for more input");
    assert_eq!(code, Some(0), "{stderr}");
    let lines = file_lines(&out);
    assert_eq!(pages(&lines), vec![1, 2]);
    assert_anonymised(&lines);
}
