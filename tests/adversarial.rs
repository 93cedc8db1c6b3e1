//! The adversarial test set (issue 17, criterion 9): personal data planted the way real sites leak it
//! (`common/adversary.rs`), in every preset format and two custom format strings. For each class of
//! secret, three tests:
//!
//! 1. `raw_<class>`: `check` on the raw log flags every planted line;
//! 2. `anonymize_<class>`: under every `--ip-mode`, no planted value (or its `zq7…` marker) survives on
//!    its line, and `check` finds nothing on it (under `crypto-pan`, whose output addresses are full by
//!    design, nothing but addresses);
//! 3. `report_<class>`: `report --csv` at the default `--min-visitors` writes no planted value.
//!
//! A failure lists every (format, mode, variant) that failed, with masked findings only.
//!
//! Run: `cargo test --release --test adversarial`. Change the seed with `LOGVEIL_ADVERSARY_SEED=N`; use a
//! given key instead of a fresh `keygen` one with `LOGVEIL_ADVERSARY_KEY=<64 hex digits>` (to replay a run).
//!
//! Crypto-PAn has fixed points: an address whose image under the run's key is itself. They are far more
//! common than for a random permutation (about one address in 15,000 per key: the bit flips come from one
//! AES block per bit where the address differs from the pad, so an address close to the pad gets few
//! independent flips), so with a fresh key per run a planted address is now and then written unchanged by
//! a correct anonymiser. Under `crypto-pan`, such a plant's needles are not looked for (the other modes
//! still look for them): [`crypto_pan_v4`], written here from the paper and independent of logveil's own,
//! says which plants those are.

#[path = "common/adversary.rs"]
mod adversary;
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use adversary::{Class, Format, Log, generate};
use common::run;

/// Every `--ip-mode`, as `logveil anonymize --help` lists them.
const MODES: [&str; 4] = ["truncate", "pseudonymize", "crypto-pan", "drop"];

/// What one `check` run found: per 1-based line, the kinds and masked values.
type Found = BTreeMap<usize, Vec<String>>;

/// Everything the tests look at, computed once.
struct Runs {
    /// The key of the keyed modes.
    key: [u8; 32],
    logs: Vec<Log>,
    raw_check: Vec<Found>,
    /// What `check` finds in the control logs (planted lines without their plants).
    control_check: Vec<Found>,
    /// Per format, per mode: the anonymised text (or the error) and what `check` found in it.
    anonymized: Vec<Vec<Result<(String, Found), String>>>,
    /// Per format: all CSV files of `report --csv`, concatenated (or the error).
    reports: Vec<Result<String, String>>,
}

fn seed() -> u64 {
    std::env::var("LOGVEIL_ADVERSARY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(17)
}

fn parse_check(stdout: &[u8]) -> Found {
    let mut found = Found::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        // FILE:LINE:COLUMN: KIND: MASKED
        let mut parts = line.rsplitn(2, ": ");
        let masked = parts.next().unwrap_or_default();
        let head = parts.next().unwrap_or_default();
        let mut head_parts = head.rsplitn(2, ": ");
        let kind = head_parts.next().unwrap_or_default();
        let place = head_parts.next().unwrap_or_default();
        let mut nums = place.rsplit(':');
        let _column = nums.next();
        let line_no: usize = nums.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        found
            .entry(line_no)
            .or_default()
            .push(format!("{kind}: {masked}"));
    }
    found
}

