//! The clickstream of the visit walk: `transitions` (from one page to the next, from the entrance, to the
//! exit, a download or an outlink), `paths` (the first `--path-depth` page views of each visit) and
//! `goals` (visits that reached a `--goal-path`, with the entry pages and referrer sites that led there).
//!
//! [`super::visits`] hands each visit it walks to a [`ClickWalk`], which counts it per day, with the
//! distinct visitors of each row over the run (for `--min-visitors`) as the other tables do. Nothing
//! here needs an identifier beyond what the walk already has: page ids, the visit's referrer site and
//! the visitor's sketch hash, which stays in memory.
//!
//! Paths are bounded: a day keeps its [`PATHS_PER_DAY`] most common paths and folds the rest into one
//! `(other)` row, so a partial or a report never holds more, whatever the traffic.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash};

use foldhash::HashMap;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::distinct::{Capped, CappedMap};
use super::partial::{Day, PathRow, Tally};
use super::report::OTHER;
use super::search::Referrer;
use super::tables::{Event, EventKind, Tables};
use super::visits::{Seen, WalkTally, tally};

/// The default `--path-depth`: page views of a visit a path shows.
pub(crate) const DEFAULT_PATH_DEPTH: usize = 4;

/// The largest `--path-depth`.
pub(crate) const MAX_PATH_DEPTH: usize = 10;

/// Paths a day keeps (the most common, by visits, then by text); the others of the day fold into one
/// `(other)` row. A day of a busy site has far fewer common paths than this, and the long tail is
/// paths of one visit each, which `--min-visitors` would fold anyway.
pub(crate) const PATHS_PER_DAY: usize = 1000;

/// The most `--goal-path` patterns a run takes (one bit each in a page's goal mask).
pub(crate) const MAX_GOALS: usize = 32;

/// `from_page` of a visit's first page view without an external referrer.
pub(crate) const DIRECT: &str = "(direct)";
/// `from_page` of a visit's first page view, before the referring site.
pub(crate) const ENTRANCE: &str = "(entrance)";
/// `to_page` of a visit's last page view.
pub(crate) const EXIT: &str = "(exit)";
/// Before a downloaded file in `to_page`.
pub(crate) const DOWNLOAD: &str = "(download)";
/// Before an outlink target in `to_page`.
pub(crate) const OUTLINK: &str = "(outlink)";
/// The last step of a path whose visit had more page views than `--path-depth`.
pub(crate) const MORE: &str = "(more)";
/// Between the steps of a path.
pub(crate) const STEP: &str = " > ";
/// `via` and `source` of a goal's row counting all its conversions.
pub(crate) const ALL: &str = "(all)";
/// `via` of a goal's rows by entry page.
pub(crate) const VIA_ENTRY: &str = "entry_page";
/// `via` of a goal's rows by referring site (or [`DIRECT`]).
pub(crate) const VIA_SITE: &str = "referrer_site";

/// The summary metric of the transitions folded into `(other)`.
pub(crate) const FOLDED_TRANSITIONS: &str = "folded_transitions";

/// `--path-depth` and `--goal-path`.
#[derive(Debug, Clone)]
pub struct Clicks {
    path_depth: usize,
    goals: Vec<String>,
    set: Option<GlobSet>,
    /// Transitions seen by fewer distinct visitors of the run are folded into each day's `(other)` row
    /// as the walk names them (0: none): set by a report that writes no partial, whose `--min-visitors`
    /// would fold them anyway. On real traffic most transitions are seen by one visitor; not naming them
    /// keeps the clickstream's cost small.
    fold_below: u64,
    /// Each day's paths bounded by [`PATHS_PER_DAY`] (true but for one shard of a sharded job, whose
    /// days are bounded once its shards are added: `merge` then keeps the same paths as one run).
    bound_paths: bool,
}

impl Default for Clicks {
    fn default() -> Clicks {
        Clicks {
            path_depth: DEFAULT_PATH_DEPTH,
            goals: Vec::new(),
            set: None,
            fold_below: 0,
            bound_paths: true,
        }
    }
}

