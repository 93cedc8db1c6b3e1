//! The cheap pre-test that lets ordinary URLs skip the secret scan: `anonymize` runs it on every URL,
//! client field and user agent, so it must cost a few instructions per byte.

use super::keys::SLACK_HOOK;
use super::secret::TOKEN_MIN_LEN;
use super::shapes::is_uuid;

/// Byte class bits: a byte of a token run, a digit, a `J` (as in `eyJ`, a JWT), a letter or `_`.
const TOKEN_BYTE: u8 = 1;
const DIGIT: u8 = 2;
const CAPITAL_J: u8 = 4;
const LETTER: u8 = 8;
static SECRET_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'+' {
            t[i] |= TOKEN_BYTE;
        }
        if c.is_ascii_digit() {
            t[i] |= DIGIT;
        }
        if c == b'J' {
            t[i] |= CAPITAL_J;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            t[i] |= LETTER;
        }
        i += 1;
    }
    t
};

/// Fewest digits of a phone number, the shortest secret made of digits.
const MIN_SECRET_DIGITS: usize = 10;

/// True when `text` may hold a secret: a run of [`TOKEN_MIN_LEN`] letters, digits, `-`, `_` or `+` (a
/// token) other than a [plain slug](is_plain_slug), a vendor key prefix (at the start of a run or after
/// its `-`, `_` or `+`), 10 digits in runs of digits, `-` and `+` separated by at most two spaces,
/// dots or parentheses (a card or phone number), or `eyJ` (a JWT). A cheap test that lets ordinary URLs
/// skip [`secret_spans`](super::secret_spans).
#[inline]
pub(crate) fn may_hold_secret(text: &[u8]) -> bool {
    survey(text, usize::MAX).0
}

/// One pass over `text`: whether it [may hold a secret](may_hold_secret), and whether it has a run of at
/// least `min_digits` digits (a path segment that may become `:id`).
///
/// It walks runs of token bytes (letters, digits, `-`, `_`, `+`) with a tight loop and looks closer only
/// at runs long enough to matter, so ordinary URLs cost a few instructions per byte.
#[inline]
pub(crate) fn survey(text: &[u8], min_digits: usize) -> (bool, bool) {
    let n = text.len();
    let mut long_digits = false;
    // Digits in consecutive digit runs separated by short punctuation (`4111 1111 1111 1111`,
    // `(555) 123-4567`, `0151 1234 5678`).
    let mut grouped = 0;
    let (mut dotted_only, mut wide) = (true, false);
    let mut prev_end = usize::MAX;
    let mut i = 0;
    while i < n {
        if SECRET_CLASS[text[i] as usize] & TOKEN_BYTE == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0;
        let mut digits = 0;
        let len = text[start..]
            .iter()
            .take_while(|&&b| {
                let class = SECRET_CLASS[b as usize];
                seen |= class;
                digits += usize::from(class & DIGIT != 0);
                class & TOKEN_BYTE != 0
            })
            .count();
        i = start + len;
        let run = &text[start..i];
        if digits >= MIN_SECRET_DIGITS
            || (run.len() >= TOKEN_MIN_LEN && !is_plain_slug(text, start, run))
        {
            return (true, true);
        }
        if run.len() >= 8 && has_key_start(text, start, run) {
            return (true, true);
        }
        if seen & CAPITAL_J != 0 && run.len() >= 10 && has_jwt_start(run) {
            return (true, true);
        }
        if digits >= min_digits {
            let (mut longest, mut current) = (0, 0);
            for &b in run {
                current = if b.is_ascii_digit() { current + 1 } else { 0 };
                longest = longest.max(current);
            }
            long_digits |= longest >= min_digits;
        }
        if seen & LETTER == 0 {
            let gap = start.wrapping_sub(prev_end);
            let joined = prev_end != usize::MAX
                && (1..=2).contains(&gap)
                && text[prev_end..start]
                    .iter()
                    .all(|&b| matches!(b, b' ' | b'.' | b'(' | b')'));
            if joined {
                grouped += digits;
                // Dotted groups are a card or phone number only with a group of four (`555.123.4567`);
                // an address (`192.168.100.200`) never has one.
                dotted_only &= text[prev_end..start].iter().all(|&b| b == b'.');
                wide |= digits >= 4;
            } else {
                grouped = digits;
                dotted_only = true;
                wide = digits >= 4;
            }
        } else {
            grouped = 0;
        }
        if grouped >= MIN_SECRET_DIGITS && (wide || !dotted_only) {
            return (true, true);
        }
        prev_end = i;
    }
    (false, long_digits)
}

