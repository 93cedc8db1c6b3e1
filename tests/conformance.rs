//! Reading lines the way Matomo's importer and GoAccess do (issue 20): the client port and forwarded lists,
//! full URLs in the request line, layouts and prefixes, each checked end to end on the real binary.

mod common;

use common::{emails, full_ipv4s, logveil};

/// `logveil report ARGS --table NAME` on `log` (stdin), as CSV rows of `column=value` joined by `,`.
fn table(log: &str, name: &str, args: &[&str]) -> String {
    let mut all = vec!["report", "--min-visitors", "1", "--table", name];
    all.extend_from_slice(args);
    all.push("-");
    let out = logveil(&all, log.as_bytes());
    assert!(
        out.status.success(),
        "report {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_identifiers(&out.stdout);
    String::from_utf8(out.stdout).expect("utf-8 table")
}

/// The value of `metric` in the summary table.
fn summary(log: &str, metric: &str, args: &[&str]) -> String {
    let csv = table(log, "summary", args);
    csv.lines()
        .find_map(|l| l.strip_prefix(&format!("{metric},")))
        .unwrap_or_else(|| panic!("no {metric} in\n{csv}"))
        .to_string()
}

/// Fails on a full IPv4 address or an email address in `out`.
fn no_identifiers(out: &[u8]) {
    let ips = full_ipv4s(out);
    assert!(ips.is_empty(), "full addresses in output: {ips:?}");
    let mails = emails(out);
    assert!(mails.is_empty(), "emails in output: {mails:?}");
}

const HAPROXY_PORTS: &str = "\
Sep 25 06:05:27 lb haproxy[6801]: 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft bk/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 \"GET / HTTP/1.1\"
Sep 25 06:05:28 lb haproxy[6801]: 4.3.2.1:55009 [25/Sep/2018:06:05:28.584] ft bk/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 \"GET /a HTTP/1.1\"
Sep 25 06:05:29 lb haproxy[6801]: 4.3.2.1:55010 [25/Sep/2018:06:05:29.584] ft bk/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 \"GET /b HTTP/1.1\"
";

#[test]
fn the_client_port_is_not_part_of_the_visitor() {
    assert_eq!(summary(HAPROXY_PORTS, "visitors", &[]), "1");
    assert_eq!(summary(HAPROXY_PORTS, "visits", &[]), "1");
    assert_eq!(summary(HAPROXY_PORTS, "bounces", &[]), "0");
    let networks = table(HAPROXY_PORTS, "networks", &[]);
    assert_eq!(
        networks,
        "network,country,asn,hits,visitor_days\n4.3.0.0,,,3,1\n"
    );
    // The anonymised line keeps the port field as the format has it.
    let out = logveil(&["anonymize", "-q", "-"], HAPROXY_PORTS.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(" 4.3.0.0:55008 ") && text.contains(" 4.3.0.0:55010 "),
        "{text}"
    );
}

const ELB_FULL_URL: &str = "\
2015-05-13T23:39:43.945958Z my-loadbalancer 1.2.3.4:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 \"GET https://www.example.com:443/path/index.html HTTP/1.1\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11\" DHE-RSA-AES128-SHA TLSv1.2
2015-05-13T23:39:44.945958Z my-loadbalancer 1.2.3.4:2818 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 \"GET http://www.example.com HTTP/1.1\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11\" DHE-RSA-AES128-SHA TLSv1.2
";

#[test]
fn a_full_url_in_the_request_line_is_a_path_on_a_host() {
    let pages = table(ELB_FULL_URL, "pages", &[]);
    let paths: Vec<&str> = pages
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(paths, ["/", "/path/index.html"], "{pages}");
    // The URL's host is the request's host.
    for (host, hits) in [("www.example.com", "2"), ("other.example", "0")] {
        assert_eq!(
            summary(ELB_FULL_URL, "hits", &["--include-host", host]),
            hits,
            "{host}"
        );
    }
}

#[test]
fn an_unquoted_last_field_does_not_swallow_the_line() {
    let log = "\
1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\" www.example.com 192.0.2.10
1.2.3.4 - - [17/May/2015:10:05:04 +0000] \"GET /b HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\" www.example.com 192.0.2.11 trailing 77
";
    let format = [
        "--log-format",
        r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %v"#,
    ];
    assert_eq!(summary(log, "parsed", &format), "2");
    assert_eq!(summary(log, "visitors", &format), "1");
    // The trailing fields are judged by their shape: addresses reduced, numbers kept, words dropped.
    let mut args = vec!["anonymize", "-q"];
    args.extend_from_slice(&format);
    args.push("-");
    let out = logveil(&args, log.as_bytes());
    no_identifiers(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with(" www.example.com 192.0.0.0 - 77\n"),
        "{text}"
    );
}

const FORWARDED: &str = "\
10.0.0.2, 10.0.0.1, 85.181.35.98 - - [07/Dec/2016:11:05:07 +0100] \"GET /a HTTP/1.1\" 200 571 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
\"10.5.102.222, 199.96.1.1, 85.181.35.98\" 10.2.1.185 - - [07/Dec/2016:11:05:08 +0100] \"GET /b HTTP/1.1\" 200 571 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
199.96.1.1, 85.181.35.98 10.2.2.121 - - [07/Dec/2016:11:05:09 +0100] \"GET /c HTTP/1.1\" 200 571 \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
";

#[test]
fn a_forwarded_list_names_the_rightmost_untrusted_address() {
    assert_eq!(summary(FORWARDED, "parsed", &[]), "3");
    // 85.181.35.98 is the visitor on all three lines: the private hops before and after it are proxies.
    assert_eq!(summary(FORWARDED, "visitors", &[]), "1");
    assert_eq!(
        table(FORWARDED, "networks", &[]),
        "network,country,asn,hits,visitor_days\n85.181.0.0,,,3,1\n"
    );
    // Trusting 85.181.0.0/16 too moves the visitor one hop left where there is one.
    let trusted = [
        "--trusted-proxy",
        "10.0.0.0/8",
        "--trusted-proxy",
        "85.181.0.0/16",
    ];
    assert_eq!(
        table(FORWARDED, "networks", &trusted),
        "network,country,asn,hits,visitor_days\n199.96.0.0,,,2,1\n10.0.0.0,,,1,1\n"
    );
    let bad = logveil(&["report", "--trusted-proxy", "nope", "-"], b"");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--trusted-proxy: 'nope'"));
    // Every item of every list is reduced in the anonymised log.
    let out = logveil(&["anonymize", "-q", "-"], FORWARDED.as_bytes());
    no_identifiers(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("10.0.0.0, 10.0.0.0, 85.181.0.0 - - ["),
        "{text}"
    );
    assert!(
        text.contains("\n\"10.5.0.0, 199.96.0.0, 85.181.0.0\" 10.2.0.0 - - ["),
        "{text}"
    );
    assert!(
        text.contains("\n199.96.0.0, 85.181.0.0 10.2.0.0 - - ["),
        "{text}"
    );
}

#[test]
fn doubled_spaces_between_fields_parse() {
    let log = "\
1.2.3.4  -  - [17/May/2015:10:05:03 +0000]  \"GET /a HTTP/1.1\" 200  5 \"-\"  \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\"
www.example.com  1.2.3.5 - - [17/May/2015:10:05:04 +0000] \"GET /b HTTP/1.1\" 404 5
";
    assert_eq!(summary(log, "parsed", &["-f", "combined"]), "1");
    assert_eq!(summary(log, "hits", &["-f", "combined"]), "1");
    assert_eq!(
        summary(
            log.lines().nth(1).unwrap(),
            "parsed",
            &["-f", "vhost_common"]
        ),
        "1"
    );
    let out = logveil(&["anonymize", "-q", "-f", "combined", "-"], log.as_bytes());
    no_identifiers(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("1.2.0.0  -  - [17/May/2015:10:05:03 +0000]  \"GET /a"),
        "{text}"
    );
}

#[test]
fn gandi_lines_are_detected() {
    let log = std::fs::read_to_string(common::corpus("vhost-combined-gandi-matomo.log")).unwrap();
    let out = logveil(&["formats", "--detect", "-"], log.as_bytes());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("gandi (2 of 2 lines parse"), "{said}");
    assert_eq!(summary(&log, "parsed", &[]), "2");
    assert_eq!(summary(&log, "page_views", &[]), "1");
}

