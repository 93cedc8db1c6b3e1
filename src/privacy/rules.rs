//! What the byte-level rules are told: the [`Rules`] bundle and the path policy (the IP and query
//! policies have modules of their own, [`ip`](super::ip) and [`params`](super::params)).

use super::ip::IpPolicy;
use super::params::ParamPolicy;

/// Default `--max-digits`: numeric segments of this many digits or more become `:id` (`path::ID`) (phone numbers,
/// customer and order numbers).
pub(crate) const DEFAULT_MAX_DIGITS: usize = 9;
/// Allowed values of `--max-digits`.
pub(crate) const MAX_DIGITS_RANGE: std::ops::RangeInclusive<usize> = 4..=64;

/// How paths are rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathPolicy {
    /// Numeric segments with at least this many digits become `:id` (`path::ID`).
    pub max_digits: usize,
    /// The site's own personal segments (`--path-rule`).
    pub rules: Vec<PathRule>,
}

impl Default for PathPolicy {
    fn default() -> PathPolicy {
        PathPolicy {
            max_digits: DEFAULT_MAX_DIGITS,
            rules: Vec::new(),
        }
    }
}

/// A site's declaration of personal path segments (`--path-rule '/users/*=:user'`): a path that starts
/// with the pattern's segments has each segment matched by `*` replaced by the placeholder
/// (`/users/jo.smith/edit` → `/users/:user/edit`). Literal segments match ASCII case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathRule {
    segments: Vec<Vec<u8>>,
    placeholder: Vec<u8>,
}

impl std::str::FromStr for PathRule {
    type Err = String;

    /// `PATTERN=PLACEHOLDER`, the pattern starting with `/` and holding at least one `*` segment.
    fn from_str(s: &str) -> Result<PathRule, String> {
        let (pattern, placeholder) = s.rsplit_once('=').ok_or_else(|| {
            format!("--path-rule {s:?}: expected PATTERN=PLACEHOLDER, e.g. '/users/*=:user'")
        })?;
        let pattern = pattern.trim_end_matches('/');
        if !pattern.starts_with('/') || !pattern.split('/').any(|seg| seg == "*") {
            return Err(format!(
                "--path-rule {s:?}: the pattern must start with '/' and have a '*' segment"
            ));
        }
        if placeholder.is_empty()
            || !placeholder
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-'))
        {
            return Err(format!(
                "--path-rule {s:?}: the placeholder must be letters, digits, ':', '_' or '-'"
            ));
        }
        Ok(PathRule {
            segments: pattern
                .split('/')
                .map(|seg| seg.as_bytes().to_vec())
                .collect(),
            placeholder: placeholder.as_bytes().to_vec(),
        })
    }
}

impl PathRule {
    /// The placeholder for segment `index` (0 is the empty one before the leading `/`) of a path whose
    /// segments (without path parameters) start with `segments`, if this rule replaces it.
    pub(super) fn placeholder_for(&self, path_segments: &[&[u8]], index: usize) -> Option<&[u8]> {
        let pat = self.segments.get(index)?;
        if pat.as_slice() != b"*" || path_segments.len() < self.segments.len() {
            return None;
        }
        let matches = self.segments.iter().zip(path_segments).all(|(p, seg)| {
            if p.as_slice() == b"*" {
                !seg.is_empty()
            } else {
                p.eq_ignore_ascii_case(seg)
            }
        });
        matches.then_some(&self.placeholder)
    }
}

/// Everything the byte-level rules need to know: what becomes of IPs, which query values to keep, which
/// path segments become placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Rules {
    /// How IP addresses are reduced.
    pub ip: IpPolicy,
    /// Which query parameters keep their values.
    pub params: ParamPolicy,
    /// Which path segments become placeholders.
    pub paths: PathPolicy,
}
