//! Reading and merging partials (`report --partial`): what `merge` does between its inputs and its
//! report.
//!
//! Each input holds one or more partials, one JSON document per line. Days are added up; a day found in two
//! partials is an error unless [`Overlap`] says what to do. [`merge`] is order-independent, so partials of
//! days, servers or Spark partitions merge in any order into the [`Aggregate`] one run over all their logs
//! would give.

use std::collections::BTreeMap;

use super::distinct::RunVisitors;
use super::partial::{self, Aggregate, Day, Header, Partial, Undated};
use crate::error::Error;
use crate::input::{self, InputName};

/// What to do with a day found in several partials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// Stop with an error naming the day and both inputs.
    Error,
    /// Keep the partial written last (its `written` time) for that day.
    Latest,
    /// Add them: the partials hold different lines of the same day. Every hit count stays exact, but a
    /// visitor whose lines of the day are in several partials counts once in each: that day's visitors and
    /// visits are over-counted (each partial keys visitors under its own random key, so they cannot be
    /// matched), as are the visitor-day columns built on them.
    Add,
}

/// A partial read from an input, with where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where it was read: `FILE:LINE`.
    pub origin: String,
    /// The partial.
    pub partial: Partial,
}

/// A partial that cannot be read, at `line` of `input`.
fn bad(input: &InputName, line: u64, reason: String) -> Error {
    Error::BadPartial {
        input: input.clone(),
        line,
        reason,
    }
}

/// Why a line is not a partial, without quoting it (serde's messages may quote values).
fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => format!("truncated partial (ends at column {})", e.column()),
        Category::Syntax => format!("corrupt partial: invalid JSON at column {}", e.column()),
        Category::Data => format!(
            "corrupt partial: a field does not match the partial format (column {})",
            e.column()
        ),
        Category::Io => "cannot be read".to_string(),
    }
}

/// The largest count a partial may hold (2^48: 281 TB of bytes, or hits, in one day). A larger one can
/// only come from a damaged file, and refusing it keeps every sum of a merge (up to 65,536 partials or
/// days of such counts) inside `u64`.
pub(crate) const MAX_COUNT: u64 = 1 << 48;

/// True when every number in `value` is an integer from 0 to [`MAX_COUNT`] (partials hold nothing else).
fn counts_in_range(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => n.as_u64().is_some_and(|n| n <= MAX_COUNT),
        Value::Array(items) => items.iter().all(counts_in_range),
        Value::Object(fields) => fields.values().all(counts_in_range),
        _ => true,
    }
}

/// What `merge` says of a file that is not a partial.
const NOT_A_PARTIAL: &str = "not a partial (made by `logveil report --partial`)";

/// Parses one line as a partial of this version.
pub fn parse_line(input: &InputName, line_no: u64, line: &[u8]) -> Result<Partial, Error> {
    // A partial is one JSON object per line: a line that does not even start like one is another kind of
    // file (a log given to `merge` instead of `report`), not a damaged partial.
    if line.trim_ascii_start().first() != Some(&b'{') {
        return Err(bad(input, line_no, NOT_A_PARTIAL.into()));
    }
    let header: Header =
        serde_json::from_slice(line).map_err(|e| bad(input, line_no, json_reason(&e)))?;
    if header.schema.as_deref() != Some(partial::SCHEMA) {
        return Err(bad(input, line_no, NOT_A_PARTIAL.into()));
    }
    let readable = u64::from(partial::OLDEST_VERSION)..=u64::from(partial::VERSION);
    if !header.version.is_some_and(|v| readable.contains(&v)) {
        return Err(bad(
            input,
            line_no,
            format!(
                "partial version {} is not supported: this logveil reads versions {} to {}",
                header.version.map_or("?".to_string(), |v| v.to_string()),
                partial::OLDEST_VERSION,
                partial::VERSION
            ),
        ));
    }
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| bad(input, line_no, json_reason(&e)))?;
    if !counts_in_range(&value) {
        return Err(bad(
            input,
            line_no,
            format!("corrupt partial: a count is negative or above {MAX_COUNT}"),
        ));
    }
    // From a value there is no column to name.
    let p: Partial = serde_json::from_value(value).map_err(|_| {
        bad(
            input,
            line_no,
            "corrupt partial: a field does not match the partial format".into(),
        )
    })?;
    if p.day_numbers().is_none() {
        return Err(bad(
            input,
            line_no,
            "corrupt partial: a day is not a YYYY-MM-DD date".into(),
        ));
    }
    Ok(p)
}