impl Clicks {
    /// Paths of `path_depth` page views (1 to [`MAX_PATH_DEPTH`]), and the goals: globs matched against
    /// the whole anonymised path of a page view or download (`*` crosses `/`). Errors say which flag.
    pub fn new(path_depth: usize, goals: &[String]) -> Result<Clicks, String> {
        if !(1..=MAX_PATH_DEPTH).contains(&path_depth) {
            return Err(format!("--path-depth must be 1 to {MAX_PATH_DEPTH}"));
        }
        if goals.len() > MAX_GOALS {
            return Err(format!("--goal-path: at most {MAX_GOALS} goals"));
        }
        let mut set = GlobSetBuilder::new();
        let mut seen = Vec::new();
        for g in goals {
            if g.is_empty() || g.contains(['\t', '\n', '\r']) {
                return Err(format!(
                    "--goal-path: '{}' is empty or holds a tab or line break",
                    g.escape_debug()
                ));
            }
            if seen.contains(g) {
                return Err(format!("--goal-path: '{g}' is given twice"));
            }
            let glob = GlobBuilder::new(g)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("--goal-path: {e}"))?;
            set.add(glob);
            seen.push(g.clone());
        }
        let set = if goals.is_empty() {
            None
        } else {
            Some(set.build().map_err(|e| format!("--goal-path: {e}"))?)
        };
        Ok(Clicks {
            path_depth,
            goals: seen,
            set,
            fold_below: 0,
            bound_paths: true,
        })
    }

    /// These settings with each day's paths bounded (`bound`) or not (one shard of a sharded job, bounded
    /// by `merge` once its job's shards are added).
    pub(crate) fn with_bounded_paths(self, bound: bool) -> Clicks {
        Clicks {
            bound_paths: bound,
            ..self
        }
    }

    /// Lets the walk of `t` fold the transitions that rendering with `--min-visitors` `min` folds (for a
    /// report that writes no partial: a partial keeps every row).
    pub(crate) fn fold_rare(t: &mut Tables, min: u64) {
        let clicks = std::sync::Arc::make_mut(t.clicks.get_or_insert_with(Default::default));
        clicks.fold_below = if min > 1 { min } else { 0 };
    }

    /// The goals' patterns, in the order given.
    pub(crate) fn goals(&self) -> &[String] {
        &self.goals
    }

    /// The goals a path reaches, one bit per goal.
    fn mask(&self, path: &str) -> u32 {
        let Some(set) = &self.set else { return 0 };
        set.matches(path).iter().fold(0, |m, i| m | (1 << i))
    }

    /// The goal mask of every page, file and outlink of `t` that reaches a goal.
    fn masks(&self, t: &Tables) -> HashMap<u64, u32> {
        if self.set.is_none() {
            return HashMap::default();
        }
        (t.pages.iter())
            .map(|(id, p)| (*id, self.mask(p)))
            .filter(|(_, m)| *m != 0)
            .collect()
    }
}

/// One end of a transition (16 bytes: a transitions row is keyed by its day and two of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum End {
    /// A visit's first page view, without an external referrer.
    Direct,
    /// A visit's first page view, from this referring site (its index in [`ClickSetup::sites`]).
    Entrance(u32),
    /// A page view.
    Page(u64),
    /// After a visit's last page view.
    Exit,
    /// A downloaded file.
    Download(u64),
    /// An outlink target.
    Outlink(u64),
}

/// What a goal's row is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Via<'t> {
    /// All conversions of the goal.
    All,
    /// Visits entering at this page.
    Entry(u64),
    /// Visits from this referring site.
    Site(&'t str),
    /// Visits without an external referrer.
    Direct,
}

/// A path's numbers on one day while visits are walked.
#[derive(Debug, Clone)]
struct PathStats {
    /// The page ids of its steps.
    steps: Box<[u64]>,
    /// The visits had more page views than the steps.
    more: bool,
    visits: u64,
    conversions: u64,
    bounces: u64,
    visitors: Seen,
}

/// What one visit gives the clickstream, as [`super::visits`] sees it.
pub(super) struct Visit<'v, 't> {
    /// Its day.
    pub(super) day: i64,
    /// The day its transitions and goals are counted under: its day, or [`super::visits::SUMMED`].
    pub(super) rows_day: i64,
    /// Its visitor key and sketch hash.
    pub(super) visitor: (u64, u64),
    /// Its page views and downloads, in time order.
    pub(super) events: &'v [Event],
    /// Its page views (at least one).
    pub(super) page_views: &'v [Event],
    /// The outlink clicks of the visit, in time order.
    pub(super) outlinks: &'v [Event],
    /// The external referring site of its first page view.
    pub(super) site: Option<&'t str>,
    /// One page view and no download.
    pub(super) bounce: bool,
}

