//! Aggregation for `logveil report`: classification of hits ([`classify`]), the default lists
//! ([`lists`]), visitor keys ([`visitors`]), distinct visitors per row for `--min-visitors` ([`distinct`]), referrers and search terms ([`search`]), CLF time
//! ([`time`]), mergeable partial tables ([`tables`]), the visit walk ([`visits`]), and the tables of the
//! final [`report::Report`], each declared once in [`catalog`] and rendered by [`render`].
//!
//! [`Analyzer::chunk`] turns a chunk of lines into a [`tables::Tables`]; partials merge with
//! [`tables::Tables::merge`]; [`render::finish`] turns the merged partial into report tables.

pub(crate) mod catalog;
pub(crate) mod classify;
pub(crate) mod clicks;
pub(crate) mod coarse;
pub(crate) mod compare;
pub(crate) mod distinct;
pub(crate) mod events;
mod internal;
pub(crate) mod lists;
mod memo;
pub(crate) mod merge;
mod named;
pub(crate) mod partial;
pub(crate) mod places;
pub(crate) mod range;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod requests;
mod rows;
pub(crate) mod run;
pub(crate) mod search;
mod sources;
pub(crate) mod spill;
pub(crate) mod tables;
pub(crate) mod time;
pub(crate) mod visitors;
pub(crate) mod visits;

use crate::format::{ChunkParser, Parsed};
use crate::privacy::Rules;
use crate::privacy::cache::{Shelf, cached};
use crate::privacy::client::reduce_client;
use crate::privacy::forwarded::visitor_address;
use crate::privacy::ip::IpMode;
use crate::privacy::url::rewrite_url;
use crate::record::{Encoding, Record, TimeKind};

use crate::record::origin_form;
use classify::{Resource, resource, split_target, stable_hash, with_ua};
use search::Referrer;
use tables::{DayHits, Event, EventKind, Tables, UaClass, VisitorDay, VisitorHits};
use visitors::{DayKeys, VisitorKeyer};

/// The default `--min-visitors` of `report` and `merge`: a row of a free-text table is shown only when at
/// least this many distinct visitors of the run were behind it.
pub(crate) const DEFAULT_MIN_VISITORS: u64 = 5;

/// What the analysis needs to know besides the log.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Privacy rules for paths, referrers and client networks.
    pub rules: Rules,
    /// Hosts of the site (`--site-host`): referrers from them are internal. When empty, the request's own
    /// host (`%v`) is the only internal host.
    pub site_hosts: Vec<String>,
    /// The redirect endpoint of outlinks (`--outlink-path`), e.g. `/out`.
    pub outlink_path: Option<String>,
    /// The parameter of the outlink endpoint holding the target URL (`--outlink-param`).
    pub outlink_param: String,
    /// Rows of free-text tables seen by fewer distinct visitors of the whole run are folded into `(other)`
    /// (`--min-visitors`, default `DEFAULT_MIN_VISITORS`; see `distinct`).
    pub min_visitors: u64,
    /// The run writes a partial or an event stream (`--partial`, `--emit-events`), whose `requests` rows
    /// keep their distinct clients up to [`distinct::PARTIAL_CAP`] so that `merge` may fold at a larger
    /// `--min-visitors`; otherwise up to `min_visitors`, all a report folds by (the same output, without
    /// lists of a hundred hashes on every busy row). True by default.
    pub for_partial: bool,
    /// `--since` / `--until`: records outside are counted as excluded and nothing else.
    pub range: range::TimeRange,
    /// Lines longer than this are counted as `too_long` and not analysed (`--max-line-bytes`).
    pub max_line_bytes: usize,
    /// `--geoip`: the databases placing each human visitor's full address in a country, region and
    /// autonomous system (see [`crate::geo`]).
    pub geoip: Option<crate::geo::GeoIp>,
    /// `--exclude-ip`, `--exclude-path`, `--exclude-ua`, `--include-host`: lines they exclude are counted
    /// by reason and nothing else.
    pub filters: crate::filter::Filters,
    /// `--only-humans`: hits of user agents recognised as bots are counted as `excluded_bots` and nothing
    /// else.
    pub only_humans: bool,
    /// `--trusted-proxy`: the networks skipped when a forwarded list names the visitor (default: the private
    /// ranges; see [`crate::privacy::forwarded`]).
    pub trusted_proxies: crate::privacy::forwarded::TrustedProxies,
    /// `--path-depth` and `--goal-path`: the clickstream tables' settings.
    pub clicks: clicks::Clicks,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rules: Rules::default(),
            site_hosts: Vec::new(),
            outlink_path: None,
            outlink_param: "url".to_string(),
            min_visitors: DEFAULT_MIN_VISITORS,
            for_partial: true,
            range: range::TimeRange::default(),
            max_line_bytes: crate::input::DEFAULT_MAX_LINE_BYTES,
            geoip: None,
            filters: crate::filter::Filters::default(),
            only_humans: false,
            trusted_proxies: crate::privacy::forwarded::TrustedProxies::default(),
            clicks: clicks::Clicks::default(),
        }
    }
}