fn check_file(path: &Path) -> Found {
    let out = run(&["check", path.to_str().expect("utf-8 path")]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    parse_check(&out.stdout)
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("adversarial-{}", seed()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let key = dir.join("key");
        match std::env::var("LOGVEIL_ADVERSARY_KEY") {
            Ok(hex) => std::fs::write(&key, format!("{}\n", hex.trim())).expect("write key"),
            Err(_) => {
                let made = run(&["keygen", key.to_str().expect("utf-8")]);
                assert!(
                    made.status.success(),
                    "keygen: {}",
                    String::from_utf8_lossy(&made.stderr)
                );
            }
        }
        let key_bytes = parse_key(&std::fs::read_to_string(&key).expect("read key"));
        let key = key.to_str().expect("utf-8").to_string();
        let logs: Vec<Log> = Format::ALL
            .into_iter()
            .map(|f| generate(f, seed()))
            .collect();
        let mut raw_check = Vec::new();
        let mut control_check = Vec::new();
        let mut anonymized = Vec::new();
        let mut reports = Vec::new();
        for log in &logs {
            let name = log.format.name();
            let raw = dir.join(format!("{name}.log"));
            std::fs::write(&raw, &log.text).expect("write log");
            let raw_s = raw.to_str().expect("utf-8").to_string();
            raw_check.push(check_file(&raw));
            let control = dir.join(format!("{name}.control.log"));
            std::fs::write(&control, log.control_text()).expect("write control log");
            control_check.push(check_file(&control));
            let fmt = log.format.args();
            let mut per_mode = Vec::new();
            for mode in MODES {
                let out = dir.join(format!("{name}.{mode}.log"));
                let out_s = out.to_str().expect("utf-8").to_string();
                let mut a: Vec<&str> = vec!["anonymize", "-q", "--ip-mode", mode];
                if matches!(mode, "pseudonymize" | "crypto-pan") {
                    a.extend(["--key-file", &key]);
                }
                a.extend(args(&fmt));
                a.extend([raw_s.as_str(), "-o", out_s.as_str()]);
                let r = run(&a);
                per_mode.push(if r.status.success() {
                    let text = std::fs::read_to_string(&out).unwrap_or_default();
                    Ok((text, check_file(&out)))
                } else {
                    Err(format!(
                        "anonymize failed ({:?}): {}",
                        r.status.code(),
                        String::from_utf8_lossy(&r.stderr)
                    ))
                });
            }
            anonymized.push(per_mode);
            let csv = dir.join(format!("{name}.csv"));
            let csv_s = csv.to_str().expect("utf-8").to_string();
            let mut a: Vec<&str> = vec!["report", "-q", "--csv", csv_s.as_str()];
            a.extend(args(&fmt));
            a.push(raw_s.as_str());
            let r = run(&a);
            reports.push(if r.status.success() {
                let mut all = String::new();
                let mut files: Vec<_> = std::fs::read_dir(&csv)
                    .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                    .unwrap_or_default();
                files.sort();
                for f in files {
                    all.push_str(&std::fs::read_to_string(&f).unwrap_or_default());
                }
                Ok(all)
            } else {
                Err(format!(
                    "report failed ({:?}): {}",
                    r.status.code(),
                    String::from_utf8_lossy(&r.stderr)
                ))
            });
        }
        Runs {
            key: key_bytes,
            logs,
            raw_check,
            control_check,
            anonymized,
            reports,
        }
    })
}

/// True when `check` cannot be expected to find this plant on the raw line: a bare name in a field that
/// only the format's header (W3C `#Fields:`) locates; `check` reads lines, not headers (docs/PRIVACY.md,
/// "Limits").
fn beyond_check(format: Format, plant: &adversary::Plant) -> bool {
    format == Format::W3c && plant.slot == adversary::Slot::User && !plant.value.contains('@')
}

/// A key file's 64 hex digits as bytes.
fn parse_key(text: &str) -> [u8; 32] {
    let text = text.trim();
    assert_eq!(text.len(), 64, "a key is 64 hex digits");
    let mut key = [0u8; 32];
    for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).expect("ASCII key");
        *byte = u8::from_str_radix(pair, 16).expect("hex key");
    }
    key
}

/// Crypto-PAn of an IPv4 address (Xu, Fan, Ammar, Moon 2002; the reference implementation's key layout:
/// 16 bytes of AES-128 key, then 16 bytes whose encryption is the pad). Bit `i` of the address is flipped
/// by the first bit of AES(the address's first `i` bits, then the pad's remaining bits).
fn crypto_pan_v4(key: &[u8; 32], ip: Ipv4Addr) -> Ipv4Addr {
    use aes::Aes128;
    use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
    let cipher = Aes128::new(GenericArray::from_slice(&key[..16]));
    let mut pad = GenericArray::clone_from_slice(&key[16..]);
    cipher.encrypt_block(&mut pad);
    let pad = u128::from_be_bytes(pad.into());
    let addr = u128::from(u32::from(ip)) << 96;
    let mut flips = 0u32;
    for i in 0..32 {
        let keep = if i == 0 { 0 } else { !0u128 << (128 - i) };
        let mut block = GenericArray::from(((addr & keep) | (pad & !keep)).to_be_bytes());
        cipher.encrypt_block(&mut block);
        flips |= u32::from(block[0] >> 7) << (31 - i);
    }
    Ipv4Addr::from(u32::from(ip) ^ flips)
}

