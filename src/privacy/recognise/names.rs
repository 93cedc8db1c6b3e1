//! Names by position, where a pattern cannot tell them: the authuser of a Common Log Format line
//! (`1.2.3.4 - Paul Schmitt [10/Oct/2000:…`) and host names under a dynamic-DNS suffix, which name one
//! home or one device (`paul-home.duckdns.org`).

use super::{Hit, Kind};

/// Suffixes under which every name is one customer's (dynamic DNS and home-tunnel services).
const PERSONAL_SUFFIXES: &[&[u8]] = &[
    b".duckdns.org",
    b".no-ip.org",
    b".no-ip.biz",
    b".noip.me",
    b".ddns.net",
    b".dyndns.org",
    b".dynu.net",
    b".freeddns.org",
    b".hopto.org",
    b".zapto.org",
    b".sytes.net",
    b".myftp.org",
    b".servebeer.com",
    b".ngrok.io",
    b".ngrok-free.app",
    b".trycloudflare.com",
];

/// Appends CLF authusers and personal host names in `line` to `hits`.
pub(super) fn scan(line: &[u8], hits: &mut Vec<Hit>) {
    scan_clf_user(line, hits);
    scan_json_user(line, hits);
    scan_iam_user(line, hits);
    scan_personal_hosts(line, hits);
}

/// JSON keys whose value is the authenticated user (nginx, Traefik, Caddy access logs).
const JSON_USER_KEYS: &[&[u8]] = &[
    b"\"remote_user\":",
    b"\"ClientUsername\":",
    b"\"user_id\":",
    b"\"username\":",
];

/// `"remote_user":"jdoe"` and the like, when the value is not empty or `-`.
fn scan_json_user(line: &[u8], hits: &mut Vec<Hit>) {
    for key in JSON_USER_KEYS {
        for at in memchr::memmem::find_iter(line, key) {
            let mut v = at + key.len();
            while line.get(v) == Some(&b' ') {
                v += 1;
            }
            if line.get(v) != Some(&b'"') {
                continue;
            }
            let s = v + 1;
            let Some(len) = memchr::memchr(b'"', &line[s..]) else {
                continue;
            };
            let value = &line[s..s + len];
            if !value.is_empty() && value != b"-" {
                hits.push(Hit::new(Kind::User, s, s + len));
            }
        }
    }
}

/// An AWS IAM user in an ARN (`arn:aws:iam::123456789012:user/jdoe`, S3's requester field).
fn scan_iam_user(line: &[u8], hits: &mut Vec<Hit>) {
    for at in memchr::memmem::find_iter(line, b":user/") {
        let s = at + b":user/".len();
        let len = line[s..]
            .iter()
            .take_while(|&&c| {
                c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'@' | b'+' | b'=')
            })
            .count();
        if len > 0 {
            hits.push(Hit::new(Kind::User, s, s + len));
        }
    }
}

/// True when `b` starts a CLF time: `[dd/Mon/yyyy:`.
fn is_clf_time(b: &[u8]) -> bool {
    b.len() >= 13
        && b[0] == b'['
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b'/'
        && b[4..7].iter().all(u8::is_ascii_alphabetic)
        && b[7] == b'/'
        && b[8..12].iter().all(u8::is_ascii_digit)
        && b[12] == b':'
}

/// `host ident user [time` (also `vhost host ident user [time`): the user, when it is not `-`. The line
/// may stand behind a collector's prefix (`… nginx[42]: `, `web-1  | `, `… stdout F `): the fields are
/// then looked for after it too.
fn scan_clf_user(line: &[u8], hits: &mut Vec<Hit>) {
    let Some(bracket) =
        memchr::memmem::find_iter(line, b" [").find(|&p| is_clf_time(&line[p + 1..]))
    else {
        return;
    };
    let head = &line[..bracket];
    let behind = [&b": "[..], b"| ", b" F ", b" P "]
        .into_iter()
        .filter_map(|sep| memchr::memmem::find(head, sep).map(|p| p + sep.len()));
    for start in std::iter::once(0).chain(behind) {
        let before = hits.len();
        scan_clf_head(line, start, bracket, hits);
        if hits.len() > before {
            return;
        }
    }
}

/// [`scan_clf_user`] on the fields from `from` to the time's bracket.
fn scan_clf_head(line: &[u8], from: usize, bracket: usize, hits: &mut Vec<Hit>) {
    let head = &line[from..bracket];
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b' ', head).map(|p| p + 1));
    let token = |k: usize| {
        let s = starts[k];
        let e = starts.get(k + 1).map_or(head.len(), |&n| n - 1);
        &head[s..e]
    };
    if starts.len() < 3 || !token(0).iter().any(|&c| matches!(c, b'.' | b':' | b'-')) {
        return;
    }
    // The ident field is `-` in every log that records a user.
    let Some(ident) = (1..=2).find(|&k| k < starts.len() && token(k) == b"-") else {
        return;
    };
    if ident + 1 >= starts.len() {
        return;
    }
    let user = from + starts[ident + 1];
    if (ident + 1..starts.len()).any(|k| token(k) != b"-") {
        hits.push(Hit::new(Kind::User, user, bracket));
    }
}

/// `label.duckdns.org` and the like.
fn scan_personal_hosts(line: &[u8], hits: &mut Vec<Hit>) {
    for suffix in PERSONAL_SUFFIXES {
        for at in memchr::memmem::find_iter(line, suffix) {
            let end = at + suffix.len();
            if line
                .get(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
            {
                continue;
            }
            let mut s = at;
            while s > 0
                && (line[s - 1].is_ascii_alphanumeric() || matches!(line[s - 1], b'-' | b'.'))
            {
                s -= 1;
            }
            if s < at {
                hits.push(Hit::new(Kind::Host, s, end));
            }
        }
    }
}
