//! The event stream of a sharded job (`report --emit-events`, read back by `report --from-events`): what
//! one process's analysed [`Tables`] hold, cut by visitor into shards, as lines of text a cluster can
//! shuffle without moving any raw log line.
//!
//! Stage 1 analyses its slice of the logs exactly as `report` does ([`super::Analyzer`]: the same
//! classification, the same tables), under visitor keys derived from a job key
//! ([`super::visitors::VisitorKeyer::for_job`]), so every process of the job gives a person the same
//! keys. It then writes each visitor's records to the shard of its person hash ([`shard_of`]); counts
//! that belong to no visitor (lines, status codes, bots, hours, bytes) go to shard 0. Stage 2 reads one
//! shard's lines from every stage-1 process back into `Tables` ([`read`]), which merge as chunks do, and
//! goes on like `report`. A visitor's whole history is in one shard, so visits and distinct visitors of
//! one shard are exact, and the shards' counts add (`merge`).
//!
//! Every line is `SHARD<TAB>KIND<TAB>fields…`; text fields come last or are escaped (`\\`, `\t`, `\n`,
//! `\r`), ids are hexadecimal. What a line holds is documented in `docs/SCALE.md` ("The event stream");
//! no line holds an address, user agent or anything a report would not show: visitor keys and person
//! hashes are keyed BLAKE3 under the job key (never written), paths, referrers, search terms and
//! campaigns are the rewritten text the report shows, networks are reduced, and of the sketch hash only
//! its [`Slot`] (18 bits) is written.

use std::io::{self, BufRead, Write};

use foldhash::HashSet;

use super::classify::BotReason;
use super::distinct::Capped;
use super::partial::Slot;
use super::requests::RequestTotals;
use super::search::Referrer;
use super::tables::{
    DayHits, Event, EventKind, GeoKinds, Row, Rows, Tables, UaClass, VisitorDay, VisitorHits,
};
use crate::error::Error;
use crate::geo::Place;
use crate::input::InputName;

/// The first field of a header line.
pub(crate) const MAGIC: &str = "logveil-events";
/// The version of the line format this build writes and reads.
/// 2: the `C` record counts non-HTTP lines after bytes. 3: the `Q` and `q` lines of the `requests` table.
pub(crate) const VERSION: u32 = 3;

/// What every stage-1 process of a job writes to every shard (one `H` line each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// Shards of the job.
    pub shards: u32,
    /// A fingerprint of the job key (16 hex digits; not the key).
    pub job: String,
    /// A fingerprint of the sketch key, for the partials of stage 2.
    pub sketch_key_id: String,
    /// Which `--geoip` databases stage 1 had.
    pub geo: GeoKinds,
}

/// The shard (0..`shards`) of a person hash: the hash scaled into the range, so shards are even.
pub(crate) fn shard_of(person: u64, shards: u32) -> u32 {
    ((u128::from(person) * u128::from(shards)) >> 64) as u32
}

/// Appends `text` with `\`, tab, newline and carriage return escaped.
fn escape(text: &str, out: &mut Vec<u8>) {
    for b in text.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// The text of an escaped field, `None` when an escape is not one [`escape`] makes.
fn unescape(field: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(field.len());
    let mut bytes = field.iter();
    while let Some(&b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        out.push(match bytes.next()? {
            b'\\' => b'\\',
            b't' => b'\t',
            b'n' => b'\n',
            b'r' => b'\r',
            _ => return None,
        });
    }
    String::from_utf8(out).ok()
}

/// Which dictionary an id belongs to, so each shard gets each entry it needs once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dict {
    Page,
    Referrer,
    Ua,
    Network,
    Place,
}

/// Writes lines, sending each shard the dictionary entries its lines refer to.
struct Writer<'t, W: Write> {
    out: W,
    t: &'t Tables,
    line: Vec<u8>,
    sent: Vec<HashSet<(Dict, u64)>>,
}

