//! Helpers shared by the integration tests: running the binary, finding corpus files, and scanning text
//! for personal data with a scanner independent of logveil's own rules.

#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `logveil` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logveil"))
}

/// Runs `logveil ARGS` with `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn logveil");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait logveil");
    writer.join().expect("stdin writer");
    out
}

/// Runs `logveil ARGS`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run logveil")
}

/// The shared corpus folder (`../shared/corpus` beside the repository).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// A corpus file by name.
pub fn corpus(name: &str) -> PathBuf {
    let p = corpus_dir().join(name);
    assert!(p.is_file(), "corpus file {} is missing", p.display());
    p
}

/// Every `.log` file of the corpus.
pub fn corpus_logs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("read corpus dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    assert!(files.len() > 20, "corpus looks incomplete");
    files
}

/// A sample shipped in `samples/`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// Lines of `bytes` (a last line without newline counts).
pub fn count_lines(bytes: &[u8]) -> usize {
    let n = bytes.iter().filter(|&&b| b == b'\n').count();
    n + usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Full IPv4 addresses in `text`: dotted quads (each part <= 255) whose last two parts are not both zero,
/// not part of a longer dotted number, and not a `Name/1.2.3.4` version number.
pub fn full_ipv4s(text: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(text);
    let b = s.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
            j += 1;
        }
        let token = s[i..j].trim_end_matches('.');
        let parts: Vec<&str> = token.split('.').collect();
        let version = i >= 2 && b[i - 1] == b'/' && b[i - 2].is_ascii_alphanumeric();
        let followed_by_word = j < b.len() && b[j].is_ascii_alphanumeric();
        if parts.len() == 4
            && !version
            && !followed_by_word
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|v| v <= 255))
            && (parts[2].parse::<u16>().unwrap_or(0) != 0
                || parts[3].parse::<u16>().unwrap_or(0) != 0)
        {
            found.push(token.to_string());
        }
        i = j.max(i + 1);
    }
    found
}

/// Email-looking substrings (`local@domain.tld`, also with `%40`).
pub fn emails(text: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(text).replace("%40", "@");
    let b = s.as_bytes();
    let mut found = Vec::new();
    for (at, _) in s.match_indices('@') {
        let local = b[..at]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || b"._+-".contains(c))
            .count();
        let domain: String = s[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
            .collect();
        // A domain has a name before its top-level label: `0@.xA` names no domain (found by a proptest).
        let domain = domain.trim_end_matches('.').trim_start_matches('.');
        let tld_ok = domain.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        });
        if local > 0 && tld_ok {
            found.push(format!("{}@{}", &s[at - local..at], domain));
        }
    }
    found
}

/// Runs `logveil ARGS` (stdin empty) and asserts that it succeeded, naming its stderr if not.
pub fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "logveil {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Asserts that `bytes` (an output named `name`) holds no full IPv4 address and no email.
pub fn assert_no_ipv4_or_email(name: &str, bytes: &[u8]) {
    assert!(
        full_ipv4s(bytes).is_empty(),
        "{name}: {:?}",
        full_ipv4s(bytes)
    );
    assert!(emails(bytes).is_empty(), "{name}: {:?}", emails(bytes));
}

/// Runs `logveil ARGS` with `stdin` as standard input (the name the option and check tests use).
pub fn logveil(args: &[&str], stdin: &[u8]) -> Output {
    run_with_stdin(args, stdin)
}

/// Sends `signal` to process `pid`.
pub fn signal(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("a process id");
    rustix::process::kill_process(pid, signal).expect("send a signal");
}

/// Waits until `done` holds, checking every 10 ms; false when `limit` passed first.
pub fn wait_until(limit: std::time::Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Lines of a file (none when it does not exist).
pub fn file_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A new pseudo-terminal: its controlling side and the terminal a program writes to.
pub fn pty() -> (OwnedFd, File) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(name.to_str().unwrap())
        .unwrap();
    (master, terminal)
}

/// Reads everything written to the terminal of `master` on a thread, until no one holds the terminal.
pub fn read_terminal(master: OwnedFd) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut master = File::from(master);
        let mut tty = Vec::new();
        let mut buf = [0u8; 4096];
        // Linux answers EIO once no one holds the terminal any more.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            tty.extend_from_slice(&buf[..n]);
        }
        tty
    })
}