/// True when an opt-out header value is `1`.
pub(crate) fn opted_out(record: &Record<'_>) -> bool {
    let is_one =
        |s: Option<crate::record::Span>| s.is_some_and(|s| record.get(s).trim_ascii() == b"1");
    is_one(record.dnt) || is_one(record.sec_gpc)
}

/// The time of a record in its own local time (W3C and epoch times are UTC), whatever its format.
pub(crate) fn record_time(dates: &mut time::DateCache, r: &Record<'_>) -> Option<time::LocalSecs> {
    let t = r.opt(r.time);
    match r.time_kind {
        TimeKind::Clf => dates.parse(t),
        TimeKind::Iso8601 => time::parse_iso(t),
        TimeKind::W3c => match (r.date, &r.header_date) {
            (None, Some(day)) => time::parse_w3c(day, t),
            _ => time::parse_w3c(r.opt(r.date), t),
        },
        TimeKind::Epoch => time::parse_epoch(t),
        TimeKind::EpochMs => time::parse_epoch_scaled(t, 1_000),
        TimeKind::EpochUs => time::parse_epoch_scaled(t, 1_000_000),
        TimeKind::Strftime(f) => crate::format::strftime_secs(f, t),
    }
}

/// Turns chunks of lines into partial tables.
#[derive(Debug, Clone)]
pub struct Analyzer {
    settings: Settings,
    keyer: VisitorKeyer,
    /// Names these settings' rewrites in the per-thread cache ([`crate::privacy::cache`]).
    tag: u64,
    /// The rules the `networks` table reduces clients by: the run's, but never keyed. A pseudonym (or a
    /// Crypto-PAn address) stands for one address, hence one person, and with a kept key links them from
    /// report to report; a published table shows the truncated network instead.
    network_rules: Rules,
    /// Whether any filter is set (`--exclude-*`, `--include-host`, `--only-humans`).
    filtering: bool,
    /// The settings' `clicks`, handed to every chunk's tables for the visit walk.
    clicks: std::sync::Arc<clicks::Clicks>,
    /// Distinct clients per `requests` row are kept up to this count: `--min-visitors`, or more for a
    /// partial (see [`distinct::PARTIAL_CAP`]).
    requests_cap: u64,
}

