//! The free-text scrubber and the query rewriter, one unit because each calls the other: query values are
//! scrubbed as free text, and free text (and any text holding escapes) has its queries rewritten. The rules
//! above (URLs, paths, host names, client fields) call [`scrub_plain`]; the field-level driver
//! (`scrub`) calls [`scrub_text`] with the host rule handed down, so nothing here looks up.
//!
//! What it finds and how is described in `scrub`, the public face of this module.

use super::Rules;
use super::decode;
use super::ip::write_ipv4;
use super::recognise::{
    Kind, is_hostname, is_uuid, may_hold_secret, parse_ipv4_prefix, parse_ipv6_prefix, parse_quad,
    secret_spans,
};
use super::secrets::{CARD, TOKEN, UUID};

/// What an email address is replaced with.
pub(crate) const EMAIL: &[u8] = b":email";

/// Which extra rules apply to a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ScrubMode {
    /// Treat `/1.2.3.4` as a version number (user agents).
    pub versions: bool,
    /// Apply the query allow-list to `?…` sequences.
    pub queries: bool,
    /// Reduce a leading host name to its registrable domain.
    pub leading_host: bool,
}

impl ScrubMode {
    /// IPs and emails only (URL paths, fragments, query keys and kept values).
    pub(crate) const PLAIN: ScrubMode = ScrubMode {
        versions: false,
        queries: false,
        leading_host: false,
    };

    /// For user agents: IPs and emails, versions left alone.
    pub(crate) fn user_agent() -> ScrubMode {
        ScrubMode {
            versions: true,
            ..ScrubMode::PLAIN
        }
    }

    /// For trailing fields and request lines of unknown shape: IPs, emails and queries.
    pub(crate) fn free_text_tail() -> ScrubMode {
        ScrubMode {
            queries: true,
            ..ScrubMode::PLAIN
        }
    }

    /// For whole lines of unknown structure: every rule.
    pub(crate) fn free_text() -> ScrubMode {
        ScrubMode {
            versions: false,
            queries: true,
            leading_host: true,
        }
    }
}

/// Bytes that reveal something: `.` (inside an IPv4 address), `:` (inside an IPv6 address), `@` (emails),
/// `%`, `&` and `\\` (escapes, decoded before anything is looked for), `?` (queries), `-` (a dashed
/// address, `ec2-203-0-113-9`). Addresses are found at their first separator and read from the digits
/// before it, so the common bytes (letters, digits, `/`) cost one table look-up each.
static TRIGGER: [bool; 256] =
    byte_table!(|c| matches!(c, b'.' | b':' | b'@' | b'%' | b'?' | b'&' | b'\\' | b'-'));
static HEXISH: [bool; 256] = byte_table!(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
static LOCAL: [bool; 256] =
    byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'));
static DOMAIN: [bool; 256] = byte_table!(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');

/// The first offset from `i` on where the scrubber's loop has something to do: a [`TRIGGER`] byte, but a
/// `.` or `-` only after a digit (an address is read from the digits before its first `.`, a dashed one
/// from those before its first `-`; after any other byte the loop would step over it). `input.len()` when
/// there is none. Sixteen bytes at a time where SSE2 is there (every x86_64).
#[inline]
fn next_trigger(input: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= input.len() {
        let prev_digit = u32::from(i > 0 && input[i - 1].is_ascii_digit());
        let mask = sse2_triggers(&input[i..i + 16], prev_digit);
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(&c) = input.get(i) {
        if TRIGGER[c as usize]
            && (!matches!(c, b'.' | b'-') || (i > 0 && input[i - 1].is_ascii_digit()))
        {
            return i;
        }
        i += 1;
    }
    i
}

/// The triggers of [`next_trigger`] in 16 bytes, one bit each (bit `k` for `block[k]`); `prev_digit` is 1
/// when the byte before the block is a digit.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unused_unsafe)]
fn sse2_triggers(block: &[u8], prev_digit: u32) -> u32 {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    assert!(block.len() >= 16);
    // SAFETY: SSE2 is part of the x86_64 baseline, and the load reads the 16 bytes of `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let always = _mm_or_si128(
            _mm_or_si128(
                _mm_or_si128(eq(b':'), eq(b'@')),
                _mm_or_si128(eq(b'%'), eq(b'?')),
            ),
            _mm_or_si128(eq(b'&'), eq(b'\\')),
        );
        let gated = _mm_or_si128(eq(b'.'), eq(b'-'));
        // Signed compares: bytes from 0x80 are negative, so not digits.
        let digits = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(b'/' as i8)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(b':' as i8)),
        );
        let always = _mm_movemask_epi8(always) as u32;
        let gated = _mm_movemask_epi8(gated) as u32;
        let digits = _mm_movemask_epi8(digits) as u32;
        always | (gated & ((digits << 1) | prev_digit))
    }
}