impl<'t, W: Write> Writer<'t, W> {
    /// Starts a line of `kind` for `shard`.
    fn start(&mut self, shard: u32, kind: &str) {
        self.line.clear();
        let _ = write!(self.line, "{shard}\t{kind}");
    }

    /// Adds numbers as fields (decimal).
    fn nums(&mut self, values: &[i128]) {
        for v in values {
            let _ = write!(self.line, "\t{v}");
        }
    }

    /// Adds ids as fields (hexadecimal).
    fn ids(&mut self, values: &[u64]) {
        for v in values {
            let _ = write!(self.line, "\t{v:x}");
        }
    }

    /// Adds escaped text fields.
    fn texts(&mut self, values: &[&str]) {
        for v in values {
            self.line.push(b'\t');
            escape(v, &mut self.line);
        }
    }

    /// Ends the line and writes it.
    fn end(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// Writes the dictionary entry `id` of `dict` to `shard` unless it has it already (id 0: none).
    fn need(&mut self, shard: u32, dict: Dict, id: u64) -> io::Result<()> {
        if id == 0 || !self.sent[shard as usize].insert((dict, id)) {
            return Ok(());
        }
        let t = self.t;
        match dict {
            Dict::Page => {
                let Some(p) = t.pages.get(&id) else {
                    return Ok(());
                };
                self.start(shard, "P");
                self.ids(&[id]);
                self.texts(&[p]);
            }
            Dict::Referrer => {
                let Some(r) = t.referrers.get(&id) else {
                    return Ok(());
                };
                self.start(shard, "F");
                self.ids(&[id]);
                let (engine, keyword) = r.search.as_ref().map_or(("", ""), |(e, k)| (*e, k));
                self.texts(&[engine, keyword, &r.site, &r.page]);
            }
            Dict::Ua => {
                let Some(u) = t.uas.get(&id) else {
                    return Ok(());
                };
                self.start(shard, "U");
                self.ids(&[id]);
                self.texts(&[&u.browser, &u.os, &u.device]);
            }
            Dict::Network => {
                let Some(n) = t.networks.get(&id) else {
                    return Ok(());
                };
                self.start(shard, "N");
                self.ids(&[id]);
                self.texts(&[n]);
            }
            Dict::Place => {
                let Some(p) = t.place_names.get(&id) else {
                    return Ok(());
                };
                self.start(shard, "G");
                self.ids(&[id]);
                self.nums(&[i128::from(p.asn)]);
                self.texts(&[
                    &p.country,
                    &p.country_name,
                    &p.region,
                    &p.region_name,
                    &p.org,
                ]);
            }
        }
        self.end()
    }
}

/// Writes the tables of one stage-1 process and its `events` (every page view and download, in any
/// order) as the event stream of `header.shards` shards.
pub(crate) fn write(
    t: &Tables,
    events: impl Iterator<Item = Event>,
    header: &Header,
    out: impl Write,
) -> io::Result<()> {
    let shards = header.shards.max(1);
    let mut w = Writer {
        out,
        t,
        line: Vec::with_capacity(256),
        sent: vec![HashSet::default(); shards as usize],
    };
    let geo = |b: bool| if b { "1" } else { "0" };
    for shard in 0..shards {
        w.start(shard, "H");
        w.texts(&[MAGIC]);
        w.nums(&[i128::from(VERSION), i128::from(shards)]);
        w.texts(&[
            &header.job,
            &header.sketch_key_id,
            &[
                geo(header.geo.countries),
                geo(header.geo.regions),
                geo(header.geo.asn),
            ]
            .concat(),
        ]);
        w.end()?;
    }
    // Counts of no visitor: shard 0.
    let c = &t.counts;
    let (first, last) = c
        .excluded_span
        .map_or((None, None), |(a, b)| (Some(a), Some(b)));
    w.start(0, "C");
    w.nums(
        &[
            c.lines,
            c.parsed,
            c.unparsed,
            c.blank,
            c.too_long,
            c.opted_out,
            c.excluded_before,
            c.excluded_after,
            c.off_the_hour,
            c.hits,
            c.bot_hits,
            c.bytes,
            c.non_http,
        ]
        .map(i128::from),
    );
    w.nums(&c.excluded.map(i128::from));
    match (first, last) {
        (Some(a), Some(b)) => w.nums(&[i128::from(a), i128::from(b)]),
        _ => w.texts(&["-", "-"]),
    }
    w.end()?;
    for (day, h) in &t.days {
        w.start(0, "D");
        w.nums(&[*day].map(i128::from));
        w.nums(&[h.parsed, h.opted_out, h.hits, h.bytes].map(i128::from));
        w.nums(&h.hours.map(i128::from));
        w.end()?;
    }
    for ((day, code), n) in &t.status {
        w.start(0, "S");
        w.nums(&[i128::from(*day), i128::from(*code), i128::from(*n)]);
        w.end()?;
    }
    for ((day, name, reason), n) in &t.bots {
        w.start(0, "B");
        w.nums(&[i128::from(*day), i128::from(*n)]);
        w.texts(&[reason.name(), name]);
        w.end()?;
    }
    for ((day, page), bytes) in &t.download_bytes {
        w.need(0, Dict::Page, *page)?;
        w.start(0, "Y");
        w.nums(&[i128::from(*day), i128::from(*bytes)]);
        w.ids(&[*page]);
        w.end()?;
    }
    // Requested paths: the counts to shard 0, each distinct client to the shard of its person hash (a
    // set that reached its cap, `-`, to shard 0).
    for ((day, id), r) in &t.requests.rows {
        w.need(0, Dict::Page, *id)?;
        w.start(0, "Q");
        w.nums(&[*day].map(i128::from));
        w.ids(&[*id]);
        let n = t.requests.totals(&(*day, *id), r);
        w.nums(&[n.hits, n.human_hits, n.bytes].map(i128::from));
        w.nums(&n.classes.map(i128::from));
        w.end()?;
        let persons: &[u64] = match &r.clients {
            Capped::Empty => &[],
            Capped::One(h) => std::slice::from_ref(h),
            Capped::Few(hs) => hs,
            Capped::Full => {
                w.start(0, "q");
                w.nums(&[*day].map(i128::from));
                w.ids(&[*id]);
                w.texts(&["-"]);
                w.end()?;
                &[]
            }
        };
        for h in persons {
            let s = shard_of(*h, shards);
            w.need(s, Dict::Page, *id)?;
            w.start(s, "q");
            w.nums(&[*day].map(i128::from));
            w.ids(&[*id, *h]);
            w.end()?;
        }
    }
    // Per visitor: the shard of its person hash.
    let shard = |key: &u64| {
        t.visitors
            .get(key)
            .map_or(0, |v| shard_of(v.sketch, shards))
    };
    for (key, v) in &t.visitors {
        let s = shard_of(v.sketch, shards);
        // The stream names user-agent classes and networks by their hashes, the same in every process.
        let (ua, network) = (t.ua_ids.hash(v.ua), t.network_ids.hash(v.network));
        w.need(s, Dict::Ua, ua)?;
        w.need(s, Dict::Network, network)?;
        let place = t.places.get(key).copied();
        if let Some(p) = place {
            w.need(s, Dict::Place, p)?;
        }
        w.start(s, "V");
        w.ids(&[*key]);
        let h = t.hits_of(*key, v);
        w.nums(&[
            i128::from(h.day),
            i128::from(h.hits),
            i128::from(h.valid_hits),
        ]);
        w.ids(&[ua, network]);
        let slot = v.slot();
        w.nums(&[
            i128::from(v.robots),
            i128::from(slot.index),
            i128::from(slot.rank),
        ]);
        w.ids(&[v.sketch]);
        match place {
            Some(p) => w.ids(&[p]),
            None => w.texts(&["-"]),
        }
        w.end()?;
    }
    for e in events {
        let s = shard(&e.visitor);
        w.need(s, Dict::Page, e.page)?;
        w.need(s, Dict::Referrer, e.referrer)?;
        w.start(s, "E");
        w.ids(&[e.visitor]);
        w.nums(&[i128::from(e.time)]);
        w.texts(&[match e.kind {
            EventKind::PageView => "p",
            EventKind::Download => "d",
            EventKind::Outlink => "o",
        }]);
        w.ids(&[e.page, e.referrer]);
        w.end()?;
    }
    for (table, rows) in [
        ("n", &t.not_found),
        ("s", &t.site_search),
        ("o", &t.outlinks),
        ("c", &t.campaigns),
    ] {
        for (text, row) in rows {
            for (visitor, n) in &row.visitors {
                w.start(shard(visitor), "R");
                w.texts(&[table]);
                w.ids(&[*visitor]);
                w.nums(&[i128::from(*n)]);
                w.texts(&[text]);
                w.end()?;
            }
        }
    }
    w.out.flush()
}

/// What reading one shard's lines found besides the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The header all lines agree on.
    pub header: Header,
    /// The shard they belong to.
    pub shard: u32,
}

