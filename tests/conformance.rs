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

// Issue 20, item 3: W3C extended logs.

/// `logveil anonymize -q -` on `log`: one line out per line in, no full address or email anywhere.
fn anonymized(log: &str) -> String {
    let out = logveil(&["anonymize", "-q", "-"], log.as_bytes());
    assert!(
        out.status.success(),
        "anonymize failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_identifiers(&out.stdout);
    no_identifiers(&out.stderr);
    let text = String::from_utf8(out.stdout).expect("utf-8 log");
    assert_eq!(text.lines().count(), log.lines().count(), "{text}");
    text
}

/// `logveil formats --detect` on `log` written to a file (as it is: a missing final newline stays
/// missing).
fn detected(log: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    std::fs::write(&path, log).unwrap();
    let out = common::run_ok(&["formats", "--detect", path.to_str().unwrap()]);
    no_identifiers(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_once(": ")
        .map(|(_, d)| d.trim_end().to_string())
        .unwrap()
}

/// The rows of a table without its header, each cut to its first `n` columns.
fn rows(csv: &str, n: usize) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').take(n).collect::<Vec<_>>().join(","))
        .collect()
}

const W3C_URIS: &str = "\
#Software: Microsoft Internet Information Services 10.0
#Fields: date time c-ip cs-method cs-uri sc-status sc-bytes cs(User-Agent)
2020-01-02 10:00:00 81.2.69.143 GET /search?q=shoes 200 100 Mozilla/5.0+(X11;+Linux+x86_64;+rv:120.0)+Gecko/20100101+Firefox/120.0
2020-01-02 10:01:00 81.2.69.143 GET /about 200 50 Mozilla/5.0+(X11;+Linux+x86_64;+rv:120.0)+Gecko/20100101+Firefox/120.0
#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs(User-Agent)
2020-01-02 10:02:00 81.2.69.143 GET /search q=boots 200 100 Mozilla/5.0+(X11;+Linux+x86_64;+rv:120.0)+Gecko/20100101+Firefox/120.0
2020-01-02 10:03:00 81.2.69.143 GET /about - 200 50 Mozilla/5.0+(X11;+Linux+x86_64;+rv:120.0)+Gecko/20100101+Firefox/120.0
";

#[test]
fn w3c_cs_uri_and_stem_with_query_are_the_same_page() {
    // Four page views by hand: /search twice (cs-uri with its query, stem + query), /about twice.
    assert_eq!(
        rows(&table(W3C_URIS, "pages", &[]), 2),
        ["/about,2", "/search,2"]
    );
    assert_eq!(summary(W3C_URIS, "page_views", &[]), "4");
    assert_eq!(summary(W3C_URIS, "bytes", &[]), "300");
    // The query reaches the site search table from either layout.
    let search = table(W3C_URIS, "search_terms", &[]);
    let terms: Vec<String> = rows(&search, 1);
    assert_eq!(terms, ["boots", "shoes"], "{search}");
    let out = anonymized(W3C_URIS);
    assert!(out.contains(" GET /search?q=shoes 200 ") && out.contains(" /search q=boots "));
    assert_eq!(detected(W3C_URIS), "w3c (4 of 4 lines parse, 100.0%)");
}

/// lnav's W3C FTP log (tstack/lnav `test/logfile_w3c.2` at 32f112b8de52da52988aff1a8cc92e7226c8902e,
/// BSD-2-Clause): the date is only in the `#Date:` headers; a password (an email) in `cs-uri-stem`.
const LNAV_FTP: &str = "\
#Software: Microsoft Internet Information Server 4.0
#Version: 1.0
#Date: 2000-10-09 16:44:49
#Fields: time c-ip cs-method cs-uri-stem sc-status
16:44:49 1.1.1.1 [2]USER anonymous 331
16:44:49 1.1.1.1 [2]PASS - 230
16:48:05 1.1.1.1 [2]QUIT - 226
16:48:17 1.1.1.1 [3]USER anonymous 331
16:48:24 1.1.1.1 [3]PASS user@domain.com 230
16:48:35 1.1.1.1 [3]sent /user/test.c 226
16:48:41 1.1.1.1 [3]created readme.txt 226
16:48:41 1.1.1.1 [3]created fileid.diz 226
16:48:41 1.1.1.1 [3]created names.dll 226
16:48:41 1.1.1.1 [3]created TEST.EXE 226
16:48:44 1.1.1.1 [3]QUIT - 226
#Software: Microsoft Internet Information Server 4.0
#Version: 1.0
#Date: 2000-10-10 16:44:49
#Fields: time c-ip cs-method cs-uri-stem sc-status
16:44:49 1.1.1.1 [2]USER anonymous 331
16:44:49 1.1.1.1 [2]PASS - 230
16:48:05 1.1.1.1 [2]QUIT - 226
";

#[test]
fn a_date_only_in_the_date_header_dates_the_lines_below_it() {
    // 11 records under the first #Date, 3 under the second; 8 directives, none unparsed.
    assert_eq!(detected(LNAV_FTP), "w3c (14 of 14 lines parse, 100.0%)");
    assert_eq!(summary(LNAV_FTP, "hits", &[]), "14");
    assert_eq!(summary(LNAV_FTP, "unparsed", &[]), "0");
    assert_eq!(summary(LNAV_FTP, "lines", &[]), "22");
    assert_eq!(
        rows(&table(LNAV_FTP, "days", &[]), 2),
        ["2000-10-09,11", "2000-10-10,3"]
    );
    // 226 ×8, 230 ×3, 331 ×3.
    assert_eq!(
        rows(&table(LNAV_FTP, "status", &[]), 2),
        ["226,8", "230,3", "331,3"]
    );
    let out = anonymized(LNAV_FTP);
    assert!(out.contains("16:48:24 1.1.0.0 [3]PASS "), "{out}");
    // Without any #Date, neither command takes a time-only line for a record.
    let undated = LNAV_FTP.replace("#Date:", "#Remark:");
    let out = logveil(&["report", "--format", "w3c", "-"], undated.as_bytes());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("0 of 14 lines parsed as w3c"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = logveil(&["anonymize", "-", "--format", "w3c"], undated.as_bytes());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("14 scrubbed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const W3C_DATE_TIME_COLUMNS: &str = "\
#Fields: date c-ip cs-method cs-uri-stem sc-status
\"2020-01-02 10:00:00\" 81.2.69.143 GET /a 200
#Fields: c-ip date cs-method cs-uri-stem sc-status time
81.2.69.143 2020-01-02 GET /b 200 11:30:00
#Fields: time c-ip cs-method cs-uri-stem sc-status
2020-01-02T12:15:00 81.2.69.143 GET /c 200
";

#[test]
fn date_and_time_in_one_column_or_apart_in_any_order() {
    assert_eq!(summary(W3C_DATE_TIME_COLUMNS, "hits", &[]), "3");
    let hours = table(W3C_DATE_TIME_COLUMNS, "hours", &[]);
    let busy: Vec<String> = rows(&hours, 2)
        .into_iter()
        .filter(|r| !r.ends_with(",0"))
        .collect();
    assert_eq!(busy, ["10,1", "11,1", "12,1"], "{hours}");
    assert_eq!(
        rows(&table(W3C_DATE_TIME_COLUMNS, "days", &[]), 2),
        ["2020-01-02,3"]
    );
    let out = anonymized(W3C_DATE_TIME_COLUMNS);
    assert!(
        out.contains("\"2020-01-02 10:00:00\" 81.2.0.0 GET /a 200"),
        "{out}"
    );
}

const W3C_NO_STATUS: &str = "\
#Fields: date time c-ip cs-method cs-uri-stem sc-status
2020-01-02 10:00:00 81.2.69.143 GET /a -
2020-01-02 10:00:01 81.2.69.143 GET /b 200
#Fields: date time c-ip cs-method cs-uri-stem
2020-01-02 10:00:02 81.2.69.143 GET /c
";

#[test]
fn a_missing_or_empty_status_is_a_hit_of_status_dash_never_0() {
    assert_eq!(summary(W3C_NO_STATUS, "hits", &[]), "3");
    // Only the line with a 200 is a page view: an unknown status may have been an error.
    assert_eq!(summary(W3C_NO_STATUS, "page_views", &[]), "1");
    let status = table(W3C_NO_STATUS, "status", &[]);
    assert_eq!(rows(&status, 2), ["-,2", "200,1"], "{status}");
    anonymized(W3C_NO_STATUS);
}

#[test]
fn incapsula_quoted_fields_and_a_last_record_without_newline() {
    let log = std::fs::read_to_string(common::corpus("w3c-incapsula-matomo.log")).unwrap();
    // Two records: the first GET /page.php?variable=test 200 on www.example.com, the second with an
    // empty sc-status.
    assert_eq!(summary(&log, "hits", &[]), "2");
    assert_eq!(summary(&log, "page_views", &[]), "1");
    assert_eq!(rows(&table(&log, "status", &[]), 2), ["-,1", "200,1"]);
    assert_eq!(rows(&table(&log, "pages", &[]), 2), ["/page.php,1"]);
    let out = anonymized(&log);
    // Session, visitor and signature ids, coordinates: gone.
    for id in [
        "a1f36498-c34a-45b9-b3a5-ee0bd00f91b6",
        "452000660051880893",
        "32.0000",
        "62a660e57ba257275cf7ccf699919eae",
    ] {
        assert!(!out.contains(id), "{id} in {out}");
    }
    // Only the first record, with no final newline (Matomo's incapsula.log).
    let first: String = log.lines().take(5).collect::<Vec<_>>().join("\n");
    assert!(!first.ends_with('\n'));
    assert_eq!(detected(&first), "w3c (1 of 1 lines parse, 100.0%)");
    assert_eq!(summary(&first, "hits", &[]), "1");
    assert_eq!(anonymized(&first).lines().count(), 5);
}

const SHOUTCAST: &str = "\
#Software: SHOUTcast
#Version: 2.4.7.256
#Fields: c-ip c-dns date time cs-uri-stem c-status cs(User-Agent) sc-bytes x-duration avgbandwidth
81.2.69.143 listener.example.net 2020-01-02 10:00:00 /stream?title=Night%20Show 200 VLC/3.0.18+LibVLC/3.0.18 65580 12 524640
81.2.69.144 - 2020-01-02 10:05:00 /stream 404 VLC/3.0.18+LibVLC/3.0.18 0 0 0
";

#[test]
fn shoutcast_w3c_reads_c_status() {
    assert_eq!(detected(SHOUTCAST), "w3c (2 of 2 lines parse, 100.0%)");
    assert_eq!(summary(SHOUTCAST, "hits", &[]), "2");
    assert_eq!(summary(SHOUTCAST, "bytes", &[]), "65580");
    assert_eq!(
        rows(&table(SHOUTCAST, "status", &[]), 2),
        ["200,1", "404,1"]
    );
    let out = anonymized(SHOUTCAST);
    assert!(!out.contains("listener.example.net"), "{out}");
}

const CLOUDFRONT_RTMP: &str = "#Version: 1.0
#Fields: date time x-edge-location c-ip x-event sc-bytes x-cf-status x-cf-client-id cs-uri-stem cs-uri-query c-referrer x-page-url c-user-agent x-sname x-sname-query x-file-ext x-sid
2020-01-02\t10:00:00\tSEA4\t81.2.69.143\tconnect\t2014\tOK\tbfd8a98bee0840d9b871b7f6ade9908f\trtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st\tkey=value\thttp://player.example.com/player.swf\thttp://www.example.com/video\tLNX%2010,0,32,18\t-\t-\t-\t-
2020-01-02\t10:00:01\tSEA4\t81.2.69.143\tplay\t3914\tOK\tbfd8a98bee0840d9b871b7f6ade9908f\trtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st\tkey=value\thttp://player.example.com/player.swf\thttp://www.example.com/video\tLNX%2010,0,32,18\tmyvideo\tp=2&q=4\tflv\t1
";

#[test]
fn cloudfront_rtmp_events_are_hits_of_unknown_status() {
    assert_eq!(
        detected(CLOUDFRONT_RTMP),
        "cloudfront (2 of 2 lines parse, 100.0%)"
    );
    assert_eq!(summary(CLOUDFRONT_RTMP, "hits", &[]), "2");
    assert_eq!(summary(CLOUDFRONT_RTMP, "bytes", &[]), "5928");
    assert_eq!(summary(CLOUDFRONT_RTMP, "non_http", &[]), "0");
    assert_eq!(summary(CLOUDFRONT_RTMP, "page_views", &[]), "0");
    assert_eq!(rows(&table(CLOUDFRONT_RTMP, "status", &[]), 2), ["-,2"]);
    let out = anonymized(CLOUDFRONT_RTMP);
    assert!(!out.contains("bfd8a98bee0840d9b871b7f6ade9908f"), "{out}");
}

#[test]
fn report_and_detect_agree_on_every_w3c_corpus_file() {
    for name in [
        "w3c-iis-advanced-matomo.log",
        "w3c-iis10-ipv6zone-beats-iis.log",
        "w3c-iis10-multiheader-beats-iis-test.log",
        "w3c-iis6-matomo.log",
        "w3c-iis75-ipv6-mangled-beats-iis.log",
        "w3c-iis85-lnav-w3c_big.log",
        "w3c-incapsula-matomo.log",
        "w3c-netscaler-matomo.log",
        "cloudfront-web-matomo.log",
        "cloudfront-web-v33-ipv6-elastic-integrations.log",
    ] {
        let log = std::fs::read_to_string(common::corpus(name)).unwrap();
        let detect = detected(&log);
        let (parsed, of) = detect
            .split_once(" (")
            .and_then(|(_, r)| r.split_once(" lines parse"))
            .and_then(|(n, _)| n.split_once(" of "))
            .unwrap_or_else(|| panic!("{name}: {detect}"));
        let reported: u64 = summary(&log, "parsed", &[]).parse().unwrap();
        assert_eq!(parsed, reported.to_string(), "{name}: {detect}");
        let unparsed: u64 = summary(&log, "unparsed", &[]).parse().unwrap();
        assert_eq!(of.parse::<u64>().unwrap(), reported + unparsed, "{name}");
        let out = logveil(&["anonymize", "-"], log.as_bytes());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!(" {parsed} parsed,")), "{name}: {err}");
        no_identifiers(&out.stdout);
    }
}

// Issue 20, item 4: lines that are not HTTP requests.

const ELB_TCP: &str = "\
2020-01-02T10:00:00.000000Z my-lb 81.2.69.143:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 \"GET https://www.example.com:443/a HTTP/1.1\" \"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\" DHE-RSA-AES128-SHA TLSv1.2
2020-01-02T10:00:01.000000Z my-lb 81.2.69.144:2818 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 \"- - - \" \"-\" - -
";

const CLOUDFRONT_000: &str = "#Version: 1.0
#Fields: date time c-ip cs-method cs(Host) cs-uri-stem sc-status sc-bytes
2020-01-02\t10:00:00\t81.2.69.143\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t392
2020-01-02\t10:00:01\t81.2.69.144\tPOST\td111111abcdef8.cloudfront.net\t/api\t000\t10157
";

const ALB_NLB_CONNECTIONS: &str = "\
http 2020-01-02T10:00:00.000000Z app/my-lb/50dc6c495c0c9188 81.2.69.143:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2020-01-02T10:00:00.000000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\"
tls 2.0 2020-01-02T10:00:01 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 81.2.69.144:2817 10.0.0.1:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19 - ECDHE-RSA-AES128-SHA tlsv12 - shop.example.com h2 h2 \"h2\",\"http/1.1\" 2020-01-02T10:00:00
2020-01-02T10:00:02.000000Z 81.2.69.145 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 \"CN=Jane Doe,O=Example\" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z FEF257372D5C14D4 Success TID_16132ed0b4112148
";

#[test]
fn tcp_and_tls_lines_are_counted_apart_not_as_hits() {
    // (log, detected preset, non-HTTP lines, hits, bytes of the hits); each has one hit, status 200.
    let cases = [
        (ELB_TCP, "elb", "1", "1", "57"),
        (CLOUDFRONT_000, "cloudfront", "1", "1", "392"),
        (ALB_NLB_CONNECTIONS, "alb", "2", "1", "366"),
    ];
    let status = ["200,1"];
    for (log, format, non_http, hits, bytes) in cases {
        let records = log.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(
            detected(log),
            format!("{format} ({records} of {records} lines parse, 100.0%)")
        );
        assert_eq!(summary(log, "non_http", &[]), non_http, "{log}");
        assert_eq!(summary(log, "hits", &[]), hits, "{log}");
        assert_eq!(summary(log, "parsed", &[]), records.to_string(), "{log}");
        assert_eq!(summary(log, "bytes", &[]), bytes, "{log}");
        assert_eq!(rows(&table(log, "status", &[]), 2), status, "{log}");
        anonymized(log);
    }
    let out = anonymized(ALB_NLB_CONNECTIONS);
    for id in ["Jane Doe", "FEF257372D5C14D4", "TID_16132ed0b4112148"] {
        assert!(!out.contains(id), "{id} in {out}");
    }
    // The NLB line keeps its shape: client reduced, port kept, TLS cipher and protocol kept.
    assert!(
        out.contains(" 81.2.0.0:2817 ") && out.contains(" ECDHE-RSA-AES128-SHA tlsv12 "),
        "{out}"
    );
}

#[test]
fn a_mixed_alb_nlb_file_is_read_line_by_line() {
    let log =
        std::fs::read_to_string(common::corpus("alb-nlb-mixed-elastic-integrations.log")).unwrap();
    // 3 `http` lines (200, 301, 200), 4 NLB `tls` lines, 3 ALB connection log lines.
    assert_eq!(detected(&log), "alb (10 of 10 lines parse, 100.0%)");
    assert_eq!(summary(&log, "non_http", &[]), "7");
    assert_eq!(summary(&log, "hits", &[]), "3");
    assert_eq!(summary(&log, "unparsed", &[]), "0");
    assert_eq!(rows(&table(&log, "status", &[]), 2), ["200,2", "301,1"]);
    anonymized(&log);
}

#[test]
fn merged_partials_count_non_http_lines_as_one_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    std::fs::write(&a, ELB_TCP).unwrap();
    std::fs::write(&b, ALB_NLB_CONNECTIONS).unwrap();
    let mut partials = Vec::new();
    for f in [&a, &b] {
        let p = f.with_extension("partial");
        common::run_ok(&[
            "report",
            f.to_str().unwrap(),
            "--partial",
            p.to_str().unwrap(),
        ]);
        partials.push(p);
    }
    let merged = common::run_ok(&[
        "merge",
        "--overlap",
        "add",
        "--min-visitors",
        "1",
        "--table",
        "summary",
        partials[0].to_str().unwrap(),
        partials[1].to_str().unwrap(),
    ]);
    no_identifiers(&merged.stdout);
    let merged = String::from_utf8(merged.stdout).unwrap();
    assert!(merged.lines().any(|l| l == "non_http,3"), "{merged}");
    assert!(merged.lines().any(|l| l == "hits,2"), "{merged}");
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
