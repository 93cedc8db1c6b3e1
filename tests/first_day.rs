//! What a sysadmin meets on the first day (issue 22): runs that never end silently empty (`--since` after
//! `--until`, a range that leaves out every line, timestamps too coarse for durations, Ctrl-C), the
//! spellings of other tools (GoAccess's `--log-format COMBINED`, anonip's `--ipv4mask`, `anonymise`),
//! and messages that name the user's own files in words (`-o` naming an input, a terminal on stdin).

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use rustix::process::Signal;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn elastic() -> String {
    sample("apache-combined-elastic.log")
        .to_str()
        .unwrap()
        .to_string()
}

/// The sample's lines run from 17 May 2015 10:05 to 18 May 2015 03:05 (+0000).
#[test]
fn since_after_until_is_a_usage_error_and_an_empty_range_says_what_the_input_covers() {
    let log = elastic();
    for (since, until) in [
        ("2015-06-01", "2015-01-01"),
        ("2015-05-17", "2015-05-17"),
        ("2015-05-17T12:00:00+00:00", "2015-05-17T11:00:00+00:00"),
        ("2015-05-18T00:30:00+00:00", "2015-05-18"),
    ] {
        let out = run(&["report", &log, "--since", since, "--until", until]);
        assert_eq!(out.status.code(), Some(2), "{since} {until}");
        let err = text(&out.stderr);
        assert!(err.starts_with("logveil: --since "), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(text(&out.stderr).contains("is not before --until"));
        assert!(out.stdout.is_empty());
    }
    // A range the input does not reach: the report is made (a quiet day is a fact), with a warning that
    // names the range and what the input covers.
    let out = run(&[
        "report",
        &log,
        "--since",
        "2030-01-01",
        "--table",
        "summary",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr),
        "logveil: warning: --since 2030-01-01 left out all 2000 parsed lines: the input covers \
         2015-05-17 10:05 to 2015-05-18 03:05 (the log's own times); the report is empty\n"
    );
    assert!(text(&out.stdout).contains("excluded_before_since,2000"));
    assert!(full_ipv4s(&out.stderr).is_empty());
    // A range that keeps some lines: no warning.
    let out = run(&[
        "report",
        &log,
        "--since",
        "2015-05-18",
        "--table",
        "summary",
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
    // --quiet silences the warning, not the exit code.
    let out = run(&[
        "report",
        &log,
        "--until",
        "2000-01-01",
        "-q",
        "--table",
        "summary",
    ]);
    assert_eq!((out.status.code(), out.stderr.len()), (Some(0), 0));
}

#[test]
fn hourly_timestamps_leave_durations_empty_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let coarse = dir.path().join("hour.log");
    let out = run(&[
        "anonymize",
        "-q",
        "--time-precision",
        "hour",
        &elastic(),
        "-o",
        coarse.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let report = |log: &str| {
        let out = run(&["report", log, "--min-visitors", "1", "--table", "summary"]);
        assert!(out.status.success());
        let metrics: Vec<(String, String)> = text(&out.stdout)
            .lines()
            .skip(1)
            .map(|l| {
                let (k, v) = l.split_once(',').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        (metrics, text(&out.stderr))
    };
    // The same log anonymised to the second: only the time precision differs.
    let seconds = dir.path().join("second.log");
    let out = run(&[
        "anonymize",
        "-q",
        &elastic(),
        "-o",
        seconds.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let (fine, warned) = report(seconds.to_str().unwrap());
    assert_eq!(warned, "");
    let get = |m: &[(String, String)], k: &str| m.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_ne!(get(&fine, "visit_duration_mean_s"), "");
    assert_ne!(get(&fine, "time_on_page_mean_s"), "");

    let (hourly, warned) = report(coarse.to_str().unwrap());
    assert!(
        warned.starts_with("logveil: warning: every timestamp is on the hour"),
        "{warned}"
    );
    assert!(warned.contains("visit durations and time on page cannot be measured"));
    for metric in [
        "visit_duration_mean_s",
        "visits_0s_30s",
        "visits_1h_plus",
        "time_on_page_mean_s",
        "time_on_page_measured",
    ] {
        assert_eq!(get(&hourly, metric), "", "{metric}");
    }
    // What does not need minutes stays.
    assert_eq!(get(&hourly, "page_views"), get(&fine, "page_views"));
    assert_eq!(get(&hourly, "hits"), get(&fine, "hits"));
    let pages = run(&[
        "report",
        coarse.to_str().unwrap(),
        "-q",
        "--min-visitors",
        "1",
        "--table",
        "pages",
    ]);
    for row in text(&pages.stdout).lines().skip(1) {
        assert!(row.ends_with(",,"), "{row}");
    }
    // A merge of partials of the coarse log says the same: the partial carries the coarseness.
    let merged_summary = |log: &std::path::Path| {
        let partial = log.with_extension("partial.json");
        let out = run(&[
            "report",
            log.to_str().unwrap(),
            "-q",
            "--partial",
            partial.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let merged = run(&["merge", partial.to_str().unwrap(), "--table", "summary"]);
        assert!(merged.status.success());
        (text(&merged.stdout), text(&merged.stderr))
    };
    let (summary, warned) = merged_summary(&coarse);
    assert!(
        warned.starts_with("logveil: warning: every timestamp is on the hour"),
        "{warned}"
    );
    for metric in ["visit_duration_mean_s", "time_on_page_mean_s"] {
        assert!(
            summary.contains(&format!("\n{metric},\n")),
            "{metric}: {summary}"
        );
    }
    // And a merge of fine partials does not.
    let (summary, warned) = merged_summary(&seconds);
    assert_eq!(warned, "");
    assert!(!summary.contains("\nvisit_duration_mean_s,\n"));
}

#[test]
fn other_tools_spellings_are_understood_or_answered() {
    let log = elastic();
    let plain = run(&["anonymize", "-q", "--format", "combined", &log]);
    // GoAccess's --log-format COMBINED (and any preset name there): the preset, with a note.
    for (given, preset) in [("COMBINED", "combined"), ("vcombined", "vhost_combined")] {
        let out = run(&["anonymize", "--log-format", given, &log, "-o", "/dev/null"]);
        assert!(out.status.success(), "{given}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).starts_with(&format!(
                "logveil: note: --log-format {given} taken as the preset `--format {preset}`\n"
            )),
            "{}",
            text(&out.stderr)
        );
    }
    let out = run(&["anonymize", "-q", "--log-format", "COMBINED", &log]);
    assert_eq!(out.stdout, plain.stdout);
    assert!(out.stderr.is_empty(), "--quiet silences the note");
    // `anonymise` is `anonymize`.
    let out = run(&["anonymise", "-q", &log]);
    assert_eq!(out.stdout, plain.stdout);
    // anonip's options: a usage error naming logveil's, with the value converted (bits kept = 32 - mask).
    for (args, says) in [
        (vec!["--ipv4mask", "12"], "use --ipv4-prefix 20"),
        (vec!["--ipv4mask=16"], "use --ipv4-prefix 16"),
        (vec!["--ipv6mask", "84"], "use --ipv6-prefix 44"),
    ] {
        let mut all = vec!["anonymize"];
        all.extend(args.iter().copied());
        all.push(&log);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("is anonip's option") && err.contains(says),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // formats --detect takes several files, as its help shows.
    let out = run(&["formats", "--detect", &log, &log]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::copy(sample("apache-combined-elastic.log"), &log).unwrap();
    let before = std::fs::read(&log).unwrap();
    let link = dir.path().join("same.log");
    std::fs::hard_link(&log, &link).unwrap();
    let l = log.to_str().unwrap();
    for args in [
        vec!["anonymize", l, "-o", l],
        vec!["anonymize", l, "-o", l, "--append"],
        vec!["anonymize", l, "-o", link.to_str().unwrap()],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("is also an input"), "{err}");
        assert_eq!(std::fs::read(&log).unwrap(), before, "{args:?}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file"
    );
}

#[test]
fn a_pipe_on_stdin_gets_no_terminal_hint() {
    let line = b"192.168.100.50 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5 \"-\" \"curl/8\"\n";
    for command in ["anonymize", "report"] {
        let out = run_with_stdin(&[command], line);
        assert!(out.status.success(), "{command}");
        assert!(!text(&out.stderr).contains("Ctrl-D"), "{command}");
    }
}

/// Ctrl-C on a run writing `-o FILE` from a file: exit 130, FILE not created, no temporary file left.
/// The input is a FIFO, so the run is surely still reading when the signal comes.
#[test]
fn ctrl_c_exits_130_and_leaves_no_output_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.fifo");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
    let out = dir.path().join("out.log");
    let lines = std::fs::read(sample("apache-combined-elastic.log")).unwrap();
    for command in ["anonymize", "report"] {
        let mut args = vec![command, fifo.to_str().unwrap()];
        let json = dir.path().join("report.json");
        match command {
            "anonymize" => args.extend(["-o", out.to_str().unwrap()]),
            _ => args.extend(["--json", json.to_str().unwrap()]),
        }
        let child = bin()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        writer.write_all(&lines).unwrap();
        // Let it read the first block, then interrupt, then give it one more block to wake on.
        std::thread::sleep(Duration::from_millis(300));
        signal(child.id(), Signal::INT);
        std::thread::sleep(Duration::from_millis(100));
        let _ = writer.write_all(&lines);
        drop(writer);
        let result = child.wait_with_output().unwrap();
        assert_eq!(
            result.status.code(),
            Some(130),
            "{command}: {}",
            text(&result.stderr)
        );
        assert_eq!(text(&result.stderr), "logveil: interrupted\n", "{command}");
        assert!(result.stdout.is_empty());
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["in.fifo"], "{command}: only the input is left");
    }
}

/// A terminal on stdin (someone typed `logveil report` and nothing else) gets one hint line; the run
/// then reads what is typed until Ctrl-D, and the line typed is anonymised like any other.
#[test]
fn a_terminal_on_stdin_gets_one_hint_line() {
    use std::io::Read;
    for command in ["anonymize", "report"] {
        let (master, terminal) = pty();
        let mut child = bin()
            .arg(command)
            .stdin(Stdio::from(terminal))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut master = std::fs::File::from(master);
        // A line as typed, then Ctrl-D at the start of the next line: end of input for the reader.
        master
            .write_all(
                b"192.168.100.50 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5 \"-\" \"curl/8\"\n\x04",
            )
            .unwrap();
        let ended = wait_until(Duration::from_secs(30), || {
            child.try_wait().unwrap().is_some()
        });
        if !ended {
            let _ = child.kill();
        }
        assert!(ended, "{command} did not end at Ctrl-D");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
        child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
        let err = text(&err);
        assert_eq!(
            err.lines().next(),
            Some("logveil: reading from standard input; Ctrl-D ends"),
            "{command}: {err}"
        );
        assert_eq!(err.matches("Ctrl-D").count(), 1, "{command}: {err}");
        assert!(child.wait().unwrap().success(), "{command}: {err}");
        // What was typed was read, and no full address reached an output.
        if command == "anonymize" {
            assert!(text(&out).starts_with("192.168.0.0 - - "), "{}", text(&out));
        } else {
            assert!(text(&out).contains("hits"), "{}", text(&out));
        }
        assert!(full_ipv4s(&out).is_empty() && full_ipv4s(err.as_bytes()).is_empty());
        drop(master);
    }
}

/// Without `--site-host` and without a vhost field, the site's own host is recognised among referrers:
/// its referrer paths are pages of this log. Visits from it are direct entries, the summary names it, and
/// `--site-host` turns the inference off.
#[test]
fn the_site_is_not_its_own_referrer() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
    let mut log = String::new();
    for (i, (client, path, referrer)) in [
        ("10.1.2.3", "/", "https://www.google.com/search?q=cats"),
        ("10.1.2.3", "/about", "http://www.mysite.org/"),
        ("10.1.2.3", "/contact", "http://www.mysite.org/about"),
        ("10.1.2.3", "/search", "http://www.mysite.org/contact"),
        ("10.9.2.3", "/about", "https://news.example.net/item"),
        ("10.7.2.3", "/contact", "http://WWW.MYSITE.ORG/about"),
        (
            "10.6.2.3",
            "/search",
            "https://www.google.com/search?q=dogs",
        ),
        ("10.5.2.3", "/", "https://blog.example.com/"),
    ]
    .iter()
    .enumerate()
    {
        log.push_str(&format!(
            "{client} - - [06/Dec/2026:10:{i:02}:00 +0000] \"GET {path} HTTP/1.1\" 200 500 \"{referrer}\" \"{ua}\"\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("access.log");
    std::fs::write(&file, &log).unwrap();
    let table = |extra: &[&str], name: &str| {
        let mut args = vec![
            "report",
            file.to_str().unwrap(),
            "-q",
            "--min-visitors",
            "1",
            "--table",
            name,
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(full_ipv4s(&out.stdout).is_empty());
        text(&out.stdout)
    };
    let sites = table(&[], "referrer_sites");
    assert_eq!(
        sites,
        "site,visits,visitor_days\nwww.google.com,2,2\nblog.example.com,1,1\nnews.example.net,1,1\n"
    );
    let summary = table(&[], "summary");
    assert!(
        summary.contains("\ninternal_referrer_sites,www.mysite.org\n"),
        "{summary}"
    );
    // Given hosts are taken as they are: no inference, so the site is an external referrer again.
    let given = table(&["--site-host", "shop.example"], "referrer_sites");
    assert!(given.contains("\nwww.mysite.org,1,1\n"), "{given}");
    assert!(!table(&["--site-host", "shop.example"], "summary").contains("internal_referrer"));
    // A merge of partials says it too.
    let partial = dir.path().join("p.json");
    let out = run(&[
        "report",
        file.to_str().unwrap(),
        "-q",
        "--partial",
        partial.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let merged = run(&["merge", partial.to_str().unwrap(), "--table", "summary"]);
    assert!(
        text(&merged.stdout).contains("\ninternal_referrer_sites,www.mysite.org\n"),
        "{}",
        text(&merged.stdout)
    );
}