/// One replacement made by the scrubber: input bytes `start..end` became output bytes `out_start..out_end`
/// (offsets from where the scrubber began writing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    start: usize,
    end: usize,
    out_start: usize,
    out_end: usize,
}

/// Where the scrubber is: what of the input is still to be copied, and (when decoding) the replacements
/// made so far.
struct Cursor<'a> {
    input: &'a [u8],
    /// `input[pending..]` is not written yet.
    pending: usize,
    /// `out.len()` when scrubbing began.
    base: usize,
    edits: Option<Vec<Edit>>,
}

impl Cursor<'_> {
    /// Copies the input up to `start`, lets `write` put the replacement of `start..end`, and goes on after
    /// `end`.
    #[inline]
    fn replace(
        &mut self,
        out: &mut Vec<u8>,
        start: usize,
        end: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) {
        out.extend_from_slice(&self.input[self.pending..start]);
        let out_start = out.len() - self.base;
        write(out);
        if let Some(edits) = &mut self.edits {
            edits.push(Edit {
                start,
                end,
                out_start,
                out_end: out.len() - self.base,
            });
        }
        self.pending = end;
    }
}

/// Writes a host name reduced (the rule of `host`, which sits above this module and hands
/// it down); returns false, writing nothing, when the host has no registrable domain.
pub(crate) type HostWriter = fn(&[u8], &Rules, &mut Vec<u8>) -> bool;

/// [`scrub_text`] in [`ScrubMode::PLAIN`]: IPs, emails (and, in text holding escapes, queries); what the rules
/// below the field-level driver use on the parts of a URL, a host name or a client field.
pub(crate) fn scrub_plain(input: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    scrub_text(input, rules, ScrubMode::PLAIN, out, None);
}

/// Scrubs `input` into `out` under `mode`, a leading host name (in [`ScrubMode::free_text`]) written by
/// `write_host`.
///
/// Text holding an escape (`%2E`, `&#64;`, `\\u0040`) is decoded first ([`decode`]) and scrubbed in its
/// decoded form, with queries treated as queries wherever they appear; what is found is replaced in the
/// input's own encoding (the bytes around it are copied untouched), and secrets (tokens, card numbers)
/// found in the decoded form become placeholders too.
pub(crate) fn scrub_text(
    input: &[u8],
    rules: &Rules,
    mode: ScrubMode,
    out: &mut Vec<u8>,
    write_host: Option<HostWriter>,
) {
    let mark = out.len();
    if scrub_with(input, rules, mode, out, None, true, write_host).is_none() {
        out.truncate(mark);
        scrub_decoded(input, rules, mode, out, write_host);
    }
}

/// The scrubber's loop. With `decoding`, it gives up (returning `None`, with `out` to be truncated by the
/// caller) at the first escape, so that the text is scrubbed decoded instead; otherwise it returns the
/// replacements it made when `edits` was given.
fn scrub_with(
    input: &[u8],
    rules: &Rules,
    mode: ScrubMode,
    out: &mut Vec<u8>,
    edits: Option<Vec<Edit>>,
    decoding: bool,
    write_host: Option<HostWriter>,
) -> Option<Vec<Edit>> {
    let n = input.len();
    let mut cur = Cursor {
        input,
        pending: 0,
        base: out.len(),
        edits,
    };
    let mut i = 0;
    if let (true, Some(write)) = (mode.leading_host, write_host) {
        let end = memchr::memchr(b' ', input).unwrap_or(n);
        let first = &input[..end];
        if is_hostname(first) && !(decoding && decode::may_be_encoded(first)) {
            cur.replace(out, 0, end, |out| {
                if !write(first, rules, out) {
                    scrub_with(first, rules, ScrubMode::PLAIN, out, None, false, write_host);
                }
            });
            i = end;
        }
    }
    while i < n {
        i = next_trigger(input, i);
        let Some(&c) = input.get(i) else {
            break;
        };
        match c {
            b'%' | b'&' | b'\\' if decoding => {
                if decode::escape_len(&input[i..]) > 1 {
                    return None;
                }
                i += 1;
            }
            b'@' => i = email(&mut cur, i, 1, mode.versions, out).unwrap_or(i + 1),
            b'?' if mode.queries => {
                let end = input[i + 1..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'"' | b'\t' | b'#'))
                    .map_or(n, |p| i + 1 + p);
                cur.replace(out, i + 1, end, |out| {
                    rewrite_query(&input[i + 1..end], rules, out)
                });
                i = end;
            }
            b'.' | b':' => i = address(&mut cur, i, rules, out),
            b'-' if i > 0 && input[i - 1].is_ascii_digit() => i = dashed(&mut cur, i, rules, out),
            _ => i += 1,
        }
    }
    out.extend_from_slice(&input[cur.pending..]);
    if mode.versions {
        ua_ids(out, cur.base);
    }
    Some(cur.edits.unwrap_or_default())
}

