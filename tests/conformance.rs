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
