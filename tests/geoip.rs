//! `--geoip`, the place tables, the filters and `--compare previous`, run through the binary against
//! MaxMind's own test databases (`../shared/reference/geoip/`), whose source JSON gives the expected
//! answers.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Output;

fn geo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/geoip")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(args: &[&str]) -> Output {
    common::run_ok(args)
}

/// The record of the network holding `ip` in a source JSON (`[{"net/len": record}, …]`).
fn record(json: &str, ip: IpAddr) -> Option<serde_json::Value> {
    let path = geo(json);
    let all: Vec<BTreeMap<String, serde_json::Value>> =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let mut best: Option<(u8, serde_json::Value)> = None;
    for entry in all {
        for (net, rec) in entry {
            let net: ipnet::IpNet = net.parse().unwrap();
            if net.contains(&ip) && best.as_ref().is_none_or(|(len, _)| net.prefix_len() > *len) {
                best = Some((net.prefix_len(), rec));
            }
        }
    }
    best.map(|(_, r)| r)
}

/// The addresses of the test log: test networks of the databases, a private one, one unknown.
const ADDRESSES: &[&str] = &[
    "81.2.69.142",
    "81.2.69.143",
    "89.160.20.115",
    "216.160.83.57",
    "175.16.199.5",
    "1.128.0.9",
    "10.0.0.5",
    "2001:218::5",
    "192.0.2.44",
];

/// Combined lines: per address, `n` page views (n = its index + 1) on 2026-11-23 with a distinct user
/// agent, one of them carrying an email and a token in the query; a Googlebot hit; a monitoring hit.
fn test_log(dir: &Path) -> PathBuf {
    let mut text = String::new();
    for (i, ip) in ADDRESSES.iter().enumerate() {
        for n in 0..=i {
            text.push_str(&format!(
                "{ip} - - [23/Nov/2026:10:{n:02}:00 +0000] \"GET /page{n}?email=jane.doe@example.org&token=8f14e45fceea167a5a36dedd4bea2543 HTTP/1.1\" 200 5 \"https://ref.example.net/x?u=bob@example.com\" \"Mozilla/5.0 Firefox/{i}\"\n"
            ));
        }
    }
    text.push_str("81.2.69.142 - - [23/Nov/2026:11:00:00 +0000] \"GET /robots.txt HTTP/1.1\" 200 5 \"-\" \"Googlebot/2.1 (+http://www.google.com/bot.html)\"\n");
    text.push_str("89.160.20.115 - - [23/Nov/2026:11:00:00 +0000] \"GET /health HTTP/1.1\" 200 5 \"-\" \"UptimeRobot/2.0\"\n");
    let path = dir.join("access.log");
    fs::write(&path, text).unwrap();
    path
}

fn csv(dir: &Path, table: &str) -> Vec<Vec<String>> {
    let text = fs::read_to_string(dir.join(format!("{table}.csv"))).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            // The test's keys hold no commas except quoted ones, which these tables do not have.
            l.split(',').map(str::to_string).collect()
        })
        .collect()
}

fn metric(dir: &Path, name: &str) -> String {
    csv(dir, "summary")
        .into_iter()
        .find(|r| r[0] == name)
        .unwrap_or_else(|| panic!("no {name}"))[1]
        .clone()
}

fn report(log: &Path, out: &Path, extra: &[&str]) {
    let (city, asn) = (
        geo("GeoLite2-City-Test.mmdb"),
        geo("GeoLite2-ASN-Test.mmdb"),
    );
    let mut args = vec![
        "report",
        s(log),
        "--geoip",
        s(&city),
        "--geoip",
        s(&asn),
        "--min-visitors",
        "1",
        "--csv",
        s(out),
    ];
    args.extend(extra);
    ok(&args);
}

