//! The rules that remove personal data from bytes: IP reduction, host names, URLs and the free-text
//! scrubber. Shared by `anonymize` (rewriting) and, later, `report` and `check`.

/// A 256-entry byte class table built at compile time (shared by the scrubber and the detector).
macro_rules! byte_table {
    (|$c:ident| $e:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $c = i as u8;
            t[i] = $e;
            i += 1;
        }
        t
    }};
}

pub mod cache;
pub mod client;
pub mod cryptopan;
pub mod cut;
pub mod decode;
pub mod detect;
pub mod fields;
pub mod host;
pub mod ip;
pub mod key;
pub mod params;
pub mod path;
pub mod pseudonym;
pub mod scrub;
pub mod search;
pub mod secrets;
pub mod url;

pub use fields::FieldPolicy;
pub use ip::{IpMode, IpPolicy};
pub use params::ParamPolicy;
pub use path::{PathPolicy, PathRule};

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