/// Scrubs text that holds escapes: decoded, then written back in its own encoding.
fn scrub_decoded(
    input: &[u8],
    rules: &Rules,
    mode: ScrubMode,
    out: &mut Vec<u8>,
    write_host: Option<HostWriter>,
) {
    let Some(view) = decode::decode(input) else {
        scrub_with(input, rules, mode, out, None, false, write_host);
        return;
    };
    let mut text = Vec::with_capacity(view.text.len());
    let mode = ScrubMode {
        queries: true,
        ..mode
    };
    let edits = scrub_with(
        &view.text,
        rules,
        mode,
        &mut text,
        Some(Vec::new()),
        false,
        write_host,
    )
    .unwrap_or_default();
    let secrets = if may_hold_secret(&text) {
        secret_spans(&text)
    } else {
        Vec::new()
    };
    if edits.is_empty() && secrets.is_empty() && text == view.text {
        out.extend_from_slice(input);
        return;
    }
    // The scrubbed decoded text is copies of the decoded input between replacements: walk it piece by
    // piece, writing copies as the original's bytes and replacements re-encoded, with secrets cut out.
    let mut pieces = Vec::with_capacity(2 * edits.len() + 1);
    let (mut from, mut at) = (0, 0);
    for e in &edits {
        pieces.push((at, e.out_start, Some(from)));
        pieces.push((e.out_start, e.out_end, None));
        from = e.end;
        at = e.out_end;
    }
    pieces.push((at, text.len(), Some(from)));
    let write = |a: usize, b: usize, out: &mut Vec<u8>| {
        for &(ps, pe, copy) in &pieces {
            let (x, y) = (a.max(ps), b.min(pe));
            if x >= y {
                continue;
            }
            match copy {
                Some(d) => out.extend_from_slice(view.original(input, d + x - ps, d + y - ps)),
                None => decode::write_encoded(&text[x..y], out),
            }
        }
    };
    let mut pos = 0;
    for (kind, span) in secrets {
        write(pos, span.start, out);
        out.extend_from_slice(if kind == Kind::Card { CARD } else { TOKEN });
        pos = span.end;
    }
    write(pos, text.len(), out);
}