/// The clickstream of some visitors' visits (see the module). Walks of disjoint visitors add up.
pub(super) struct ClickWalk<'t> {
    depth: usize,
    /// Transitions by day, then by their two ends: a day's map is a fraction of the whole, so growing
    /// one copies only that day's rows.
    transitions: BTreeMap<i64, HashMap<(End, End), WalkTally>>,
    /// Transitions when rows are summed over days (a report that writes no partial), each with the
    /// distinct visitors of the run beside its tally: then both are keyed by the two ends alone, so one
    /// map holds them (`transitions` and `run_transitions` stay empty).
    summed: Option<HashMap<(End, End), (WalkTally, Capped)>>,
    /// The cap of the run's distinct visitors per row.
    cap: u64,
    paths: HashMap<(i64, u64), PathStats>,
    goals: HashMap<(i64, u8, Via<'t>), WalkTally>,
    run_transitions: CappedMap<(End, End)>,
    run_paths: CappedMap<u64>,
    run_goals: CappedMap<(u8, Via<'t>)>,
    /// The goal mask of each page reaching a goal (empty without `--goal-path`).
    masks: &'t HashMap<u64, u32>,
    /// The referring sites, interned.
    sites: &'t Sites<'t>,
    /// Files already counted in the visit being walked.
    files: Vec<u64>,
}

/// The hash of a path's steps, its key while visits are walked (the same in every thread).
fn path_key(steps: &[u64], more: bool) -> u64 {
    foldhash::fast::FixedState::with_seed(0x7061_7468).hash_one((steps, more))
}

/// The distinct visitors of a run per clickstream row, named as the rows' keys (see
/// [`super::distinct::RunVisitors`]).
pub(super) struct ClickVisitors {
    pub(super) transitions: BTreeMap<String, u64>,
    pub(super) paths: BTreeMap<String, u64>,
    pub(super) goals: BTreeMap<String, u64>,
}

/// The referring sites of a run, each given a small id once (the same in every thread's walk), so a
/// transition from a site's entrance is keyed by a number rather than by text.
struct Sites<'r> {
    ids: HashMap<&'r str, u32>,
    names: Vec<&'r str>,
}

impl<'r> Sites<'r> {
    fn new(referrers: &'r HashMap<u64, Referrer>) -> Sites<'r> {
        let mut sites = Sites {
            ids: HashMap::default(),
            names: Vec::new(),
        };
        for r in referrers.values() {
            let next = sites.names.len() as u32;
            sites.ids.entry(r.site.as_str()).or_insert_with(|| {
                sites.names.push(r.site.as_str());
                next
            });
        }
        sites
    }

    /// The id of `site`, one of the sites it was made from.
    fn id(&self, site: &str) -> u32 {
        self.ids.get(site).copied().unwrap_or(u32::MAX)
    }

    /// The text of a site's id.
    fn name(&self, id: u32) -> &'r str {
        self.names.get(id as usize).copied().unwrap_or("")
    }
}

/// Settings, goal masks and referring sites of a run's walk, shared by the walks of all threads.
pub(super) struct ClickSetup<'r> {
    clicks: std::sync::Arc<Clicks>,
    masks: HashMap<u64, u32>,
    sites: Sites<'r>,
}

impl<'r> ClickSetup<'r> {
    /// The settings `t` was made with (the defaults if none), the goal masks of its pages, and its
    /// referring sites (`referrers`, those of `t`).
    pub(super) fn new(t: &Tables, referrers: &'r HashMap<u64, Referrer>) -> ClickSetup<'r> {
        let clicks = t.clicks.clone().unwrap_or_default();
        let masks = clicks.masks(t);
        ClickSetup {
            clicks,
            masks,
            sites: Sites::new(referrers),
        }
    }

    /// The settings.
    pub(super) fn settings(&self) -> &Clicks {
        &self.clicks
    }
}

impl<'t> ClickWalk<'t> {
    /// An empty walk under `setup`, distinct visitors counted up to `cap`; `summed` when every visit's
    /// rows are counted under [`super::visits::SUMMED`].
    pub(super) fn new(setup: &'t ClickSetup<'t>, cap: u64, summed: bool) -> ClickWalk<'t> {
        ClickWalk {
            depth: setup.clicks.path_depth,
            transitions: BTreeMap::new(),
            summed: summed.then(HashMap::default),
            cap: cap.max(1),
            paths: HashMap::default(),
            goals: HashMap::default(),
            run_transitions: CappedMap::new(cap),
            run_paths: CappedMap::new(cap),
            run_goals: CappedMap::new(cap),
            masks: &setup.masks,
            sites: &setup.sites,
            files: Vec::new(),
        }
    }

