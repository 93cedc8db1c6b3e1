//! The cheap pre-test that lets ordinary URLs skip the secret scan: `anonymize` runs it on every URL,
//! client field and user agent, so it must cost a few instructions per byte.

use super::keys::SLACK_HOOK;
use super::secret::TOKEN_MIN_LEN;
use super::shapes::is_uuid;

/// Byte classes as counts in 8-bit fields, so that the classes of four bytes add up without carrying:
/// a digit (the lowest field, so that it counts digits as it is), a byte of a token run, a `J` (as in
/// `eyJ`, a JWT), a letter or `_`, a `-`, `_` or `+` (after which a key may start).
const DIGIT: u64 = 1;
const TOKEN_BYTE: u64 = 1 << 8;
const CAPITAL_J: u64 = 1 << 16;
const LETTER: u64 = 1 << 24;
const JOINER: u64 = 1 << 32;
/// The whole field of a class: `seen & field(LETTER) != 0` when a letter was seen.
const fn field(class: u64) -> u64 {
    class * 0xff
}
static SECRET_CLASS: [u64; 256] = {
    let mut t = [0u64; 256];
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
        if c == b'-' || c == b'_' || c == b'+' {
            t[i] |= JOINER;
        }
        i += 1;
    }
    t
};

/// The run of token bytes from `i` (a token byte): where it ends, the classes seen in it (fields non-zero
/// for each class present) and its count of digits. Four bytes at a time while all four are token bytes.
#[inline(always)]
fn token_run(text: &[u8], mut i: usize) -> (usize, u64, usize) {
    let (mut seen, mut digits) = (0u64, 0usize);
    while let Some(&[a, b, c, d]) = text.get(i..i + 4) {
        let sum = SECRET_CLASS[a as usize]
            + SECRET_CLASS[b as usize]
            + SECRET_CLASS[c as usize]
            + SECRET_CLASS[d as usize];
        if sum & field(TOKEN_BYTE) != 4 * TOKEN_BYTE {
            break;
        }
        seen |= sum;
        digits += (sum & field(DIGIT)) as usize;
        i += 4;
    }
    while let Some(&b) = text.get(i) {
        let class = SECRET_CLASS[b as usize];
        if class & TOKEN_BYTE == 0 {
            break;
        }
        seen |= class;
        digits += (class & field(DIGIT)) as usize;
        i += 1;
    }
    (i, seen, digits)
}

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
    // Digits in consecutive runs separated by short punctuation (`4111 1111 1111 1111`,
    // `(555) 123-4567`, `0151 1234 5678`): a card or phone number.
    let mut chain = Chain::default();
    // Whether `text` holds a Slack webhook path, looked for once (only when a long slug asks).
    let mut hook = None;
    // Where the last run that may go on in a number ended (`usize::MAX`: none).
    let mut prev_end = usize::MAX;
    let mut i = 0;
    while i < n {
        if SECRET_CLASS[text[i] as usize] & TOKEN_BYTE == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let (end, seen, digits) = token_run(text, i);
        i = end;
        let run = &text[start..i];
        if digits >= MIN_SECRET_DIGITS
            || (run.len() >= TOKEN_MIN_LEN
                && (!is_plain_slug(text, start, run)
                    || *hook.get_or_insert_with(|| SLACK_HOOK.find(text).is_some())))
        {
            return (true, true);
        }
        if run.len() >= 8 && has_key_start(text, start, run, seen & field(JOINER) != 0) {
            return (true, true);
        }
        if seen & field(CAPITAL_J) != 0 && run.len() >= 10 && has_jwt_start(run) {
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
        // How the run is joined to the chain before it: `Some(true)` by dots only.
        let gap = start.wrapping_sub(prev_end);
        let joined = (prev_end != usize::MAX
            && (1..=2).contains(&gap)
            && text[prev_end..start]
                .iter()
                .all(|&b| matches!(b, b' ' | b'.' | b'(' | b')')))
        .then(|| text[prev_end..start].iter().all(|&b| b == b'.'));
        prev_end = i;
        if seen & field(LETTER) == 0 {
            let alone = start == 0 || !matches!(text[start - 1], b' ' | b'.' | b'(' | b')');
            let plus = seen & field(JOINER) != 0 && run.contains(&b'+');
            if chain.add(run, digits, plus, joined, alone) {
                return (true, true);
            }
            continue;
        }
        // A run with letters: a number may end before its first letter (its head goes on in the chain)
        // or start after its last (its tail starts a new chain); none goes through a letter.
        if digits == 0 {
            prev_end = usize::MAX;
            continue;
        }
        let is_letter = |b: &u8| SECRET_CLASS[*b as usize] & LETTER != 0;
        let head = &run[..run.iter().position(is_letter).unwrap_or(0)];
        if let (Some(dots), false) = (joined, head.is_empty()) {
            let count = head.iter().filter(|b| b.is_ascii_digit()).count();
            if chain.add(head, count, head.contains(&b'+'), Some(dots), false) {
                return (true, true);
            }
        }
        let tail = &run[run.iter().rposition(is_letter).map_or(run.len(), |l| l + 1)..];
        if tail.is_empty() {
            prev_end = usize::MAX;
        } else {
            let count = tail.iter().filter(|b| b.is_ascii_digit()).count();
            chain.add(tail, count, tail.contains(&b'+'), None, false);
        }
    }
    (false, long_digits)
}