/// Reads every partial of every input.
pub(crate) fn read(inputs: &[InputName]) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let read_err = |source| Error::read(input, source);
        // A partial is one line, often longer than a log line may be (megabytes for a busy month).
        let mut src = input::open_limited(input, usize::MAX).map_err(read_err)?;
        let mut bytes = Vec::new();
        while let Some(block) = src.next_block().map_err(read_err)? {
            bytes.extend_from_slice(&block);
        }
        let mut found = false;
        // A partial is one line, however long.
        for line in input::lines::lines(&bytes, usize::MAX) {
            if line.text.trim_ascii().is_empty() {
                continue;
            }
            let n = line.no;
            out.push(Source {
                origin: format!("{input}:{n}"),
                partial: parse_line(input, n, line.text)?,
            });
            found = true;
        }
        if !found {
            return Err(bad(input, 1, "empty: no partial in it".into()));
        }
    }
    Ok(out)
}

/// Merges partials into one aggregate. Order-independent: the result is the same for any order of
/// `sources` (`latest` breaks a tie of write times by refusing).
pub fn merge(sources: &[Source], overlap: Overlap) -> Result<Aggregate, Error> {
    let combined = combine_shards(sources)?;
    let sources = &combined[..];
    // Which source provides each day.
    let mut owners: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        for date in s.partial.days.keys() {
            owners.entry(date).or_default().push(i);
        }
    }
    let mut chosen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (date, list) in owners {
        if list.len() == 1 || overlap == Overlap::Add {
            chosen.insert(date, list);
            continue;
        }
        let (a, b) = (&sources[list[0]], &sources[list[1]]);
        if overlap == Overlap::Error {
            return Err(Error::Merge(format!(
                "day {date} is in both {} and {}: pass --overlap latest to keep the one written last \
                 (a re-run day), or --overlap add to add them (slices of one day)",
                a.origin, b.origin
            )));
        }
        let newest = list
            .iter()
            .copied()
            .max_by(|x, y| {
                sources[*x]
                    .partial
                    .written
                    .cmp(&sources[*y].partial.written)
            })
            .unwrap_or(list[0]);
        let ties = list
            .iter()
            .filter(|i| sources[**i].partial.written == sources[newest].partial.written)
            .count();
        if ties > 1 {
            return Err(Error::Merge(format!(
                "day {date} is in several partials written at the same time; remove the duplicate \
                 (first: {})",
                a.origin
            )));
        }
        chosen.insert(date, vec![newest]);
    }
    let mut used = vec![false; sources.len()];
    // Days of each partial that were kept.
    let mut kept_days = vec![0usize; sources.len()];
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    let mut visitors = RunVisitors::default();
    for (date, list) in &chosen {
        for &i in list {
            used[i] = true;
            kept_days[i] += 1;
            let p = &sources[i].partial;
            let n = day_number(date)
                .ok_or_else(|| Error::Merge(format!("{}: bad day {date}", sources[i].origin)))?;
            let day = &p.days[*date];
            days.entry(n).or_default().add(day);
            // A day's visitors per row are distinct people of that day: a lower bound in any case.
            visitors.raise_day(day);
        }
    }
    // A partial kept whole gives its run's distinct visitors per row (a lower bound of the merged
    // ones); one of which some day was replaced may count people of that day only, so it is left out.
    for (i, s) in sources.iter().enumerate() {
        if used[i] && kept_days[i] == s.partial.days.len() {
            visitors.raise(&s.partial.visitors);
        }
    }
    // Lines without a day come from every partial that gave a day, or that has no day at all.
    let mut undated = Undated::default();
    let mut keys = std::collections::BTreeSet::new();
    let mut geo = super::tables::GeoKinds::default();
    let mut site_hosts_given = true;
    for (i, s) in sources.iter().enumerate() {
        if used[i] || s.partial.days.is_empty() {
            undated.add(&s.partial.undated);
            geo = geo.or(s.partial.geoip);
            site_hosts_given &= s.partial.site_hosts_given;
        }
        if used[i] {
            keys.insert(s.partial.sketch_key_id.as_str());
        }
    }
    // The shards of one job, alone: one run's exact distinct visitors over weeks, months and the range.
    let exact = match sources {
        [one] => one.partial.exact.clone(),
        _ => None,
    };
    Ok(Aggregate {
        undated,
        days,
        sketches_compatible: keys.len() <= 1,
        visitors,
        exact,
        geo,
        site_hosts_given,
        summed: Default::default(),
        prefolded: BTreeMap::new(),
    })
}