/// True when `plant` is an IPv4 address that Crypto-PAn under `key` maps to itself: a correct anonymiser
/// writes it unchanged under `crypto-pan`, so finding it there proves nothing.
fn crypto_pan_fixed(key: &[u8; 32], plant: &adversary::Plant) -> bool {
    plant
        .needles
        .iter()
        .filter_map(|n| n.parse::<Ipv4Addr>().ok())
        .any(|ip| crypto_pan_v4(key, ip) == ip)
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

/// Part 1: every planted line of `class` is flagged by `check` on the raw log.
fn raw_is_flagged(class: Class) {
    let r = runs();
    let mut failures = Vec::new();
    let mut planted = 0;
    for ((log, found), control) in r.logs.iter().zip(&r.raw_check).zip(&r.control_check) {
        for p in log.planted.iter().filter(|p| p.plant.class == class) {
            planted += 1;
            // A finding the same line without the plant does not have (the filler's own client
            // address is found on every raw line, and proves nothing about the plant).
            let base: BTreeSet<&String> = control.get(&p.line).into_iter().flatten().collect();
            let new = found
                .get(&p.line)
                .into_iter()
                .flatten()
                .any(|f| !base.contains(f));
            if !new && !beyond_check(log.format, &p.plant) {
                failures.push(format!(
                    "{}: line {} ({:?} in {:?}) not flagged",
                    log.format.name(),
                    p.line,
                    p.plant.class,
                    p.plant.slot
                ));
            }
        }
    }
    assert!(planted > 0, "nothing planted for {class:?}");
    assert!(
        failures.is_empty(),
        "{class:?}: {} of {planted} planted lines not flagged by check:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Part 2: no planted value of `class` survives `anonymize` under any mode, and `check` finds nothing on
/// its lines.
fn anonymize_removes(class: Class) {
    let r = runs();
    let mut failures = BTreeSet::new();
    for (log, modes) in r.logs.iter().zip(&r.anonymized) {
        for (mode, result) in MODES.iter().zip(modes) {
            let (text, found) = match result {
                Ok(x) => x,
                Err(e) => {
                    failures.insert(format!("{} {mode}: {e}", log.format.name()));
                    continue;
                }
            };
            let lines: Vec<&str> = text.lines().collect();
            for p in log.planted.iter().filter(|p| p.plant.class == class) {
                let out = lines.get(p.line - 1).copied().unwrap_or_default();
                // Its own image under this key (module docs): written unchanged by design.
                let fixed = *mode == "crypto-pan" && crypto_pan_fixed(&r.key, &p.plant);
                if fixed {
                    eprintln!(
                        "{} {mode}: line {}: the planted address is a Crypto-PAn fixed point of this \
                         run's key; its needles are checked under the other modes only",
                        log.format.name(),
                        p.line
                    );
                }
                for needle in p.plant.needles.iter().filter(|_| !fixed) {
                    if contains_ci(out, needle) {
                        failures.insert(format!(
                            "{} {mode}: line {} ({:?}): planted value survived",
                            log.format.name(),
                            p.line,
                            p.plant.slot
                        ));
                    }
                }
                let findings: Vec<&String> = found
                    .get(&p.line)
                    .map(|v| {
                        v.iter()
                            .filter(|f| {
                                *mode != "crypto-pan"
                                    || !(f.starts_with("ipv4:") || f.starts_with("ipv6:"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if !findings.is_empty() {
                    failures.insert(format!(
                        "{} {mode}: line {} ({:?}): check finds {findings:?}",
                        log.format.name(),
                        p.line,
                        p.plant.slot
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{class:?}: {} failures after anonymize:\n{}",
        failures.len(),
        failures.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Part 3: `report --csv` holds no planted value of `class`.
fn report_holds_none(class: Class) {
    let r = runs();
    let mut failures = BTreeSet::new();
    for (log, report) in r.logs.iter().zip(&r.reports) {
        let csv = match report {
            Ok(csv) => csv,
            Err(e) => {
                failures.insert(format!("{}: {e}", log.format.name()));
                continue;
            }
        };
        for p in log.planted.iter().filter(|p| p.plant.class == class) {
            for needle in &p.plant.needles {
                if contains_ci(csv, needle) {
                    failures.insert(format!(
                        "{}: line {} ({:?}): planted value in the CSV report",
                        log.format.name(),
                        p.line,
                        p.plant.slot
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{class:?}: {} failures in report:\n{}",
        failures.len(),
        failures.into_iter().collect::<Vec<_>>().join("\n")
    );
}

macro_rules! per_class {
    ($($class:ident => $raw:ident, $anon:ident, $report:ident;)*) => {$(
        #[test]
        fn $raw() {
            raw_is_flagged(Class::$class);
        }
        #[test]
        fn $anon() {
            anonymize_removes(Class::$class);
        }
        #[test]
        fn $report() {
            report_holds_none(Class::$class);
        }
    )*};
}

per_class! {
    Ipv4Plain => raw_ipv4_plain, anonymize_ipv4_plain, report_ipv4_plain;
    Ipv4Encoded => raw_ipv4_encoded, anonymize_ipv4_encoded, report_ipv4_encoded;
    Ipv4AfterEscape => raw_ipv4_after_escape, anonymize_ipv4_after_escape, report_ipv4_after_escape;
    Ipv4Glued => raw_ipv4_glued, anonymize_ipv4_glued, report_ipv4_glued;
    Ipv4HostName => raw_ipv4_host_name, anonymize_ipv4_host_name, report_ipv4_host_name;
    Ipv6 => raw_ipv6, anonymize_ipv6, report_ipv6;
    EmailPlain => raw_email_plain, anonymize_email_plain, report_email_plain;
    EmailEncoded => raw_email_encoded, anonymize_email_encoded, report_email_encoded;
    TokenQuery => raw_token_query, anonymize_token_query, report_token_query;
    TokenFragment => raw_token_fragment, anonymize_token_fragment, report_token_fragment;
    TokenSemicolon => raw_token_semicolon, anonymize_token_semicolon, report_token_semicolon;
    TokenNestedUrl => raw_token_nested_url, anonymize_token_nested_url, report_token_nested_url;
    ResetSegment => raw_reset_segment, anonymize_reset_segment, report_reset_segment;
    ApiKey => raw_api_key, anonymize_api_key, report_api_key;
    Phone => raw_phone, anonymize_phone, report_phone;
    Card => raw_card, anonymize_card, report_card;
    Jwt => raw_jwt, anonymize_jwt, report_jwt;
    CookieField => raw_cookie_field, anonymize_cookie_field, report_cookie_field;
    AuthField => raw_auth_field, anonymize_auth_field, report_auth_field;
    UaDevice => raw_ua_device, anonymize_ua_device, report_ua_device;
    AuthUser => raw_auth_user, anonymize_auth_user, report_auth_user;
    ClientInvalid => raw_client_invalid, anonymize_client_invalid, report_client_invalid;
    ClientHostName => raw_client_host_name, anonymize_client_host_name, report_client_host_name;
}

/// Every class is covered by the three tests above (a new class must be added to `per_class!`).
#[test]
fn every_class_has_tests() {
    assert_eq!(Class::ALL.len(), 23);
}

/// Filler lines (no secret planted) come out of `anonymize` clean under truncation: a failure here is a
/// false positive of `check` or a leak of the generator's ordinary fields, not of a planted class.
#[test]
fn filler_lines_stay_clean() {
    let r = runs();
    let mut failures = Vec::new();
    for (log, modes) in r.logs.iter().zip(&r.anonymized) {
        let planted: BTreeSet<usize> = log.planted.iter().map(|p| p.line).collect();
        if let Ok((_, found)) = &modes[0] {
            for (line, f) in found {
                if !planted.contains(line) {
                    failures.push(format!("{} line {line}: {f:?}", log.format.name()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Members the policy removes from JSON logs are gone by name, not only their planted values: a removed
/// member's value can be a short cookie no recogniser flags, so the planted values alone would not show a
/// member kept by mistake (a removed first member once swallowed the removal of the member after it).
#[test]
fn removed_json_members_are_gone_by_name() {
    const REMOVED: [&str; 7] = [
        "cookie",
        "set-cookie",
        "authorization",
        "request_cookie",
        "request_authorization",
        "http_cookie",
        "http_authorization",
    ];
    fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.to_ascii_lowercase());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let r = runs();
    let mut failures = Vec::new();
    let mut objects = 0;
    for (log, modes) in r.logs.iter().zip(&r.anonymized) {
        let json = matches!(
            log.format,
            Format::Caddy | Format::TraefikJson | Format::NginxJson
        );
        // Every raw line of these formats carries at least one of the removed members.
        let raw_members = log
            .text
            .lines()
            .filter(|l| REMOVED.iter().any(|m| contains_ci(l, &format!("\"{m}\""))))
            .count();
        assert!(!json || raw_members > 0, "{}", log.format.name());
        for (mode, result) in MODES.iter().zip(modes) {
            let Ok((text, _)) = result else { continue };
            for (n, line) in text.lines().enumerate() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    if json && !line.is_empty() {
                        failures.push(format!(
                            "{} {mode} line {}: not JSON",
                            log.format.name(),
                            n + 1
                        ));
                    }
                    continue;
                };
                objects += 1;
                let mut found = Vec::new();
                keys(&v, &mut found);
                for k in found.iter().filter(|k| REMOVED.contains(&k.as_str())) {
                    failures.push(format!(
                        "{} {mode} line {}: {k} kept",
                        log.format.name(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(objects > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The test's Crypto-PAn agrees with the reference implementation's vectors, and with a key found to
/// reproduce the flake this exemption is for (`cloudfront crypto-pan: line 16 … planted value survived`
/// under seed 17): that key maps the planted 179.204.110.45 to itself.
#[test]
fn crypto_pan_oracle() {
    let vectors = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/cryptopan-reference-vectors.tsv"
    ))
    .expect("../shared/reference beside the repository");
    let mut n = 0;
    for line in vectors.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let got = crypto_pan_v4(&parse_key(cols[0]), cols[1].parse().expect("address"));
        assert_eq!(got.to_string(), cols[2], "{}", cols[1]);
        n += 1;
    }
    assert_eq!(n, 70);
    let key = parse_key("89b9beae0913ea38dca105315e8359c4673c1d3af7ba2bef648b6e14bc8fab9b");
    let ip = Ipv4Addr::new(179, 204, 110, 45);
    assert_eq!(crypto_pan_v4(&key, ip), ip);
    assert_ne!(
        crypto_pan_v4(&key, Ipv4Addr::new(198, 51, 59, 108)),
        Ipv4Addr::new(198, 51, 59, 108)
    );
}

/// The generator is deterministic: the same seed gives the same logs.
#[test]
fn generation_is_deterministic() {
    for f in Format::ALL {
        assert_eq!(generate(f, 5).text, generate(f, 5).text);
        assert_ne!(generate(f, 5).text, generate(f, 6).text);
    }
}

/// Sensitive JSON members side by side, the first of them first in its object: removing the first (with
/// the comma after it) must not swallow the edits of the next ones (a `Cookie` header kept the
/// `Authorization` after it, and every unknown header after that, until this was fixed).
#[test]
fn json_headers_after_a_removed_first_member_are_still_judged() {
    let caddy = br#"{"level":"info","ts":1700000000.1,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"203.0.113.9","remote_port":"1","client_ip":"203.0.113.9","proto":"HTTP/2.0","method":"GET","host":"example.com","uri":"/a","headers":{"Cookie":["s=1"],"Authorization":["Bearer x7"],"X-Api-Key":["k9secret"],"Accept":["text/html"]}},"status":200,"size":5,"duration":0.01}
{"level":"info","ts":1700000000.2,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"203.0.113.9","remote_port":"1","client_ip":"203.0.113.9","proto":"HTTP/2.0","method":"GET","host":"example.com","uri":"/a","headers":{"Cookie":["s=1"],"Authorization":["Bearer x7"]}},"status":200,"size":5,"duration":0.01}
"#;
    let out = common::run_with_stdin(&["anonymize", "-q", "--format", "caddy"], caddy);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2);
    for secret in [
        "s=1",
        "Bearer",
        "x7",
        "k9secret",
        "203.0.113.9",
        "Cookie",
        "Authorization",
    ] {
        assert!(!text.contains(secret), "{secret} survived: {text}");
    }
    assert!(
        text.contains(r#""headers":{"X-Api-Key":["-"],"Accept":["text/html"]}"#),
        "{text}"
    );
    assert!(text.contains(r#""headers":{}"#), "{text}");
    // Still valid JSON.
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}