impl Analyzer {
    /// An analyzer keying visitors with `keyer`.
    pub fn new(settings: Settings, keyer: VisitorKeyer) -> Analyzer {
        use std::hash::BuildHasher;
        let tag = foldhash::fast::FixedState::with_seed(2).hash_one((
            &settings.rules,
            &settings.site_hosts,
            "analyze",
        ));
        let mut network_rules = settings.rules.clone();
        if network_rules.ip.mode().needs_key() {
            // Truncation takes no key, so this cannot fail.
            if let Ok(truncated) = network_rules.ip.clone().with_mode(IpMode::Truncate, None) {
                network_rules.ip = truncated;
            }
        }
        let filtering = !settings.filters.is_empty() || settings.only_humans;
        let clicks = std::sync::Arc::new(settings.clicks.clone());
        let requests_cap = if settings.for_partial {
            settings.min_visitors.max(distinct::PARTIAL_CAP)
        } else {
            settings.min_visitors.max(1)
        };
        Analyzer {
            clicks,
            requests_cap,
            settings,
            keyer,
            tag,
            network_rules,
            filtering,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Analyses a chunk of whole lines (`\n` or `\r\n` terminated; the last may lack its terminator).
    pub fn chunk(&self, parser: &mut ChunkParser<'_>, bytes: &[u8]) -> Tables {
        if parser.prefix() == Some(crate::format::Prefix::DockerJson) {
            // Docker's JSON strings decoded line for line, so records borrow from the decoded chunk.
            let decoded = crate::format::prefix::decode_docker_chunk(bytes);
            return self.lines(parser, &decoded);
        }
        self.lines(parser, bytes)
    }

    fn lines(&self, parser: &mut ChunkParser<'_>, bytes: &[u8]) -> Tables {
        let mut state = ChunkState::new(&self.keyer);
        state.t.requests = requests::Requests::new(self.requests_cap);
        for line in crate::input::lines::lines(bytes, self.settings.max_line_bytes) {
            let (line, overlong) = (parser.strip(line.text), line.overlong);
            state.t.counts.lines += 1;
            if line.is_empty() {
                state.t.counts.blank += 1;
            } else if overlong {
                state.t.counts.too_long += 1;
            } else if let Some(fields) = parser.scan_clf(line) {
                // The CLF family's fast path: no dispatch, no record moved through `Parsed`.
                self.record(&fields.record(line), &mut state);
            } else {
                match parser.parse_or_behind(line) {
                    Parsed::Record(record) => self.record(&record, &mut state),
                    Parsed::Directive => state.t.counts.blank += 1,
                    // Blanks and tabs only: blank, as `anonymize` and `formats --detect` count them.
                    Parsed::Unparsed if line.iter().all(u8::is_ascii_whitespace) => {
                        state.t.counts.blank += 1
                    }
                    Parsed::Unparsed => state.t.counts.unparsed += 1,
                }
            }
        }
        let mut t = state.finish();
        t.geo = self.geo_kinds();
        t.clicks = Some(self.clicks.clone());
        t
    }

    /// Which tables the run's `--geoip` databases fill.
    fn geo_kinds(&self) -> tables::GeoKinds {
        self.settings
            .geoip
            .as_ref()
            .map_or_else(tables::GeoKinds::default, |g| tables::GeoKinds {
                countries: g.has_countries(),
                regions: g.has_regions(),
                asn: g.has_asn(),
            })
    }

    /// Why the filters exclude `r`, if they do (`--only-humans` asks the cached UA classification).
    fn excluded(&self, r: &Record<'_>) -> Option<crate::filter::Reason> {
        if let Some(reason) = self.settings.filters.excludes(r) {
            return Some(reason);
        }
        if self.settings.only_humans {
            let ua = r.user_agent.map_or(&b""[..], |s| r.get(s));
            if with_ua(ua, |info| info.bot.is_some()) {
                return Some(crate::filter::Reason::Bot);
            }
        }
        None
    }

    fn record<'a>(&self, r: &Record<'a>, st: &mut ChunkState<'_, 'a>) {
        let Some(time) = record_time(&mut st.dates, r) else {
            st.t.counts.unparsed += 1;
            return;
        };
        st.t.counts.parsed += 1;
        st.t.counts.off_the_hour += u64::from(time % 3600 != 0);
        match self.settings.range.place(time, r.opt(r.time)) {
            range::Placement::Inside => {}
            range::Placement::Before => {
                st.t.counts.excluded_before += 1;
                st.t.counts.exclude_at(time);
                return;
            }
            range::Placement::After => {
                st.t.counts.excluded_after += 1;
                st.t.counts.exclude_at(time);
                return;
            }
        }
        if r.non_http {
            // A TCP or TLS connection, not a request: counted apart, never a hit.
            st.t.counts.non_http += 1;
            return;
        }
        if self.filtering {
            if let Some(reason) = self.excluded(r) {
                st.t.counts.excluded[reason as usize] += 1;
                return;
            }
        }
        let day = time::day_of(time);
        let di = match st.days.iter().rposition(|(d, _, _)| *d == day) {
            Some(i) => i,
            None => {
                st.days.push((day, DayHits::default(), vec![0; 1000]));
                st.days.len() - 1
            }
        };
        st.days[di].1.parsed += 1;
        if opted_out(r) {
            st.t.counts.opted_out += 1;
            st.days[di].1.opted_out += 1;
            return;
        }
        // No status (an empty or `-` field, a format without one): code 0, shown as `-`.
        let status = parse_u64(r.opt(r.status)).map_or(0, |s| s.min(999) as u16);
        let bytes = parse_u64(r.opt(r.bytes)).unwrap_or(0);
        let (_, dh, codes) = &mut st.days[di];
        codes[usize::from(status.min(999))] += 1;
        dh.hits += 1;
        dh.bytes += bytes;
        dh.hours[time::hour_of(time)] += 1;
        let t = &mut st.t;
        t.counts.hits += 1;
        t.counts.bytes += bytes;

        let ua = r.user_agent.map(|s| r.get(s));
        let (method, target) = r.method_and_target();
        // A full URL in the request line (ALB, ELB, proxies): its path is the page, its host the site's
        // when the format names none.
        let (url_host, target) = origin_form(target);
        let host = match (r.vhost, url_host) {
            (Some(s), _) => search::host_without_port(r.get(s)),
            (None, Some(h)) => search::host_without_port(h),
            (None, None) => &b""[..],
        };
        let client = r.opt(r.client);
        // One lookup per line: per (client, UA, host, day) the UA class, bot verdict, visitor key and the
        // visitor's counts of this chunk.
        let id = (client, ua, host, day);
        let index = match st.clients.get(&id) {
            Some(&i) => i,
            None => {
                let c = self.new_client(client, ua.map(|u| (u, r.encoding)), host, day, st);
                st.client_list.push(c);
                let i = st.client_list.len() - 1;
                st.clients.insert(id, i);
                i
            }
        };
        let (path, query) = match split_target(target) {
            (b"", query) if url_host.is_some() => (&b"/"[..], query),
            split => split,
        };
        // Every hit, bots and assets included, counts in `requests` under its path's id.
        let id = self.path_id(path, &mut st.t, &mut st.page_ids, &mut st.scratch);
        let known = &mut st.client_list[index];
        let t = &mut st.t;
        t.requests
            .count((day, id), status, bytes, known.bot.is_none(), known.person);
        if let Some(b) = known.bot {
            t.counts.bot_hits += 1;
            st.bots[b as usize].1 += 1;
            return;
        }
        let key = known.key;
        // W3C `cs-uri-query` (`-` when empty), else the target's own.
        let query = match r.query.map(|q| r.get(q)) {
            Some(q) if q != b"-" && !q.is_empty() => q,
            _ => query,
        };
        known.hits.hits += 1;
        known.hits.valid_hits += u64::from(matches!(status, 200 | 206 | 304));
        if path == b"/robots.txt" {
            known.visitor.robots = true;
        }

        if status == 404 {
            // The path's text is the one `requests` named it by: not rewritten again.
            let text = t.pages.get(&id).map_or("", String::as_str);
            let row = match t.not_found.get_mut(text) {
                Some(row) => row,
                None => t.not_found.entry(text.to_string()).or_default(),
            };
            *row.visitors.entry(key).or_default() += 1;
            return;
        }
        let get = method == b"GET";
        if let Some(out) = &self.settings.outlink_path {
            if path == out.as_bytes() {
                if let Some(target) =
                    search::param_value(query, self.settings.outlink_param.as_bytes(), true)
                {
                    let decoded = crate::privacy::search::percent_decode(target);
                    let (tpath, _) = split_target(&decoded);
                    st.scratch.clear();
                    rewrite_url(tpath, &self.settings.rules, &mut st.scratch);
                    let s = String::from_utf8_lossy(&st.scratch).into_owned();
                    // The click as an event too, for the clickstream tables: the target in the page
                    // dictionary under an id of its own kind.
                    let id = stable_hash(&[b"outlink", s.as_bytes()]);
                    t.pages.entry(id).or_insert_with(|| s.clone());
                    st.events.push(Event {
                        visitor: key,
                        time,
                        kind: EventKind::Outlink,
                        page: id,
                        referrer: 0,
                    });
                    add_row(&mut t.outlinks, s, key);
                }
                return;
            }
        }
        match resource(path) {
            Resource::Download if status == 200 || status == 206 => {
                *t.download_bytes.entry((day, id)).or_default() += bytes;
                if status == 200 && get {
                    st.events.push(Event {
                        visitor: key,
                        time,
                        kind: EventKind::Download,
                        page: id,
                        referrer: 0,
                    });
                }
            }
            Resource::Page if get && (status == 200 || status == 304) => {
                let referrer = match r.referer {
                    Some(s) => self.referrer_id(r.get(s), host, t),
                    None => 0,
                };
                st.events.push(Event {
                    visitor: key,
                    time,
                    kind: EventKind::PageView,
                    page: id,
                    referrer,
                });
                if !query.is_empty() {
                    if let Some(term) = search::site_search_term(query, &self.settings.rules) {
                        add_row(&mut t.site_search, term, key);
                    }
                    let values = lists::CAMPAIGN_PARAMS
                        .map(|p| search::campaign_value(query, p, &self.settings.rules));
                    if values.iter().any(Option::is_some) {
                        let k = values.map(|v| v.unwrap_or_default()).join("\t");
                        add_row(&mut t.campaigns, k, key);
                    }
                }
            }
            _ => {}
        }
    }

    /// Classifies a client seen for the first time in this chunk: user agent (cached for the run), bot
    /// name, visitor key.
    fn new_client<'a>(
        &self,
        client: &[u8],
        ua: Option<(&[u8], Encoding)>,
        host: &[u8],
        day: i64,
        st: &mut ChunkState<'_, 'a>,
    ) -> Client {
        let t = &mut st.t;
        let decoded;
        let ua = match ua {
            Some((raw, Encoding::Raw)) => Some(raw),
            Some((raw, Encoding::Plus)) => {
                decoded = raw
                    .iter()
                    .map(|&b| if b == b'+' { b' ' } else { b })
                    .collect::<Vec<u8>>();
                Some(&decoded[..])
            }
            Some((raw, Encoding::Percent)) => {
                decoded = crate::privacy::search::percent_decode(raw);
                Some(&decoded[..])
            }
            None => None,
        };
        let (bot, class) = match ua {
            Some(ua) => with_ua(ua, |info| {
                let class = info.class;
                t.uas.entry(class).or_insert_with(|| UaClass {
                    browser: info.browser.clone(),
                    os: info.os.clone(),
                    device: info.device.clone(),
                });
                (info.bot.clone(), class)
            }),
            None => (None, self.unknown_ua(t)),
        };
        let bot = bot.map(
            |b| match st.bots.iter().position(|(k, _)| k.0 == day && k.1 == b) {
                Some(i) => i as u32,
                None => {
                    st.bots.push(((day, b), 0));
                    (st.bots.len() - 1) as u32
                }
            },
        );
        let mut visitor = VisitorDay::default();
        let key = if bot.is_none() {
            // The visitor is one address: the port left off, a forwarded list read past its proxies.
            let client = visitor_address(client, &self.settings.trusted_proxies);
            visitor.ua = st.t.ua_ids.id(class);
            st.scratch.clear();
            reduce_client(client, &self.network_rules, &mut st.scratch);
            let id = stable_hash(&[&st.scratch]);
            visitor.network = st.t.network_ids.id(id);
            st.t.networks
                .entry(id)
                .or_insert_with(|| String::from_utf8_lossy(&st.scratch).into_owned());
            let key = st.keys.key(day, client, ua.unwrap_or(b""), host);
            let (sketch, slot) = st.keys.person();
            visitor.sketch = sketch;
            visitor.set_slot(slot);
            if let Some(geo) = &self.settings.geoip {
                place_visitor(geo, client, key, &mut st.t);
            }
            key
        } else {
            0
        };
        let person = if bot.is_none() {
            visitor.sketch
        } else {
            // A bot's client is told apart in `requests` only: hashed as a visitor's is, then forgotten.
            let client = visitor_address(client, &self.settings.trusted_proxies);
            st.keys.key(day, client, ua.unwrap_or(b""), host);
            st.keys.person().0
        };
        Client {
            key,
            bot,
            visitor,
            hits: VisitorHits {
                day,
                ..VisitorHits::default()
            },
            person,
        }
    }

