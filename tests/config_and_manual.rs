//! `--config FILE` (TOML options under the flags' names; flags win), `logveil completions` and
//! `logveil man`.

mod common;

use common::*;

const LINE: &str = "192.168.100.50 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a?q=cats&page=2&sid=77 HTTP/1.0\" 200 5 \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\"\n";

fn with_config(toml: &str, args: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("logveil.toml");
    std::fs::write(&conf, toml).unwrap();
    let mut all = vec!["anonymize", "--config", conf.to_str().unwrap()];
    all.extend_from_slice(args);
    (logveil(&all, LINE.as_bytes()), dir)
}

#[test]
fn the_file_sets_options_and_flags_win() {
    let plain = logveil(&["anonymize", "-q"], LINE.as_bytes());
    let (out, _d) = with_config(
        "quiet = true\n[anonymize]\nipv4-prefix = 8\ntime_precision = \"hour\"\ndrop-param = [\"page\"]\nuser-agent = \"generalize\"\n",
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "quiet from the file");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_ne!(text.as_bytes(), &plain.stdout[..]);
    assert!(
        text.starts_with("192.0.0.0 - - [10/Oct/2000:13:00:00 -0700]"),
        "{text}"
    );
    assert!(text.contains("?q=cats&page=&sid="), "{text}");
    assert!(text.ends_with("\"Chrome/120 (Windows 10)\"\n"), "{text}");
    // A flag on the command line overrides the file's value.
    let (out, _d) = with_config("ipv4-prefix = 8\n", &["-q", "--ipv4-prefix", "24"]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("192.168.100.0 ")
    );
    // Tables for other subcommands are checked but not applied.
    let (out, _d) = with_config(
        "[report]\nmin-visitors = 5\n[anonymize]\nquiet = true\n",
        &[],
    );
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn unknown_keys_and_bad_values_are_one_line_errors_naming_the_file() {
    for (toml, needle) in [
        ("ip_mod = \"drop\"\n", "unknown key 'ip_mod'"),
        (
            "[anonymize]\nmin-visitors = 3\n",
            "unknown key 'min-visitors' in [anonymize]",
        ),
        ("[anonymiz]\nquiet = true\n", "unknown key 'anonymiz'"),
        ("quiet = \"yes\"\n", "'quiet' is a switch"),
        ("strict = true\nthreads = [\n", "logveil.toml:2:"),
        ("ipv4-prefix = 40\n", "prefix"),
    ] {
        let (out, _d) = with_config(toml, &[]);
        assert_eq!(out.status.code(), Some(2), "{toml}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(needle), "{toml}: {err}");
        if !needle.contains("prefix") {
            assert!(
                err.starts_with("logveil: ") && err.contains("logveil.toml"),
                "{err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
    let out = logveil(&["anonymize", "--config", "/no/such/logveil.toml"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/logveil.toml"));
}

#[test]
fn completions_cover_the_subcommands_and_their_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["anonymize", "report", "check", "in-place", "config"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    // The bash script is valid bash.
    let out = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logveil.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_made_from_the_cli_definition() {
    let out = run(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH logveil 1"));
    for word in ["anonymize", "report", "completions", "config"] {
        assert!(page.contains(word), "{word}");
    }
    let out = run(&["man", "anonymize"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains(".TH logveil-anonymize 1"),
        "{}",
        &page[..300.min(page.len())]
    );
    assert!(page.contains("in\\-place") && page.contains("append"));
    assert_eq!(run(&["man", "nope"]).status.code(), Some(2));
}
