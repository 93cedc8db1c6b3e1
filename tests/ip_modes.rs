//! `--ip-mode` and `keygen` run as a binary: keys from files, never printed; each mode's output.

mod common;
use common::logveil;

const REFERENCE_KEY: &str = "1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202";
const LINE: &str = "128.11.68.132 - - [17/May/2015:10:05:03 +0000] \"GET /ip/2001:db8::1 HTTP/1.1\" 200 5 \"-\" \"UA\"\n";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn crypto_pan_reproduces_the_reference_in_a_log_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("key");
    std::fs::write(&key, format!("{REFERENCE_KEY}\n")).expect("write key");
    let key = key.to_str().expect("utf-8");
    let out = logveil(
        &[
            "anonymize",
            "-q",
            "--ip-mode",
            "crypto-pan",
            "--key-file",
            key,
        ],
        LINE.as_bytes(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "135.242.180.132 - - [17/May/2015:10:05:03 +0000] \"GET /ip/4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e HTTP/1.1\" 200 5 \"-\" \"UA\"\n"
    );
}

#[test]
fn keygen_then_pseudonymize_is_stable_and_passes_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("new.key");
    let key = key.to_str().expect("utf-8");
    let made = logveil(&["keygen", key], b"");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let hex = std::fs::read_to_string(key).expect("key file");
    assert_eq!(hex.trim().len(), 64);
    for stream in [&made.stdout, &made.stderr] {
        assert!(!text(stream).contains(hex.trim()), "keygen printed the key");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second keygen never replaces a key in use.
    assert_eq!(logveil(&["keygen", key], b"").status.code(), Some(2));

    let args = [
        "anonymize",
        "-q",
        "--ip-mode",
        "pseudonymize",
        "--key-file",
        key,
    ];
    let a = logveil(&args, LINE.as_bytes());
    let b = logveil(&args, LINE.as_bytes());
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "pseudonyms are stable under one key");
    let first = text(&a.stdout)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let octet: u8 = first
        .split('.')
        .next()
        .unwrap_or_default()
        .parse()
        .expect("an IPv4 pseudonym");
    assert!(octet >= 240, "{first}");
    assert!(text(&a.stdout).contains("GET /ip/100::"));
    let check = logveil(&["check"], &a.stdout);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
}

#[test]
fn drop_mode_writes_a_dash() {
    let out = logveil(&["anonymize", "-q", "--ip-mode", "drop"], LINE.as_bytes());
    assert!(out.status.success());
    assert!(
        text(&out.stdout).starts_with("- - - [17/May/2015"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("GET /ip/- HTTP/1.1"));
}

#[test]
fn missing_or_short_keys_are_clear_errors_that_never_show_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = logveil(&["anonymize", "--ip-mode", "crypto-pan"], LINE.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs a key"),
        "{}",
        text(&out.stderr)
    );

    let missing = dir.path().join("missing.key");
    let out = logveil(
        &[
            "anonymize",
            "--ip-mode",
            "pseudonymize",
            "--key-file",
            missing.to_str().expect("utf-8"),
        ],
        LINE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(74));
    assert!(
        text(&out.stderr).contains("logveil keygen"),
        "{}",
        text(&out.stderr)
    );

    let short = dir.path().join("short.key");
    std::fs::write(&short, &REFERENCE_KEY[..40]).expect("write");
    let out = logveil(
        &[
            "anonymize",
            "--ip-mode",
            "crypto-pan",
            "--key-file",
            short.to_str().expect("utf-8"),
        ],
        LINE.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("too short"), "{err}");
    assert!(!err.contains(&REFERENCE_KEY[..8]), "the key leaked: {err}");
    assert!(out.stdout.is_empty());
}

/// The networks table of `report` shows truncated networks under every IP mode that keeps one: a
/// pseudonym or a Crypto-PAn address stands for one address (one person) and, under a kept key, links it
/// from report to report. Drop gives `-`. A missing key is still a usage error before any input is read.
#[test]
fn report_networks_are_truncated_under_keyed_modes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("key");
    std::fs::write(&key, format!("{REFERENCE_KEY}\n")).expect("write key");
    let key = key.to_str().expect("utf-8");
    let networks = |mode: &str, with_key: bool| {
        let mut args = vec![
            "report",
            "--table",
            "networks",
            "--min-visitors",
            "1",
            "--ip-mode",
            mode,
        ];
        if with_key {
            args.extend(["--key-file", key]);
        }
        let out = logveil(&args, LINE.as_bytes());
        assert!(out.status.success(), "{mode}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let truncated = "network,country,asn,hits,visitor_days\n128.11.0.0,,,1,1\n";
    assert_eq!(networks("truncate", false), truncated);
    assert_eq!(networks("crypto-pan", true), truncated);
    assert_eq!(networks("pseudonymize", true), truncated);
    assert_eq!(
        networks("drop", false),
        "network,country,asn,hits,visitor_days\n-,,,1,1\n"
    );
    for mode in ["crypto-pan", "pseudonymize"] {
        let checked = logveil(&["check"], networks(mode, true).as_bytes());
        assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stdout));
    }

    let out = logveil(&["report", "--ip-mode", "crypto-pan"], LINE.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs a key"),
        "{}",
        text(&out.stderr)
    );
}