/// Consecutive runs (or a run's head or tail: no letters) joined by at most two spaces, dots or
/// parentheses, in which a card or phone number may be written.
///
/// Why no card or phone number the full scan finds escapes it: a number has 10 digits or more, and its
/// bytes are digits and the separators space, `-`, `.`, `+`, `(` and `)`, with at most two of the last
/// between groups (`(555) 123-4567`). In one run, the run's digit count sees it. Across runs, the gaps
/// between its runs are joined, and the only letters in those runs are before its start (its first run's
/// head: the number is in the tail) or after its end (its last run: the number is in the head), so the
/// chain holds all its digits. A chain of 10 digits or more may be a number unless it is dotted only
/// (every gap `.` or `..`), has no run of 4 digits or more, no `+` and no run starting with `0`: a card
/// and a North American number each have a group of 4, an E.164 number a `+`, a national number a
/// trunk `0` at the start of a run (after a space or a dot) or after a `+` (after a digit, letter, `-`
/// or `_` the phone scanner does not start one). A [dotted version](may_be_dotted_number) is narrower.
#[derive(Default)]
struct Chain<'a> {
    /// Digits in the chain.
    grouped: usize,
    /// Every gap is dots.
    dotted_only: bool,
    /// Some run has 4 digits or more.
    wide: bool,
    /// Some run has a `+` or starts with `0`.
    odd: bool,
    /// Runs of digits alone joined by dots, the first after a byte no number crosses.
    version: bool,
    /// The chain's first run.
    head: &'a [u8],
}

impl<'a> Chain<'a> {
    /// Adds `piece` (letterless, with `digits` digits and a `+` when `plus`) to the chain when `joined`
    /// (by dots only: `Some(true)`), else starts a new chain with it (`alone`: the byte before it is none
    /// of space, `.`, `(`, `)`, or it starts the text). True when the chain may now be a number.
    fn add(
        &mut self,
        piece: &'a [u8],
        digits: usize,
        plus: bool,
        joined: Option<bool>,
        alone: bool,
    ) -> bool {
        let odd = plus || piece.first() == Some(&b'0');
        let pure = digits == piece.len();
        match joined {
            Some(dots) => {
                self.grouped += digits;
                self.dotted_only &= dots;
                self.wide |= digits >= 4;
                self.odd |= odd;
                self.version &= pure && dots;
            }
            None => {
                *self = Chain {
                    grouped: digits,
                    dotted_only: true,
                    wide: digits >= 4,
                    odd,
                    version: pure && alone,
                    head: piece,
                };
            }
        }
        self.grouped >= MIN_SECRET_DIGITS
            && if self.version {
                may_be_dotted_number(self.head)
            } else {
                self.wide || !self.dotted_only || self.odd
            }
    }
}

