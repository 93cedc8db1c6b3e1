//! The field allow-list end to end (DESIGN.md, privacy contract point 7): headers, variables, JSON members,
//! columns and trailing fields of unknown meaning become `-` unless allow-listed; `--keep-field` and
//! `--drop-field`; prefixes; and the whole corpus keeps its line shapes and loses its session cookies.

mod common;

use common::*;

fn anonymize(args: &[&str], input: &str) -> String {
    let mut all = vec!["anonymize", "--quiet"];
    all.extend_from_slice(args);
    let out = run_with_stdin(&all, input.as_bytes());
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Secrets planted in the lines below: none may survive anywhere.
const PLANTED: &[&str] = &[
    "PHPSESSID",
    "abcdef123456",
    "dXNlcjpwYXNz",
    "eyJhbGciOiJIUzI1NiJ9",
    "abc.def.ghi",
    "k-123456",
    "jane",
    "Jane",
    "bob",
    "CN=",
    "4111111111111111",
    "sid=abc",
    "10.1.2.3",
    "203.0.113.9",
    "7f3c9a",
];

fn assert_clean(out: &str) {
    for secret in PLANTED {
        assert!(!out.contains(secret), "{secret} survived in {out}");
    }
}

const HEAD: &str =
    r#"1.2.3.4 - bob [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0""#;
const HEAD_OUT: &str =
    r#"1.2.0.0 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0""#;

#[test]
fn trailing_fields_of_a_detected_combined_line_are_judged_by_shape() {
    let line = format!(
        "{HEAD} {}",
        r#""PHPSESSID=abcdef123456" "Basic dXNlcjpwYXNz" "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2ln" "10.1.2.3, 203.0.113.9" 0.003 12ms "jane.doe" 4111111111111111"#
    );
    let out = anonymize(&[], &format!("{line}\n{line}\n"));
    let want = format!(
        "{HEAD_OUT} {}\n",
        r#""-" "-" "-" "10.1.0.0, 203.0.0.0" 0.003 12ms "-" -"#
    );
    assert_eq!(out, want.repeat(2));
    assert_clean(&out);
}

const APACHE: &str = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{Cookie}i" "%{Authorization}i" "%{X-Api-Key}i" "%{X-Forwarded-User}i" "%{X-Forwarded-For}i" "%{X-Customer}i" "%{X-Forwarded-Proto}i" %D "%{SSL_CIPHER}x" "%{REMOTE_USER}e" "%{SSL_CLIENT_S_DN}x""#;
const APACHE_TAIL: &str = r#""PHPSESSID=abcdef123456" "Bearer abc.def.ghi" "k-123456" "jane" "10.1.2.3, 203.0.113.9" "Jane Doe" "https" 1234 "TLS_AES_128_GCM_SHA256" "jdoe" "CN=Jane Doe,O=Acme""#;

#[test]
fn apache_log_format_headers_and_variables() {
    let out = anonymize(
        &["--log-format", APACHE],
        &format!("{HEAD} {APACHE_TAIL}\n"),
    );
    assert_eq!(
        out,
        format!(
            "{HEAD_OUT} {}\n",
            r#""-" "-" "-" "-" "10.1.0.0, 203.0.0.0" "-" "https" 1234 "TLS_AES_128_GCM_SHA256" "-" "-""#
        )
    );
    assert_clean(&out);
}

#[test]
fn keep_field_and_drop_field() {
    let out = anonymize(
        &[
            "--log-format",
            APACHE,
            "--keep-field",
            "x-customer",
            "--drop-field",
            "SSL_CIPHER",
        ],
        &format!("{HEAD} {APACHE_TAIL}\n"),
    );
    assert!(
        out.ends_with("\"10.1.0.0, 203.0.0.0\" \"Jane Doe\" \"https\" 1234 \"-\" \"-\" \"-\"\n"),
        "{out}"
    );
    // The same names in nginx syntax, and a prefix.
    let out = anonymize(
        &[
            "--nginx-format",
            r#"$remote_addr "$http_x_customer" "$http_x_customer_id" $ssl_protocol"#,
            "--keep-field",
            "$http_x_customer*",
            "--drop-field",
            "ssl_protocol",
        ],
        "1.2.3.4 \"Jane\" \"77\" TLSv1.3\n",
    );
    assert_eq!(out, "1.2.0.0 \"Jane\" \"77\" -\n");
    for never in [
        "Cookie",
        "%{Authorization}i",
        "$http_authorization",
        "cs(Cookie)",
        "X-Api-Key",
        "X-Forwarded-User",
        "remote_user",
        "ssl_client_serial",
        "request_body",
    ] {
        let out = run_with_stdin(&["anonymize", "--keep-field", never], b"");
        assert_eq!(out.status.code(), Some(2), "{never}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("never kept"), "{never}: {err}");
    }
}

#[test]
fn nginx_log_format_variables() {
    let format = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_cookie" "$http_authorization" "$http_x_api_key" "$http_x_forwarded_user" "$http_x_forwarded_for" "$request_body" "$http_x_name" $host $request_time $ssl_cipher $upstream_status "$ssl_client_s_dn" $request_id"#;
    let tail = r#""sid=abc" "Basic dXNlcjpwYXNz" "k-123456" "jane" "10.1.2.3, 203.0.113.9" "{\"user\":\"jane\"}" "Jane" example.com 0.004 ECDHE-RSA-AES128-GCM-SHA256 502 "CN=jane" 7f3c9a"#;
    let out = anonymize(&["--nginx-format", format], &format!("{HEAD} {tail}\n"));
    assert_eq!(
        out,
        format!(
            "{HEAD_OUT} {}\n",
            r#""-" "-" "-" "-" "10.1.0.0, 203.0.0.0" "-" "-" example.com 0.004 ECDHE-RSA-AES128-GCM-SHA256 502 "-" -"#
        )
    );
    assert_clean(&out);
}

#[test]
fn json_members() {
    let line = r#"{"level":"info","ts":1703373474.8,"msg":"handled request","request":{"remote_ip":"1.2.3.4","client_ip":"1.2.3.4","method":"GET","host":"example.com","uri":"/a","headers":{"User-Agent":["Mozilla/5.0"],"Cookie":["sid=abc"],"Authorization":["Bearer abc.def.ghi"],"X-Api-Key":["k-123456"],"X-Forwarded-User":["jane"],"X-Forwarded-For":["10.1.2.3, 203.0.113.9"],"X-Customer-Name":["Jane Doe"],"Accept-Language":["en-IE"]},"tls":{"cipher_suite":4865,"proto":"h2"}},"request_body":"{\"user\":\"jane\"}","user_id":"jane","customer_no":4111111111111111,"duration":0.0013,"size":3609,"status":200}"#;
    let out = anonymize(&["--format", "caddy"], &format!("{line}\n"));
    assert_clean(&out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let headers = &v["request"]["headers"];
    assert!(headers.get("Cookie").is_none() && headers.get("Authorization").is_none());
    assert_eq!(headers["X-Api-Key"], serde_json::json!(["-"]));
    assert_eq!(headers["X-Forwarded-User"], serde_json::json!(["-"]));
    assert_eq!(headers["X-Customer-Name"], serde_json::json!(["-"]));
    assert_eq!(
        headers["X-Forwarded-For"],
        serde_json::json!(["10.1.0.0, 203.0.0.0"])
    );
    assert_eq!(headers["Accept-Language"], serde_json::json!(["en-IE"]));
    assert_eq!(v["request"]["tls"]["cipher_suite"], 4865);
    assert_eq!(v["request"]["host"], "example.com");
    assert_eq!(v["request_body"], "-");
    assert_eq!(v["user_id"], "-");
    assert_eq!(v["customer_no"], serde_json::Value::Null);
    assert_eq!(v["duration"], 0.0013);
    assert_eq!(v["size"], 3609);
    // Kept byte for byte.
    assert!(
        out.contains(r#""tls":{"cipher_suite":4865,"proto":"h2"}"#),
        "{out}"
    );
    // --keep-field works on JSON members too.
    let kept = anonymize(
        &["--format", "caddy", "--keep-field", "X-Customer-Name"],
        &format!("{line}\n"),
    );
    assert!(kept.contains(r#""X-Customer-Name":["Jane Doe"]"#), "{kept}");
}

#[test]
fn w3c_fields() {
    let input = "#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(Cookie) cs(Authorization) cs(X-Api-Key) cs(X-Forwarded-User) cs(X-Forwarded-For) cs(X-Customer) cs(Host) time-taken\n\
                 2018-01-01 08:09:10 1.2.3.4 GET /a 200 sid=abc Basic+dXNlcjpwYXNz k-123456 jane 10.1.2.3,203.0.113.9 Jane+Doe example.com 123\n";
    let out = anonymize(&["--format", "w3c"], input);
    assert_eq!(
        out.lines().nth(1).unwrap(),
        "2018-01-01 08:09:10 1.2.0.0 GET /a 200 - - - - 10.1.0.0,203.0.0.0 - example.com 123"
    );
    assert_clean(&out);
    let kept = anonymize(
        &["--format", "w3c", "--keep-field", "cs(X-Customer)"],
        input,
    );
    assert!(kept.contains(" Jane+Doe "), "{kept}");
}

#[test]
fn haproxy_captured_headers_and_alb_columns() {
    let line = r#"Sep 25 06:05:27 lb1 haproxy[6801]: 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 PHPSESSID=abcdef123456 - ---- 5/4/0/1/0 0/0 {jane|10.1.2.3|Basic dXNlcjpwYXNz|42} {} "GET / HTTP/1.1""#;
    let out = anonymize(&["--format", "haproxy"], &format!("{line}\n"));
    assert_eq!(
        out,
        "Sep 25 06:05:27 lb1 haproxy[6801]: 4.3.0.0:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 {-|10.1.0.0|-|42} {} \"GET / HTTP/1.1\"\n"
    );
    let alb = r#"https 2020-01-01T00:55:04.127531Z app/my-alb/abcdef 1.2.3.4:2817 10.0.0.1:80 0.001 0.102 0.000 200 200 225 24950 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789123:targetgroup/T/abc "Root=1-58337262-36d228ad5d99923122bbe354" "www.example.com" "arn:aws:acm:eu-west-1:1234567890123:certificate/123456" 0 2020-01-01T00:55:04.023000Z "forward" "-" "-" "10.1.2.3:80" "200" "-" "-" TID_7f3c9a"#;
    let out = anonymize(&["--format", "alb"], &format!("{alb}\n"));
    assert!(
        out.contains(r#" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:"#),
        "{out}"
    );
    assert!(
        out.contains(r#""-" "www.example.com""#),
        "trace id kept: {out}"
    );
    assert!(out.contains(r#""10.1.0.0:80" "200""#), "{out}");
    assert!(out.trim_end().ends_with(" -"), "conn trace id kept: {out}");
    assert_clean(&out);
}

#[test]
fn no_user_name_survives_a_prefix() {
    let inner = r#"1.2.3.4 - bob [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0" "PHPSESSID=abcdef123456""#;
    let docker_inner = inner.replace('"', "\\\"");
    let input = format!(
        "Dec  6 23:00:01 web1 nginx[42]: {inner}\n\
         <13>Dec 16 23:00:01 web1 nginx: {inner}\n\
         2026-12-06T23:00:01.123456789Z stdout F {inner}\n\
         {{\"log\":\"{docker_inner}\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-06T23:00:01.1Z\"}}\n\
         2026-12-06T23:00:01.123456789Z stdout F 1.2.3.4 jane bob [17/May\n"
    );
    for format in [None, Some("combined")] {
        let args: Vec<&str> = format.map_or(vec![], |f| vec!["--format", f]);
        let out = anonymize(&args, &input);
        assert_clean(&out);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(
            // The syslog host is not on the allow-list (`--keep-field syslog-host`).
            lines[0].starts_with("Dec  6 23:00:01 - nginx[42]: 1.2.0.0 - - ["),
            "{out}"
        );
        assert!(
            lines[2].starts_with("2026-12-06T23:00:01.123456789Z stdout F 1.2.0.0 - - ["),
            "{out}"
        );
        let v: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
        assert_eq!(v["log"], format!("{HEAD_OUT} \"-\"\n"), "{out}");
        assert_eq!(v["stream"], "stdout");
    }
}

/// The fields of a line as a downstream tool would split them: by tabs when it has one, else by runs of
/// spaces, a `"quoted"`, `[bracketed]` or `{braced}` field counting as one.
fn field_count(line: &str) -> usize {
    field_count_grouped(line, true)
}

/// [`field_count`], with `[…]` and `{…}` grouping only when `brackets` (W3C fields are quoted but
/// never bracketed: `/${#a}` is one field, and a dropped fragment may leave `/${`).
fn field_count_grouped(line: &str, brackets: bool) -> usize {
    let sep = if line.contains('\t') { '\t' } else { ' ' };
    let b: Vec<char> = line.chars().collect();
    let (mut n, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == sep {
            i += 1;
            continue;
        }
        n += 1;
        // A quote or bracket groups only where a field starts, as the parsers read it (NLB's `\"http/1.1\"`
        // is one plain field).
        let start = i;
        while i < b.len() && b[i] != sep {
            let close = match b[i] {
                _ if i != start => None,
                '"' => Some('"'),
                '[' if brackets => Some(']'),
                '{' if brackets => Some('}'),
                _ => None,
            };
            i += 1;
            if let Some(c) = close {
                while i < b.len() && b[i] != c {
                    i += 1 + usize::from(b[i] == '\\');
                }
                i += 1;
            }
        }
    }
    n
}

/// Every key path of a JSON value, but cookie and authorization members (removed on purpose).
fn key_paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            let l = k.to_ascii_lowercase();
            if l.contains("cookie") || l.contains("authorization") {
                continue;
            }
            let p = format!("{prefix}>{k}");
            key_paths(v, &p, out);
            out.push(p);
        }
    }
}

/// Session cookies as `name=value` with a value.
fn session_cookies(text: &str) -> Vec<String> {
    const NAMES: &[&str] = &[
        "phpsessid=",
        "jsessionid=",
        "asp.net_sessionid=",
        "aspsessionid",
        "sessionid=",
        "laravel_session=",
        "connect.sid=",
        "_session_id=",
    ];
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for name in NAMES {
        for (at, _) in lower.match_indices(name) {
            let rest = &lower[at + name.len()..];
            let value: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '=')
                .collect();
            if !value.trim_start_matches('=').is_empty() {
                found.push(text[at..at + name.len() + value.len()].to_string());
            }
        }
    }
    found
}

#[test]
fn the_corpus_keeps_its_field_counts_and_loses_its_session_cookies() {
    let mut raw_cookies = 0;
    for file in corpus_logs() {
        let name = file.display();
        let input = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        raw_cookies += session_cookies(&input).len();
        let out = run(&["anonymize", "--quiet", file.to_str().unwrap()]);
        assert!(out.status.success(), "{name}");
        let output = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(session_cookies(&output), Vec::<String>::new(), "{name}");
        let (a, b): (Vec<&str>, Vec<&str>) = (input.lines().collect(), output.lines().collect());
        assert_eq!(a.len(), b.len(), "{name}: line count");
        for (n, (before, after)) in a.iter().zip(&b).enumerate() {
            let before = before.trim_end_matches('\r');
            let after = after.trim_end_matches('\r');
            match serde_json::from_str::<serde_json::Value>(before) {
                Ok(v) if v.is_object() => {
                    let w: serde_json::Value = serde_json::from_str(after)
                        .unwrap_or_else(|e| panic!("{name}:{}: not JSON after: {e}", n + 1));
                    let (mut x, mut y) = (Vec::new(), Vec::new());
                    key_paths(&v, "", &mut x);
                    key_paths(&w, "", &mut y);
                    assert_eq!(x, y, "{name}:{}", n + 1);
                }
                _ if name.to_string().contains("/w3c-") => assert_eq!(
                    field_count_grouped(before, false),
                    field_count_grouped(after, false),
                    "{name}:{}:\n{before}\n{after}",
                    n + 1
                ),
                _ => assert_eq!(
                    field_count(before),
                    field_count(after),
                    "{name}:{}:\n{before}\n{after}",
                    n + 1
                ),
            }
        }
    }
    assert!(
        raw_cookies > 0,
        "the raw corpus holds a session cookie, so the check is real"
    );
}
