//! The zero-copy [`Record`] every log format produces.
//!
//! A record borrows the line it was parsed from. Each field is a [`Span`] (byte offsets into that line), so
//! the anonymiser can rewrite a line in place by copying the bytes between fields and replacing the fields.

use std::ops::Range;

/// Byte offsets `start..end` of a field inside its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte of the field.
    pub start: u32,
    /// Offset one past the last byte of the field.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a `Range<usize>`.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// True when the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One parsed log line: the line itself and the spans of its fields.
///
/// Fields a format does not carry are `None`. `extra` covers whatever follows the last known field (for
/// instance nginx's trailing `"$http_x_forwarded_for"`); it is never interpreted, only scrubbed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The whole line, without its line terminator.
    pub line: &'a [u8],
    /// `%v`: the virtual host, when the format has one.
    pub vhost: Option<Span>,
    /// `%h`: the client address field.
    pub client: Span,
    /// `%l`: the ident field.
    pub ident: Span,
    /// `%u`: the authenticated user.
    pub authuser: Span,
    /// `%t`: the timestamp, without its brackets.
    pub time: Span,
    /// `%r`: the request line, without its quotes.
    pub request: Span,
    /// `%>s`: the status code.
    pub status: Span,
    /// `%b`: the response size or `-`.
    pub bytes: Span,
    /// The referrer, without its quotes.
    pub referer: Option<Span>,
    /// The user agent, without its quotes.
    pub user_agent: Option<Span>,
    /// Trailing bytes after the last known field (may be empty).
    pub extra: Span,
    /// The `DNT` request header, when the format carries it (none of the CLF presets does yet).
    pub dnt: Option<Span>,
    /// The `Sec-GPC` request header, when the format carries it (none of the CLF presets does yet).
    pub sec_gpc: Option<Span>,
}

impl<'a> Record<'a> {
    /// The bytes of a field.
    pub fn get(&self, span: Span) -> &'a [u8] {
        &self.line[span.range()]
    }
}