/// Reads event streams (every stage-1 process's lines of one shard) into one [`Tables`]. A line that is
/// not of the stream, of another version, job or shard, is an error naming the input and line (never
/// quoting it).
pub(crate) fn read(inputs: &[InputName]) -> Result<(Tables, Found), Error> {
    let mut t = Tables::default();
    let mut found: Option<Found> = None;
    let mut events = Vec::new();
    for input in inputs {
        let read_err = |source| Error::read(input, source);
        let src = crate::input::open(input).map_err(read_err)?;
        let mut reader = io::BufReader::with_capacity(
            1 << 16,
            BlockReader {
                src,
                block: Vec::new(),
                at: 0,
            },
        );
        let mut line = Vec::new();
        let mut no = 0u64;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(read_err)? == 0 {
                break;
            }
            no += 1;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.is_empty() {
                continue;
            }
            read_line(text, &mut t, &mut found, &mut events).map_err(|reason| {
                Error::BadPartial {
                    input: input.clone(),
                    line: no,
                    reason,
                }
            })?;
        }
    }
    let Some(found) = found else {
        return Err(Error::BadPartial {
            input: inputs.first().cloned().unwrap_or(InputName::Stdin),
            line: 1,
            reason: "no event stream in it (made by `logveil report --emit-events`)".into(),
        });
    };
    t.geo = found.header.geo;
    if !events.is_empty() {
        t.events.push(events);
    }
    Ok((t, found))
}