/// A combined line with a client address and a user name, behind each collector's prefix.
const BEHIND: &str = r#"85.181.35.98 - bob [06/Dec/2026:23:00:01 +0100] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0""#;

fn prefixed(prefix: &str) -> String {
    format!(
        "{prefix}{BEHIND}\n{prefix}{}\n",
        BEHIND.replace("/a ", "/b ")
    )
}

#[test]
fn lines_behind_a_collector_prefix_parse_in_report_and_anonymize() {
    let docker: String = [BEHIND.to_string(), BEHIND.replace("/a ", "/b ")]
        .iter()
        .map(|line| {
            let escaped = line.replace('"', "\\\"");
            format!(
                "{{\"log\":\"{escaped}\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-06T22:00:01.1Z\"}}\n"
            )
        })
        .collect();
    for (name, log, kept) in [
        (
            "syslog",
            prefixed("Dec  6 23:00:01 web1 nginx[42]: "),
            "Dec  6 23:00:01 - nginx[42]: ",
        ),
        (
            "syslog with an address for a host",
            prefixed("<13>Dec  6 23:00:01 10.20.30.40 nginx[42]: "),
            "<13>Dec  6 23:00:01 10.20.0.0 nginx[42]: ",
        ),
        (
            "syslog with an email for a tag",
            prefixed("Dec  6 23:00:01 web1 bob@example.com: "),
            "Dec  6 23:00:01 - -: ",
        ),
        (
            "rfc5424",
            prefixed("<13>1 2026-12-06T23:00:01Z host.example.org nginx 42 - - "),
            "<13>1 2026-12-06T23:00:01Z - nginx 42 - - ",
        ),
        (
            "cri",
            prefixed("2026-12-06T22:00:01.123456789Z stdout F "),
            "2026-12-06T22:00:01.123456789Z stdout F ",
        ),
        ("compose", prefixed("web-1  | "), "web-1  | "),
        ("docker json", docker, "{\"log\":\""),
    ] {
        // Report: both lines parse, values as in the raw line.
        assert_eq!(summary(&log, "parsed", &[]), "2", "{name}");
        assert_eq!(summary(&log, "unparsed", &[]), "0", "{name}");
        let days = table(&log, "days", &[]);
        assert!(days.contains("2026-12-06,2,2,1,1,10"), "{name}: {days}");
        let pages = table(&log, "pages", &[]);
        assert!(
            pages.contains("\n/a,1,") && pages.contains("\n/b,1,"),
            "{name}: {pages}"
        );
        // formats --detect names the prefix.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("behind.log");
        std::fs::write(&file, &log).unwrap();
        let out = logveil(&["formats", "--detect", file.to_str().unwrap()], b"");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(": combined behind a ") && text.contains("(2 of 2 lines parse"),
            "{name}: {text}"
        );
        // Anonymize: the prefix by its allow-list, the line after it rewritten.
        let out = logveil(&["anonymize", "-q", "-"], log.as_bytes());
        assert!(out.status.success(), "{name}");
        no_identifiers(&out.stdout);
        no_identifiers(&out.stderr);
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 2, "{name}: {text}");
        for line in text.lines() {
            assert!(line.starts_with(kept), "{name}: {line}");
            assert!(
                !line.contains("bob") && !line.contains("web1"),
                "{name}: {line}"
            );
            assert!(line.contains("85.181.0.0 - -"), "{name}: {line}");
        }
    }
}

