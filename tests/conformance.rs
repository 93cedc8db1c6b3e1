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