/// Expected human hits per country code / region / ASN, from the source JSON.
fn expected() -> [BTreeMap<String, u64>; 3] {
    let mut out: [BTreeMap<String, u64>; 3] = Default::default();
    for (i, ip) in ADDRESSES.iter().enumerate() {
        let ip: IpAddr = ip.parse().unwrap();
        let hits = i as u64 + 1;
        let city = record("GeoLite2-City-Test.json", ip);
        let country = city
            .as_ref()
            .and_then(|r| r["country"]["iso_code"].as_str().map(str::to_string))
            .unwrap_or_else(|| "--".into());
        let region = city
            .as_ref()
            .and_then(|r| {
                r["subdivisions"][0]["iso_code"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "--".into());
        let asn = record("GeoLite2-ASN-Test.json", ip)
            .and_then(|r| r["autonomous_system_number"].as_u64())
            .map_or("--".to_string(), |n| n.to_string());
        *out[0].entry(country.clone()).or_default() += hits;
        *out[1].entry(format!("{country}/{region}")).or_default() += hits;
        *out[2].entry(asn).or_default() += hits;
    }
    out
}

#[test]
fn countries_regions_and_asns_are_those_of_the_source_json_under_every_ip_mode() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let [countries, regions, asns] = expected();
    assert!(countries.len() >= 5, "{countries:?}");
    for mode in ["truncate", "drop"] {
        let out = dir.path().join(mode);
        report(
            &log,
            &out,
            &["--ip-mode", mode, "--exclude-ua", "UptimeRobot"],
        );
        let got: BTreeMap<String, u64> = csv(&out, "countries")
            .iter()
            .map(|r| (r[0].clone(), r[2].parse().unwrap()))
            .collect();
        assert_eq!(got, countries, "{mode}");
        let gb = csv(&out, "countries")
            .into_iter()
            .find(|r| r[0] == "GB")
            .unwrap();
        assert_eq!(gb[1], "United Kingdom");
        // Two visitors from GB (two user agents), one visit each.
        assert_eq!((gb[4].as_str(), gb[5].as_str()), ("2", "2"));
        let got: BTreeMap<String, u64> = csv(&out, "regions")
            .iter()
            .map(|r| (format!("{}/{}", r[0], r[1]), r[3].parse().unwrap()))
            .collect();
        assert_eq!(got, regions, "{mode}");
        let got: BTreeMap<String, u64> = csv(&out, "asn")
            .iter()
            .map(|r| (r[0].clone(), r[2].parse().unwrap()))
            .collect();
        assert_eq!(got, asns, "{mode}");
        assert_eq!(
            metric(&out, "geoip_unknown_country_hits"),
            countries["--"].to_string()
        );
    }
    // The networks table gains country and ASN; a /16 is split by the country of the full addresses.
    let nets = csv(&dir.path().join("truncate"), "networks");
    assert!(
        nets.iter()
            .any(|r| r[0] == "81.2.0.0" && r[1] == "GB" && r[2] == "--")
    );
    assert!(nets.iter().any(|r| r[0] == "1.128.0.0" && r[2] == "1221"));
}

#[test]
fn without_geoip_there_are_no_place_tables_and_networks_have_empty_places() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let out = dir.path().join("plain");
    ok(&["report", s(&log), "--min-visitors", "1", "--csv", s(&out)]);
    for t in ["countries", "regions", "asn"] {
        assert!(!out.join(format!("{t}.csv")).exists(), "{t}");
    }
    assert!(
        csv(&out, "networks")
            .iter()
            .all(|r| r[1].is_empty() && r[2].is_empty())
    );
    let bad = common::run(&["report", s(&log), "--table", "countries"]);
    assert_eq!(bad.status.code(), Some(2));
    // A country database alone: countries, no regions, no asn.
    let country = geo("GeoLite2-Country-Test.mmdb");
    let only = dir.path().join("country");
    ok(&["report", s(&log), "--geoip", s(&country), "--csv", s(&only)]);
    assert!(only.join("countries.csv").exists());
    assert!(!only.join("regions.csv").exists() && !only.join("asn.csv").exists());
}

