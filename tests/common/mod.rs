//! Shared by the integration tests: running the real binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `logveil ARGS` with `stdin` as standard input.
pub fn logveil(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logveil"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run logveil");
    let mut input = child.stdin.take().expect("stdin");
    // The command may exit before reading (usage errors): a closed pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("wait for logveil")
}
