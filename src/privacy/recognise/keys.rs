//! Vendor API keys and webhook secrets by their published shapes: AWS access key ids (`AKIA` + 16),
//! Stripe secret and restricted keys (`sk_live_…`, `sk_test_…`, `rk_live_…`), GitHub tokens (`ghp_`,
//! `gho_`, `ghs_`, `ghu_`, `ghr_` + 36, `github_pat_…`), Slack tokens (`xoxb-…`) and webhook paths
//! (`/services/T…/B…/…`), Google API keys (`AIza` + 35) and Discord webhook paths
//! (`/api/webhooks/<id>/<token>`).

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::{Hit, Kind};

/// The webhook paths' searchers, built once (a searcher costs more to build than a short line to search).
pub(super) static SLACK_HOOK: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"/services/T"));
static DISCORD_HOOK: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/api/webhooks/"));

/// Letters, digits, `_` and `-`: the alphabet of every key shape here.
fn key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// One shape: a literal prefix, then at least `min` bytes accepted by `body`.
struct Shape {
    prefix: &'static [u8],
    min: usize,
    body: fn(u8) -> bool,
}

fn upper_or_digit(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn alnum_dash(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

const SHAPES: &[Shape] = &[
    Shape {
        prefix: b"AKIA",
        min: 16,
        body: upper_or_digit,
    },
    Shape {
        prefix: b"ASIA",
        min: 16,
        body: upper_or_digit,
    },
    Shape {
        prefix: b"sk_live_",
        min: 10,
        body: alnum,
    },
    Shape {
        prefix: b"sk_test_",
        min: 10,
        body: alnum,
    },
    Shape {
        prefix: b"rk_live_",
        min: 10,
        body: alnum,
    },
    Shape {
        prefix: b"rk_test_",
        min: 10,
        body: alnum,
    },
    Shape {
        prefix: b"ghp_",
        min: 30,
        body: alnum,
    },
    Shape {
        prefix: b"gho_",
        min: 30,
        body: alnum,
    },
    Shape {
        prefix: b"ghs_",
        min: 30,
        body: alnum,
    },
    Shape {
        prefix: b"ghu_",
        min: 30,
        body: alnum,
    },
    Shape {
        prefix: b"ghr_",
        min: 30,
        body: alnum,
    },
    Shape {
        prefix: b"github_pat_",
        min: 22,
        body: key_byte,
    },
    Shape {
        prefix: b"xoxb-",
        min: 10,
        body: alnum_dash,
    },
    Shape {
        prefix: b"xoxa-",
        min: 10,
        body: alnum_dash,
    },
    Shape {
        prefix: b"xoxp-",
        min: 10,
        body: alnum_dash,
    },
    Shape {
        prefix: b"xoxr-",
        min: 10,
        body: alnum_dash,
    },
    Shape {
        prefix: b"xoxs-",
        min: 10,
        body: alnum_dash,
    },
    Shape {
        prefix: b"AIza",
        min: 35,
        body: key_byte,
    },
];

/// The first bytes of every shape, for a quick skip.
fn may_start(c: u8) -> bool {
    matches!(c, b'A' | b's' | b'r' | b'g' | b'x')
}

/// Appends the keys in `line` to `hits`.
pub(super) fn scan(line: &[u8], hits: &mut Vec<Hit>) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        if !may_start(line[i]) || (i > 0 && line[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let found = SHAPES.iter().find_map(|s| {
            // The first byte first: most bytes that may start a key start none.
            if s.prefix[0] != line[i] {
                return None;
            }
            let rest = line[i..].strip_prefix(s.prefix)?;
            let len = rest.iter().take_while(|&&c| (s.body)(c)).count();
            (len >= s.min).then_some(i + s.prefix.len() + len)
        });
        match found {
            Some(e) => {
                hits.push(Hit::new(Kind::ApiKey, i, e));
                i = e;
            }
            None => i += 1,
        }
    }
    scan_webhooks(line, hits);
}

/// `/services/T…/B…/<secret>` (Slack) and `/api/webhooks/<id>/<token>` (Discord): the span from the first
/// id to the end of the secret.
fn scan_webhooks(line: &[u8], hits: &mut Vec<Hit>) {
    let segment = |s: usize| s + line[s..].iter().take_while(|&&c| key_byte(c)).count();
    for at in SLACK_HOOK.find_iter(line) {
        let t = at + b"/services/".len();
        let t_end = segment(t);
        if t_end - t < 8 || line.get(t_end) != Some(&b'/') || line.get(t_end + 1) != Some(&b'B') {
            continue;
        }
        let b_end = segment(t_end + 1);
        if b_end - (t_end + 1) < 8 || line.get(b_end) != Some(&b'/') {
            continue;
        }
        let s_end = segment(b_end + 1);
        if s_end - (b_end + 1) >= 16 {
            hits.push(Hit::new(Kind::ApiKey, t, s_end));
        }
    }
    for at in DISCORD_HOOK.find_iter(line) {
        let id = at + b"/api/webhooks/".len();
        let id_len = line[id..].iter().take_while(|c| c.is_ascii_digit()).count();
        let id_end = id + id_len;
        if !(17..=20).contains(&id_len) || line.get(id_end) != Some(&b'/') {
            continue;
        }
        let s_end = segment(id_end + 1);
        if s_end - (id_end + 1) >= 20 {
            hits.push(Hit::new(Kind::ApiKey, id, s_end));
        }
    }
}