#[test]
fn day_partials_carry_the_place_tables_and_merge_adds_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = fs::read_to_string(test_log(dir.path())).unwrap();
    text.push_str(&text.replace("23/Nov/2026", "24/Nov/2026"));
    let log = dir.path().join("two-days.log");
    fs::write(&log, text).unwrap();
    let whole = dir.path().join("whole");
    report(&log, &whole, &[]);
    let mut parts = Vec::new();
    for (since, until) in [("2026-11-23", "2026-11-24"), ("2026-11-24", "2026-11-25")] {
        let p = dir.path().join(format!("{since}.partial"));
        let out = dir.path().join(since);
        report(
            &log,
            &out,
            &["--since", since, "--until", until, "--partial", s(&p)],
        );
        parts.push(p);
    }
    let merged = dir.path().join("merged");
    ok(&[
        "merge",
        s(&parts[0]),
        s(&parts[1]),
        "--min-visitors",
        "1",
        "--csv",
        s(&merged),
    ]);
    for t in ["countries", "regions", "asn", "networks"] {
        assert_eq!(
            fs::read_to_string(merged.join(format!("{t}.csv"))).unwrap(),
            fs::read_to_string(whole.join(format!("{t}.csv"))).unwrap(),
            "{t}"
        );
    }
}

#[test]
fn missing_unreadable_wrong_and_old_databases_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let not_mmdb = geo("README.md");
    let missing = dir.path().join("GeoLite2-Nope.mmdb");
    let asn = geo("GeoLite2-ASN-Test.mmdb");
    let country = geo("GeoLite2-Country-Test.mmdb");
    let city = geo("GeoLite2-City-Test.mmdb");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--geoip", s(&missing)], 74, "GeoLite2-Nope.mmdb"),
        (vec!["--geoip", s(dir.path())], 2, "not a file"),
        (vec!["--geoip", s(&not_mmdb)], 2, "not a MaxMind DB"),
        (
            vec!["--geoip", s(&country), "--geoip", s(&city)],
            2,
            "second country",
        ),
        (
            vec!["--geoip", s(&asn), "--geoip-max-age", "30"],
            2,
            "older than --geoip-max-age",
        ),
        (
            vec!["--geoip", s(&asn), "--geoip-max-age", "soon"],
            2,
            "--geoip-max-age",
        ),
    ];
    for (extra, code, says) in cases {
        for command in ["report", "anonymize"] {
            let mut args = vec![command, s(&log)];
            args.extend(&extra);
            if command == "anonymize" {
                args.extend(["--add-field", "asn"]);
            }
            let out = common::run(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(says) && !err.contains("panicked"), "{err}");
            assert!(out.stdout.is_empty());
        }
    }
}