    fn unknown_ua(&self, t: &mut Tables) -> u64 {
        let class = stable_hash(&[b"Unknown", b"Unknown", b"unknown"]);
        t.uas.entry(class).or_insert_with(|| UaClass {
            browser: "Unknown".into(),
            os: "Unknown".into(),
            device: "unknown".into(),
        });
        class
    }

    /// The id of a path ([`Analyzer::page_id`]), remembered for the rest of the chunk by its raw bytes.
    fn path_id<'a>(
        &self,
        path: &'a [u8],
        t: &mut Tables,
        ids: &mut foldhash::HashMap<&'a [u8], u64>,
        scratch: &mut Vec<u8>,
    ) -> u64 {
        match ids.get(path) {
            Some(&id) => id,
            None => {
                let id = self.page_id(path, t, scratch);
                ids.insert(path, id);
                id
            }
        }
    }

    /// The id of a (rewritten) path, added to the page dictionary.
    fn page_id(&self, path: &[u8], t: &mut Tables, scratch: &mut Vec<u8>) -> u64 {
        scratch.clear();
        cached(Shelf::Mixed, self.tag, path, scratch, |p, out| {
            rewrite_url(p, &self.settings.rules, out)
        });
        let id = stable_hash(&[scratch]);
        t.pages
            .entry(id)
            .or_insert_with(|| String::from_utf8_lossy(scratch).into_owned());
        id
    }

    /// The id of an external referrer (0 when there is none or it is internal).
    fn referrer_id(&self, field: &[u8], host: &[u8], t: &mut Tables) -> u64 {
        if field.is_empty() || field == b"-" {
            return 0;
        }
        let internal = |h: &[u8]| {
            if self.settings.site_hosts.is_empty() {
                !host.is_empty() && h.eq_ignore_ascii_case(host)
            } else {
                self.settings
                    .site_hosts
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(h))
            }
        };
        // The host of the page (the field up to its query) is the field's host whenever it has one: one
        // search per hit. Only a `://` inside the query gives the field a host its page lacks.
        let page = search::without_query(field);
        let (field_host, memoised) = match search::url_host(page) {
            Some(h) => (Some(h), true),
            None => (search::url_host(field), false),
        };
        match field_host {
            Some(h) if !internal(h) => {}
            _ => return 0,
        }
        // Which host counts as internal is part of the parse when no --site-host is given.
        let context = if self.settings.site_hosts.is_empty() {
            host
        } else {
            b""
        };
        let rules = &self.settings.rules;
        let mut id_of = |base: Option<&search::ReferrerBase>| {
            let Some(base) = base else { return 0 };
            // Only a search engine's keyword is read from the query.
            let keyword = base.engine.map(|e| search::search_keyword(field, e, rules));
            let engine = base.engine.map_or(&b""[..], |e| e.name.as_bytes());
            // Keyed by what is shown, so referrers that differ in nothing shown share one entry.
            let id = stable_hash(&[
                base.site.as_bytes(),
                base.page.as_bytes(),
                engine,
                keyword.as_deref().unwrap_or("\0").as_bytes(),
            ]);
            t.referrers.entry(id).or_insert_with(|| Referrer {
                site: base.site.clone(),
                page: base.page.clone(),
                search: base.engine.zip(keyword).map(|(e, k)| (e.name, k)),
            });
            id
        };
        if !memoised {
            // `://` only in the query: the base depends on more than the page; not memoised.
            return id_of(search::referrer_base(field, internal, rules).as_ref());
        }
        memo::referrer(
            self.tag,
            page,
            context,
            || search::referrer_base(field, internal, rules),
            id_of,
        )
    }
}

