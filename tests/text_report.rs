//! `report --text`: the summary for people — never wider than `COLUMNS` or the terminal, numbers in
//! human units, the top rows of the main tables — the default on a terminal (and JSON in a pipe without
//! an output flag); an empty range says so, an input of which nothing parses exits 65 with no output.

mod common;

use std::process::Stdio;

use common::*;

fn elastic() -> String {
    corpus("combined-elastic-apache_logs.log")
        .to_string_lossy()
        .into_owned()
}

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `logveil ARGS` with `COLUMNS` set (or removed for `None`); stdout is a pipe.
fn text(args: &[&str], columns: Option<&str>) -> (String, String, Option<i32>) {
    let mut cmd = bin();
    cmd.args(args).stdin(Stdio::null());
    match columns {
        Some(c) => cmd.env("COLUMNS", c),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code(),
    )
}

/// The columns a line takes (every character of this output takes one).
fn width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn the_summary_fits_columns_in_human_units() {
    for columns in ["60", "80", "100"] {
        let (out, err, code) = text(&["report", &elastic(), "--text", "-q"], Some(columns));
        assert_eq!(code, Some(0), "{err}");
        let max: usize = columns.parse().unwrap();
        for line in out.lines() {
            assert!(width(line) <= max, "{columns}: {line:?}");
        }
        assert!(
            out.starts_with("Web statistics · 2015-05-17 – 2015-05-20\n"),
            "{out}"
        );
        for words in [
            "Page views",
            "Bounce rate",
            "77 %",
            "2.7 GB sent",
            "10 000 hits",
            "Top pages (",
            "Entry pages (",
            "Referrer sites (",
            "Browsers (",
            "folded into (other) (--min-visitors 5)",
        ] {
            // Notes wrap at the width: compare with spaces collapsed.
            let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(words), "{columns}: no {words:?} in\n{out}");
        }
        // Ten rows of a table (the default --top), then its fold note.
        let pages: Vec<&str> = out
            .split("Top pages (")
            .nth(1)
            .unwrap()
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with("  /") || l.starts_with("  (other)"))
            .collect();
        assert_eq!(pages.len(), 10, "{out}");
        if max < 80 {
            assert!(
                out.contains('…'),
                "long paths are cut in the middle:\n{out}"
            );
        }
    }
}

#[test]
fn without_an_output_flag_a_pipe_gets_json_and_the_help_says_so() {
    let (out, _, code) = text(&["report", &elastic(), "-q"], None);
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "logveil-report");
    let (help, _, _) = text(&["report", "--help"], None);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("when stdout is not a terminal") && help.contains("--text"),
        "{help}"
    );
}

#[test]
fn an_empty_range_says_so() {
    let (out, _, code) = text(
        &[
            "report",
            &elastic(),
            "--since",
            "2030-01-01",
            "--until",
            "2030-01-02",
            "--text",
        ],
        Some("80"),
    );
    assert_eq!(code, Some(0));
    assert!(
        out.contains("No hits between 2030-01-01 and 2030-01-02. 10\u{202f}000 lines read"),
        "{out}"
    );
    assert!(!out.contains("Bounce rate"), "{out}");
}

/// Lines were read, none parsed: exit 65 with a one-line "wrong format?" error, and no page.
#[test]
fn nothing_parsed_exits_65_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("not-a-log.txt");
    std::fs::write(&log, "hello from 10.1.2.3\nthis is no access log\n").unwrap();
    let html = dir.path().join("r.html");
    for flag in ["--text", "--html"] {
        let mut args = vec!["report", log.to_str().unwrap(), flag];
        if flag == "--html" {
            args.push(html.to_str().unwrap());
        }
        let (out, err, code) = text(&args, Some("80"));
        assert_eq!(code, Some(65), "{flag}: {err}");
        assert!(out.is_empty(), "{flag}: {out}");
        assert!(
            err.contains("wrong format?") && err.lines().count() == 1,
            "{err}"
        );
        assert!(full_ipv4s(err.as_bytes()).is_empty(), "{err}");
    }
    assert!(!html.exists());
}

#[test]
fn the_summary_holds_no_address_email_or_token() {
    let (out, err, code) = text(
        &[
            "report",
            &fixture("report-small.log"),
            "--min-visitors",
            "1",
            "--outlink-path",
            "/out",
            "--text",
            "--top",
            "50",
        ],
        Some("120"),
    );
    assert_eq!(code, Some(0), "{err}");
    let all = format!("{out}{err}");
    assert!(out.contains("/users/:email/profile"), "{out}");
    assert_eq!(full_ipv4s(all.as_bytes()), Vec::<String>::new());
    assert_eq!(emails(all.as_bytes()), Vec::<String>::new());
    for secret in ["s3cr3t", "abc123", "ref=x", "session=", "jane"] {
        assert!(!all.contains(secret), "{secret} in\n{all}");
    }
}

/// `--text` and another output on stdout are refused.
#[test]
fn one_output_on_stdout() {
    for other in [
        &["--json", "-"][..],
        &["--table", "pages"],
        &["--html", "-"],
    ] {
        let mut args = vec!["report", "--text"];
        args.extend_from_slice(other);
        let (_, err, code) = text(&args, None);
        assert_eq!(code, Some(2), "{other:?}");
        assert!(err.contains("both write to stdout"), "{err}");
    }
}

/// On a terminal, with no output flag and no `COLUMNS`, the summary is written as wide as the terminal.
#[test]
fn on_a_terminal_the_summary_is_the_default_and_as_wide_as_the_terminal() {
    let (master, terminal) = pty();
    let size = rustix::termios::Winsize {
        ws_row: 50,
        ws_col: 64,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    rustix::termios::tcsetwinsize(&terminal, size).unwrap();
    let mut child = bin()
        .args(["report", &elastic(), "-q"])
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::from(terminal))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reader = read_terminal(master);
    assert!(child.wait().unwrap().success());
    let tty = String::from_utf8(reader.join().unwrap()).unwrap();
    assert!(tty.contains("Top pages ("), "{tty}");
    assert!(!tty.contains("\"schema\""), "{tty}");
    let widest = tty.lines().map(|l| width(l.trim_end_matches('\r'))).max();
    assert!(
        widest.is_some_and(|w| (50..=64).contains(&w)),
        "{widest:?}\n{tty}"
    );
}

/// With `--compare previous`, the headline numbers say how they changed against the period before:
/// report-small.log has 5 visits and 8 page views on 2026-11-23 and one of each on the 24th.
#[test]
fn the_previous_period_shows_as_a_change() {
    let log = fixture("report-small.log");
    let args = [
        "report",
        &log,
        "--since",
        "2026-11-24",
        "--until",
        "2026-11-25",
        "--compare",
        "previous",
        "--text",
    ];
    let (out, err, code) = text(&args, Some("100"));
    assert_eq!(code, Some(0), "{err}");
    let line_of = |label: &str| {
        out.lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} in {out}"))
            .to_string()
    };
    assert!(line_of("Visits").contains("(−80 %)"), "{out}");
    // 1 against 8: −87.5 %, shown rounded.
    let views = line_of("Page views");
    assert!(
        views.contains("(−88 %)") || views.contains("(−87 %)"),
        "{out}"
    );
    // Without the comparison, no change is shown.
    let plain_args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--compare" && *a != "previous")
        .collect();
    let (plain, _, _) = text(&plain_args, Some("100"));
    assert!(!plain.contains(" %)"), "{plain}");
}