    fn step(&mut self, day: i64, from: End, to: End, (visitor, sketch): (u64, u64)) {
        if let Some(summed) = &mut self.summed {
            let (t, run) = summed.entry((from, to)).or_default();
            t.count += 1;
            if t.visitors.see(visitor) {
                run.insert(sketch, self.cap);
            }
            return;
        }
        if tally(
            self.transitions.entry(day).or_default(),
            (from, to),
            visitor,
        ) {
            self.run_transitions.insert((from, to), sketch);
        }
    }

    /// Counts one visit.
    pub(super) fn visit(&mut self, v: &Visit<'_, 't>) {
        let (day, who) = (v.rows_day, v.visitor);
        let first = v.page_views[0].page;
        let entrance = v
            .site
            .map_or(End::Direct, |s| End::Entrance(self.sites.id(s)));
        self.step(day, entrance, End::Page(first), who);
        let mut last: Option<u64> = None;
        let mut goals = 0u32;
        let masks = self.masks;
        let goal_of = |id: u64| masks.get(&id).copied().unwrap_or(0);
        let mut files = std::mem::take(&mut self.files);
        files.clear();
        for e in v.events {
            match e.kind {
                EventKind::PageView => {
                    goals |= goal_of(e.page);
                    if let Some(prev) = last {
                        self.step(day, End::Page(prev), End::Page(e.page), who);
                    }
                    last = Some(e.page);
                }
                EventKind::Download => {
                    goals |= goal_of(e.page);
                    if !files.contains(&e.page) {
                        files.push(e.page);
                        let from = last.unwrap_or(first);
                        self.step(day, End::Page(from), End::Download(e.page), who);
                    }
                }
                EventKind::Outlink => {}
            }
        }
        self.files = files;
        for o in v.outlinks {
            goals |= goal_of(o.page);
            // The page view at or before the click (the first when the click came before it).
            let before = v.page_views.partition_point(|p| p.time <= o.time);
            let from = v.page_views[before.saturating_sub(1)].page;
            self.step(day, End::Page(from), End::Outlink(o.page), who);
        }
        let exit = v.page_views[v.page_views.len() - 1].page;
        self.step(day, End::Page(exit), End::Exit, who);
        self.path(v, goals != 0);
        if goals != 0 {
            let vias = [
                Via::All,
                Via::Entry(first),
                v.site.map_or(Via::Direct, Via::Site),
            ];
            for g in (0..MAX_GOALS as u8).filter(|g| goals & (1 << g) != 0) {
                for via in vias {
                    if tally(&mut self.goals, (day, g, via), who.0) {
                        self.run_goals.insert((g, via), who.1);
                    }
                }
            }
        }
    }

    /// Counts the path of a visit.
    fn path(&mut self, v: &Visit<'_, '_>, converted: bool) {
        let n = v.page_views.len().min(self.depth);
        let mut steps = [0u64; MAX_PATH_DEPTH];
        for (s, p) in steps.iter_mut().zip(v.page_views) {
            *s = p.page;
        }
        let more = v.page_views.len() > n;
        let key = path_key(&steps[..n], more);
        let p = self.paths.entry((v.day, key)).or_insert_with(|| PathStats {
            steps: steps[..n].into(),
            more,
            visits: 0,
            conversions: 0,
            bounces: 0,
            visitors: Seen::default(),
        });
        p.visits += 1;
        p.conversions += u64::from(converted);
        p.bounces += u64::from(v.bounce);
        if p.visitors.see(v.visitor.0) {
            self.run_paths.insert(key, v.visitor.1);
        }
    }