/// A block source read as bytes.
struct BlockReader {
    src: Box<dyn crate::input::BlockSource>,
    block: Vec<u8>,
    at: usize,
}

impl io::Read for BlockReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            match self.src.next_block()? {
                Some(b) => {
                    self.block.clear();
                    self.block.extend_from_slice(&b);
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The fields of a line, split at tabs.
struct Fields<'a> {
    parts: std::slice::Split<'a, u8, fn(&u8) -> bool>,
}

impl<'a> Fields<'a> {
    fn next(&mut self) -> Result<&'a [u8], String> {
        self.parts
            .next()
            .ok_or_else(|| "corrupt event stream: a line has too few fields".to_string())
    }

    fn num<T: std::str::FromStr>(&mut self) -> Result<T, String> {
        let f = self.next()?;
        std::str::from_utf8(f)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "corrupt event stream: a number is not one".to_string())
    }

    fn id(&mut self) -> Result<u64, String> {
        let f = self.next()?;
        std::str::from_utf8(f)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or_else(|| "corrupt event stream: an id is not one".to_string())
    }

    fn text(&mut self) -> Result<String, String> {
        unescape(self.next()?).ok_or_else(|| "corrupt event stream: bad text field".to_string())
    }

    /// The rest of the line must be empty.
    fn end(mut self) -> Result<(), String> {
        match self.parts.next() {
            None => Ok(()),
            Some(_) => Err("corrupt event stream: a line has too many fields".into()),
        }
    }
}

