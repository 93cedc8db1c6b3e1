//! `--html FILE|-`: the report as one self-contained page — headline cards, the trend and the heat map as
//! inline SVG drawn here, and the tables — with no script, no font, no image and no request of any kind:
//! its Content-Security-Policy allows only its own stylesheet (by hash) and `data:` images.
//!
//! Markup goes through [`maud`]: every value written with `(…)` is escaped, so paths, referrers and user
//! agents from the log (attacker-controlled text) cannot become markup. The only unescaped text is the
//! stylesheet, a constant of this crate.

use std::io;
use std::path::{Path, PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::ReportSink;
use super::page::{self, Context, Page, Section, Step, Trend};
use crate::analyze::report::{Cell, OTHER, Report};
use crate::output::file::{self, AtomicFile};

/// The page's one stylesheet.
const CSS: &str = include_str!("page.css");

/// Rows shown per table; the CSV and JSON outputs hold them all.
pub(crate) const ROWS: usize = 50;

/// `--html FILE|-`: the page, written atomically to a file or to stdout.
pub(crate) struct Html {
    file: Option<AtomicFile>,
    path: Option<PathBuf>,
    context: Context,
}

impl Html {
    /// The page to `path` (replaced atomically), or to stdout for `None`.
    pub(crate) fn create(path: Option<&Path>, context: Context) -> io::Result<Html> {
        Ok(Html {
            file: path.map(AtomicFile::create).transpose()?,
            path: path.map(Path::to_path_buf),
            context,
        })
    }
}

impl ReportSink for Html {
    fn write(self: Box<Self>, report: &Report) -> io::Result<()> {
        let page = render_html(report, &self.context);
        file::write_document(self.file, |w| w.write_all(page.as_bytes()))
    }

    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }
}

/// The Content-Security-Policy of the page: nothing but its own stylesheet and `data:` images.
pub(crate) fn content_security_policy() -> String {
    use base64::Engine;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
         form-action 'none'"
    )
}

/// The page of `report`.
pub(crate) fn render_html(report: &Report, context: &Context) -> String {
    let page = Page::new(report, context);
    let range = page.range_label();
    let heading = match &range {
        Some(r) => format!("{} · {r}", page.title),
        None => page.title.clone(),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="referrer" content="no-referrer";
                meta name="generator" content=(concat!("logveil ", env!("CARGO_PKG_VERSION")));
                title { (heading) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (page.title) }
                    p.range id="range" {
                        @match &range {
                            Some(r) => { (r) }
                            None => { "No hits" }
                        }
                    }
                    @if !page.empty { (nav(&page)) }
                }
                main {
                    @if page.empty {
                        section.box.empty id="headline" { p { (page.empty_note()) } }
                    } @else {
                        (headline(&page))
                        @if let Some(t) = &page.trend { (trend(t)) }
                        (tables(&page))
                        @if let Some(h) = &page.heat { (heat_map(h)) }
                    }
                }
                footer {
                    p {
                        "Made by logveil " (env!("CARGO_PKG_VERSION"))
                        " from anonymised counts: no address, visitor key or raw line is in this page. "
                        "Rows seen by fewer than " (page.min_visitors)
                        " distinct visitors are folded into " (OTHER) " (--min-visitors). "
                        "Every row of every table is in the CSV and JSON outputs."
                    }
                }
            }
        }
    }
    .into_string()
}

fn nav(page: &Page) -> Markup {
    html! {
        nav aria-label="Sections" {
            ul {
                li { a href="#headline" { "Overview" } }
                @if page.trend.is_some() { li { a href="#trend" { "Trend" } } }
                @for s in &page.sections {
                    li { a href=(format!("#{}", s.table.name)) { (s.title) } }
                }
                @if page.heat.is_some() { li { a href="#heatmap" { "Hours" } } }
            }
        }
    }
}

fn headline(page: &Page) -> Markup {
    html! {
        section id="headline" aria-label="Headline numbers" {
            dl.cards {
                @for c in page.cards() {
                    div.card data-metric=(c.metric) data-value=(c.value) {
                        dt { (c.label) }
                        dd.num { (c.shown()) }
                        @if let Some(change) = c.change() {
                            dd.change { (change) " vs previous period" }
                        }
                        @if let Some(note) = &c.note { dd.note { (note) } }
                    }
                }
            }
            p.totals {
                @for (label, value) in &page.totals {
                    span { b { (value) } " " (label) }
                }
            }
        }
    }
}