    /// Adds the walk of other visitors.
    pub(super) fn add(&mut self, mut o: ClickWalk<'t>) {
        for (day, theirs) in o.transitions {
            match self.transitions.entry(day) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(theirs);
                }
                std::collections::btree_map::Entry::Occupied(mut e) => {
                    super::visits::add_tallies(e.get_mut(), theirs);
                }
            }
        }
        if let (Some(mine), Some(mut theirs)) = (&mut self.summed, o.summed) {
            if mine.len() < theirs.len() {
                std::mem::swap(mine, &mut theirs);
            }
            let cap = self.cap;
            for (k, (t, run)) in theirs {
                let (into, into_run) = mine.entry(k).or_default();
                into.count += t.count;
                into.visitors.count += t.visitors.count;
                into_run.add(run, cap);
            }
        }
        super::visits::add_tallies(&mut self.goals, o.goals);
        if self.paths.len() < o.paths.len() {
            std::mem::swap(&mut self.paths, &mut o.paths);
        }
        for (k, p) in o.paths {
            match self.paths.get_mut(&k) {
                Some(mine) => {
                    mine.visits += p.visits;
                    mine.conversions += p.conversions;
                    mine.bounces += p.bounces;
                    mine.visitors.count += p.visitors.count;
                }
                None => {
                    self.paths.insert(k, p);
                }
            }
        }
        self.run_transitions.add(o.run_transitions);
        self.run_paths.add(o.run_paths);
        self.run_goals.add(o.run_goals);
    }

    /// Writes the walk's rows into the days (`name` gives a page's text), each day's paths bounded by
    /// [`PATHS_PER_DAY`], and returns the distinct visitors of the run per row, and the rows folded
    /// already by summary metric (see [`Clicks::fold_rare`]). `visit_days` are the days with visits,
    /// each of which has every goal's `(all)` row.
    pub(super) fn fill(
        mut self,
        days: &mut BTreeMap<i64, Day>,
        visit_days: &[i64],
        name: &dyn Fn(u64) -> String,
        clicks: &Clicks,
    ) -> (ClickVisitors, BTreeMap<&'static str, u64>) {
        let goals = clicks.goals();
        let fold_below = clicks.fold_below;
        let rare = |key: &(End, End)| fold_below > 1 && self.run_transitions.get(key) < fold_below;
        let cap = self.cap;
        let rare_count = |run: &Capped| fold_below > 1 && run.count(cap) < fold_below;
        let summed_rows = self.summed.is_some();
        let summed = self.summed.take().unwrap_or_default();
        // Each page's text once (a tab, which would split the key's columns, written as `%09`).
        let clean = |s: &str| s.replace('\t', "%09");
        let mut names: HashMap<u64, String> = HashMap::default();
        let mut need = |id: u64| {
            names.entry(id).or_insert_with(|| {
                let s = name(id);
                if s.contains('\t') { clean(&s) } else { s }
            });
        };
        let named_ends = (self.transitions.values())
            .flat_map(|m| m.keys())
            .filter(|k| !rare(k))
            .chain(
                (summed.iter())
                    .filter(|(_, (_, run))| !rare_count(run))
                    .map(|(k, _)| k),
            );
        for (from, to) in named_ends {
            for e in [from, to] {
                if let End::Page(id) | End::Download(id) | End::Outlink(id) = e {
                    need(*id);
                }
            }
        }
        for (_, _, via) in self.goals.keys() {
            if let Via::Entry(id) = via {
                need(*id);
            }
        }
        for p in self.paths.values() {
            p.steps.iter().for_each(|id| need(*id));
        }
        let page = |id: u64| names.get(&id).map_or("", String::as_str);
        let sites = self.sites;
        let end_into = |out: &mut String, e: End| match e {
            End::Direct => out.push_str(DIRECT),
            End::Entrance(site) => {
                out.push_str(ENTRANCE);
                out.push(' ');
                out.push_str(&clean(sites.name(site)));
            }
            End::Page(id) => out.push_str(page(id)),
            End::Exit => out.push_str(EXIT),
            End::Download(id) => {
                out.push_str(DOWNLOAD);
                out.push(' ');
                out.push_str(page(id));
            }
            End::Outlink(id) => {
                out.push_str(OUTLINK);
                out.push(' ');
                out.push_str(page(id));
            }
        };
        let pair = |(from, to): (End, End)| {
            let mut key = String::with_capacity(64);
            end_into(&mut key, from);
            key.push('\t');
            end_into(&mut key, to);
            key
        };
        // Rows gathered per day and sorted, so each day's map is built without searching it.
        let mut transitions: BTreeMap<i64, Vec<(String, Tally)>> = BTreeMap::new();
        let mut others: BTreeMap<i64, Tally> = BTreeMap::new();
        // The distinct transitions folded: with one day (or the days summed), each is one row.
        let mut folded: foldhash::HashSet<(End, End)> = Default::default();
        let one_day = self.transitions.len() <= 1;
        let mut folded_rows = 0u64;
        for (day, map) in std::mem::take(&mut self.transitions) {
            for ((from, to), t) in map {
                let row = Tally(t.count, t.visitors.count);
                if rare(&(from, to)) {
                    if one_day {
                        folded_rows += 1;
                    } else {
                        folded.insert((from, to));
                    }
                    let o = others.entry(day).or_default();
                    o.0 += row.0;
                    o.1 += row.1;
                    continue;
                }
                transitions
                    .entry(day)
                    .or_default()
                    .push((pair((from, to)), row));
            }
        }
        // As `CappedMap::counts`, leaving out the rows folded already (their pages are not named).
        let mut run_transitions: Vec<(String, u64)> = Vec::new();
        let named = fold_below.max(2);
        // Rows summed over days: one day, each transition one row, its run count beside it.
        for ((from, to), (t, run)) in summed {
            let row = Tally(t.count, t.visitors.count);
            if rare_count(&run) {
                folded_rows += 1;
                let o = others.entry(super::visits::SUMMED).or_default();
                o.0 += row.0;
                o.1 += row.1;
                continue;
            }
            let key = pair((from, to));
            let n = run.count(cap);
            if n >= named {
                run_transitions.push((key.clone(), n));
            }
            (transitions.entry(super::visits::SUMMED).or_default()).push((key, row));
        }
        for (day, o) in others {
            let key = format!("{OTHER}\t{OTHER}");
            transitions.entry(day).or_default().push((key, o));
        }
        let mut prefolded = BTreeMap::new();
        if fold_below > 1 {
            prefolded.insert(FOLDED_TRANSITIONS, folded_rows + folded.len() as u64);
        }
        drop(folded);
        run_transitions.extend(
            (self.run_transitions.into_counts())
                .filter(|(_, n)| *n >= named)
                .map(|(k, n)| (pair(k), n)),
        );
        let run_transitions = {
            let mut counts = BTreeMap::new();
            super::named::extend(&mut counts, run_transitions, |a, b| *a = b.max(*a));
            counts
        };
        for (day, rows) in transitions {
            let day = &mut days.entry(day).or_default().transitions;
            super::named::extend(day, rows, |a, b| a.add(&b));
        }
        let via = |(g, via): (u8, Via<'_>)| {
            let goal = goals.get(usize::from(g)).map_or("", String::as_str);
            match via {
                Via::All => format!("{goal}\t{ALL}\t{ALL}"),
                Via::Entry(id) => format!("{goal}\t{VIA_ENTRY}\t{}", page(id)),
                Via::Site(site) => format!("{goal}\t{VIA_SITE}\t{}", clean(site)),
                Via::Direct => format!("{goal}\t{VIA_SITE}\t{DIRECT}"),
            }
        };
        // Every goal has its `(all)` row on each day with visits, 0 when nothing converted.
        for day in visit_days {
            let d = days.entry(*day).or_default();
            for g in goals {
                d.goals.entry(format!("{g}\t{ALL}\t{ALL}")).or_default();
            }
        }
        for ((day, g, v), t) in &self.goals {
            let row = Tally(t.count, t.visitors.count);
            days.entry(*day)
                .or_default()
                .goals
                .insert(via((*g, *v)), row);
        }
        let run_goals = self.run_goals.counts(via);
        let path_text = |p: &PathStats| {
            let mut text = String::new();
            for (i, id) in p.steps.iter().enumerate() {
                if i > 0 {
                    text.push_str(STEP);
                }
                text.push_str(page(*id));
            }
            if p.more {
                text.push_str(STEP);
                text.push_str(MORE);
            }
            text
        };
        let by_text = |a: &(u64, PathStats), b: &(u64, PathStats)| {
            text_bytes(&a.1, &page).cmp(text_bytes(&b.1, &page))
        };
        // Every path is named when the run's counts leave the run (a partial); otherwise only the paths
        // a day keeps, the only ones the report looks the counts up for.
        let mut path_names: HashMap<u64, String> = HashMap::default();
        if !summed_rows {
            for ((_, key), p) in &self.paths {
                path_names.entry(*key).or_insert_with(|| path_text(p));
            }
        }
        let mut by_day: BTreeMap<i64, Vec<(u64, PathStats)>> = BTreeMap::new();
        for ((day, key), p) in self.paths {
            by_day.entry(day).or_default().push((key, p));
        }
        let path_row = |p: &PathStats| PathRow {
            visits: p.visits,
            conversions: p.conversions,
            bounces: p.bounces,
            visitors: p.visitors.count,
        };
        for (day, rows) in by_day {
            let (kept, other) = if clicks.bound_paths {
                most_common(rows, &path_row, &by_text)
            } else {
                (rows, None)
            };
            let mut map = BTreeMap::new();
            for (key, p) in kept {
                let text = path_names.entry(key).or_insert_with(|| path_text(&p));
                map.insert(text.clone(), path_row(&p));
            }
            if let Some(other) = other {
                map.entry(OTHER.to_string())
                    .or_insert_with(PathRow::default)
                    .add(&other);
            }
            days.entry(day).or_default().paths = map;
        }
        // As `CappedMap::counts`, over the paths named.
        let mut run_paths = BTreeMap::new();
        for (k, n) in self.run_paths.into_counts().filter(|(_, n)| *n > 1) {
            if let Some(text) = path_names.get(&k) {
                let e = run_paths.entry(text.clone()).or_insert(0);
                *e = n.max(*e);
            }
        }
        let visitors = ClickVisitors {
            transitions: run_transitions,
            paths: run_paths,
            goals: run_goals,
        };
        (visitors, prefolded)
    }
}

