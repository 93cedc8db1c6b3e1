//! Visitor keys: a keyed hash (BLAKE3) of the full client address, the user agent and the host, under a key
//! that changes every calendar day. The master key is drawn at random when a run starts, lives only in
//! memory and is never printed or written; the day keys are derived from it. So the same person gets
//! unrelated keys on two days, and nobody, not even the operator, can recompute a key from a log later.

use std::fmt;

pub(crate) use super::partial::Slot;

/// The per-run secret from which each day's key is derived.
#[derive(Clone)]
pub struct VisitorKeyer {
    master: [u8; 32],
    /// The key of the visitor sketches (the same on every day): random per run unless read from a key file.
    sketch: [u8; 32],
    /// With a job key (`report --emit-events`): the key of the person hash that leaves the process in the
    /// event stream, so that the sketch hash (under a key that may outlive the job) never does.
    person: Option<[u8; 32]>,
}

impl fmt::Debug for VisitorKeyer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VisitorKeyer { .. }")
    }
}

impl VisitorKeyer {
    /// A keyer with a fresh random master key from the operating system.
    pub fn random() -> std::io::Result<VisitorKeyer> {
        let mut master = [0u8; 32];
        getrandom::fill(&mut master).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(VisitorKeyer::with_key(master))
    }

    /// A keyer with a given master key (for tests); its sketch key is derived from it.
    pub fn with_key(master: [u8; 32]) -> VisitorKeyer {
        let sketch = *blake3::keyed_hash(&master, b"logveil/sketch-key").as_bytes();
        VisitorKeyer {
            master,
            sketch,
            person: None,
        }
    }

    /// The keyer of a sharded job (`report --emit-events`): every day key and the person hash derive from
    /// the job key, so every process of the job gives one person the same hashes; the sketch key is
    /// derived from the job key too unless [`VisitorKeyer::with_sketch_key`] sets one.
    pub fn for_job(job: [u8; 32]) -> VisitorKeyer {
        let derive = |what: &[u8]| *blake3::keyed_hash(&job, what).as_bytes();
        VisitorKeyer {
            master: derive(b"logveil/job-day-keys"),
            sketch: derive(b"logveil/job-sketch-key"),
            person: Some(derive(b"logveil/job-person")),
        }
    }

    /// The same keyer with sketches under `key` (`--sketch-key`), so partials of different runs join.
    pub fn with_sketch_key(mut self, key: [u8; 32]) -> VisitorKeyer {
        self.sketch = key;
        self
    }

    /// A fingerprint of the sketch key (16 hex digits), written in partials: equal fingerprints mean
    /// sketches that can be joined. It reveals nothing of the key.
    pub fn sketch_key_id(&self) -> String {
        let h = blake3::keyed_hash(&self.sketch, b"logveil/sketch-key-id");
        h.as_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The key of day number `day`.
    fn day_key(&self, day: i64) -> [u8; 32] {
        let mut input = [0u8; 24];
        input[..16].copy_from_slice(b"logveil/day-key\0");
        input[16..].copy_from_slice(&day.to_le_bytes());
        *blake3::keyed_hash(&self.master, &input).as_bytes()
    }
}

/// Computes visitor keys within one worker, remembering the last day's key.
pub(crate) struct DayKeys<'k> {
    keyer: &'k VisitorKeyer,
    day: Option<(i64, [u8; 32])>,
    buf: Vec<u8>,
}

impl<'k> DayKeys<'k> {
    /// Keys under `keyer`.
    pub(crate) fn new(keyer: &'k VisitorKeyer) -> DayKeys<'k> {
        DayKeys {
            keyer,
            day: None,
            buf: Vec::with_capacity(512),
        }
    }

    /// The visitor key of (full client address, user agent, host) on day `day`.
    pub(crate) fn key(&mut self, day: i64, client: &[u8], ua: &[u8], host: &[u8]) -> u64 {
        let key = match self.day {
            Some((d, k)) if d == day => k,
            _ => {
                let k = self.keyer.day_key(day);
                self.day = Some((day, k));
                k
            }
        };
        self.buf.clear();
        for part in [client, ua, host] {
            self.buf
                .extend_from_slice(&(part.len() as u32).to_le_bytes());
            self.buf.extend_from_slice(part);
        }
        let h = blake3::keyed_hash(&key, &self.buf);
        let mut first = [0u8; 8];
        first.copy_from_slice(&h.as_bytes()[..8]);
        u64::from_le_bytes(first)
    }

    /// The person hash and sketch register of the (client, user agent, host) last given to
    /// [`DayKeys::key`], both the same on every day: the hash under the sketch key (held in memory only:
    /// sketches store registers, never hashes) gives both, unless the keyer has a job key, which then keys
    /// the person hash that the event stream carries.
    pub(crate) fn person(&self) -> (u64, Slot) {
        let first8 = |key: &[u8; 32]| {
            let h = blake3::keyed_hash(key, &self.buf);
            let mut first = [0u8; 8];
            first.copy_from_slice(&h.as_bytes()[..8]);
            u64::from_le_bytes(first)
        };
        let sketch = first8(&self.keyer.sketch);
        let person = self.keyer.person.as_ref().map_or(sketch, first8);
        (person, Slot::of(sketch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_day_and_by_full_address() {
        let keyer = VisitorKeyer::with_key([7; 32]);
        let mut k = DayKeys::new(&keyer);
        let a = k.key(1, b"10.1.2.3", b"UA", b"h");
        assert_eq!(a, k.key(1, b"10.1.2.3", b"UA", b"h"));
        assert_ne!(a, k.key(2, b"10.1.2.3", b"UA", b"h"));
        assert_ne!(a, k.key(1, b"10.1.9.9", b"UA", b"h"));
        assert_ne!(a, k.key(1, b"10.1.2.3", b"UA2", b"h"));
        // The length prefix keeps field boundaries apart.
        assert_ne!(k.key(1, b"ab", b"c", b""), k.key(1, b"a", b"bc", b""));
        let other = VisitorKeyer::with_key([8; 32]);
        assert_ne!(a, DayKeys::new(&other).key(1, b"10.1.2.3", b"UA", b"h"));
        assert_eq!(format!("{keyer:?}"), "VisitorKeyer { .. }");
    }
}