/// Letters and digits: an IPv6 address glued to them is part of a longer word, not an address.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Tries to read an IP address around position `i` (a `.` or a `:`). Returns where to continue.
///
/// An IPv4 address counts wherever it is, also glued to letters or digits (`ip203.0.113.9`,
/// `Foo/203.0.113.9`, `x1.2.3.4y`): only a digit or a `.digit` right after its fourth part (`1.2.3.456`,
/// `1.2.3.4.5` read from its second part) makes it something else.
fn address(cur: &mut Cursor<'_>, i: usize, rules: &Rules, out: &mut Vec<u8>) -> usize {
    let input = cur.input;
    // The address starts at most three digits before its first `.`, or four hex digits before its
    // first `:`, and never before what is already written.
    let (max_back, is_part): (usize, fn(&u8) -> bool) = if input[i] == b'.' {
        (3, u8::is_ascii_digit)
    } else {
        (4, u8::is_ascii_hexdigit)
    };
    let mut start = i;
    while start > cur.pending && i - start < max_back && is_part(&input[start - 1]) {
        start -= 1;
    }
    if start == i && input[i] == b'.' {
        return i + 1;
    }
    // A lone colon before an address is punctuation (`x :2001:db8::1`): the address starts after it.
    if start == i && input[i] == b':' && input.get(i + 1).is_some_and(|&b| b != b':') {
        return i + 1;
    }
    let before = start.checked_sub(1).map(|p| input[p]);
    if input[i] == b'.' {
        // Part of a longer dotted number (`1.2.3.4.5` from its second part): not a new address.
        if before == Some(b'.') {
            return i + 1;
        }
    } else if before.is_some_and(|p| p.is_ascii_hexdigit() || p == b'.') {
        return i + 1;
    }
    let run_end = start
        + input[start..]
            .iter()
            .take_while(|&&b| HEXISH[b as usize])
            .count();
    let run = &input[start..run_end];
    let colons = run.iter().filter(|&&b| b == b':').count();
    if colons >= 2 {
        if let Some((ip, len)) = parse_ipv6_prefix(run) {
            let mut end = start + len;
            if input.get(end).is_some_and(|&b| is_word(b)) {
                return run_end.max(i + 1);
            }
            // Drop a zone id: `fe80::1%eth0`.
            if input.get(end) == Some(&b'%') && !input[end + 1..].starts_with(b"40") {
                end += 1 + input[end + 1..]
                    .iter()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-')
                    })
                    .count();
            }
            cur.replace(out, start, end, |out| rules.ip.write_v6(out, ip));
            return end;
        }
        // Not an IPv6 address: an IPv4 address may still start here (`1.2.3.4::`); otherwise resume
        // right after this byte, so an address later in the run (`a:b:1.2.3.4`) is still tried.
        if input[i] != b'.' {
            return i + 1;
        }
    }
    if input[start].is_ascii_digit() {
        // Five or more groups (`203.0.113.9.5`): which four are the address is not known, so every group
        // after the first two becomes `0`.
        if let Some(end) = groups_end(&input[start..], b'.', 5) {
            let end = start + end;
            cur.replace(out, start, end, |out| {
                write_zeroed(&input[start..end], b'.', out)
            });
            return end;
        }
        if let Some((ip, len)) = parse_ipv4_prefix(&input[start..]) {
            let end = start + len;
            // An address that ends a local part (`1.2.3.4@x.org`, `jo_1.2.3.4%40x.org`, found by
            // fuzzing) belongs to the email: reducing it alone would leave `1.2.0.0@x.org`, still an
            // address, and hide its start from the email rule.
            if let Some(sep) = at_sign(&input[end..]) {
                if let Some(next) = email(cur, end, sep, false, out) {
                    return next;
                }
            }
            cur.replace(out, start, end, |out| rules.ip.write_v4(out, ip));
            return end;
        }
    }
    i + 1
}

/// Tries to read a dashed IPv4 address (`ec2-203-0-113-9`, `203-0-113-9.nip.io`) whose first `-` is at
/// `i`; it is reduced by the prefix and written dashed. Returns where to continue.
fn dashed(cur: &mut Cursor<'_>, i: usize, rules: &Rules, out: &mut Vec<u8>) -> usize {
    let input = cur.input;
    let mut start = i;
    while start > cur.pending && i - start < 3 && input[start - 1].is_ascii_digit() {
        start -= 1;
    }
    if start == i || (start > 0 && input[start - 1].is_ascii_digit()) {
        return i + 1;
    }
    if let Some(end) = groups_end(&input[start..], b'-', 5) {
        let end = start + end;
        cur.replace(out, start, end, |out| {
            write_zeroed(&input[start..end], b'-', out)
        });
        return end;
    }
    let Some((ip, len)) = parse_dashed_v4(&input[start..]) else {
        return i + 1;
    };
    let end = start + len;
    cur.replace(out, start, end, |out| {
        let mark = out.len();
        write_ipv4(out, rules.ip.reduce_v4(ip));
        for b in &mut out[mark..] {
            if *b == b'.' {
                *b = b'-';
            }
        }
    });
    end
}

