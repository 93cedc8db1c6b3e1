//! `requests.csv`: every hit by path (assets, bots, errors), checked row by row against a hand-made log,
//! folded by distinct clients, and scanned for identifiers.

mod common;

use std::fs;

/// Nine clients. Hand count, per path (query removed, path scrubbed as `pages.csv` scrubs it):
/// - `/`: 3 hits (two people 200, Googlebot 200), 300 bytes, human 2.
/// - `/static/app.css`: 4 hits (two people 200 + 304, curl 200, one person 500), 1000+0+1000+0 bytes,
///   human 3 (curl is a bot).
/// - `/old`: 1 hit, 301, 0 bytes. `/missing.png`: Googlebot 404, 10 bytes (a bot: not in `not_found`).
/// - `/u/jane@example.org/avatar.png`: the email redacted, 1 hit, 200, 7 bytes.
/// - `/api?token=…`: the query dropped, 2 hits (one 503), 20 bytes.
const LOG: &str = "\
198.51.100.1 - - [23/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 100 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"
198.51.100.1 - - [23/Nov/2026:10:00:01 +0000] \"GET /static/app.css HTTP/1.1\" 200 1000 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"
198.51.100.2 - - [23/Nov/2026:10:01:00 +0000] \"GET / HTTP/1.1\" 200 100 \"-\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/119.0\"
198.51.100.2 - - [23/Nov/2026:10:01:01 +0000] \"GET /static/app.css HTTP/1.1\" 304 0 \"-\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/119.0\"
198.51.100.3 - - [23/Nov/2026:10:02:00 +0000] \"GET /static/app.css HTTP/1.1\" 200 1000 \"-\" \"curl/8.5.0\"
198.51.100.4 - - [23/Nov/2026:10:03:00 +0000] \"GET /static/app.css HTTP/1.1\" 500 - \"-\" \"Mozilla/5.0 (Macintosh) Safari/605.1.15\"
198.51.100.4 - - [23/Nov/2026:10:03:01 +0000] \"GET /old HTTP/1.1\" 301 0 \"-\" \"Mozilla/5.0 (Macintosh) Safari/605.1.15\"
66.249.66.1 - - [23/Nov/2026:10:04:00 +0000] \"GET / HTTP/1.1\" 200 100 \"-\" \"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"
66.249.66.1 - - [23/Nov/2026:10:04:01 +0000] \"GET /missing.png HTTP/1.1\" 404 10 \"-\" \"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"
198.51.100.5 - - [23/Nov/2026:10:05:00 +0000] \"GET /u/jane@example.org/avatar.png HTTP/1.1\" 200 7 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0\"
198.51.100.6 - - [24/Nov/2026:09:00:00 +0000] \"POST /api?token=9f8e7d6c5b4a39281706f5e4d3c2b1a0 HTTP/1.1\" 200 10 \"-\" \"python-requests/2.31\"
198.51.100.7 - - [24/Nov/2026:09:00:01 +0000] \"POST /api?token=0a1b2c3d4e5f60718293a4b5c6d7e8f9 HTTP/1.1\" 503 10 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"
";

fn report(dir: &std::path::Path, extra: &[&str]) -> String {
    let log = dir.join("access.log");
    fs::write(&log, LOG).unwrap();
    let out = dir.join(format!("out{}", extra.len()));
    let mut args = vec![
        "report",
        log.to_str().unwrap(),
        "--csv",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    common::run_ok(&args);
    let mut all = String::new();
    for entry in fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        common::assert_no_ipv4_or_email(&path.display().to_string(), &bytes);
        all.push_str(&String::from_utf8(bytes).unwrap());
    }
    for secret in [
        "9f8e7d6c5b4a",
        "0a1b2c3d4e5f",
        "jane",
        "198.51.100",
        "66.249.66.1",
    ] {
        assert!(!all.contains(secret), "{secret} in the report");
    }
    fs::read_to_string(out.join("requests.csv")).unwrap()
}

#[test]
fn every_hit_counts_by_path_with_bytes_and_status_classes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = report(dir.path(), &["--min-visitors", "1"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "path,hits,human_hits,bytes,status_2xx,status_3xx,status_4xx,status_5xx"
    );
    let mut body = rows[1..].to_vec();
    let redacted = body
        .iter()
        .position(|r| r.starts_with("/u/") && r.ends_with("/avatar.png,1,1,7,1,0,0,0"));
    let redacted = body.remove(redacted.expect("the avatar row, its email redacted"));
    assert!(!redacted.contains('@'), "{redacted}");
    // curl counts as a bot, the 500 as a human hit.
    assert_eq!(
        body,
        [
            "/static/app.css,4,3,2000,2,1,0,1",
            "/,3,2,300,3,0,0,0",
            "/api,2,1,20,1,0,0,1",
            "/missing.png,1,0,10,0,0,1,0",
            "/old,1,1,0,0,1,0,0",
        ]
    );
    // The rows add up to the summary's hits and bytes.
    let hits: u64 = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(hits, 12);
}

#[test]
fn rare_paths_fold_by_distinct_clients_bots_included() {
    let dir = tempfile::tempdir().unwrap();
    // `/static/app.css` had 4 distinct clients (two people, curl, one more person), `/` 3 (two people
    // and Googlebot): at 4, only the stylesheet stays.
    let csv = report(dir.path(), &["--min-visitors", "4"]);
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "path,hits,human_hits,bytes,status_2xx,status_3xx,status_4xx,status_5xx",
            "/static/app.css,4,3,2000,2,1,0,1",
            "(other),8,5,337,5,1,1,1",
        ]
    );
    let summary = fs::read_to_string(dir.path().join("out2/summary.csv")).unwrap();
    assert!(summary.contains("\nfolded_requests,5\n"), "{summary}");
}