/// True when a chain of digit runs joined by dots, whose first run is `head`, may be a card or phone
/// number; false for a product version such as `Chrome/120.0.6099.109` (which would otherwise send most
/// user agents to the full secret scan).
///
/// [`Chain`] asks only about a chain of runs of digits alone, joined by `.` or `..`, whose first run
/// follows the start of the text or a byte that is none of `space . ( ) - + _`, a letter or a digit. Then
/// no card or phone number can start inside the chain but at its first run, nor reach into it from before:
/// the card scanner skips a digit after a digit, letter or `.`, the phone scanner one after a digit, letter,
/// `.`, `-`, `_`, `:` or `%`, and a number crosses only a space, `-`, `+`, `.`, `(` or `)`. A number that
/// starts at the first run and goes on past it is written with `.` between its groups, and every such shape
/// the scanners know starts with a group this test accepts: a card's four digits (`4111.1111.…`, Amex
/// `3782.822463.10005`), a North American number's area code of three digits, 2 to 9 first (`555.123.4567`),
/// a national number's trunk `0` (`0151.1234.5678`, `01.23.45.67.89`); an E.164 number needs a `+`, which
/// is not in the chain. A number in one run of 10 digits or more is found by the digit count instead.
/// Property test: `dotted_chains_never_hide_a_number`.
fn may_be_dotted_number(head: &[u8]) -> bool {
    match head {
        [b'0', ..] => true,
        [_, _, _, _] => true,
        [first, _, _] => (b'2'..=b'9').contains(first),
        _ => false,
    }
}

/// True when `run` (at `start` of `text`, a run of [`TOKEN_MIN_LEN`] or more bytes with fewer than 10
/// digits) is an ordinary slug in which no secret can be found: `2024-03-15-pillow-tutorial-for-beginners`.
///
/// Without this, every long slug (a blog or product path) would be sent to the full secret scan. A run of
/// lowercase letters, digits and `-` holds no base64 token (no capitals), no hex token when no piece
/// between its `-` is long enough, no JWT (`eyJ`), no key but Slack's `xox…-` (found by the key start
/// test after each `-`), no card or phone (fewer than 10 digits, and none of a number begun before it when
/// it starts with a letter or after a `/`); and it is not a UUID (a path segment `anonymize` replaces). The
/// caller checks that `text` holds no Slack webhook path, whose secret may be such a run.
fn is_plain_slug(text: &[u8], start: usize, run: &[u8]) -> bool {
    (start == 0 || text[start - 1] == b'/' || run[0].is_ascii_lowercase())
        && run
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && run
            .split(|&b| b == b'-')
            .all(|piece| piece.len() < TOKEN_MIN_LEN || !piece.iter().all(u8::is_ascii_hexdigit))
        && !is_uuid(run)
}

/// True when `run` contains `eyJ`, the start of a JWT.
#[inline]
fn has_jwt_start(run: &[u8]) -> bool {
    memchr::memchr_iter(b'J', run).any(|j| j >= 2 && &run[j - 2..j] == b"ey")
}

