//! Finding personal data in any text: the rules behind `logveil check`, usable by the tests of every
//! other command (`findings(output, &Options::default()).is_empty()`).
//!
//! | kind | what is found |
//! | --- | --- |
//! | `ipv4` | a dotted quad with bits set past `--ipv4-prefix` (`83.149.9.216`; not `83.149.0.0`), also glued to letters (`ip83.149.9.216`, `Foo/83.149.9.216`), dashed or hex in a host name (`ec2-83-149-9-216.compute-1.amazonaws.com`, `5395d8d8.nip.io`), an integer host (`http://1402276312/`), or a standalone dotted number that is not quite an address (`9.88.198.940`, `1.2.3`, `1.2.3.4.5`, as a client field holds them); outside the pseudonym range `240.0.0.0/4` |
//! | `ipv6` | an IPv6 address with bits set past `--ipv6-prefix`, outside the pseudonym range `100::/64`; IPv4-mapped forms judged as IPv4 |
//! | `email` | `local@domain.tld` |
//! | `param` | a non-empty value of an identifying query, path or fragment parameter (`?token=…`, `;jsessionid=…`, `#access_token=…`) |
//! | `cookie` | a session or tracking cookie by name (`PHPSESSID=…`, `_ga=GA1.2.…`, `__utma=…`, `session=…`) |
//! | `auth` | credentials of an `Authorization` header (`Basic dXNlcjpwYXNz`, `Bearer abc123…`) or an API-key header |
//! | `jwt` | a JSON Web Token (`eyJ….eyJ….…`) |
//! | `card` | 13 to 19 digits with a card-issuer prefix that pass the Luhn check, in one run or grouped by spaces, `+`, `-` or `.` |
//! | `phone` | an E.164 number (`+4915112345678`, `+1 555 123 4567`) or a national shape (`0151 1234 5678`, `(555) 123-4567`, `555-123-4567`) |
//! | `apikey` | a vendor key shape: AWS `AKIA…`, Stripe `sk_live_…`, GitHub `ghp_…`/`github_pat_…`, Slack `xoxb-…` and webhook paths, Google `AIza…`, Discord webhook paths |
//! | `token` | a hex run of 32 or more, a base64 run of 32 or more mixing cases and digits, or a path segment of 8 or more letters and digits after `reset`, `verify`, `confirm`, `token`, `invite`, `unsubscribe`, `activate`, `magic` or `login` |
//! | `device` | a UUID or MAC address outside a URL path, or `user@host` (a device or account name, as user agents carry them) |
//! | `user` | the authuser of a Common Log Format line when it is not `-` (`1.2.3.4 - Paul Schmitt [10/Oct/2000:…`) |
//! | `host` | a host name under a dynamic-DNS or tunnel suffix (`paul-home.duckdns.org`, `x.ngrok.io`): one home or device |
//!
//! The recognisers themselves are in [`recognise`](super::recognise), shared with the anonymiser; this
//! module adds the policy (which addresses are full precision, which are logveil's pseudonyms) and
//! numbers the findings.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::IpPolicy;
use super::pseudonym::{is_v4_pseudonym, is_v6_pseudonym};
use super::recognise::{Found, FullAddress, find_in_line};

pub(crate) use super::recognise::{Kind, may_hold_secret};

/// One piece of personal data found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: Kind,
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte column of the first byte, in the line as written (before decoding).
    pub column: u64,
    /// The value, masked so that printing it leaks nothing (`83.149.x.x`, `j***@***.com`).
    pub masked: String,
}

/// What counts as "full" precision: the same prefixes as `anonymize`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Addresses that this policy would change are reported.
    pub ip: IpPolicy,
}

/// An address counts when the policy would change it and it is not a pseudonym.
impl FullAddress for IpPolicy {
    fn full_v4(&self, addr: Ipv4Addr) -> bool {
        self.reduce_v4(addr) != addr && !is_v4_pseudonym(addr)
    }

    fn full_v6(&self, addr: Ipv6Addr) -> bool {
        self.reduce_v6(addr) != addr && !is_v6_pseudonym(addr)
    }
}

/// Every finding in `text`, in order of line and column.
pub fn findings(text: &[u8], opts: &Options) -> Vec<Finding> {
    let mut all = Vec::new();
    let mut line_no = 0;
    for line in text.split(|&b| b == b'\n') {
        line_no += 1;
        line_findings(line, line_no, opts, &mut all);
    }
    all
}

/// Appends the findings of one line (without its terminator) to `out`, numbered `line_no`.
///
/// The line is scanned as written and, when it holds escapes, once more decoded; a finding in the
/// decoded text is placed at the byte of the line its first decoded byte came from.
pub(crate) fn line_findings(line: &[u8], line_no: u64, opts: &Options, out: &mut Vec<Finding>) {
    let mut found: Vec<Found> = Vec::new();
    find_in_line(line, &opts.ip, &mut found);
    out.extend(found.into_iter().map(|f| Finding {
        kind: f.kind,
        line: line_no,
        column: f.start as u64 + 1,
        masked: f.masked,
    }));
}

#[cfg(test)]
mod tests;
