//! Identifying parameters (`?token=…`, `;jsessionid=…`, `#access_token=…`), cookies by name wherever they
//! stand (`PHPSESSID=…`, `_ga=GA1.2.…`), `Authorization` credentials (`Basic …`, `Bearer …`) and token path
//! segments after a keyword (`/reset/Ab3dE6gh9`).

use super::{Hit, Kind};

static PARAM_NAME: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']'));

/// Parameter names whose values identify a person or a session (compared ASCII case-insensitively).
pub(crate) const IDENTIFYING_PARAMS: &[&str] = &[
    "sid",
    "ssid",
    "sess",
    "session",
    "sessid",
    "sessionid",
    "session_id",
    "phpsessid",
    "jsessionid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "token",
    "auth",
    "authorization",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "code",
    "nonce",
    "state",
    "signature",
    "sig",
    "otp",
    "ticket",
    "email",
    "mail",
    "e-mail",
    "user",
    "username",
    "login",
    "userid",
    "user_id",
    "uid",
    "login_hint",
    "id_token_hint",
];

/// Name fragments that make any parameter identifying (`access_token`, `x-amz-security-token`,
/// `new_password`, `aspsessionidqqgq`).
pub(crate) const IDENTIFYING_FRAGMENTS: &[&str] =
    &["token", "passw", "secret", "sessionid", "apikey", "api_key"];

/// True when parameter `name` holds identifying values.
pub(crate) fn is_identifying_param(name: &[u8]) -> bool {
    IDENTIFYING_PARAMS
        .iter()
        .any(|p| p.as_bytes().eq_ignore_ascii_case(name))
        || IDENTIFYING_FRAGMENTS.iter().any(|f| {
            let f = f.as_bytes();
            name.len() >= f.len() && name.windows(f.len()).any(|w| w.eq_ignore_ascii_case(f))
        })
}

/// Cookie names that carry a session or a tracking id, found wherever `name=value` stands (a `Cookie`
/// header, a captured cookie field, a query), compared ASCII case-insensitively; a name ending in `*`
/// is a prefix.
pub(super) const COOKIE_NAMES: &[&str] = &[
    "phpsessid",
    "jsessionid",
    "aspsessionid*",
    "asp.net_sessionid",
    "cfid",
    "cftoken",
    "session",
    "sessionid",
    "session_id",
    "_session_id",
    "sid",
    "connect.sid",
    "laravel_session",
    "ci_session",
    "wordpress_logged_in_*",
    "wordpress_sec_*",
    "wp-settings-*",
    "_ga",
    "_ga_*",
    "_gid",
    "_gat",
    "_gcl_au",
    "_fbp",
    "_fbc",
    "__utma",
    "__utmb",
    "__utmc",
    "__utmz",
    "__cfduid",
    "__stripe_mid",
    "__stripe_sid",
    "_hjsessionuser_*",
    "remember_token",
    "remember_user_token",
    "csrftoken",
    "xsrf-token",
    "auth_token",
];

/// True when `name` is a [cookie name](COOKIE_NAMES).
fn is_cookie(name: &[u8]) -> bool {
    COOKIE_NAMES.iter().any(|c| match c.strip_suffix('*') {
        Some(prefix) => {
            name.len() > prefix.len()
                && name[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        }
        None => c.as_bytes().eq_ignore_ascii_case(name),
    })
}

/// Appends parameters, cookies, credentials and token segments of `line` to `hits`.
pub(super) fn scan(line: &[u8], hits: &mut Vec<Hit>) {
    scan_pairs(line, hits);
    scan_auth(line, hits);
    scan_token_segments(line, hits);
}

/// Bytes that end a parameter's or a cookie's value.
fn ends_value(b: u8) -> bool {
    matches!(
        b,
        b'&' | b';' | b'#' | b'?' | b' ' | b'"' | b'\'' | b'\t' | b',' | b'\\' | b'}' | b']' | b'|'
    )
}

/// Every `name=value`: identifying parameters after `?`, `&`, `;` or `#`, cookies after anything.
fn scan_pairs(line: &[u8], hits: &mut Vec<Hit>) {
    for eq in memchr::memchr_iter(b'=', line) {
        let mut name_start = eq;
        while name_start > 0 && PARAM_NAME[line[name_start - 1] as usize] {
            name_start -= 1;
        }
        if name_start == eq {
            continue;
        }
        let name = &line[name_start..eq];
        let before = name_start.checked_sub(1).map(|p| line[p]);
        // Cookie headers put a space after `;`.
        let mut p = name_start;
        while p > 0 && line[p - 1] == b' ' {
            p -= 1;
        }
        let sep = p.checked_sub(1).map(|p| line[p]);
        let in_query = matches!(sep, Some(b'?' | b'&' | b';' | b'#'))
            || matches!(before, Some(b'?' | b'&' | b';' | b'#'));
        // A W3C or CloudFront `cs-uri-query` field starts at a space or a tab, without `?`.
        let field_start = matches!(before, None | Some(b' ' | b'\t'));
        let kind = if in_query && is_identifying_param(name) {
            Kind::Param
        } else if is_cookie(name) {
            Kind::Cookie
        } else if field_start && is_identifying_param(name) {
            Kind::Param
        } else {
            continue;
        };
        // A cookie name glued to a word is part of another name (`my_session=`).
        if kind == Kind::Cookie
            && !in_query
            && before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            continue;
        }
        let vstart = eq + 1;
        let vend = vstart
            + line[vstart..]
                .iter()
                .position(|&b| ends_value(b))
                .unwrap_or(line.len() - vstart);
        let value = &line[vstart..vend];
        if value.is_empty() || value == b"-" || value.starts_with(b":") {
            continue;
        }
        hits.push(Hit::new(kind, name_start, vend));
    }
}