/// True when `run` (at `start` of `text`) starts like a vendor key (`AKIA`, `sk_live_`, `ghp_`, `xoxb-`,
/// `AIza`, …) or a Slack webhook's team id after `/services/`, or has a key start after one of its `-`,
/// `_` or `+` with 8 bytes or more from there (a key glued to a word: `x-AKIAIOSFODNN7EXAMPLE`). Slack's
/// team ids have 8 bytes or more. `joined`: the run has a `-`, `_` or `+`.
#[inline]
fn has_key_start(text: &[u8], start: usize, run: &[u8], joined: bool) -> bool {
    key_starts(text, start, run)
        || joined
            && run[..run.len() - 8].iter().enumerate().any(|(k, b)| {
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
    fn plain_slugs_and_product_versions_skip_the_full_scan() {
        for text in [
            "/news/2024-03-15-pillow-tutorial-dog-and-cat-food",
            "/images/blog/2025/04/calendar-madrid-wood-cards-retro-1.jpg",
            "https://www.example.com/product/31930-config-linux-video-camping",
            "/blog/2017/09/pasta-simple-science-budget-easy-river",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
            "Mozilla/5.0 (Linux; Android 14) Chrome/99.0.4844.51 Mobile Safari/537.36 Edg/120.0.2210.91",
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

    #[test]
    fn dotted_numbers_are_still_scanned() {
        for text in [
            "call/555.123.4567",
            "tel 0151.1234.5678",
            "pay 4111.1111.1111.1111 now",
            "x 01.23.45.67.89",
            "v/3782.822463.10005",
            "+33.1.23.45.67.89",
            "x 012.345.678.901",
            // Glued to words: a number ends before a letter, or starts after one.
            "q=call+me+0151.1234.5678",
            "/c/555.123.4567--x",
            "4111.1111.1111.1111_x",
            // Joined to what comes before: no version, the wider rule.
            "Chrome 120.0.6099.109",
        ] {
            assert!(may_hold_secret(text.as_bytes()), "{text}");
        }
    }

    /// Each part followed by its separator.
    fn splice(parts: &[String], seps: &[String]) -> String {
        parts
            .iter()
            .zip(seps)
            .map(|(p, s)| format!("{p}{s}"))
            .collect()
    }

    /// The pre-test says "maybe" whenever the full scan finds a secret in `text`.
    fn hides_nothing(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        if !may_hold_secret(text.as_bytes()) {
            proptest::prop_assert!(secret_spans(text.as_bytes()).is_empty(), "{}", text);
        }
        Ok(())
    }

    /// A Visa number of 16 digits (Luhn-valid) from 15 random ones, written in dotted groups of four.
    fn dotted_card(digits: &[u8]) -> String {
        let mut d: Vec<u8> = std::iter::once(4)
            .chain(digits.iter().map(|x| x % 10))
            .take(15)
            .collect();
        let check = (0..10u8)
            .find(|&c| {
                d.push(c);
                let ok = super::super::luhn(&d);
                d.pop();
                ok
            })
            .unwrap();
        d.push(check);
        let s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
        format!("{}.{}.{}.{}", &s[..4], &s[4..8], &s[8..12], &s[12..])
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        /// Chains of digit groups (versions, phone numbers, cards) joined by dots and other separators,
        /// after and before all kinds of bytes: the pre-test never hides what the full scan finds.
        #[test]
        fn dotted_chains_never_hide_a_number(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[0-9]{1,6}",
                    "[0-9]{1,4}(\\.[0-9]{1,4}){1,5}",
                    "[2-9][0-9]{2}\\.[0-9]{3}\\.[0-9]{4}",
                    "0[1-9][0-9]{0,3}(\\.[0-9]{3,8}){1,3}",
                    "0[1-9](\\.[0-9]{2}){4}",
                    "3[47][0-9]{2}\\.[0-9]{6}\\.[0-9]{5}",
                    proptest::strategy::Strategy::prop_map(
                        proptest::collection::vec(0u8..10, 15),
                        |d: Vec<u8>| dotted_card(&d),
                    ),
                    "[A-Za-z]{1,8}",
                    "\\+[1-9][0-9]{0,2}(\\.[0-9]{1,3}){3,6}",
                    "[0-9]{2,4}(-|--|_)[a-z]{1,3}",
                    "[a-z]{1,3}\\+0[1-9][0-9]{1,3}",
                ],
                1..6,
            ),
            seps in proptest::collection::vec("[-/ .+_()(:;%]|\\.\\.|  ", 7),
        ) {
            hides_nothing(&format!("{}{}", seps[0], splice(&parts, &seps[1..])))?;
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
            hides_nothing(&splice(&parts, &seps))?;
        }
    }
}