/// Replaces the shards of each sharded job (`report --from-events`) by one partial of the whole job: its
/// shards hold disjoint visitors, so every count adds exactly, the distinct visitors per row and over
/// weeks and months included. A job with a shard missing or given twice is an error.
fn combine_shards(sources: &[Source]) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    let mut jobs: BTreeMap<(&str, u32), Vec<&Source>> = BTreeMap::new();
    for s in sources {
        match &s.partial.shard {
            None => out.push(s.clone()),
            Some(shard) => jobs
                .entry((shard.job.as_str(), shard.of))
                .or_default()
                .push(s),
        }
    }
    for ((job, of), mut shards) in jobs {
        let index = |s: &Source| s.partial.shard.as_ref().map_or(0, |x| x.index);
        shards.sort_by_key(|s| index(s));
        let indices: Vec<u32> = shards.iter().map(|s| index(s)).collect();
        if indices != (0..of).collect::<Vec<u32>>() {
            return Err(Error::Merge(match (0..of).find(|i| !indices.contains(i)) {
                Some(i) => format!(
                    "shard {i} of {of} of job {job} is missing: merge every shard of the job"
                ),
                None => format!("a shard of job {job} is given twice: merge each shard once"),
            }));
        }
        let cap = shards
            .iter()
            .map(|s| s.partial.visitors_cap)
            .min()
            .unwrap_or(1)
            .max(1);
        let first = &shards[0].partial;
        let mut whole = Partial {
            shard: None,
            exact: Some(Default::default()),
            days: BTreeMap::new(),
            undated: Undated::default(),
            visitors: RunVisitors::default(),
            visitors_cap: cap,
            ..first.clone()
        };
        for s in &shards {
            let p = &s.partial;
            if p.sketch_key_id != first.sketch_key_id {
                return Err(Error::Merge(format!(
                    "{}: a shard of job {job} made under another sketch key",
                    s.origin
                )));
            }
            for (date, day) in &p.days {
                whole.days.entry(date.clone()).or_default().add(day);
            }
            whole.undated.add(&p.undated);
            let mut visitors = p.visitors.clone();
            for day in p.days.values() {
                visitors.list_singles(day);
            }
            whole.visitors.add_disjoint(&visitors, cap);
            whole.geoip = whole.geoip.or(p.geoip);
            whole.written = whole.written.max(p.written.clone());
            match (&mut whole.exact, &p.exact) {
                (Some(all), Some(e)) => all.add(e),
                (exact, _) => *exact = None,
            }
        }
        // A shard's days hold every path of its visits: bounded now, the same paths as one run keeps.
        for day in whole.days.values_mut() {
            day.paths =
                super::clicks::bounded(std::mem::take(&mut day.paths).into_iter().collect());
        }
        out.push(Source {
            origin: format!("{} (job {job}, {of} shards)", shards[0].origin),
            partial: whole,
        });
    }
    Ok(out)
}

/// The day number of a `YYYY-MM-DD` date.
fn day_number(date: &str) -> Option<i64> {
    use chrono::Datelike;
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(super::time::days_from_civil(
        i64::from(d.year()),
        d.month(),
        d.day(),
    ))
}

/// The dates (`YYYY-MM-DD`) found in more than one partial, in order.
pub(crate) fn shared_days(sources: &[Source]) -> Vec<String> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for s in sources {
        for date in s.partial.days.keys() {
            *seen.entry(date).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(d, _)| d.to_string())
        .collect()
}

/// The partials of `sources` with a day on or after `first_day` (a day number), and how many were left
/// out because every day they hold is older (`merge --keep-days`). A partial without any day is kept: its
/// lines cannot be dated.
pub(crate) fn recent(sources: Vec<Source>, first_day: i64) -> (Vec<Source>, usize) {
    let before = sources.len();
    let kept: Vec<Source> = sources
        .into_iter()
        .filter(|s| {
            let days = s.partial.day_numbers().unwrap_or_default();
            days.is_empty() || days.iter().any(|d| *d >= first_day)
        })
        .collect();
    let skipped = before - kept.len();
    (kept, skipped)
}
