//! The exclusion filters of `report` and `anonymize`: `--exclude-ip CIDR`, `--exclude-path GLOB`,
//! `--exclude-ua REGEX`, `--include-host HOST`. A line they exclude is counted by its reason and nothing
//! else (`report`), or dropped and counted (`anonymize`). `--exclude-ip` tests the **full** client address,
//! before any reduction; `--only-humans` is the report's own (it needs the bot classification, see
//! `crate::analyze`).

use std::net::IpAddr;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ipnet::IpNet;
use regex::bytes::RegexSet;

use crate::record::{Encoding, Record};

/// Why a line was excluded: the summary metric that counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// `--exclude-ip`.
    Ip,
    /// `--exclude-path`.
    Path,
    /// `--exclude-ua`.
    UserAgent,
    /// Not one of the `--include-host` hosts.
    Host,
    /// A bot, under `report --only-humans`.
    Bot,
}

impl Reason {
    /// Every reason, in the order the summary lists them.
    pub(crate) const ALL: [Reason; 5] = [
        Reason::Ip,
        Reason::Path,
        Reason::UserAgent,
        Reason::Host,
        Reason::Bot,
    ];

    /// The summary metric.
    pub(crate) const fn metric(self) -> &'static str {
        match self {
            Reason::Ip => "excluded_ip",
            Reason::Path => "excluded_path",
            Reason::UserAgent => "excluded_user_agent",
            Reason::Host => "excluded_host",
            Reason::Bot => "excluded_bots",
        }
    }
}

/// The filters of a run (empty: nothing is excluded).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    ips: Vec<IpNet>,
    paths: Option<GlobSet>,
    uas: Option<RegexSet>,
    hosts: Vec<String>,
}

impl Filters {
    /// Validates the flags' values; the error names the flag and the value (which is the user's own
    /// argument, not log data).
    pub fn new(
        exclude_ip: &[String],
        exclude_path: &[String],
        exclude_ua: &[String],
        include_host: &[String],
    ) -> Result<Filters, String> {
        let ips = crate::privacy::forwarded::networks("--exclude-ip", exclude_ip)?;
        let paths = if exclude_path.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for g in exclude_path {
                let glob = GlobBuilder::new(g)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| format!("--exclude-path: {e}"))?;
                set.add(glob);
            }
            Some(set.build().map_err(|e| format!("--exclude-path: {e}"))?)
        };
        let uas = if exclude_ua.is_empty() {
            None
        } else {
            Some(RegexSet::new(exclude_ua).map_err(|e| format!("--exclude-ua: {e}"))?)
        };
        let hosts = include_host
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        Ok(Filters {
            ips,
            paths,
            uas,
            hosts,
        })
    }

    /// True when no filter is set.
    pub(crate) fn is_empty(&self) -> bool {
        self.ips.is_empty() && self.paths.is_none() && self.uas.is_none() && self.hosts.is_empty()
    }

    /// Why `r` is excluded, if it is: the first filter that matches, in the order of [`Reason::ALL`].
    pub(crate) fn excludes(&self, r: &Record<'_>) -> Option<Reason> {
        if !self.ips.is_empty() {
            if let Some(ip) = crate::geo::client_address(r.opt(r.client)) {
                let ip = match ip {
                    IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
                    v4 => v4,
                };
                if self.ips.iter().any(|n| n.contains(&ip)) {
                    return Some(Reason::Ip);
                }
            }
        }
        if let Some(paths) = &self.paths {
            let (_, target) = crate::record::origin_form(r.method_and_target().1);
            let path = &target[..memchr::memchr2(b'?', b'#', target).unwrap_or(target.len())];
            if paths.is_match(as_path(path)) {
                return Some(Reason::Path);
            }
        }
        if let Some(uas) = &self.uas {
            let ua = r.user_agent.map_or(&b""[..], |s| r.get(s));
            let decoded;
            let ua = match r.encoding {
                Encoding::Raw => ua,
                Encoding::Plus => {
                    decoded = ua
                        .iter()
                        .map(|&b| if b == b'+' { b' ' } else { b })
                        .collect::<Vec<u8>>();
                    &decoded[..]
                }
                Encoding::Percent => {
                    decoded = crate::privacy::search::percent_decode(ua);
                    &decoded[..]
                }
            };
            if uas.is_match(ua) {
                return Some(Reason::UserAgent);
            }
        }
        if !self.hosts.is_empty() {
            let host = host_without_port(r.host().unwrap_or_default());
            let host = host.strip_suffix(b".").unwrap_or(host);
            if !self
                .hosts
                .iter()
                .any(|h| h.as_bytes().eq_ignore_ascii_case(host))
            {
                return Some(Reason::Host);
            }
        }
        None
    }
}

/// A `Host` value without its port (`example.com:8080`, `[::1]:443`).
fn host_without_port(h: &[u8]) -> &[u8] {
    if h.first() == Some(&b'[') {
        return h;
    }
    match memchr::memrchr(b':', h) {
        Some(i) if memchr::memchr(b':', &h[..i]).is_none() => &h[..i],
        _ => h,
    }
}

/// A path as a `Path` for the glob set, without copying (Unix paths are bytes).
fn as_path(b: &[u8]) -> &std::path::Path {
    use std::os::unix::ffi::OsStrExt;
    std::path::Path::new(std::ffi::OsStr::from_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Format, LineParser};

    const LINE: &[u8] = br#"10.1.2.3 - - [23/Nov/2026:10:00:00 +0000] "GET /wp-admin/x.php?a=1 HTTP/1.1" 200 5 "-" "UptimeRobot/2.0""#;

    fn reason(f: &Filters, line: &[u8]) -> Option<Reason> {
        let parser = LineParser::detected(Format::Combined);
        f.excludes(&parser.parse(line).unwrap())
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_filter_matches_what_its_flag_says() {
        let none = Filters::default();
        assert!(none.is_empty() && reason(&none, LINE).is_none());
        let ip = Filters::new(&s(&["10.1.0.0/16"]), &[], &[], &[]).unwrap();
        assert_eq!(reason(&ip, LINE), Some(Reason::Ip));
        let single = Filters::new(&s(&["10.1.2.4"]), &[], &[], &[]).unwrap();
        assert_eq!(reason(&single, LINE), None);
        let path = Filters::new(&[], &s(&["/wp-admin*"]), &[], &[]).unwrap();
        assert_eq!(reason(&path, LINE), Some(Reason::Path));
        let other = Filters::new(&[], &s(&["/blog/*"]), &[], &[]).unwrap();
        assert_eq!(reason(&other, LINE), None);
        let ua = Filters::new(&[], &[], &s(&["(?i)uptimerobot"]), &[]).unwrap();
        assert_eq!(reason(&ua, LINE), Some(Reason::UserAgent));
        // Combined lines carry no host: --include-host excludes them.
        let host = Filters::new(&[], &[], &[], &s(&["www.example.com"])).unwrap();
        assert_eq!(reason(&host, LINE), Some(Reason::Host));
        assert!(Filters::new(&s(&["10.1.2.3/40"]), &[], &[], &[]).is_err());
        assert!(Filters::new(&[], &[], &s(&["("]), &[]).is_err());
        assert_eq!(host_without_port(b"example.com:8080"), b"example.com");
        assert_eq!(host_without_port(b"[::1]:443"), b"[::1]:443");
    }
}