#[test]
fn filters_act_on_the_full_address_and_are_counted_by_reason_also_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let out = dir.path().join("filtered");
    // 81.2.69.142 (1 page view, 1 bot hit) is excluded; 81.2.69.143, in the same /16, is not.
    report(
        &log,
        &out,
        &[
            "--exclude-ip",
            "81.2.69.142/32",
            "--exclude-path",
            "/health*",
            "--exclude-ua",
            "(?i)firefox/8",
            "--only-humans",
        ],
    );
    assert_eq!(metric(&out, "excluded_ip"), "2");
    assert_eq!(metric(&out, "excluded_path"), "1");
    assert_eq!(metric(&out, "excluded_user_agent"), "9");
    assert_eq!(metric(&out, "excluded_bots"), "0");
    let gb = csv(&out, "countries")
        .into_iter()
        .find(|r| r[0] == "GB")
        .unwrap();
    assert_eq!(gb[2], "2");
    let parsed: u64 = metric(&out, "parsed").parse().unwrap();
    let hits: u64 = metric(&out, "hits").parse().unwrap();
    assert_eq!(parsed, hits + 2 + 1 + 9);
    // --only-humans alone drops the Googlebot hit and the monitoring, before status counts them.
    let humans = dir.path().join("humans");
    report(&log, &humans, &["--only-humans"]);
    assert_eq!(metric(&humans, "excluded_bots"), "2");
    assert_eq!(metric(&humans, "bot_hits"), "0");
    // The same names in a config file.
    let conf = dir.path().join("logveil.toml");
    fs::write(
        &conf,
        "[report]\nexclude-ip = [\"81.2.69.142/32\"]\nexclude-path = [\"/health*\"]\nexclude-ua = [\"(?i)firefox/8\"]\nonly-humans = true\n",
    )
    .unwrap();
    let from_file = dir.path().join("from-file");
    report(&log, &from_file, &["--config", s(&conf)]);
    // The same summary (the estimate filter is a no-op since one run counts distinct visitors exactly).
    let summary = |dir: &Path| -> Vec<String> {
        fs::read_to_string(dir.join("summary.csv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("visitors_estimated,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(summary(&from_file), summary(&out));
    // --include-host: a combined log has no host, so every line is left out, and said so.
    let hosts = dir.path().join("hosts");
    report(&log, &hosts, &["--include-host", "www.example.com"]);
    assert_eq!(metric(&hosts, "excluded_host"), metric(&hosts, "parsed"));
    let bad = common::run(&["report", s(&log), "--exclude-ip", "81.2.69.300"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn anonymize_adds_country_and_asn_fields_that_formats_and_report_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let anon = dir.path().join("anon.log");
    let (country, asn) = (
        geo("GeoLite2-Country-Test.mmdb"),
        geo("GeoLite2-ASN-Test.mmdb"),
    );
    let run = ok(&[
        "anonymize",
        s(&log),
        "--geoip",
        s(&country),
        "--geoip",
        s(&asn),
        "--add-field",
        "country",
        "--add-field",
        "asn",
        "--exclude-ip",
        "10.0.0.0/8",
        "-o",
        s(&anon),
    ]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("7 dropped by filters"));
    let text = fs::read_to_string(&anon).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        common::count_lines(&fs::read(&log).unwrap()) - 7
    );
    for (line, ip) in lines.iter().zip(ADDRESSES.iter().flat_map(|ip| {
        let n = ADDRESSES.iter().position(|a| a == ip).unwrap() + 1;
        std::iter::repeat_n(*ip, if *ip == "10.0.0.5" { 0 } else { n })
    })) {
        let ip: IpAddr = ip.parse().unwrap();
        let cc = record("GeoLite2-Country-Test.json", ip)
            .and_then(|r| r["country"]["iso_code"].as_str().map(str::to_string))
            .unwrap_or_else(|| "-".into());
        let asn = record("GeoLite2-ASN-Test.json", ip)
            .and_then(|r| r["autonomous_system_number"].as_u64())
            .map_or("-".to_string(), |n| n.to_string());
        assert!(line.ends_with(&format!("\" \"{cc}\" \"{asn}\"")), "{line}");
    }
    let detect = ok(&["formats", "--detect", s(&anon)]);
    assert!(
        String::from_utf8_lossy(&detect.stdout).contains("100.0%"),
        "{}",
        String::from_utf8_lossy(&detect.stdout)
    );
    let back = dir.path().join("back");
    ok(&["report", s(&anon), "--min-visitors", "1", "--csv", s(&back)]);
    assert_eq!(metric(&back, "unparsed"), "0");
    assert_eq!(metric(&back, "parsed"), lines.len().to_string());
    // JSON and W3C lines cannot take a trailing field: refused, naming the input.
    let w3c = common::sample("w3c-iis85-lnav-big.log");
    let refused = common::run(&[
        "anonymize",
        s(&w3c),
        "--geoip",
        s(&asn),
        "--add-field",
        "asn",
    ]);
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn no_output_holds_an_address_an_email_or_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_log(dir.path());
    let out = dir.path().join("out");
    let json = dir.path().join("report.json");
    let partial = dir.path().join("p.partial");
    report(&log, &out, &["--json", s(&json), "--partial", s(&partial)]);
    let anon = dir.path().join("anon.log");
    let (city, asn) = (
        geo("GeoLite2-City-Test.mmdb"),
        geo("GeoLite2-ASN-Test.mmdb"),
    );
    ok(&[
        "anonymize",
        s(&log),
        "--geoip",
        s(&city),
        "--geoip",
        s(&asn),
        "--add-field",
        "country",
        "--add-field",
        "asn",
        "-o",
        s(&anon),
    ]);
    let mut outputs: Vec<PathBuf> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    outputs.extend([json, partial, anon]);
    for path in outputs {
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            common::full_ipv4s(&bytes).is_empty(),
            "{path:?}: {:?}",
            common::full_ipv4s(&bytes)
        );
        assert!(common::emails(&bytes).is_empty(), "{path:?}");
        for secret in ADDRESSES.iter().copied().chain([
            "2001:218::5",
            "8f14e45fceea167a5a36dedd4bea2543",
            "jane.doe",
            "bob@",
        ]) {
            assert!(!text.contains(secret), "{path:?} holds {secret}");
        }
    }
}

#[test]
fn compare_previous_sets_the_period_beside_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(test_log(dir.path())).unwrap();
    // The previous week (16–22 Nov) has one day of traffic, the current (23–29 Nov) two.
    let text = format!(
        "{}{base}{}",
        base.replace("23/Nov/2026", "16/Nov/2026"),
        base.replace("23/Nov/2026", "25/Nov/2026")
    );
    let log = dir.path().join("weeks.log");
    fs::write(&log, text).unwrap();
    let out = dir.path().join("cmp");
    let json = dir.path().join("cmp.json");
    ok(&[
        "report",
        s(&log),
        "--since",
        "2026-11-23",
        "--until",
        "2026-11-30",
        "--compare",
        "previous",
        "--min-visitors",
        "1",
        "--csv",
        s(&out),
        "--json",
        s(&json),
    ]);
    let text = fs::read_to_string(out.join("compare.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("section,key,metric,current,previous,change,change_pct")
    );
    let hits = metric(&out, "hits");
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let row = |section: &str, key: &str, m: &str| {
        rows.iter()
            .find(|r| r[0] == section && r[1] == key && r[2] == m)
            .unwrap_or_else(|| panic!("{section} {key} {m}: {text}"))
            .clone()
    };
    let h = row("summary", "", "hits");
    let current: u64 = hits.parse().unwrap();
    assert_eq!(h[3], hits);
    assert_eq!(h[4], (current / 2).to_string());
    assert_eq!(h[6], "100.00");
    assert_eq!(row("summary", "", "first_day")[4], "2026-11-16");
    let page = row("pages", "/page0", "page_views");
    assert_eq!((page[3].as_str(), page[4].as_str()), ("18", "9"));
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let cmp = &doc["tables"]["compare"];
    assert_eq!(cmp["columns"][6], "change_pct");
    assert_eq!(cmp["rows"].as_array().unwrap().len(), rows.len());
    // merge over a partial of all three days gives the same comparison, distinct visitors over days aside
    // (one run counts them, `visitors`; a merge estimates them, `visitors_estimated`).
    let partial = dir.path().join("all.partial");
    ok(&["report", s(&log), "--partial", s(&partial), "-q"]);
    let merged = dir.path().join("merged");
    ok(&[
        "merge",
        s(&partial),
        "--compare",
        "previous",
        "--since",
        "2026-11-23",
        "--until",
        "2026-11-30",
        "--min-visitors",
        "1",
        "--csv",
        s(&merged),
    ]);
    let without_estimates = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.contains("visitors_estimated") && !l.contains(",visitors,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        without_estimates(&fs::read_to_string(merged.join("compare.csv")).unwrap()),
        without_estimates(&text)
    );
    assert_eq!(metric(&merged, "hits"), hits);
    // Without both bounds, or on stdin, it is a usage error.
    let open = common::run(&[
        "report",
        s(&log),
        "--since",
        "2026-11-23",
        "--compare",
        "previous",
    ]);
    assert_eq!(open.status.code(), Some(2));
}
