//! Email addresses (`local@domain.tld`; encoded forms arrive here decoded) and bare `user@host` names.

use super::{Hit, Kind};

static LOCAL: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'));
static DOMAIN: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');

/// File extensions that look like a top-level domain in `logo@2x.png`.
const NOT_TLDS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"ico", b"css", b"js", b"html", b"htm",
    b"php",
];

/// Appends the email addresses in `line` to `hits`, then the `user@host` names that are not addresses.
pub(super) fn scan(line: &[u8], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'@', &line[i..]) {
        let at = i + off;
        i = at + 1;
        let mut start = at;
        while start > 0 && LOCAL[line[start - 1] as usize] {
            start -= 1;
        }
        if start == at {
            continue;
        }
        let dstart = at + 1;
        let mut end = dstart;
        while end < line.len() && DOMAIN[line[end] as usize] {
            end += 1;
        }
        if let Some(len) = domain_len(&line[dstart..end]) {
            hits.push(Hit::new(Kind::Email, start, dstart + len));
            i = dstart + len;
        } else if let Some(e) = user_at_host(line, start, at, end) {
            hits.push(Hit::new(Kind::Device, start, e));
            i = e;
        }
    }
}

/// The length of the domain at the start of `run` (letters, digits, dots and dashes): it ends after the
/// last label that can be a top-level domain (two or more letters, not a file extension), so
/// `example.org.x9k2` holds `example.org`. `None` when no label can.
fn domain_len(run: &[u8]) -> Option<usize> {
    // Candidate ends, from the longest: the whole run, then before each `.` or `-`.
    let ends = std::iter::once(run.len()).chain(
        (0..run.len())
            .rev()
            .filter(|&k| matches!(run[k], b'.' | b'-')),
    );
    for end in ends {
        let domain = &run[..end];
        let Some(dot) = domain.iter().rposition(|&c| c == b'.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        if dot > 0
            && !matches!(domain[dot - 1], b'.' | b'-')
            && tld.len() >= 2
            && tld.iter().all(u8::is_ascii_alphabetic)
            && !NOT_TLDS.iter().any(|x| x.eq_ignore_ascii_case(tld))
        {
            return Some(end);
        }
    }
    None
}

/// `user@host` without a top-level domain (`(build@buildhost)`, `john@laptop`): the end of the host when
/// the local part has two or more bytes, the host starts with a letter and has three or more, and both
/// stand as a word of their own.
fn user_at_host(line: &[u8], start: usize, at: usize, end: usize) -> Option<usize> {
    let host = &line[at + 1..end];
    let user = &line[start..at];
    // Not after a quote: `"router@file"` names a Traefik provider, not a person.
    let opens = start == 0 || matches!(line[start - 1], b' ' | b'(' | b';' | b'[' | b'\t');
    let closes = matches!(
        line.get(end),
        None | Some(b' ' | b')' | b';' | b']' | b'\t')
    );
    let host_ok = host.len() >= 3 && host[0].is_ascii_alphabetic() && !host.ends_with(b".");
    // Account and machine names are lower case; `VebIS8CoAwcAABx@Xo4AAAAJ` is a request id.
    let lower = !user.iter().chain(host).any(u8::is_ascii_uppercase);
    (user.len() >= 2 && opens && closes && host_ok && lower).then_some(end)
}
