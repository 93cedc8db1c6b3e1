//! Whole values of a known shape: a host name, a UUID.

/// True when `b` looks like a DNS host name: labels of letters, digits and `-`, at least one dot, and a
/// last label that is not all digits (so IPv4 addresses are not host names).
pub(crate) fn is_hostname(b: &[u8]) -> bool {
    if b.len() < 3 || b.len() > 253 || b[0] == b'.' || b[0] == b'-' || b[b.len() - 1] == b'.' {
        return false;
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_')
    {
        return false;
    }
    match memchr::memrchr(b'.', b) {
        Some(dot) => b[dot + 1..].iter().any(u8::is_ascii_alphabetic),
        None => false,
    }
}

/// True when `b` is a UUID in its 8-4-4-4-12 hex form.
pub(crate) fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