/// The length of a run of at least `min` groups of one to three digits up to 255, separated by `sep`, at
/// the start of `b` and not followed by a digit.
fn groups_end(b: &[u8], sep: u8, min: usize) -> Option<usize> {
    let mut groups = 0;
    let mut i = 0;
    loop {
        let start = i;
        let mut v: u32 = 0;
        while i < b.len() && i - start < 3 && b[i].is_ascii_digit() {
            v = v * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        if i == start || v > 255 || b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        groups += 1;
        if b.get(i) == Some(&sep) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    (groups >= min).then_some(i)
}

/// Writes a run of digit groups with every group after the first two as `0`.
fn write_zeroed(run: &[u8], sep: u8, out: &mut Vec<u8>) {
    for (n, group) in run.split(|&b| b == sep).enumerate() {
        if n > 0 {
            out.push(sep);
        }
        out.extend_from_slice(if n < 2 { group } else { b"0" });
    }
}

/// A dashed-quad IPv4 address (`203-0-113-9`) at the start of `b`, and its length: four parts of one to
/// three digits up to 255, not followed by a digit.
fn parse_dashed_v4(b: &[u8]) -> Option<(std::net::Ipv4Addr, usize)> {
    parse_quad(b, b'-').filter(|&(_, len)| !b.get(len).is_some_and(u8::is_ascii_digit))
}

/// What a MAC address in a user agent becomes.
pub(crate) const MAC: &[u8] = b":mac";

/// In a user agent (already scrubbed into `out[from..]`): device identifiers become placeholders in place
/// — a UUID or IDFA (`:uuid`), a MAC address (`:mac`), a run of 16 or more hex digits mixing letters and
/// digits (`:token`).
fn ua_ids(out: &mut Vec<u8>, from: usize) {
    let mut i = from;
    while i < out.len() {
        if !out[i].is_ascii_hexdigit() || (i > from && out[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let run = out[i..]
            .iter()
            .take_while(|&&b| b.is_ascii_hexdigit() || b == b'-' || b == b':')
            .count();
        let mut end = i + run;
        while end > i && matches!(out[end - 1], b'-' | b':') {
            end -= 1;
        }
        if out.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            i = end.max(i + 1);
            continue;
        }
        let text = &out[i..end];
        let placeholder: Option<&[u8]> = if is_uuid(text) {
            Some(UUID)
        } else if is_mac(text) {
            Some(MAC)
        } else if text.len() >= 16
            && text.iter().all(u8::is_ascii_hexdigit)
            && text.iter().any(u8::is_ascii_digit)
            && text.iter().any(u8::is_ascii_alphabetic)
        {
            Some(TOKEN)
        } else {
            None
        };
        match placeholder {
            Some(p) => {
                out.splice(i..end, p.iter().copied());
                i += p.len();
            }
            None => i = end.max(i + 1),
        }
    }
}

/// `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff`.
fn is_mac(b: &[u8]) -> bool {
    b.len() == 17
        && (b[2] == b':' || b[2] == b'-')
        && b.iter().enumerate().all(|(i, &c)| {
            if i % 3 == 2 {
                c == b[2]
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The length of the `@` or `%40` that `rest` starts with, if it starts with one.
fn at_sign(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"@") {
        Some(1)
    } else if rest.starts_with(b"%40") {
        Some(3)
    } else {
        None
    }
}

/// The length of the email domain at the start of `run` (letters, digits, `.` and `-` after an `@`), if
/// there is one: it ends at the last `.` or `-` (or at the end of `run`) where what comes before is a
/// domain whose top-level domain is two letters or more and passes `tld_ok`. So in
/// `jo@mail.example.org.x9k2` the domain is `mail.example.org`, in `g@1.KK-4065` it is `1.KK` (found by
/// fuzzing: once `x9k2…` or `4065…`, a token or a number, was redacted, what was left was an address).
/// Shared with `check`'s detector, so that both see the same addresses.
pub(crate) fn email_domain_len(run: &[u8], tld_ok: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut end = run.len();
    loop {
        while end > 0 && matches!(run[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &run[..end];
        let dot = memchr::memrchr(b'.', domain)?;
        let tld = &domain[dot + 1..];
        if dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) && tld_ok(tld) {
            return Some(end);
        }
        end = memchr::memrchr2(b'.', b'-', domain)?;
    }
}

/// Tries to read an email address whose `@` (or `%40`, `sep` bytes long) is at `at`. When there is
/// one, it is redacted and the position after it returned; otherwise nothing is written. With `loose`
/// (user agents), `user@host` without a top-level domain counts too.
fn email(
    cur: &mut Cursor<'_>,
    at: usize,
    sep: usize,
    loose: bool,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let input = cur.input;
    let mut start = at;
    while start > cur.pending && LOCAL[input[start - 1] as usize] {
        start -= 1;
    }
    let dstart = at + sep;
    let mut end = dstart;
    while end < input.len() && DOMAIN[input[end] as usize] {
        end += 1;
    }
    if start == at {
        return None;
    }
    end = match email_domain_len(&input[dstart..end], |_| true) {
        Some(len) => dstart + len,
        None if loose && input[dstart..end].iter().any(u8::is_ascii_alphanumeric) => end,
        None => return None,
    };
    // Chained addresses (`a@b.io@c.org`, found by fuzzing): the rest goes too, or what follows the first
    // domain would read as an address of its own once the first is redacted.
    while let Some(next) = at_sign(&input[end..]) {
        end += next;
        while end < input.len() && DOMAIN[input[end] as usize] {
            end += 1;
        }
    }
    cur.replace(out, start, end, |out| out.extend_from_slice(EMAIL));
    Some(end)
}

/// Rewrites a query string (without its `?`): values of parameters not on the allow-list are emptied,
/// keys and kept values are scrubbed. Parameters are separated by `&` or `;` (`q=a;sid=…`).
pub(crate) fn rewrite_query(query: &[u8], rules: &Rules, out: &mut Vec<u8>) {
    let mut at = 0;
    for param in params(query) {
        if at > 0 {
            out.push(query[at - 1]);
        }
        at += param.len() + 1;
        match memchr::memchr(b'=', param) {
            Some(eq) => {
                let key = &param[..eq];
                scrub_plain(key, rules, out);
                out.push(b'=');
                if rules.params.keeps(key) {
                    scrub_plain(&param[eq + 1..], rules, out);
                }
            }
            // A bare word (`?flag`) is kept; anything else without `=` (text after a `;`) goes.
            None if is_bare_word(param) => scrub_plain(param, rules, out),
            None => {}
        }
    }
}

/// A query part without `=` that is kept: up to 32 letters, digits, `-`, `_` and `.`.
fn is_bare_word(param: &[u8]) -> bool {
    param.len() <= 32
        && param
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The parameters of a query, split at `&` and `;`, but not at the `&` or `;` of an HTML character
/// reference (`q=jo&#64;example.com` is one parameter, decoded when scrubbed).
fn params(query: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(query);
    std::iter::from_fn(move || {
        let q = rest?;
        let mut from = 0;
        loop {
            match memchr::memchr2(b'&', b';', &q[from..]) {
                None => {
                    rest = None;
                    return Some(q);
                }
                Some(off) => {
                    let p = from + off;
                    let entity = q[p] == b'&' && super::decode::escape_len(&q[p..]) > 1;
                    let entity_end = q[p] == b';'
                        && memchr::memrchr(b'&', &q[..p])
                            .is_some_and(|a| super::decode::escape_len(&q[a..]) == p + 1 - a);
                    if entity || entity_end {
                        from = p + 1;
                        continue;
                    }
                    rest = Some(&q[p + 1..]);
                    return Some(&q[..p]);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{TRIGGER, next_trigger};

    /// [`next_trigger`] byte by byte.
    fn naive(input: &[u8], from: usize) -> usize {
        (from..input.len())
            .find(|&j| {
                let c = input[j];
                TRIGGER[c as usize]
                    && (!matches!(c, b'.' | b'-') || (j > 0 && input[j - 1].is_ascii_digit()))
            })
            .unwrap_or(input.len())
    }

    #[test]
    fn next_trigger_agrees_with_a_plain_search_at_every_offset() {
        // Triggers, digits next to them, and bytes near them in value (and from 0x80, negative when signed).
        let fill = [
            b'a', b'0', b'9', b'/', b':', b';', 0x80, 0xb9, 0xff, b'.', b'-',
        ];
        let triggers = [b'.', b'-', b':', b'@', b'%', b'?', b'&', b'\\'];
        for len in 0..40 {
            for &f in &fill {
                for at in 0..=len {
                    for &t in &triggers {
                        let mut input = vec![f; len];
                        if at < len {
                            input[at] = t;
                        }
                        for prev in [b'1', b'x'] {
                            if at > 0 && at <= len {
                                input[at - 1] = prev;
                            }
                            for from in 0..=len {
                                assert_eq!(
                                    next_trigger(&input, from),
                                    naive(&input, from),
                                    "{input:?} from {from}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