/// A day's path by its key ([`path_key`]).
type KeyedPath = (u64, PathStats);

/// The bytes of a path's text (`page` gives a page's text), for comparing texts without making them.
fn text_bytes<'a, 'n: 'a>(
    p: &'a PathStats,
    page: &'a dyn Fn(u64) -> &'n str,
) -> impl Iterator<Item = u8> + 'a {
    let (more_step, more) = if p.more { (STEP, MORE) } else { ("", "") };
    (p.steps.iter().enumerate())
        .flat_map(move |(i, id)| {
            let step = if i > 0 { STEP } else { "" };
            step.bytes().chain(page(*id).bytes())
        })
        .chain(more_step.bytes().chain(more.bytes()))
}

/// The rows [`bounded`] keeps of a day's paths (by visits, then by text: `by_text` compares two paths'
/// texts), and the others summed (`row` gives a path's numbers) when there are more than
/// [`PATHS_PER_DAY`]. Only paths of as many visits as the last one kept are compared by text, and no text
/// is made.
fn most_common(
    mut rows: Vec<KeyedPath>,
    row: &dyn Fn(&PathStats) -> PathRow,
    by_text: &dyn Fn(&KeyedPath, &KeyedPath) -> std::cmp::Ordering,
) -> (Vec<KeyedPath>, Option<PathRow>) {
    if rows.len() <= PATHS_PER_DAY {
        return (rows, None);
    }
    rows.select_nth_unstable_by(PATHS_PER_DAY - 1, |a, b| b.1.visits.cmp(&a.1.visits));
    let least = rows[PATHS_PER_DAY - 1].1.visits;
    let mut kept = Vec::with_capacity(PATHS_PER_DAY);
    let mut ties = Vec::new();
    let mut other = PathRow::default();
    for r in rows {
        match r.1.visits.cmp(&least) {
            std::cmp::Ordering::Greater => kept.push(r),
            std::cmp::Ordering::Equal => ties.push(r),
            std::cmp::Ordering::Less => other.add(&row(&r.1)),
        }
    }
    // Fewer than PATHS_PER_DAY have more visits than the last kept, which is one of the ties.
    let room = PATHS_PER_DAY - kept.len();
    if ties.len() > room {
        ties.select_nth_unstable_by(room - 1, by_text);
        for r in ties.drain(room..) {
            other.add(&row(&r.1));
        }
    }
    kept.extend(ties);
    (kept, Some(other))
}

