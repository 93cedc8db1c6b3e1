//! The rules that remove personal data from bytes: IP reduction, host names, URLs and the free-text
//! scrubber. Shared by `anonymize` (rewriting) and, later, `report` and `check`.

pub mod client;
pub mod cryptopan;
pub mod detect;
pub mod host;
pub mod ip;
pub mod key;
pub mod params;
pub mod pseudonym;
pub mod scrub;
pub mod secrets;
pub mod url;

pub use ip::{IpMode, IpPolicy};
pub use params::ParamPolicy;

/// Everything the byte-level rules need to know: how far to reduce IPs and which query values to keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Rules {
    /// How IP addresses are reduced.
    pub ip: IpPolicy,
    /// Which query parameters keep their values.
    pub params: ParamPolicy,
}
