//! `logveil anonymize` end to end: the real binary on real logs.

mod common;

use std::io::Write;

use common::*;

const LINE: &str = r#"192.168.100.50 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?sid=77&q=cats HTTP/1.0" 200 2326 "http://www.example.com/start.html?email=jo%40example.com" "Mozilla/4.08 [en] (Win98; I ;Nav)""#;

#[test]
fn headline_example_through_stdin() {
    let out = run_with_stdin(&["anonymize"], format!("{LINE}\n").as_bytes());
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "192.168.0.0 - - [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?sid=&q=cats HTTP/1.0\" 200 2326 \
         \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n"
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "logveil: anonymize: 1 lines: 1 parsed, 0 scrubbed, 0 blank\n"
    );
}

#[test]
fn quiet_silences_the_summary() {
    let out = run_with_stdin(&["anonymize", "--quiet"], LINE.as_bytes());
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
}

/// Client addresses (first field) of every line of `input` that starts with an IP.
fn client_ips(input: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(input)
        .lines()
        .filter_map(|l| l.split([' ', ',']).next())
        .filter(|f| f.parse::<std::net::IpAddr>().is_ok())
        .filter(|f| {
            // Addresses that are already their own reduction (10.0.0.0, ::) cannot leak anything.
            !f.ends_with(".0.0") && !f.ends_with("::")
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_corpus_file_keeps_its_line_count_and_leaks_no_ip_or_email() {
    for file in corpus_logs() {
        let input = std::fs::read(&file).unwrap();
        let out = run(&["anonymize", "--quiet", file.to_str().unwrap()]);
        let name = file.display();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            count_lines(&out.stdout),
            count_lines(&input),
            "{name}: line count"
        );
        assert_eq!(
            full_ipv4s(&out.stdout),
            Vec::<String>::new(),
            "{name}: full IPv4 left"
        );
        assert_eq!(
            emails(&out.stdout),
            Vec::<String>::new(),
            "{name}: email left"
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let tokens: std::collections::HashSet<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '"' | '[' | ']'))
            .collect();
        for ip in client_ips(&input) {
            assert!(!tokens.contains(ip.as_str()), "{name}: {ip} survived");
        }
    }
}

#[test]
fn the_raw_corpus_does_have_ips_and_emails_so_the_scan_is_real() {
    let raw = std::fs::read(corpus("combined-elastic-apache_logs.log")).unwrap();
    assert!(full_ipv4s(&raw).len() > 9000);
    let zanbil = std::fs::read(corpus("combined-matomo-logs_to_tests.log")).unwrap();
    assert!(!full_ipv4s(&zanbil).is_empty());
    assert!(!emails(b"write to jo%40example.com now").is_empty());
}

#[test]
fn every_sample_anonymises_with_its_lines() {
    for name in [
        "apache-combined-elastic.log",
        "apache-mixed-ipv6-beats.log",
        "apache-common-ipv6-beats-darwin.log",
        "nginx-combined-beats.log",
        "nginx-xff-ipv6-beats.log",
        "nginx-vhost-xff-beats.log",
        "traefik-clf-beats.log",
    ] {
        let path = sample(name);
        let input = std::fs::read(&path).unwrap();
        let out = run(&["anonymize", path.to_str().unwrap()]);
        assert!(out.status.success(), "{name}");
        assert_eq!(count_lines(&out.stdout), count_lines(&input), "{name}");
        assert!(
            full_ipv4s(&out.stdout).is_empty(),
            "{name}: {:?}",
            full_ipv4s(&out.stdout)
        );
    }
}

#[test]
fn threads_one_and_many_give_identical_bytes() {
    let file = corpus("combined-elastic-apache_logs.log");
    let f = file.to_str().unwrap();
    let one = run(&["anonymize", "-q", "--threads", "1", f]);
    let four = run(&["anonymize", "-q", "--threads", "4", f]);
    assert!(one.status.success() && four.status.success());
    assert_eq!(one.stdout, four.stdout);
    // Through stdin the blocks are cut differently; the output must not change.
    let input = std::fs::read(&file).unwrap();
    let piped = run_with_stdin(&["anonymize", "-q", "--threads", "3"], &input);
    assert_eq!(piped.stdout, one.stdout);
}

#[test]
fn gzip_and_zstd_inputs_give_the_plain_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read(sample("apache-combined-elastic.log")).unwrap();
    let gz = dir.path().join("access.log.1.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    // Two members, as `cat a.gz b.gz` makes: both must be read.
    let half = input.len() / 2;
    let cut = half + input[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    enc.write_all(&input[..cut]).unwrap();
    enc.finish().unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::OpenOptions::new().append(true).open(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&input[cut..]).unwrap();
    enc.finish().unwrap();
    let zst = dir.path().join("access.log.2.zst");
    std::fs::write(&zst, zstd::encode_all(&input[..], 3).unwrap()).unwrap();

    let plain = run(&[
        "anonymize",
        "-q",
        sample("apache-combined-elastic.log").to_str().unwrap(),
    ]);
    for compressed in [&gz, &zst] {
        let out = run(&["anonymize", "-q", compressed.to_str().unwrap()]);
        assert!(out.status.success());
        assert_eq!(out.stdout, plain.stdout, "{}", compressed.display());
    }
}

#[test]
fn several_files_are_written_in_the_order_given() {
    let a = sample("apache-common-ipv6-beats-darwin.log");
    let b = sample("nginx-combined-beats.log");
    let both = run(&["anonymize", "-q", b.to_str().unwrap(), a.to_str().unwrap()]);
    let only_b = run(&["anonymize", "-q", b.to_str().unwrap()]);
    let only_a = run(&["anonymize", "-q", a.to_str().unwrap()]);
    assert_eq!(both.stdout, [only_b.stdout, only_a.stdout].concat());
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("anon.log");
    let input = sample("apache-combined-elastic.log");
    let out = run(&[
        "anonymize",
        "-q",
        "-o",
        target.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let written = std::fs::read(&target).unwrap();
    let stdout = run(&["anonymize", "-q", input.to_str().unwrap()]).stdout;
    assert_eq!(written, stdout);
    // Nothing but the target is left in the directory (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn unwritable_output_fails_before_reading_with_exit_74() {
    let out = run_with_stdin(
        &["anonymize", "-o", "/nonexistent-dir/x.log"],
        LINE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("logveil: /nonexistent-dir/x.log: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("anon.log");
    let out = run(&[
        "anonymize",
        "-o",
        target.to_str().unwrap(),
        sample("nginx-combined-beats.log").to_str().unwrap(),
        "/nonexistent/input.log",
    ]);
    assert_eq!(out.status.code(), Some(74));
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn missing_input_and_directory_are_clear_errors() {
    let out = run(&["anonymize", "/nonexistent/input.log"]);
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8(out.stderr).unwrap();
    // Words, not an errno: no "(os error 2)" tail.
    assert_eq!(err, "logveil: /nonexistent/input.log: no such file\n");
    let out = run(&["anonymize", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(out.status.code(), Some(74));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("is a directory")
    );
}

#[test]
fn strict_names_file_and_line_without_quoting_it() {
    let file = corpus("common-nasa-aug95-wrapped-lines.log");
    let out = run(&["anonymize", "--strict", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        format!(
            "logveil: {}:38: line does not parse as common (--strict stops here)\n",
            file.display()
        )
    );
    // Everything before the bad line was written, anonymised.
    assert_eq!(count_lines(&out.stdout), 37);
    assert!(full_ipv4s(&out.stdout).is_empty());
}

#[test]
fn damaged_nasa_log_is_scrubbed_and_counted() {
    let file = corpus("common-nasa-aug95-wrapped-lines.log");
    let out = run(&["anonymize", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "logveil: anonymize: 1930 lines: 1841 parsed, 89 scrubbed, 0 blank\n"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // A fragment that starts with a host name keeps only its registrable domain.
    assert!(
        text.contains("\nufl.edu - - [0\n"),
        "host name fragment not reduced"
    );
    assert!(!text.contains("haraway.ucet"));
}

#[test]
fn crlf_missing_newline_and_invalid_utf8() {
    // (A NUL byte in the first 8 KiB refuses the input: see bad_input.rs.)
    let mut input = Vec::new();
    input.extend_from_slice(LINE.as_bytes());
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(b"\xff\xfe 10.20.30.40 \x1b bytes\n\n");
    input.extend_from_slice(LINE.replace("cats", "\u{e9}t\u{e9}").as_bytes());
    let out = run_with_stdin(&["anonymize"], &input);
    assert!(out.status.success());
    let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 5, "4 lines and the final newline");
    assert!(lines[0].starts_with(b"192.168.0.0 - - ") && lines[0].ends_with(b"\r"));
    assert_eq!(lines[1], b"\xff\xfe 10.20.0.0 \x1b bytes");
    assert_eq!(lines[2], b"");
    assert!(lines[3].starts_with(b"192.168.0.0"));
    assert_eq!(lines[4], b"");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "logveil: anonymize: 4 lines: 2 parsed, 1 scrubbed, 1 blank\n"
    );
}

#[test]
fn empty_input_gives_empty_output() {
    let out = run_with_stdin(&["anonymize"], b"");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "logveil: anonymize: 0 lines: 0 parsed, 0 scrubbed, 0 blank\n"
    );
}

#[test]
fn forced_format_scrubs_lines_of_another_shape() {
    let file = sample("apache-combined-elastic.log");
    let out = run(&[
        "anonymize",
        "--format",
        "vhost_combined",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("0 parsed, 2000 scrubbed")
    );
    assert!(full_ipv4s(&out.stdout).is_empty());
    let bad = run(&["anonymize", "--format", "apache2", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn prefix_options_are_applied_and_validated() {
    let out = run_with_stdin(&["anonymize", "-q", "--ipv4-prefix", "24"], LINE.as_bytes());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("192.168.100.0 ")
    );
    let out = run_with_stdin(&["anonymize", "--ipv4-prefix", "32"], LINE.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "logveil: --ipv4-prefix must be between 8 and 24, not 32\n"
    );
}

#[test]
fn closed_stdout_exits_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let file = corpus("combined-elastic-apache_logs.log");
    let args: Vec<String> = std::iter::once("anonymize".to_string())
        .chain(std::iter::repeat_n(file.to_str().unwrap().to_string(), 20))
        .collect();
    let mut child = bin()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("83.149.0.0 "));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn full_output_to_dev_full_is_an_io_error() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        panic!("/dev/full is needed by this test");
    }
    let out = bin()
        .args([
            "anonymize",
            sample("apache-combined-elastic.log").to_str().unwrap(),
        ])
        .stdout(std::fs::OpenOptions::new().write(true).open(full).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("logveil: <stdout>: no space left on device"),
        "{err}"
    );
}

#[test]
fn output_to_a_fifo_writes_through_it_and_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = run_with_stdin(
        &["anonymize", "-q", "-o", fifo.to_str().unwrap()],
        LINE.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = reader.join().unwrap();
    assert!(got.starts_with(b"192.168.0.0 - - "));
    // Not replaced by a regular file (which is what renaming a temporary file over it would do).
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}