/// A day's paths, the [`PATHS_PER_DAY`] most common kept (by visits, then by text) and the others
/// summed into one `(other)` row.
pub(crate) fn bounded(mut rows: Vec<(String, PathRow)>) -> BTreeMap<String, PathRow> {
    if rows.len() > PATHS_PER_DAY {
        rows.sort_unstable_by(|a, b| b.1.visits.cmp(&a.1.visits).then_with(|| a.0.cmp(&b.0)));
        let mut other = PathRow::default();
        for (_, r) in rows.drain(PATHS_PER_DAY..) {
            other.add(&r);
        }
        let mut kept: BTreeMap<String, PathRow> = rows.into_iter().collect();
        kept.entry(OTHER.to_string()).or_default().add(&other);
        return kept;
    }
    rows.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_are_checked_and_matched_across_slashes() {
        assert!(Clicks::new(0, &[]).is_err());
        assert!(Clicks::new(MAX_PATH_DEPTH + 1, &[]).is_err());
        assert!(Clicks::new(4, &["/a\tb".into()]).is_err());
        assert!(Clicks::new(4, &["/a".into(), "/a".into()]).is_err());
        assert!(Clicks::new(4, &["/a[".into()]).is_err());
        let c = Clicks::new(4, &["/thanks*".into(), "*.pdf".into()]).unwrap();
        assert_eq!(c.mask("/thanks/order"), 1);
        assert_eq!(c.mask("/files/x.pdf"), 2);
        assert_eq!(c.mask("/other"), 0);
        assert_eq!(c.goals(), ["/thanks*", "*.pdf"]);
    }

    #[test]
    fn an_end_takes_16_bytes_and_sites_are_named_back() {
        assert_eq!(std::mem::size_of::<End>(), 16);
        let mut referrers: HashMap<u64, Referrer> = HashMap::default();
        for (id, site) in [(1, "a.example"), (2, "b.example"), (3, "a.example")] {
            referrers.insert(
                id,
                Referrer {
                    site: site.into(),
                    page: format!("https://{site}/{id}"),
                    search: None,
                },
            );
        }
        let sites = Sites::new(&referrers);
        assert_eq!(sites.names.len(), 2);
        for site in ["a.example", "b.example"] {
            assert_eq!(sites.name(sites.id(site)), site);
        }
        assert_ne!(sites.id("a.example"), sites.id("b.example"));
    }

    #[test]
    fn most_common_keeps_what_bounded_keeps_without_naming_the_rest() {
        let names = ["/a", "/a/b", "/b", "/", "/a > /b", "/c\u{e9}", "/a/"];
        let page = |id: u64| names[id as usize % names.len()];
        let text = |p: &PathStats| {
            let mut t: Vec<&str> = p.steps.iter().map(|id| page(*id)).collect();
            if p.more {
                t.push(MORE);
            }
            t.join(STEP)
        };
        let row = |p: &PathStats| PathRow {
            visits: p.visits,
            conversions: p.conversions,
            bounces: p.bounces,
            visitors: p.visitors.count,
        };
        let bytes = |p: &PathStats| text(p).into_bytes();
        let by_text = |a: &(u64, PathStats), b: &(u64, PathStats)| bytes(&a.1).cmp(&bytes(&b.1));
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        for (len, spread) in [(10, 3), (PATHS_PER_DAY + 300, 1), (3 * PATHS_PER_DAY, 4)] {
            let mut seen = std::collections::HashSet::new();
            let mut rows = Vec::new();
            while rows.len() < len {
                let steps: Vec<u64> = (0..1 + next(6)).map(|_| next(7)).collect();
                let more = next(3) == 0;
                let p = PathStats {
                    steps: steps.into(),
                    more,
                    visits: 1 + next(spread),
                    conversions: next(2),
                    bounces: next(2),
                    visitors: Seen::default(),
                };
                if seen.insert(text(&p)) {
                    rows.push((rows.len() as u64, p));
                }
            }
            let want = bounded(rows.iter().map(|(_, p)| (text(p), row(p))).collect());
            let (kept, other) = most_common(rows, &row, &by_text);
            let mut got: BTreeMap<String, PathRow> =
                kept.iter().map(|(_, p)| (text(p), row(p))).collect();
            if let Some(o) = other {
                got.entry(OTHER.to_string()).or_default().add(&o);
            }
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_day_keeps_its_most_common_paths_and_folds_the_rest() {
        let row = |visits| PathRow {
            visits,
            conversions: 1,
            bounces: 0,
            visitors: 1,
        };
        let rows: Vec<(String, PathRow)> = (0..PATHS_PER_DAY as u64 + 5)
            .map(|i| (format!("/p{i:05}"), row(if i < 3 { 10 } else { 1 })))
            .collect();
        let kept = bounded(rows);
        assert_eq!(kept.len(), PATHS_PER_DAY + 1);
        assert_eq!(kept["/p00000"].visits, 10);
        // 1005 rows: the 3 common ones and 997 of visit 1 by text are kept, the last 5 by text fold.
        assert_eq!(kept[OTHER].visits, 5);
        assert_eq!(kept[OTHER].conversions, 5);
        assert!(!kept.contains_key("/p01004"));
        let few = bounded(vec![("/a".into(), row(1))]);
        assert_eq!(few.len(), 1);
    }
}