/// True when `run` (at `start` of `text`, a run of [`TOKEN_MIN_LEN`] or more bytes with fewer than 10
/// digits) is an ordinary slug in which no secret can be found: `2024-03-15-pillow-tutorial-for-beginners`.
///
/// Without this, every long slug (a blog or product path) would be sent to the full secret scan. A run of
/// lowercase letters, digits and `-` holds no base64 token (no capitals), no hex token when no piece
/// between its `-` is long enough, no JWT (`eyJ`), no key but Slack's `xox…-` (found by the key start
/// test after each `-`), no card or phone (fewer than 10 digits, and none of a number begun before it when
/// it starts with a letter or after a `/`); and it is not a UUID (a path segment `anonymize` replaces) nor
/// the secret of a Slack webhook path.
fn is_plain_slug(text: &[u8], start: usize, run: &[u8]) -> bool {
    (start == 0 || text[start - 1] == b'/' || run[0].is_ascii_lowercase())
        && run
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && run
            .split(|&b| b == b'-')
            .all(|piece| piece.len() < TOKEN_MIN_LEN || !piece.iter().all(u8::is_ascii_hexdigit))
        && !is_uuid(run)
        && SLACK_HOOK.find(text).is_none()
}

/// True when `run` contains `eyJ`, the start of a JWT.
#[inline]
fn has_jwt_start(run: &[u8]) -> bool {
    memchr::memchr_iter(b'J', run).any(|j| j >= 2 && &run[j - 2..j] == b"ey")
}

/// True when `run` (at `start` of `text`) starts like a vendor key (`AKIA`, `sk_live_`, `ghp_`, `xoxb-`,
/// `AIza`, …) or a Slack webhook's team id after `/services/`, or has a key start after one of its `-`,
/// `_` or `+` with 8 bytes or more from there (a key glued to a word: `x-AKIAIOSFODNN7EXAMPLE`). Slack's
/// team ids have 8 bytes or more.
#[inline]
fn has_key_start(text: &[u8], start: usize, run: &[u8]) -> bool {
    key_starts(text, start, run)
        || run[..run.len() - 8].iter().enumerate().any(|(k, b)| {
            matches!(b, b'-' | b'_' | b'+') && key_starts(text, start + k + 1, &run[k + 1..])
        })
}

/// True when `run` (at `start` of `text`) starts like a vendor key or a Slack webhook's team id.
#[inline]
fn key_starts(text: &[u8], start: usize, run: &[u8]) -> bool {
    match run[0] {
        b'A' => run.starts_with(b"AKIA") || run.starts_with(b"ASIA") || run.starts_with(b"AIza"),
        b's' | b'r' => run[1..].starts_with(b"k_"),
        b'g' => run.starts_with(b"gh") || run.starts_with(b"github_pat_"),
        b'x' => run.starts_with(b"xox"),
        b'T' => text[..start].ends_with(b"/services/"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::secret_spans;
    use super::may_hold_secret;

    #[test]
    fn plain_slugs_skip_the_full_scan() {
        for text in [
            "/news/2024-03-15-pillow-tutorial-dog-and-cat-food",
            "/images/blog/2025/04/calendar-madrid-wood-cards-retro-1.jpg",
            "https://www.example.com/product/31930-config-linux-video-camping",
            "/blog/2017/09/pasta-simple-science-budget-easy-river",
        ] {
            assert!(!may_hold_secret(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn long_runs_that_may_hide_a_secret_are_still_scanned() {
        for text in [
            // A UUID path segment (`anonymize` makes it `:uuid`).
            "/orders/8f14e45f-ceea-467f-a0e6-6f4a1b2c3d4e",
            // A hex token between hyphens.
            "/v-d41d8cd98f00b204e9800998ecf8427e-build",
            // Capitals, `_` or `+` in the run.
            "/r/How-To-Install-Apache2-On-Ubuntu-1404-Server",
            "/r/some_long_snake_case_words_in_a_row_here",
            // A Slack key glued to the slug, and a Slack webhook whose secret is lowercase.
            "/a-very-long-slug-with-xoxb-1234567890-abcdefghij",
            "/services/T0000000/B00000000/abcdefghijklmnopqrstuvwxyzabcdefgh",
            // A number begun before the run.
            "+49 151 12345678--a-very-long-slug-of-lowercase-words",
        ] {
            assert!(may_hold_secret(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn keys_glued_to_a_word_are_found() {
        for text in [
            "/k/x-AKIAIOSFODNN7EXAMPLE",
            "/k/my-token-xoxb-1234-abcdefgh",
            "q=a+sk_live_abcdefghij12",
        ] {
            assert!(may_hold_secret(text.as_bytes()), "{text}");
            assert!(!secret_spans(text.as_bytes()).is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        /// Slugs with secrets and numbers spliced in: the pre-test never hides what the full scan finds.
        #[test]
        fn slugs_never_hide_a_secret(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z0-9-]{1,40}",
                    "[0-9a-f]{30,40}",
                    "(xox[bp]-|AKIA|sk_live_|ghp_|eyJ)[A-Za-z0-9]{8,36}",
                    "[+(]?[0-9]{1,5}[) .-]?[0-9]{1,5}",
                    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    "/services/T[A-Z0-9]{7,9}/B[A-Z0-9]{8}/",
                ],
                1..6,
            ),
            seps in proptest::collection::vec("[-/ .+_?=&]", 6),
        ) {
            let mut text = String::new();
            for (part, sep) in parts.iter().zip(&seps) {
                text.push_str(part);
                text.push_str(sep);
            }
            if !may_hold_secret(text.as_bytes()) {
                proptest::prop_assert!(secret_spans(text.as_bytes()).is_empty(), "{}", text);
            }
        }
    }
}
