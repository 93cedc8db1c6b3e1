//! The printable, masked form of a finding: enough to tell what was found, never the value.

use super::Kind;
use super::addr::parse_ipv6;

/// The printable, masked form of a value of kind `kind`.
pub(super) fn mask(kind: Kind, v: &[u8]) -> String {
    match kind {
        Kind::Ipv4 => {
            let digits: Vec<&[u8]> = v
                .split(|b| !b.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .collect();
            match digits.as_slice() {
                [a, b, _, ..]
                    if v.iter()
                        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-')) =>
                {
                    format!("{}.{}.x.x", ascii(a), ascii(b))
                }
                _ => format!("x.x.x.x ({} chars)", v.len()),
            }
        }
        Kind::Ipv6 => match parse_ipv6(v) {
            Some(ip) => match ip.to_ipv4_mapped() {
                Some(v4) => {
                    let o = v4.octets();
                    format!("::ffff:{}.{}.x.x", o[0], o[1])
                }
                None => {
                    let s = ip.segments();
                    format!("{:x}:{:x}:x::x", s[0], s[1])
                }
            },
            None => "x::x".to_string(),
        },
        Kind::Email => {
            let at = memchr::memchr(b'@', v).unwrap_or(0);
            let first = v.first().filter(|b| b.is_ascii_alphanumeric() && at > 0);
            let tld = memchr::memrchr(b'.', v).map_or(&b""[..], |d| &v[d + 1..]);
            format!(
                "{}***@***.{}",
                first.map_or(String::new(), |&b| char::from(b).to_string()),
                ascii(tld)
            )
        }
        Kind::Param | Kind::Cookie => {
            let eq = memchr::memchr(b'=', v).unwrap_or(v.len());
            format!("{}=***", ascii(&v[..eq]))
        }
        Kind::Auth => {
            let word = v
                .iter()
                .position(|&b| matches!(b, b' ' | b'+' | b'\t'))
                .unwrap_or(v.len());
            format!("{} ***", ascii(&v[..word]))
        }
        Kind::Jwt => "eyJ***.***.***".to_string(),
        Kind::Card => {
            let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
            format!("{}*** ({digits} digits)", char::from(v[0]))
        }
        Kind::Phone => {
            let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
            let lead = if v[0] == b'+' { "+" } else { "" };
            format!("{lead}*** ({digits} digits)")
        }
        Kind::ApiKey => {
            // The vendor prefix is public; what follows it is the secret.
            let prefix = v
                .iter()
                .position(|&b| b == b'_' || b == b'-')
                .filter(|&p| p <= 10)
                .map_or(&v[..v.len().min(4)], |p| &v[..=p]);
            let prefix = if v.first().is_some_and(u8::is_ascii_digit) || v.first() == Some(&b'T') {
                &b""[..]
            } else {
                prefix
            };
            format!("{}*** ({} chars)", ascii(prefix), v.len())
        }
        Kind::Token => format!("*** ({} chars)", v.len()),
        Kind::User => format!("user *** ({} chars)", v.len()),
        Kind::Host => {
            // The shared suffix is public; the label before it names one customer.
            let dot = v.iter().position(|&b| b == b'.').unwrap_or(0);
            format!("***{}", ascii(&v[dot..]))
        }
        Kind::Device => {
            let what = if v.contains(&b'@') {
                "user@host"
            } else if v.len() == 36 {
                "uuid"
            } else {
                "mac"
            };
            format!("{what} ***")
        }
    }
}

/// The printable ASCII bytes of `b`, as a string.
fn ascii(b: &[u8]) -> String {
    b.iter()
        .filter(|c| c.is_ascii_graphic())
        .map(|&c| char::from(c))
        .collect()
}