/// A client as first seen in a chunk, with its counts in the chunk.
#[derive(Debug, Clone, Copy)]
struct Client {
    /// What the chunk saw of this visitor (humans only).
    visitor: VisitorDay,
    /// The visitor's day and its counts in the chunk (humans only).
    hits: VisitorHits,
    /// Visitor key (0 for bots).
    key: u64,
    /// Index into `ChunkState::bots` when the client is a bot.
    bot: Option<u32>,
    /// The person hash of the client (a visitor's or a bot's), the same on every day of the run: the
    /// distinct clients of `requests` rows.
    person: u64,
}

/// A bot (name, reason) on a day.
type DayBot = (i64, (String, classify::BotReason));

/// Client fields of a line: address, user agent, host, day.
type ClientId<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8], i64);

struct ChunkState<'k, 'a> {
    t: Tables,
    keys: DayKeys<'k>,
    scratch: Vec<u8>,
    dates: time::DateCache,
    clients: foldhash::HashMap<ClientId<'a>, usize>,
    /// Raw path → page id, so a path seen before in the chunk is not rewritten again.
    page_ids: foldhash::HashMap<&'a [u8], u64>,
    client_list: Vec<Client>,
    /// Per day: lines and hits, and hits per status code (index = code, 999 for anything above).
    days: Vec<(i64, DayHits, Vec<u64>)>,
    bots: Vec<(DayBot, u64)>,
    events: Vec<Event>,
}

