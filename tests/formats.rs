//! Every preset on real files (shipped samples, or the shared corpus where the licence keeps a file out of
//! the repository): well-formed records parse, anonymised output parses again with the same format and the
//! same fields, no input IP survives in full, and the deliberately broken lines are scrubbed and counted.

mod common;

use std::path::PathBuf;

use common::{corpus, count_lines, emails, full_ipv4s, run, run_with_stdin, sample};
use logveil::Record;
use logveil::{Format, LineParser, Parsed};

/// The named fields a record has (a field count independent of the values).
fn named_fields(r: &Record<'_>) -> usize {
    [
        r.vhost,
        r.client,
        r.ident,
        r.authuser,
        r.time,
        r.date,
        r.request,
        r.method,
        r.target,
        r.query,
        r.status,
        r.bytes,
        r.referer,
        r.user_agent,
        r.dnt,
        r.sec_gpc,
    ]
    .iter()
    .filter(|s| s.is_some())
    .count()
}

/// Per line of `bytes` (directives and blank lines left out): the named-field count when it parses.
fn parse_all(format: Format, bytes: &[u8]) -> Vec<Option<usize>> {
    let parser = LineParser::forced(format);
    let mut chunk = parser.chunk(None);
    let mut out = Vec::new();
    for l in bytes.split(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match chunk.parse(l) {
            Parsed::Record(r) => out.push(Some(named_fields(&r))),
            Parsed::Directive => {}
            Parsed::Unparsed => out.push(None),
        }
    }
    out
}

/// The case for one file: which preset, and how many of its records are known to be broken.
struct Case {
    format: Format,
    file: PathBuf,
    broken: usize,
}

fn cases() -> Vec<Case> {
    let c = |format, name: &str, broken| Case {
        format,
        file: corpus(name),
        broken,
    };
    let s = |format, name: &str| Case {
        format,
        file: sample(name),
        broken: 0,
    };
    vec![
        s(Format::Combined, "apache-combined-elastic.log"),
        s(Format::Common, "apache-common-ipv6-beats-darwin.log"),
        c(Format::Common, "common-nasa-aug95-wrapped-lines.log", 89),
        c(Format::VhostCommon, "vhost-common-matomo.log", 0),
        c(
            Format::VhostCombined,
            "vhost-combined-big5-encoding-matomo.log",
            0,
        ),
        // One line of this sample is vhost-prefixed, not nginx's default format.
        Case {
            format: Format::Nginx,
            file: sample("nginx-combined-beats.log"),
            broken: 1,
        },
        c(
            Format::NginxXff,
            "nginx-combined-xff-lnav-zanbil-shop.log",
            0,
        ),
        s(Format::Traefik, "traefik-clf-beats.log"),
        c(Format::W3c, "w3c-iis85-lnav-w3c_big.log", 0),
        s(Format::W3c, "w3c-iis10-multiheader-beats.log"),
        s(Format::W3c, "w3c-iis75-ipv6-mangled-beats.log"),
        c(Format::W3c, "w3c-iis10-ipv6zone-beats-iis.log", 0),
        c(Format::W3c, "w3c-iis6-matomo.log", 0),
        c(Format::W3c, "w3c-iis-advanced-matomo.log", 0),
        c(Format::W3c, "w3c-incapsula-matomo.log", 0),
        c(Format::W3c, "w3c-netscaler-matomo.log", 0),
        c(
            Format::Cloudfront,
            "cloudfront-web-v33-ipv6-elastic-integrations.log",
            1,
        ),
        c(Format::Cloudfront, "cloudfront-web-matomo.log", 0),
        // Three ALB lines; the other seven are NLB and connection-log lines, a different log.
        // ALB, NLB `tls` and ALB connection lines, read line by line (7 are not HTTP: `non_http`).
        c(Format::Alb, "alb-nlb-mixed-elastic-integrations.log", 0),
        c(Format::Alb, "alb-matomo.log", 0),
        // The comment line of this fixture is not a record of any log.
        c(Format::Elb, "elb-classic-matomo.log", 1),
        c(Format::S3, "s3-access-matomo.log", 0),
        c(Format::Haproxy, "haproxy-matomo.log", 0),
        s(Format::Caddy, "caddy-json-lnav-mirror.log"),
        c(Format::Caddy, "caddy-json-matomo.log", 0),
        c(Format::TraefikJson, "traefik-json-matomo.log", 0),
        c(Format::NginxJson, "nginx-json-matomo.log", 0),
        c(Format::Gandi, "vhost-combined-gandi-matomo.log", 0),
        c(Format::Ovh, "combined-ovh-matomo.log", 0),
    ]
}

#[test]
fn every_preset_has_a_real_file() {
    let covered: Vec<Format> = cases().iter().map(|c| c.format).collect();
    for f in Format::ALL {
        assert!(covered.contains(&f), "{f} has no test file");
    }
}

