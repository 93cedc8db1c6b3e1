//! The reduction rule checked against published vectors (`../shared/reference/ip-vectors.tsv`): Matomo's
//! masking levels 1–3, GoAccess's `--anonymize-level` 1–3 and mod_log_ipmask are the same prefix rule as
//! ours with other prefix lengths, so every such row must come out identical.

mod common;

use logveil::reduce_client;
use logveil::{IpPolicy, Rules};

fn prefixes(rule: &str) -> Option<(u8, u8)> {
    // Rows with extra notes after the mask describe peer quirks (rejected lines, XFF choices,
    // GoAccess collapsing IPv4-mapped addresses to `::`) that logveil deliberately does not copy.
    let table: &[(&str, (u8, u8))] = &[
        (
            "matomo level 1: IPv4 zero last 1 byte (/24); IPv6 mask ffff:ffff:ffff:ffff:: (/64)",
            (24, 64),
        ),
        (
            "matomo level 2 (default): IPv4 zero last 2 bytes (/16); IPv6 mask ffff:ffff:ffff:: (/48)",
            (16, 48),
        ),
        (
            "matomo level 3: IPv4 zero last 3 bytes (/8); IPv6 mask ffff:ff00:: (/24)",
            (8, 24),
        ),
        (
            "matomo level 1: IPv4 zero last 1 byte (/24) (mapped address treated as IPv4: zero last n bytes of 16)",
            (24, 64),
        ),
        (
            "matomo level 2 (default): IPv4 zero last 2 bytes (/16) (mapped address treated as IPv4: zero last n bytes of 16)",
            (16, 48),
        ),
        (
            "matomo level 3: IPv4 zero last 3 bytes (/8) (mapped address treated as IPv4: zero last n bytes of 16)",
            (8, 24),
        ),
        (
            "goaccess --anonymize-level=1 (default): IPv4 & 255.255.255.0 (/24); IPv6 & ffff:ffff:ffff:ffff:: (/64)",
            (24, 64),
        ),
        (
            "goaccess --anonymize-level=2: IPv4 & 255.255.0.0 (/16); IPv6 & ffff:ffff:ffff:: (/48)",
            (16, 48),
        ),
        (
            "goaccess --anonymize-level=3: IPv4 & 255.0.0.0 (/8); IPv6 & ffff:ffff:: (/32)",
            (8, 32),
        ),
        ("mod_log_ipmask %{16}a: keep /16", (16, 32)),
        ("IPv4: zero last two octets (keep /16)", (16, 32)),
    ];
    table.iter().find(|(r, _)| *r == rule).map(|(_, p)| *p)
}

#[test]
fn published_prefix_vectors_match() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ip-vectors.tsv");
    let text = std::fs::read_to_string(&path).expect("read ip-vectors.tsv");
    let mut checked = 0;
    for row in text.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [_, rule, input, expected] = cols[..] else {
            continue;
        };
        let Some((v4, v6)) = prefixes(rule) else {
            continue;
        };
        // GoAccess turns IPv4-mapped addresses into `::`; DESIGN.md keeps their IPv4 form instead.
        if rule.starts_with("goaccess") && input.contains("::ffff:") || input.starts_with("::1.") {
            continue;
        }
        let rules = Rules {
            ip: IpPolicy::new(v4, v6).unwrap(),
            ..Rules::default()
        };
        let mut out = Vec::new();
        reduce_client(input.as_bytes(), &rules, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{rule}: {input}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} rows checked");
}