thread_local! {
    /// The sizes the last chunk of this thread reached (clients, raw paths, events): the next chunk's
    /// tables start at them, instead of growing to them by doubling (each growth hashes every key again,
    /// and a client's key holds its user agent).
    static CHUNK_SIZES: std::cell::Cell<[usize; 3]> = const { std::cell::Cell::new([0; 3]) };
}

impl<'k, 'a> ChunkState<'k, 'a> {
    fn new(keyer: &'k VisitorKeyer) -> Self {
        let [clients, paths, events] = CHUNK_SIZES.get();
        ChunkState {
            t: Tables::default(),
            keys: DayKeys::new(keyer),
            scratch: Vec::with_capacity(1024),
            dates: time::DateCache::default(),
            clients: foldhash::HashMap::with_capacity_and_hasher(clients, Default::default()),
            client_list: Vec::with_capacity(clients),
            page_ids: foldhash::HashMap::with_capacity_and_hasher(paths, Default::default()),
            days: Vec::new(),
            bots: Vec::new(),
            events: Vec::with_capacity(events),
        }
    }

    /// Moves the per-chunk counters into the tables.
    fn finish(mut self) -> Tables {
        CHUNK_SIZES.set([
            self.client_list.len(),
            self.page_ids.len(),
            self.events.len(),
        ]);
        self.t.visitors.reserve(self.client_list.len());
        if !self.events.is_empty() {
            self.events.shrink_to_fit();
            self.t.events.push(self.events);
        }
        for c in &self.client_list {
            if c.bot.is_none() && c.hits.hits > 0 {
                self.t.add_visitor(c.key, c.visitor, c.hits);
            }
        }
        for (day, h, codes) in self.days {
            for (code, n) in codes.iter().enumerate() {
                if *n > 0 {
                    *self.t.status.entry((day, code as u16)).or_default() += n;
                }
            }
            self.t.days.entry(day).or_default().add(&h);
        }
        for ((day, (name, reason)), n) in self.bots {
            if n > 0 {
                *self.t.bots.entry((day, name, reason)).or_default() += n;
            }
        }
        self.t
    }
}