#[test]
fn well_formed_records_parse_and_broken_ones_are_counted() {
    for case in cases() {
        let input = std::fs::read(&case.file).unwrap();
        let name = case.file.display();
        let parsed = parse_all(case.format, &input);
        let failed = parsed.iter().filter(|p| p.is_none()).count();
        assert_eq!(failed, case.broken, "{name} as {}", case.format);
        assert!(parsed.len() > case.broken, "{name}: no record");
    }
}

#[test]
fn anonymised_output_parses_again_with_the_same_fields_and_no_full_ip() {
    for case in cases() {
        let input = std::fs::read(&case.file).unwrap();
        let name = case.file.display();
        let out = run(&[
            "anonymize",
            "--format",
            case.format.name(),
            case.file.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}");
        assert_eq!(count_lines(&out.stdout), count_lines(&input), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{} scrubbed", case.broken)),
            "{name}: {stderr}"
        );
        let before = parse_all(case.format, &input);
        let after = parse_all(case.format, &out.stdout);
        assert_eq!(before, after, "{name}: fields differ after anonymising");
        assert_eq!(full_ipv4s(&out.stdout), Vec::<String>::new(), "{name}");
        assert_eq!(emails(&out.stdout), Vec::<String>::new(), "{name}");
        // Anonymising twice changes nothing.
        let again = run_with_stdin(
            &["anonymize", "-q", "--format", case.format.name()],
            &out.stdout,
        );
        assert_eq!(again.stdout, out.stdout, "{name}: not idempotent");
    }
}

#[test]
fn no_input_ipv6_client_survives() {
    for (format, file) in [
        (
            Format::Cloudfront,
            corpus("cloudfront-web-v33-ipv6-elastic-integrations.log"),
        ),
        (Format::W3c, sample("w3c-iis75-ipv6-mangled-beats.log")),
        (Format::Caddy, sample("caddy-json-lnav-mirror.log")),
    ] {
        let out = run(&[
            "anonymize",
            "-q",
            "--format",
            format.name(),
            file.to_str().unwrap(),
        ]);
        let check = run_with_stdin(&["check", "--summary"], &out.stdout);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

#[test]
fn json_logs_keep_their_keys_in_order_and_lose_cookies() {
    let line = br#"{"level":"info","ts":1703373474.8155608,"request":{"remote_ip":"10.5.1.1","client_ip":"81.2.69.143","method":"GET","host":"example.com","uri":"/a?session=abc&q=x","headers":{"Cookie":["sid=1"],"User-Agent":["Mozilla/5.0"],"X-Forwarded-For":["81.2.69.143, 10.1.2.3"],"Authorization":["Basic eDp5"]}},"user_id":"bob","status":200,"size":5}"#;
    let out = run_with_stdin(&["anonymize", "-q", "--format", "caddy"], line);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        concat!(
            r#"{"level":"info","ts":1703373474.8155608,"request":{"remote_ip":"10.5.0.0","client_ip":"81.2.0.0","#,
            r#""method":"GET","host":"example.com","uri":"/a?session=&q=x","headers":{"User-Agent":["Mozilla/5.0"],"#,
            r#""X-Forwarded-For":["81.2.0.0, 10.1.0.0"]}},"user_id":"-","status":200,"size":5}"#,
            "\n"
        )
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["request"]["headers"].as_object().unwrap().len(), 2);
}

#[test]
fn corpus_json_output_stays_valid_json() {
    for file in [
        sample("caddy-json-lnav-mirror.log"),
        corpus("caddy-json-matomo.log"),
        corpus("traefik-json-matomo.log"),
        corpus("nginx-json-matomo.log"),
    ] {
        let out = run(&["anonymize", "-q", file.to_str().unwrap()]);
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let v: Result<serde_json::Value, _> = serde_json::from_str(line);
            assert!(v.is_ok(), "{}: {line}", file.display());
            assert!(!line.contains("Cookie\""), "{}", file.display());
        }
    }
}

#[test]
fn w3c_header_changes_mid_file_are_followed_across_chunks() {
    // Two layouts, alternating many times: far more bytes than one pipeline chunk.
    let a = "#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent)\n";
    let b = "#Fields: date time cs-method cs-uri-stem cs-username c-ip sc-status\n";
    let mut log = String::new();
    for block in 0..400 {
        log.push_str(if block % 2 == 0 { a } else { b });
        for i in 0..60 {
            if block % 2 == 0 {
                log.push_str(&format!(
                    "2020-01-01 10:00:{:02} 81.2.{block}.{i} GET /p{i} 200 Mozilla/5.0+(X11)\n",
                    i % 60
                ));
            } else {
                log.push_str(&format!(
                    "2020-01-01 10:00:{:02} GET /q{i} user{i} 81.2.{block}.{i} 404\n",
                    i % 60
                ));
            }
        }
    }
    assert!(log.len() > 2 * logveil::CHUNK_BYTES);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("u_ex.log");
    std::fs::write(&file, &log).unwrap();
    for threads in ["1", "2"] {
        let out = run(&["anonymize", "-j", threads, file.to_str().unwrap()]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("24000 parsed, 0 scrubbed"), "{stderr}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(full_ipv4s(text.as_bytes()).is_empty());
        assert!(!text.contains("user1"), "user names are dropped");
    }
    let report = run(&["report", "--table", "status", file.to_str().unwrap()]);
    let csv = String::from_utf8(report.stdout).unwrap();
    assert!(
        csv.contains("200,12000") && csv.contains("404,12000"),
        "{csv}"
    );
}

#[test]
fn formats_lists_every_preset_and_detects_files() {
    let out = run(&["formats"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for f in Format::ALL {
        assert!(text.lines().any(|l| l.starts_with(f.name())), "{f}");
    }
    for (file, want) in [
        (
            corpus("w3c-iis85-lnav-w3c_big.log"),
            "w3c (210 of 210 lines parse, 100.0%)",
        ),
        (
            corpus("cloudfront-web-v33-ipv6-elastic-integrations.log"),
            "cloudfront (11 of 12 lines parse, 91.7%)",
        ),
        (
            corpus("nginx-combined-xff-lnav-zanbil-shop.log"),
            "nginx-xff (1000 of 1000",
        ),
        (
            corpus("common-nasa-aug95-wrapped-lines.log"),
            "common (1841 of 1930",
        ),
        (sample("caddy-json-lnav-mirror.log"), "caddy (4 of 4"),
        (corpus("traefik-json-matomo.log"), "traefik-json (1 of 1"),
        (corpus("haproxy-matomo.log"), "haproxy (1 of 1"),
        (corpus("s3-access-matomo.log"), "s3 (1 of 1"),
    ] {
        let out = run(&["formats", "--detect", file.to_str().unwrap()]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(want), "{}: {text}", file.display());
    }
}

#[test]
fn log_format_strings_parse_like_the_presets_and_name_unknown_directives() {
    let file = sample("apache-combined-elastic.log");
    let preset = run(&["anonymize", "--format", "combined", file.to_str().unwrap()]);
    let spec = run(&[
        "anonymize",
        "--log-format",
        r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#,
        file.to_str().unwrap(),
    ]);
    assert_eq!(spec.stdout, preset.stdout);
    assert!(
        String::from_utf8(spec.stderr)
            .unwrap()
            .contains("2000 parsed, 0 scrubbed")
    );
    let nginx = run(&[
        "anonymize",
        "--nginx-format",
        r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#,
        corpus("nginx-combined-xff-lnav-zanbil-shop.log")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        String::from_utf8(nginx.stderr)
            .unwrap()
            .contains("1000 parsed, 0 scrubbed")
    );
    assert!(full_ipv4s(&nginx.stdout).is_empty());
    let bad = run(&["anonymize", "--log-format", "%h %Q", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(bad.stderr).unwrap().trim(),
        "logveil: unknown directive '%Q' in the log format"
    );
    let bad = run(&[
        "report",
        "--nginx-format",
        "$remote_addr $nope",
        file.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("'$nope'"));
}

#[test]
fn cookie_and_user_fields_of_a_log_format_are_stripped() {
    let line = br#"81.2.69.143 - jane [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "sid=s3cr3t; theme=dark" "Basic amFuZTpwdw==" 1"#;
    let out = run_with_stdin(
        &[
            "anonymize",
            "-q",
            "--log-format",
            r#"%h %l %u %t "%r" %>s %b "%{Cookie}i" "%{Authorization}i" %{DNT}i"#,
        ],
        line,
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "81.2.0.0 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\" 1\n"
    );
}

#[test]
fn reports_read_every_preset() {
    for case in cases() {
        let out = run(&[
            "report",
            "--format",
            case.format.name(),
            "--json",
            "-",
            case.file.to_str().unwrap(),
        ]);
        let name = case.file.display();
        assert!(out.status.success(), "{name}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(full_ipv4s(&out.stdout).is_empty(), "{name}");
        let metric = |m: &str| {
            v["tables"]["summary"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r[0] == m)
                .and_then(|r| r[1].as_u64())
                .unwrap()
        };
        let records = parse_all(case.format, &std::fs::read(&case.file).unwrap()).len() as u64;
        assert_eq!(metric("parsed"), records - case.broken as u64, "{name}");
        // Every parsed line has a time the report understands: it is a hit, an opted-out hit or a line
        // that is no HTTP request.
        assert_eq!(
            metric("hits") + metric("opted_out") + metric("non_http"),
            metric("parsed"),
            "{name}"
        );
        let days = v["tables"]["days"]["rows"].as_array().map_or(0, Vec::len);
        assert!(days > 0 || metric("hits") == 0, "{name}");
    }
}

#[test]
fn dnt_and_sec_gpc_headers_of_json_logs_opt_hits_out() {
    // Every line of this Caddy log carries `"Dnt":["1"]`.
    let file = corpus("caddy-json-matomo.log");
    let out = run(&["report", "--table", "summary", file.to_str().unwrap()]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.contains("opted_out,3") && csv.contains("hits,0"),
        "{csv}"
    );
}