/// The cap of the `requests` sets read back: each came capped from stage 1, or as `-` (a set that
/// reached its cap there), so stage 2 keeps every hash it is given.
const UNCAPPED: u64 = u64::MAX;

/// What `read` says of a line that is not of an event stream.
const NOT_EVENTS: &str = "not an event stream (made by `logveil report --emit-events`)";

/// Reads one line into `t`.
fn read_line(
    line: &[u8],
    t: &mut Tables,
    found: &mut Option<Found>,
    events: &mut Vec<Event>,
) -> Result<(), String> {
    let tab: fn(&u8) -> bool = |b| *b == b'\t';
    let mut f = Fields {
        parts: line.split(tab),
    };
    let shard: u32 = f.num().map_err(|_| NOT_EVENTS.to_string())?;
    let kind = f.next().map_err(|_| NOT_EVENTS.to_string())?;
    if kind == b"H" {
        if f.text()? != MAGIC {
            return Err(NOT_EVENTS.into());
        }
        let version: u32 = f.num()?;
        if version != VERSION {
            return Err(format!(
                "event stream version {version} is not supported: this logveil reads version {VERSION}"
            ));
        }
        let shards: u32 = f.num()?;
        let job = f.text()?;
        let sketch_key_id = f.text()?;
        let geo = f.text()?;
        let flag = |i: usize| geo.as_bytes().get(i) == Some(&b'1');
        let header = Header {
            shards,
            job,
            sketch_key_id,
            geo: GeoKinds {
                countries: flag(0),
                regions: flag(1),
                asn: flag(2),
            },
        };
        f.end()?;
        if shard >= shards.max(1) {
            return Err(format!("corrupt event stream: shard {shard} of {shards}"));
        }
        return match found {
            None => {
                *found = Some(Found { header, shard });
                Ok(())
            }
            Some(seen) if seen.header == header && seen.shard == shard => Ok(()),
            Some(seen) if seen.header.job != header.job => Err(
                "events of another job (made under another job key): one job's shards only".into(),
            ),
            Some(seen) if seen.shard != shard => Err(format!(
                "events of shard {shard} after shard {}: give each run one shard",
                seen.shard
            )),
            Some(_) => Err("events of one job made with different settings".into()),
        };
    }
    let Some(seen) = found.as_ref() else {
        return Err("an event before the stream's header line".into());
    };
    if seen.shard != shard {
        return Err(format!(
            "events of shard {shard} after shard {}: give each run one shard",
            seen.shard
        ));
    }
    match kind {
        b"C" => {
            let c = &mut t.counts;
            for n in [
                &mut c.lines,
                &mut c.parsed,
                &mut c.unparsed,
                &mut c.blank,
                &mut c.too_long,
                &mut c.opted_out,
                &mut c.excluded_before,
                &mut c.excluded_after,
                &mut c.off_the_hour,
                &mut c.hits,
                &mut c.bot_hits,
                &mut c.bytes,
                &mut c.non_http,
            ] {
                *n += f.num::<u64>()?;
            }
            for n in c.excluded.iter_mut() {
                *n += f.num::<u64>()?;
            }
            let first = f.next()?;
            if first != b"-" {
                let parse = |b: &[u8]| {
                    std::str::from_utf8(b)
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok())
                        .ok_or_else(|| "corrupt event stream: a number is not one".to_string())
                };
                let (a, b) = (parse(first)?, f.num::<i64>()?);
                c.exclude_at(a);
                c.exclude_at(b);
            } else {
                f.next()?;
            }
        }
        b"D" => {
            let day: i64 = f.num()?;
            let mut h = DayHits {
                parsed: f.num()?,
                opted_out: f.num()?,
                hits: f.num()?,
                bytes: f.num()?,
                ..DayHits::default()
            };
            for n in h.hours.iter_mut() {
                *n = f.num()?;
            }
            t.days.entry(day).or_default().add(&h);
        }
        b"S" => {
            let (day, code, n): (i64, u16, u64) = (f.num()?, f.num()?, f.num()?);
            *t.status.entry((day, code)).or_default() += n;
        }
        b"B" => {
            let (day, n): (i64, u64) = (f.num()?, f.num()?);
            let reason = f.text()?;
            let reason = BotReason::from_name(&reason)
                .ok_or_else(|| "corrupt event stream: unknown bot reason".to_string())?;
            let name = f.text()?;
            *t.bots.entry((day, name, reason)).or_default() += n;
        }
        b"Y" => {
            let (day, bytes): (i64, u64) = (f.num()?, f.num()?);
            *t.download_bytes.entry((day, f.id()?)).or_default() += bytes;
        }
        b"Q" => {
            let (day, id): (i64, u64) = (f.num()?, f.id()?);
            let mut n = RequestTotals {
                hits: f.num()?,
                human_hits: f.num()?,
                bytes: f.num()?,
                ..RequestTotals::default()
            };
            for c in n.classes.iter_mut() {
                *c = f.num()?;
            }
            t.requests.cap = UNCAPPED;
            t.requests.add((day, id), n, Capped::Empty);
        }
        b"q" => {
            let (day, id): (i64, u64) = (f.num()?, f.id()?);
            t.requests.cap = UNCAPPED;
            let clients = &mut t.requests.rows.entry((day, id)).or_default().clients;
            if f.parts.clone().next() == Some(b"-") {
                f.next()?;
                clients.add(Capped::Full, UNCAPPED);
            } else {
                clients.insert(f.id()?, UNCAPPED);
            }
        }
        b"P" => {
            let id = f.id()?;
            t.pages.insert(id, f.text()?);
        }
        b"F" => {
            let id = f.id()?;
            let (engine, keyword, site, page) = (f.text()?, f.text()?, f.text()?, f.text()?);
            let search = if engine.is_empty() {
                None
            } else {
                let name = super::lists::SEARCH_ENGINES
                    .iter()
                    .find(|e| e.name == engine)
                    .map(|e| e.name)
                    .ok_or_else(|| "corrupt event stream: unknown search engine".to_string())?;
                Some((name, keyword))
            };
            t.referrers.insert(id, Referrer { site, page, search });
        }
        b"U" => {
            let id = f.id()?;
            let u = UaClass {
                browser: f.text()?,
                os: f.text()?,
                device: f.text()?,
            };
            t.uas.insert(id, u);
        }
        b"N" => {
            let id = f.id()?;
            t.networks.insert(id, f.text()?);
        }
        b"G" => {
            let id = f.id()?;
            let asn = f.num()?;
            let p = Place {
                country: f.text()?,
                country_name: f.text()?,
                region: f.text()?,
                region_name: f.text()?,
                asn,
                org: f.text()?,
            };
            t.place_names.insert(id, p);
        }
        b"V" => {
            let key = f.id()?;
            let h = VisitorHits {
                day: f.num()?,
                hits: f.num()?,
                valid_hits: f.num()?,
            };
            let mut v = VisitorDay::default();
            v.ua = t.ua_ids.id(f.id()?);
            v.network = t.network_ids.id(f.id()?);
            v.robots = f.num::<u8>()? == 1;
            let slot = Slot {
                index: f.num()?,
                rank: f.num()?,
            };
            if !slot.is_valid() {
                return Err("corrupt event stream: a sketch slot is out of range".into());
            }
            v.set_slot(slot);
            v.sketch = f.id()?;
            let place = f.next()?;
            if place != b"-" {
                let id = std::str::from_utf8(place)
                    .ok()
                    .and_then(|s| u64::from_str_radix(s, 16).ok())
                    .ok_or_else(|| "corrupt event stream: an id is not one".to_string())?;
                t.places.insert(key, id);
            }
            t.add_visitor(key, v, h);
        }
        b"E" => {
            let visitor = f.id()?;
            let time = f.num()?;
            let kind = match f.next()? {
                b"p" => EventKind::PageView,
                b"d" => EventKind::Download,
                b"o" => EventKind::Outlink,
                _ => return Err("corrupt event stream: unknown event kind".into()),
            };
            events.push(Event {
                visitor,
                time,
                kind,
                page: f.id()?,
                referrer: f.id()?,
            });
        }
        b"R" => {
            let table = f.next()?;
            let (visitor, n): (u64, u64) = (f.id()?, f.num()?);
            let text = f.text()?;
            let rows: &mut Rows = match table {
                b"n" => &mut t.not_found,
                b"s" => &mut t.site_search,
                b"o" => &mut t.outlinks,
                b"c" => &mut t.campaigns,
                _ => return Err("corrupt event stream: unknown row table".into()),
            };
            let row: &mut Row = rows.entry(text).or_default();
            *row.visitors.entry(visitor).or_default() += n;
        }
        _ => return Err("corrupt event stream: unknown line kind".into()),
    }
    f.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::visitors::VisitorKeyer;
    use crate::analyze::{Analyzer, Settings, render};
    use crate::format::{Format, LineParser};

    const LOG: &str = "\
10.1.2.3 - - [23/Nov/2026:10:00:00 +0000] \"GET /a?q=tab%09x HTTP/1.1\" 200 5 \"https://www.google.com/search?q=cats\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"
10.1.2.3 - - [23/Nov/2026:10:01:00 +0000] \"GET /b.pdf HTTP/1.1\" 200 50 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"
10.9.8.7 - - [23/Nov/2026:10:02:00 +0000] \"GET /a?utm_source=news HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/119.0\"
10.9.8.7 - - [24/Nov/2026:10:02:00 +0000] \"GET /missing HTTP/1.1\" 404 5 \"-\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/119.0\"
66.249.1.1 - - [24/Nov/2026:10:03:00 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"Googlebot/2.1 (+http://www.google.com/bot.html)\"
not a log line
";

    fn tables() -> Tables {
        let a = Analyzer::new(Settings::default(), VisitorKeyer::for_job([3; 32]));
        let parser = LineParser::detected(Format::Combined);
        a.chunk(&mut parser.chunk(None), LOG.as_bytes())
    }

    fn stream(t: &Tables, shards: u32) -> String {
        let header = Header {
            shards,
            job: "0123456789abcdef".into(),
            sketch_key_id: "fedcba9876543210".into(),
            geo: GeoKinds::default(),
        };
        let mut events = t.clone();
        let mut out = Vec::new();
        write(t, events.take_events().into_iter(), &header, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn read_str(text: &str) -> Result<(Tables, Option<Found>), String> {
        let (mut t, mut found, mut events) = (Tables::default(), None, Vec::new());
        for line in text.lines() {
            read_line(line.as_bytes(), &mut t, &mut found, &mut events)?;
        }
        t.events.push(events);
        Ok((t, found))
    }

    #[test]
    fn escaped_text_comes_back_whole() {
        for s in ["plain", "a\tb\nc\rd\\e", "\\t", "", "é\u{1F600}"] {
            let mut out = Vec::new();
            escape(s, &mut out);
            assert!(!out.contains(&b'\t') && !out.contains(&b'\n'));
            assert_eq!(unescape(&out).as_deref(), Some(s));
        }
        assert_eq!(unescape(b"bad\\x"), None);
    }

    #[test]
    fn shards_read_back_render_the_report_of_the_whole() {
        let t = tables();
        let want = render::finish(t.clone(), &Settings::default());
        for shards in [1, 2, 5] {
            let text = stream(&t, shards);
            let mut whole = Tables::default();
            for s in 0..shards {
                let own: String = text
                    .lines()
                    .filter(|l| l.starts_with(&format!("{s}\t")))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let (part, found) = read_str(&own).unwrap();
                let found = found.unwrap();
                assert_eq!((found.shard, found.header.shards), (s, shards));
                whole.merge(part);
            }
            whole.geo = t.geo;
            assert_eq!(
                render::finish(whole, &Settings::default()),
                want,
                "{shards}"
            );
        }
        // A visitor's records all go to one shard.
        let text = stream(&t, 5);
        for v in t.visitors.keys() {
            let key = format!("{v:x}");
            let shards: HashSet<&str> = text
                .lines()
                .filter(|l| l.split('\t').nth(2) == Some(key.as_str()))
                .map(|l| l.split('\t').next().unwrap())
                .collect();
            assert_eq!(shards.len(), 1, "{key}");
        }
    }

    #[test]
    fn a_shuffled_stream_reads_back_the_same() {
        // A cluster may shuffle lines: a visitor's line can come before the user-agent class and network
        // it names (their ids are given when first named, the names filled in when they come).
        let t = tables();
        let want = render::finish(t.clone(), &Settings::default());
        let text = stream(&t, 1);
        let (head, rest): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|l| l.starts_with("0\tH"));
        let reversed: String = (head.iter().chain(rest.iter().rev()))
            .map(|l| format!("{l}\n"))
            .collect();
        let at = |text: &str, kind: &str| text.find(&format!("\t{kind}\t")).unwrap();
        assert!(at(&text, "U") < at(&text, "V") && at(&text, "N") < at(&text, "V"));
        assert!(at(&reversed, "V") < at(&reversed, "U") && at(&reversed, "V") < at(&reversed, "N"));
        let (mut part, _) = read_str(&reversed).unwrap();
        part.geo = t.geo;
        assert_eq!(render::finish(part, &Settings::default()), want);
    }

    #[test]
    fn the_stream_holds_no_address_or_user_agent() {
        let text = stream(&tables(), 2);
        for raw in [
            "10.1.2.3",
            "10.9.8.7",
            "66.249.1.1",
            "Mozilla",
            "X11; Linux",
        ] {
            assert!(!text.contains(raw), "{raw} in\n{text}");
        }
        assert!(text.contains("Firefox 120") || text.contains("Firefox"));
    }

    #[test]
    fn foreign_and_mixed_lines_are_refused_with_a_reason() {
        let t = tables();
        let text = stream(&t, 2);
        let shard0: Vec<&str> = text.lines().filter(|l| l.starts_with("0\t")).collect();
        let one = |extra: &str| {
            let mut s = shard0.join("\n");
            s.push('\n');
            s.push_str(extra);
            read_str(&s).err().unwrap_or_default()
        };
        assert!(one("127.0.0.1 - - [x] \"GET / HTTP/1.1\" 200 1").contains("not an event stream"));
        assert!(one("0\tH\tlogveil-events\t9\t2\tj\tk\t000").contains("version 9"));
        assert!(
            one(&format!(
                "0\tH\tlogveil-events\t{VERSION}\t2\tother\tk\t000"
            ))
            .contains("another job")
        );
        assert!(
            one(text.lines().find(|l| l.starts_with("1\t")).unwrap())
                .contains("shard 1 after shard 0")
        );
        assert!(one("0\tE\tzz\t1\tp\t1\t0").contains("id"));
        assert!(one("0\tZ\t1").contains("unknown line kind"));
        assert!(
            read_str("0\tE\t1\t1\tp\t1\t0\n")
                .unwrap_err()
                .contains("before the stream's header")
        );
    }
}
