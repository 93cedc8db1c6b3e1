//! The report's last steps, kept under their old path: the visit walk ([`super::visits`]: [`aggregate`],
//! [`aggregate_store`]) and the rendering of the tables ([`super::render`]: [`render`], [`finish`]).

pub use super::render::{finish, render};
pub use super::visits::{DURATION_BUCKETS, VISIT_GAP, aggregate, aggregate_store};