/// Authorization schemes and API-key headers, each followed by a credential.
const AUTH_WORDS: &[&[u8]] = &[
    b"basic",
    b"bearer",
    b"x-api-key:",
    b"x-auth-token:",
    b"x-access-token:",
    b"api-key:",
    b"authorization:",
];

/// `Basic dXNlcjpwYXNz`, `Bearer abc123…`, `X-Api-Key: …`: the scheme or header, then a credential of 8 or
/// more bytes that has a digit or both cases (so `Bearer realm` and `basic auth` are not credentials).
fn scan_auth(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        let c = line[i];
        if !matches!(c | 0x20, b'b' | b'x' | b'a') || (i > 0 && line[i - 1].is_ascii_alphanumeric())
        {
            i += 1;
            continue;
        }
        let Some(word) = AUTH_WORDS
            .iter()
            .find(|w| line.len() >= i + w.len() && line[i..i + w.len()].eq_ignore_ascii_case(w))
        else {
            i += 1;
            continue;
        };
        let mut v = i + word.len();
        let gap = line[v..]
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'+' | b'\t'))
            .count();
        v += gap;
        if gap == 0 && !word.ends_with(b":") {
            i += 1;
            continue;
        }
        // `Authorization: Basic …`: the scheme is read on its own.
        if word.eq_ignore_ascii_case(b"authorization:") {
            i = v;
            continue;
        }
        let len = line[v..]
            .iter()
            .take_while(|&&b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'.' | b'_' | b'~' | b'+' | b'/' | b'-' | b'=')
            })
            .count();
        let cred = &line[v..v + len];
        let digit = cred.iter().any(u8::is_ascii_digit);
        let cases =
            cred.iter().any(u8::is_ascii_uppercase) && cred.iter().any(u8::is_ascii_lowercase);
        if len >= 8 && (digit || cases) && cred[0].is_ascii_alphanumeric() {
            hits.push(Hit::new(Kind::Auth, i, v + len));
            i = v + len;
        } else {
            i += 1;
        }
    }
}

/// Path segments after which a secret follows (`/password/reset/<token>`, `/verify-email/<token>`).
const TOKEN_WORDS: &[&[u8]] = &[
    b"reset",
    b"verify",
    b"confirm",
    b"token",
    b"invite",
    b"unsubscribe",
    b"activate",
    b"magic",
    b"login",
];

/// True when `seg` names a secret-bearing step: a keyword, alone or with letters after (`reset-password`,
/// `verify_email`, `confirmation`).
fn is_token_word(seg: &[u8]) -> bool {
    TOKEN_WORDS.iter().any(|w| {
        seg.len() >= w.len()
            && seg[..w.len()].eq_ignore_ascii_case(w)
            && seg[w.len()..]
                .iter()
                .all(|&c| c.is_ascii_alphabetic() || c == b'-' || c == b'_')
    })
}

/// True when `seg` is a secret: 8 or more letters, digits, `-` or `_`, with both letters and digits.
fn is_token_segment(seg: &[u8]) -> bool {
    seg.len() >= 8
        && seg
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        && seg.iter().any(u8::is_ascii_digit)
        && seg.iter().any(u8::is_ascii_alphabetic)
}

/// The one or two segments after a [token word](TOKEN_WORDS), when they are tokens.
fn scan_token_segments(line: &[u8], hits: &mut Vec<Hit>) {
    let seg_end = |s: usize| {
        s + line[s..]
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#' | b';' | b' ' | b'"' | b'&' | b'\t'))
            .unwrap_or(line.len() - s)
    };
    for slash in memchr::memchr_iter(b'/', line) {
        let s = slash + 1;
        let e = seg_end(s);
        if e == s || !is_token_word(&line[s..e]) {
            continue;
        }
        let mut p = e;
        for _ in 0..2 {
            if line.get(p) != Some(&b'/') {
                break;
            }
            let q = seg_end(p + 1);
            if is_token_segment(&line[p + 1..q]) {
                hits.push(Hit::new(Kind::Token, p + 1, q));
                break;
            }
            p = q;
        }
    }
}