/// A number rounded up to 1, 2 or 5 × a power of ten, for the top of an axis.
fn nice_max(v: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= v.max(1) {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

fn trend(t: &Trend) -> Markup {
    let second = t.second_name();
    let unit = unit_name(t.step);
    html! {
        section.box id="trend" aria-labelledby="trend-h" {
            h2 id="trend-h" { (t.title()) }
            figure {
                // Two drawings of one chart: a wide one, and one with larger type for narrow screens.
                (trend_svg(t, 720.0, 220.0, "wide-only", "trend-w"))
                (trend_svg(t, 360.0, 250.0, "narrow", "trend-n"))
                figcaption.legend {
                    span { svg.chart viewBox="0 0 10 10" aria-hidden="true" { rect.pv width="10" height="10" {} } "Page views" }
                    span { svg.chart viewBox="0 0 10 10" aria-hidden="true" { rect.vd width="10" height="10" {} } (capitalised(second)) }
                }
            }
            details {
                summary { "The numbers" }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { (capitalised(unit)) } th scope="col" { "Page views" } th scope="col" { (capitalised(second)) } } }
                        tbody {
                            @for p in &t.points {
                                tr { th.key scope="row" { (point_label(t, p)) } td { (page::Unit::Count.show(p.page_views as f64)) } td { (page::Unit::Count.show(p.second as f64)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn unit_name(step: Step) -> &'static str {
    match step {
        Step::Hour => "hour",
        Step::Day => "day",
        Step::Week => "week",
    }
}

fn point_label(t: &Trend, p: &page::Point) -> String {
    match t.step {
        Step::Hour => format!("{}:00", p.label),
        Step::Day | Step::Week => p.label.clone(),
    }
}

/// The trend as an SVG `W` × `H` units: page views as bars, the second series as a line, a grid at 0,
/// half and the top, about six labels along the bottom, each bar titled with its numbers.
fn trend_svg(t: &Trend, w: f64, h: f64, class: &str, id: &str) -> Markup {
    const LEFT: f64 = 48.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 24.0;
    let plot_w = w - LEFT - 6.0;
    let plot_h = h - TOP - BOTTOM;
    let n = t.points.len().max(1);
    let top = nice_max(
        t.points
            .iter()
            .map(|p| p.page_views.max(p.second))
            .max()
            .unwrap_or(0),
    );
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let band = plot_w / n as f64;
    let x = |i: usize| LEFT + band * (i as f64 + 0.5);
    let line: Vec<String> = (t.points.iter().enumerate())
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.second)))
        .collect();
    let ticks = x_ticks(t, if w < 500.0 { 4 } else { 7 });
    let second = t.second_name();
    let unit = unit_name(t.step);
    let desc = format!(
        "{} {unit}s. Largest page views in one {unit}: {}; largest {second}: {}.",
        t.points.len(),
        t.points.iter().map(|p| p.page_views).max().unwrap_or(0),
        t.points.iter().map(|p| p.second).max().unwrap_or(0),
    );
    let (title_id, desc_id) = (format!("{id}-t"), format!("{id}-d"));
    html! {
        svg class=(format!("chart {class}")) viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (t.title()) }
            desc id=(desc_id) { (desc) }
            @for frac in [0.0, 0.5, 1.0] {
                @let v = (top as f64 * frac).round() as u64;
                line.grid-line x1=(LEFT) x2=(w - 6.0) y1=(y(v)) y2=(y(v)) {}
                text x=(LEFT - 6.0) y=(y(v) + 4.0) text-anchor="end" { (page::Unit::Count.show(v as f64)) }
            }
            @for (i, p) in t.points.iter().enumerate() {
                @let bar = (TOP + plot_h - y(p.page_views)).max(0.0);
                rect.pv x=(format!("{:.1}", x(i) - band * 0.36)) y=(format!("{:.1}", y(p.page_views)))
                    width=(format!("{:.1}", (band * 0.72).max(0.5))) height=(format!("{bar:.1}")) {
                    title { (point_label(t, p)) ": " (p.page_views) " page views, " (p.second) " " (second) }
                }
            }
            polyline.vi points=(line.join(" ")) {}
            @if n <= 62 {
                @for (i, p) in t.points.iter().enumerate() {
                    circle.vd cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(p.second))) r="2.6" {}
                }
            }
            @for (i, text) in &ticks {
                text x=(format!("{:.1}", x(*i))) y=(h - 6.0) text-anchor="middle" { (text) }
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    page::title_of(s)
}

/// At most `most` labels along the x axis.
fn x_ticks(t: &Trend, most: usize) -> Vec<(usize, String)> {
    let n = t.points.len();
    if n == 0 {
        return Vec::new();
    }
    let every = match t.step {
        Step::Hour if most > 4 => 3,
        Step::Hour => 6,
        _ => n.div_ceil(most).max(1),
    };
    (0..n)
        .step_by(every)
        .map(|i| {
            let l = &t.points[i].label;
            let text = match t.step {
                Step::Hour => format!("{l}h"),
                // Days: month and day; the year is in the heading.
                Step::Day => l.get(5..).unwrap_or(l).to_string(),
                Step::Week => l.clone(),
            };
            (i, text)
        })
        .collect()
}

fn tables(page: &Page) -> Markup {
    html! {
        div.grid {
            @for s in &page.sections { (table(s, page.min_visitors)) }
        }
    }
}

/// Top pages of `transitions` on the page, and destinations listed for each.
const NEXT_PAGES: (usize, usize) = (10, 5);

/// The `transitions` section: a "next pages" list for each top page.
fn next_pages(s: &Section, min_visitors: u64) -> Markup {
    let t = s.table;
    let head_id = format!("{}-h", t.name);
    let pages = page::next_pages(t, NEXT_PAGES.0, NEXT_PAGES.1);
    html! {
        section.box id=(t.name) aria-labelledby=(head_id) {
            h2 id=(head_id) { (s.title) }
            @if !s.about.is_empty() { p.about { (s.about) } }
            @if pages.is_empty() {
                p.note { "No rows." }
            }
            @for p in &pages {
                h3 { (breakable(&p.page)) " " span.note { "(" (page::Unit::Count.show(p.moves as f64)) " moves)" } }
                div.scroll {
                    table {
                        thead {
                            tr {
                                th scope="col" class="txt" { "Next" }
                                th scope="col" { "Transitions" }
                                th scope="col" { "Share" }
                            }
                        }
                        tbody {
                            @for (to, n, share) in &p.next {
                                tr {
                                    th.key scope="row" {
                                        svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" {
                                            rect width=(format!("{:.1}", 100.0 * share)) height="1" {}
                                        }
                                        span { (breakable(to)) }
                                    }
                                    td { (page::Unit::Count.show(*n as f64)) }
                                    td { (page::Unit::Percent.show(*share)) }
                                }
                            }
                        }
                    }
                }
            }
            p.note { "Every transition is in transitions.csv and the JSON output." }
            @if let Some(note) = s.fold_note(min_visitors) { p.note.folded { (note) } }
        }
    }
}

fn table(s: &Section, min_visitors: u64) -> Markup {
    if s.table.name == "transitions" {
        return next_pages(s, min_visitors);
    }
    let t = s.table;
    let keys = page::key_columns(t);
    // The bar under the first key shows the first number column, the table's rank.
    let rank = keys.min(t.columns.len().saturating_sub(1));
    let mut rows: Vec<&Vec<Cell>> = t.rows.iter().take(ROWS).collect();
    let other = |r: &Vec<Cell>| r.iter().any(|c| matches!(c, Cell::Text(s) if s == OTHER));
    if t.rows.len() > ROWS {
        rows.extend(t.rows.iter().skip(ROWS).filter(|r| other(r)));
    }
    let max = rows
        .iter()
        .map(|r| r.get(rank).map_or(0.0, page::number))
        .fold(0.0, f64::max);
    let head_id = format!("{}-h", t.name);
    html! {
        section.box.wide[t.columns.len() > 5] id=(t.name) aria-labelledby=(head_id) {
            h2 id=(head_id) { (s.title) }
            @if !s.about.is_empty() { p.about { (s.about) } }
            @if t.rows.is_empty() {
                p.note { "No rows." }
            } @else {
                div.scroll {
                    table {
                        thead {
                            tr {
                                @for (i, c) in t.columns.iter().enumerate() {
                                    th scope="col" class=[classes(c, i > 0 && i < keys)] { (page::column_label(c)) }
                                }
                            }
                        }
                        tbody {
                            @for r in &rows {
                                tr.other[other(r)] {
                                    @for (i, (c, col)) in r.iter().zip(t.columns).enumerate() {
                                        @if i == 0 {
                                            th.key scope="row" {
                                                @let w = if max > 0.0 { 100.0 * r.get(rank).map_or(0.0, page::number) / max } else { 0.0 };
                                                svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" {
                                                    rect width=(format!("{w:.1}")) height="1" {}
                                                }
                                                span { (breakable(&page::cell_text(col, c))) }
                                            }
                                        } @else {
                                            td class=[classes(col, i < keys)] { (page::cell_text(col, c)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if t.rows.len() > ROWS {
                    p.note { "The top " (ROWS) " of " (page::Unit::Count.show(t.rows.len() as f64)) " rows; every row is in the CSV and JSON outputs." }
                }
            }
            @if let Some(note) = s.fold_note(min_visitors) { p.note.folded { (note) } }
        }
    }
}

/// Text with a line-break opportunity after each `/`, so long paths wrap between their parts.
fn breakable(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split_inclusive('/').enumerate() {
            @if i > 0 { wbr; }
            (part)
        }
    }
}

/// The classes of a column: `txt` for text, `minor` for columns hidden on narrow screens.
fn classes(column: &str, text: bool) -> Option<&'static str> {
    match (text, page::is_minor(column)) {
        (true, true) => Some("txt minor"),
        (true, false) => Some("txt"),
        (false, true) => Some("minor"),
        (false, false) => None,
    }
}

fn heat_map(cells: &[(String, [u64; 24])]) -> Markup {
    const LEFT: f64 = 40.0;
    const TOP: f64 = 18.0;
    const CW: f64 = 28.0;
    const CH: f64 = 24.0;
    let max = cells
        .iter()
        .flat_map(|(_, h)| h)
        .copied()
        .max()
        .unwrap_or(0);
    let level = |v: u64| {
        if v == 0 || max == 0 {
            0
        } else {
            (v * 5).div_ceil(max).clamp(1, 5)
        }
    };
    let w = LEFT + CW * 24.0 + 2.0;
    let h = TOP + CH * cells.len() as f64 + 2.0;
    html! {
        section.box id="heatmap" aria-labelledby="heatmap-h" {
            h2 id="heatmap-h" { "Hits by weekday and hour" }
            p.about { "All hits of the range, bots included, added up by weekday and hour of the day (the log's own time)." }
            svg.chart viewBox=(format!("0 0 {w} {h}")) role="img" aria-labelledby="heat-t" {
                title id="heat-t" { "Hits by weekday and hour; the busiest cell has " (max) " hits" }
                @for hour in (0..24).step_by(3) {
                    text x=(LEFT + CW * (hour as f64 + 0.5)) y="12" text-anchor="middle" { (format!("{hour:02}")) }
                }
                @for (d, (name, hours)) in cells.iter().enumerate() {
                    text x=(LEFT - 8.0) y=(TOP + CH * d as f64 + 16.0) text-anchor="end" { (name) }
                    @for hour in 0..24 {
                        @let v = hours[hour];
                        rect class=(format!("q{}", level(v))) x=(LEFT + CW * hour as f64 + 1.0) y=(TOP + CH * d as f64 + 1.0) width=(CW - 2.0) height=(CH - 2.0) rx="3" {
                            title { (name) " " (format!("{hour:02}:00–{hour:02}:59")) ": " (v) " hits" }
                        }
                    }
                }
            }
            details {
                summary { "The numbers" }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Hour" } @for (name, _) in cells { th scope="col" { (name) } } } }
                        tbody {
                            @for hour in 0..24 {
                                tr {
                                    th.key scope="row" { (format!("{hour:02}")) }
                                    @for (_, hours) in cells { td { (page::Unit::Count.show(hours[hour] as f64)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::report::Table;

    fn report(path: &str) -> Report {
        Report {
            tables: vec![
                page::summary_table(&[
                    ("hits", Cell::Int(3)),
                    ("first_day", Cell::Text("2026-11-22".into())),
                    ("last_day", Cell::Text("2026-11-22".into())),
                ]),
                Table {
                    name: "pages",
                    columns: &["path", "page_views"],
                    rows: vec![vec![Cell::Text(path.into()), Cell::Int(3)]],
                },
            ],
        }
    }

    #[test]
    fn log_text_is_escaped() {
        let page = render_html(
            &report("/<script>alert(\"x\")</script>?a=1&b=\"'"),
            &Context {
                site: Some("<b>site</b>".into()),
                ..Context::default()
            },
        );
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>site"), "{page}");
        // Paths may break after a slash (`<wbr>`).
        let plain = page.replace("<wbr>", "");
        assert!(
            plain.contains("/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;?a=1&amp;b=&quot;'")
        );
        assert!(page.contains("&lt;b&gt;site&lt;/b&gt;"));
    }

    #[test]
    fn the_policy_allows_only_the_pages_own_stylesheet() {
        let csp = content_security_policy();
        assert!(
            csp.starts_with("default-src 'none'; style-src 'sha256-"),
            "{csp}"
        );
        let page = render_html(&report("/"), &Context::default());
        assert_eq!(page.matches("<style>").count(), 1);
        assert!(!page.contains("<script") && !page.contains("style=\""));
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
        assert_eq!(nice_max(4000), 5000);
    }
}