/// Looks up the place of a human visitor's full address (once per new client of a chunk) and keeps only
/// the place's id against the visitor key.
fn place_visitor(geo: &crate::geo::GeoIp, client: &[u8], key: u64, t: &mut Tables) {
    let place = match crate::geo::client_address(client) {
        Some(ip) => geo.place(ip),
        None => std::sync::Arc::new(crate::geo::Place::unknown()),
    };
    let id = stable_hash(&[
        place.country.as_bytes(),
        place.region.as_bytes(),
        &place.asn.to_le_bytes(),
    ]);
    t.places.insert(key, id);
    t.place_names.entry(id).or_insert_with(|| (*place).clone());
}

fn add_row(rows: &mut tables::Rows, key: String, visitor: u64) {
    let row = rows.entry(key).or_default();
    *row.visitors.entry(visitor).or_default() += 1;
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    b.iter().try_fold(0u64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

/// Drops `value` on a thread of its own, so that freeing a large structure (millions of strings) does not
/// hold up the run; drops it here when no thread can be started. The process may end first: the memory
/// goes back to the system all the same.
pub(crate) fn drop_aside<T: Send + 'static>(value: T) {
    // When no thread can be started, `spawn` drops the closure here, and `value` with it.
    let _ = std::thread::Builder::new()
        .name("logveil-free".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Format, LineParser};
    use crate::record::Span;

    fn run(lines: &[&[u8]], dnt_value_at_end: bool) -> Tables {
        let a = Analyzer::new(Settings::default(), VisitorKeyer::with_key([1; 32]));
        let parser = LineParser::detected(Format::Combined);
        let mut st = ChunkState::new(&a.keyer);
        for line in lines {
            let mut r = parser.parse(line).unwrap();
            if dnt_value_at_end {
                // A later format would fill these from `%{DNT}i` / `%{Sec-GPC}i`; here the last byte.
                r.dnt = Some(Span::new(line.len() - 1, line.len()));
            }
            a.record(&r, &mut st);
        }
        st.finish()
    }

    const PAGE: &[u8] =
        br#"10.1.2.3 - - [23/Nov/2026:10:00:00 +0000] "GET /a?q=x HTTP/1.1" 200 5 "https://x.org/" "Firefox/1" 1"#;
    const NO_DNT: &[u8] =
        br#"10.1.2.3 - - [23/Nov/2026:10:00:00 +0000] "GET /a?q=x HTTP/1.1" 200 5 "https://x.org/" "Firefox/1" 0"#;

    #[test]
    fn do_not_track_hits_are_counted_only_in_the_summary() {
        let t = run(&[PAGE, PAGE], true);
        assert_eq!(t.counts.parsed, 2);
        assert_eq!(t.counts.opted_out, 2);
        assert_eq!(t.counts.hits, 0);
        assert!(
            t.status.is_empty()
                && t.days.values().all(|d| d.hits == 0 && d.opted_out == 2)
                && t.visitors.is_empty()
                && t.event_count() == 0
        );
        assert!(t.site_search.is_empty() && t.referrers.is_empty());
        let report = render::finish(t, &Settings::default());
        let summary = report.table("summary").unwrap().text_rows();
        assert!(summary.contains(&vec!["opted_out".to_string(), "2".to_string()]));
        assert!(report.table("status").unwrap().rows.is_empty());
        assert!(report.table("pages").unwrap().rows.is_empty());
        assert!(report.table("days").unwrap().rows.is_empty());
    }

    #[test]
    fn rows_summed_over_days_render_as_rows_per_day() {
        // Two visitors over three days, pages, referrers, search terms, a download and a 404.
        let mut lines = Vec::new();
        for (day, ip, path, referrer) in [
            (23, "10.1.2.3", "/a?q=x", "https://x.org/p"),
            (23, "10.1.2.3", "/b", "-"),
            (23, "10.9.2.3", "/a", "https://www.google.com/search?q=cats"),
            (24, "10.1.2.3", "/a", "https://x.org/p"),
            (24, "10.1.2.3", "/f.zip", "-"),
            (25, "10.9.2.3", "/gone", "-"),
            (25, "10.9.2.3", "/b?search=dogs", "https://y.org/"),
            // A mirror of the site referring from its pages: inferred internal, in both modes.
            (24, "10.7.7.7", "/b", "http://www.mine.example/a"),
            (25, "10.7.7.8", "/b", "http://www.mine.example/b"),
        ] {
            let status = if path == "/gone" { 404 } else { 200 };
            lines.push(format!(
                r#"{ip} - - [{day}/Nov/2026:10:00:00 +0000] "GET {path} HTTP/1.1" {status} 5 "{referrer}" "Firefox/1""#
            ));
        }
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let aggregate = |per_day_rows: bool| {
            let store = spill::EventStore::in_memory();
            visits::aggregate_store(run(&lines, false), store, 1, per_day_rows).unwrap()
        };
        let (per_day, summed) = (aggregate(true), aggregate(false));
        assert!(per_day.summed.pages.is_empty());
        assert!(per_day.days.values().all(|d| !d.pages.is_empty()));
        let pages: Vec<&str> = summed.summed.pages.keys().map(String::as_str).collect();
        assert_eq!(pages, ["/a", "/b"]);
        assert!(
            summed
                .days
                .values()
                .all(|d| d.pages.is_empty() && d.hits > 0)
        );
        assert_eq!(summed.summed.pages["/a"].views, 3);
        assert_eq!(summed.days.len(), 3);
        let report = render::render(&summed, 1);
        assert_eq!(render::render(&per_day, 1), report);
        let sites = report.table("referrer_sites").unwrap().text_rows();
        assert!(sites.iter().any(|r| r[0] == "x.org"), "{sites:?}");
        assert!(sites.iter().all(|r| !r[0].contains("mine")), "{sites:?}");
    }

    #[test]
    fn visitors_summed_in_slices_count_each_visitor_once() {
        // Five visitors, two of them on both days; the unit tests sum the visitor table in slices of
        // two rows, so the counts below are added across slices.
        const FIREFOX: &str =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0";
        const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        let mut lines = Vec::new();
        for (day, n, ua) in [
            (23, 1, FIREFOX),
            (23, 2, FIREFOX),
            (23, 3, FIREFOX),
            (23, 4, CHROME),
            (23, 5, CHROME),
            (24, 1, FIREFOX),
            (24, 2, FIREFOX),
        ] {
            lines.push(format!(
                r#"10.{n}.2.3 - - [{day}/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "{ua}""#
            ));
        }
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        for per_day_rows in [false, true] {
            let store = spill::EventStore::in_memory();
            let agg = visits::aggregate_store(run(&lines, false), store, 1, per_day_rows).unwrap();
            let report = render::render(&agg, 1);
            let rows = |table: &str| report.table(table).unwrap().text_rows();
            let summary = rows("summary");
            let metric = |name: &str| {
                let row = summary.iter().find(|r| r[0] == name).unwrap();
                row[1].clone()
            };
            assert_eq!(metric("visitor_days"), "7");
            assert_eq!(metric("visitors"), "5");
            let browsers = rows("browsers");
            let firefox = browsers.iter().find(|r| r[0] == "Firefox 120").unwrap();
            let chrome = browsers.iter().find(|r| r[0] == "Chrome 120").unwrap();
            assert_eq!(
                (&firefox[3][..], &chrome[3][..]),
                ("5", "2"),
                "{browsers:?}"
            );
            let networks = rows("networks");
            let days_of = |net: &str| networks.iter().find(|r| r[0] == net).unwrap()[4].clone();
            assert_eq!(days_of("10.1.0.0"), "2", "{networks:?}");
            assert_eq!(days_of("10.5.0.0"), "1", "{networks:?}");
        }
    }

    #[test]
    fn dnt_zero_is_counted() {
        let t = run(&[NO_DNT], true);
        assert_eq!(t.counts.opted_out, 0);
        assert_eq!(t.counts.hits, 1);
        assert_eq!(t.event_count(), 1);
        let mut gpc = Tables::default();
        let a = Analyzer::new(Settings::default(), VisitorKeyer::with_key([1; 32]));
        let parser = LineParser::detected(Format::Combined);
        let mut st = ChunkState::new(&a.keyer);
        let mut r = parser.parse(PAGE).unwrap();
        r.sec_gpc = Some(Span::new(PAGE.len() - 1, PAGE.len()));
        a.record(&r, &mut st);
        gpc.merge(st.finish());
        assert_eq!(gpc.counts.opted_out, 1);
    }
}