#[test]
fn a_syslog_host_is_kept_only_when_allow_listed() {
    let log = prefixed("Dec  6 23:00:01 web1.example.org nginx[42]: ");
    let out = logveil(
        &["anonymize", "-q", "--keep-field", "syslog-host", "-"],
        log.as_bytes(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Dec  6 23:00:01 web1.example.org nginx[42]: 85.181.0.0 - - "),
        "{text}"
    );
    no_identifiers(text.as_bytes());
}

#[test]
fn lnavs_docker_compose_caddy_log_parses() {
    let file = common::sample("caddy-docker-compose-lnav.log");
    let log = std::fs::read_to_string(&file).unwrap();
    // 39 lines: 4 access records (checked by hand: GET / three times, then GET /index.html, from
    // 172.19.0.1 to host localhost), the rest Caddy's own messages.
    assert_eq!(summary(&log, "lines", &[]), "39");
    assert_eq!(summary(&log, "parsed", &[]), "4");
    let pages = table(&log, "pages", &[]);
    assert!(
        pages.contains("\n/,3,1,") && pages.contains("\n/index.html,1,1,"),
        "{pages}"
    );
    assert_eq!(summary(&log, "hits", &["--include-host", "localhost"]), "4");
    let out = logveil(&["formats", "--detect", file.to_str().unwrap()], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("caddy behind a docker-compose prefix (4 of 39"),
        "{text}"
    );
    let out = logveil(&["anonymize", "-q", "-"], log.as_bytes());
    no_identifiers(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 39);
    assert!(text.lines().all(|l| l.starts_with("caddy  | {")), "{text}");
    assert!(text.contains("\"remote_ip\":\"172.19.0.0\""), "{text}");
}

#[test]
fn ovh_reads_the_ident_slot_as_the_host() {
    let log = std::fs::read_to_string(common::corpus("combined-ovh-matomo.log")).unwrap();
    // The raw line: 1.2.3.4 www.example.com theuser [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.1" 301 368
    assert_eq!(
        summary(&log, "hits", &["--include-host", "www.example.com"]),
        "1"
    );
    assert_eq!(
        summary(&log, "excluded_host", &["--include-host", "other.example"]),
        "1"
    );
    let status = table(&log, "status", &[]);
    assert_eq!(status, "status,hits\n301,1\n");
    let out = logveil(&["anonymize", "-q", "-"], log.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("1.2.0.0 www.example.com - [10/Feb/2012:16:42:07 -0500] "),
        "{text}"
    );
    no_identifiers(text.as_bytes());
}

#[test]
fn icecast2_and_netscaler_report_what_their_lines_say() {
    // Matomo's icecast2.log: combined plus the session time (1807 s), kept as a number.
    let ice = "1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] \"GET / HTTP/1.0\" 301 368 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11\" 1807\n";
    assert_eq!(summary(ice, "parsed", &[]), "1");
    assert_eq!(summary(ice, "bytes", &[]), "368");
    assert_eq!(table(ice, "status", &[]), "status,hits\n301,1\n");
    assert_eq!(
        table(ice, "days", &[]).lines().nth(1),
        Some("2012-02-10,1,0,0,0,368")
    );
    let out = logveil(&["anonymize", "-q", "-"], ice.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("1.2.0.0 - - [") && text.trim_end().ends_with("\" 1807"),
        "{text}"
    );
    // NetScaler W3C (corpus): one record, 2012-08-16 11:55, status 302, 355 bytes sent.
    let ns = std::fs::read_to_string(common::corpus("w3c-netscaler-matomo.log")).unwrap();
    assert_eq!(summary(&ns, "parsed", &[]), "1");
    assert_eq!(table(&ns, "status", &[]), "status,hits\n302,1\n");
    let days = table(&ns, "days", &[]);
    assert!(days.contains("\n2012-08-16,1,"), "{days}");
    let hours = table(&ns, "hours", &[]);
    assert!(hours.contains("\n11,1,"), "{hours}");
}

#[test]
fn apache_time_directives_are_read() {
    // 2024-01-02 03:04:05 UTC is 1704164645.
    for (format, line) in [
        (
            r#"%h %{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t "%r" %>s %b"#,
            r#"85.181.35.98 2024-01-02 03:04:05.123456 "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h [%{%d/%b/%Y:%H:%M:%S %z}t] "%r" %>s %b"#,
            r#"85.181.35.98 [02/Jan/2024:03:04:05 +0000] "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h %{begin:sec}t "%r" %>s %b"#,
            r#"85.181.35.98 1704164645 "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h %{msec}t "%r" %>s %b"#,
            r#"85.181.35.98 1704164645123 "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h %{end:usec}t "%r" %>s %b"#,
            r#"85.181.35.98 1704164645123456 "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h [%{%a, %e %b %Y %T %Z}t] "%r" %>s %b"#,
            r#"85.181.35.98 [Tue,  2 Jan 2024 03:04:05 GMT] "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h %{%D %I:%M:%S %p}t "%r" %>s %b"#,
            r#"85.181.35.98 01/02/24 03:04:05 AM "GET /a HTTP/1.1" 200 5"#,
        ),
        (
            r#"%h %{%j/%Y %H:%M:%S}t "%r" %>s %b %D"#,
            r#"85.181.35.98 002/2024 03:04:05 "GET /a HTTP/1.1" 200 5 1234"#,
        ),
    ] {
        let log = format!("{line}\n");
        let args = ["--log-format", format];
        assert_eq!(summary(&log, "parsed", &args), "1", "{format}");
        let days = table(&log, "days", &args);
        assert!(days.contains("\n2024-01-02,1,1,1,1,5"), "{format}: {days}");
        let out = logveil(
            &["anonymize", "-q", "--log-format", format, "-"],
            log.as_bytes(),
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("85.181.0.0 ") && text.contains("\"GET /a HTTP/1.1\" 200 5"),
            "{format}: {text}"
        );
        no_identifiers(text.as_bytes());
    }
}

#[test]
fn a_log_format_that_matches_no_line_is_a_clear_error() {
    let log = "\n85.181.35.98 - bob [06/Dec/2026:23:00:01 +0100] \"GET /a HTTP/1.1\" 200 5 \"-\" \"UA\"\n";
    for (format, why) in [
        (
            r#"%h %l %u %t "%r" %>s %b %D"#,
            "%D does not have the shape of a number",
        ),
        (
            r#"%h %l %u %t "%r" %>s %b %T"#,
            "%T does not have the shape of a number",
        ),
        (
            r#"%h %l %u [%{%Y-%m-%d}t] "%r" %>s %b"#,
            "%{%Y-%m-%d}t does not end where the format says",
        ),
        (
            r#"%h %l %u %t %>s "%r" %b"#,
            "%>s does not have the shape of a status (three digits)",
        ),
    ] {
        for command in ["report", "anonymize"] {
            let mut args = vec![command, "--log-format", format];
            if command == "report" {
                args.extend(["--table", "summary"]);
            }
            args.push("-");
            let out = logveil(&args, log.as_bytes());
            assert_eq!(out.status.code(), Some(65), "{command} {format}");
            assert!(out.stdout.is_empty(), "{command} {format}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(
                err,
                format!("logveil: <stdin>:2: line does not match the log format: {why}\n"),
                "{command} {format}"
            );
            no_identifiers(err.as_bytes());
        }
    }
    // `%D` is a number now: a `"-"` in its place does not parse, `-` and a number do.
    let d = r#"%h %l %u %t "%r" %>s %b %D"#;
    let ok = "85.181.35.98 - - [06/Dec/2026:23:00:01 +0100] \"GET /a HTTP/1.1\" 200 5 1234\n85.181.35.98 - - [06/Dec/2026:23:00:02 +0100] \"GET /a HTTP/1.1\" 200 5 \"-\"\n";
    assert_eq!(summary(ok, "parsed", &["--log-format", d]), "1");
    assert_eq!(summary(ok, "unparsed", &["--log-format", d]), "1");
}
