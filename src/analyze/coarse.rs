//! Logs whose timestamps were coarsened (`anonymize --time-precision hour` or `day`): every hit of an hour
//! carries the same time, so a visit's duration and the time spent on a page cannot be measured. Such a
//! report leaves those cells empty instead of showing `0.00` as if the visits had lasted no time.

use super::partial::Undated;
use super::report::{Cell, Report};

/// The columns that measure time between hits, per table.
const DURATIONS: &[(&str, &[&str])] = &[
    (
        "summary",
        &[
            "visit_duration_mean_s",
            "visits_0s_30s",
            "visits_30s_2min",
            "visits_2min_5min",
            "visits_5min_15min",
            "visits_15min_30min",
            "visits_30min_1h",
            "visits_1h_plus",
            "time_on_page_mean_s",
            "time_on_page_measured",
        ],
    ),
    ("pages", &["time_on_page_mean_s", "time_on_page_measured"]),
];

/// True when every parsed line (two or more) is stamped on the hour: a log anonymised with
/// `--time-precision hour` or `day` (by chance, two real hits both on the second of an hour: 1 in 13
/// million; more lines make it rarer still).
/// A merge of partials is coarse when all of theirs are (partials written before these lines were counted
/// count 0 and never are).
pub(crate) fn is_coarse(u: &Undated) -> bool {
    u.timed >= 2 && u.off_the_hour == 0
}

/// Empties the duration cells: the summary's metrics of those names, the pages table's columns.
pub(crate) fn blank_durations(report: &mut Report) {
    for table in &mut report.tables {
        let Some((_, names)) = DURATIONS.iter().find(|(t, _)| *t == table.name) else {
            continue;
        };
        if table.name == "summary" {
            // One metric per row: key, value.
            for row in &mut table.rows {
                if matches!(row.first(), Some(Cell::Text(k)) if names.contains(&k.as_str())) {
                    if let Some(value) = row.last_mut() {
                        *value = Cell::Text(String::new());
                    }
                }
            }
            continue;
        }
        let columns: Vec<usize> = (table.columns.iter().enumerate())
            .filter(|(_, c)| names.contains(c))
            .map(|(i, _)| i)
            .collect();
        for row in &mut table.rows {
            for &i in &columns {
                row[i] = Cell::Text(String::new());
            }
        }
    }
}
