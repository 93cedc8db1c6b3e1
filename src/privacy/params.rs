//! The query-parameter allow-list: parameters whose values survive anonymisation.

/// Parameters kept by default: site search (`q`, `query`, `s`, `search`, `searchword`, `k`, `keyword`),
/// pagination and language. Every `utm_*` campaign parameter is kept as well.
pub(crate) const DEFAULT_KEEP: &[&str] = &[
    "q",
    "query",
    "s",
    "search",
    "searchword",
    "k",
    "keyword",
    "page",
    "lang",
];

/// Parameter-name prefixes kept by default.
pub(crate) const DEFAULT_KEEP_PREFIXES: &[&str] = &["utm_"];

/// Which query parameters keep their values; every other value is emptied (`?token=`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParamPolicy {
    keep: Vec<Vec<u8>>,
    prefixes: Vec<Vec<u8>>,
    /// Names (`--drop-param`) whose values are emptied even when the lists above keep them.
    drop: Vec<Vec<u8>>,
    /// Prefixes of names to empty.
    drop_prefixes: Vec<Vec<u8>>,
}

impl Default for ParamPolicy {
    fn default() -> ParamPolicy {
        ParamPolicy {
            keep: DEFAULT_KEEP.iter().map(|s| s.as_bytes().to_vec()).collect(),
            prefixes: DEFAULT_KEEP_PREFIXES
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            drop: Vec::new(),
            drop_prefixes: Vec::new(),
        }
    }
}

impl ParamPolicy {
    /// Adds names to the allow-list (`--keep-param`); a name ending in `*` is a prefix.
    pub fn with_kept<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> ParamPolicy {
        for name in names {
            let name = name.as_ref().to_ascii_lowercase().into_bytes();
            match name.strip_suffix(b"*") {
                Some(prefix) => self.prefixes.push(prefix.to_vec()),
                None => self.keep.push(name),
            }
        }
        self
    }

    /// Takes names off the allow-list (`--drop-param`, which wins over `--keep-param`); a name ending in
    /// `*` is a prefix (`--drop-param 'utm_*'`).
    pub fn with_dropped<I: IntoIterator<Item = S>, S: AsRef<str>>(
        mut self,
        names: I,
    ) -> ParamPolicy {
        for name in names {
            let name = name.as_ref().to_ascii_lowercase().into_bytes();
            match name.strip_suffix(b"*") {
                Some(prefix) => self.drop_prefixes.push(prefix.to_vec()),
                None => self.drop.push(name),
            }
        }
        self
    }

    /// True when the value of parameter `name` is kept (names compare ASCII case-insensitively).
    #[inline]
    pub fn keeps(&self, name: &[u8]) -> bool {
        matches(&self.keep, &self.prefixes, name) && !matches(&self.drop, &self.drop_prefixes, name)
    }
}

/// True when `name` equals one of `names` or starts with one of `prefixes` (ASCII case-insensitively).
#[inline]
fn matches(names: &[Vec<u8>], prefixes: &[Vec<u8>], name: &[u8]) -> bool {
    names.iter().any(|k| k.eq_ignore_ascii_case(name))
        || prefixes
            .iter()
            .any(|p| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_allow_list() {
        let p = ParamPolicy::default();
        for kept in [
            "q",
            "Q",
            "utm_source",
            "UTM_Campaign",
            "page",
            "lang",
            "search",
        ] {
            assert!(p.keeps(kept.as_bytes()), "{kept}");
        }
        for dropped in ["token", "sid", "email", "utm", "qq", "id"] {
            assert!(!p.keeps(dropped.as_bytes()), "{dropped}");
        }
    }

    #[test]
    fn drop_param_wins() {
        let p = ParamPolicy::default()
            .with_kept(["id"])
            .with_dropped(["q", "ID", "utm_c*"]);
        assert!(!p.keeps(b"q"));
        assert!(!p.keeps(b"id"));
        assert!(!p.keeps(b"utm_campaign"));
        assert!(p.keeps(b"utm_source"));
        assert!(p.keeps(b"page"));
    }

    #[test]
    fn extendable() {
        let p = ParamPolicy::default().with_kept(["id", "ref_*"]);
        assert!(p.keeps(b"id"));
        assert!(p.keeps(b"ref_site"));
        assert!(!p.keeps(b"token"));
    }
}
