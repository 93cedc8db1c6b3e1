//! Property: the report of a log equals the report of the merge of the partial tables of any split of it,
//! merged in any order, whatever the order of the lines.

use logveil::report::Tables;
use logveil::report::VisitorKeyer;
use logveil::report::finish;
use logveil::report::{Analyzer, Settings};
use logveil::{Format, LineParser};
use proptest::prelude::*;

fn pool() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let small = std::fs::read_to_string(format!("{root}/tests/fixtures/report-small.log")).unwrap();
    let sample =
        std::fs::read_to_string(format!("{root}/samples/apache-combined-elastic.log")).unwrap();
    small
        .lines()
        .chain(sample.lines().take(400))
        .map(str::to_string)
        .collect()
}

fn analyzer() -> Analyzer {
    let settings = Settings {
        site_hosts: vec!["www.example.com".into(), "semicomplete.com".into()],
        outlink_path: Some("/out".into()),
        ..Settings::default()
    };
    Analyzer::new(settings, VisitorKeyer::with_key([42; 32]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn report_of_whole_equals_merge_of_parts(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..300),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        tree in any::<bool>(),
    ) {
        let pool = pool();
        let lines: Vec<&str> = picks.iter().map(|i| pool[i.index(pool.len())].as_str()).collect();
        let text = lines.join("\n") + "\n";
        let parser = LineParser::detected(Format::Combined);
        let a = analyzer();
        let whole = finish(a.chunk(&mut parser.chunk(None), text.as_bytes()), a.settings());

        let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(lines.len() + 1)).collect();
        bounds.push(0);
        bounds.push(lines.len());
        bounds.sort_unstable();
        let parts: Vec<Tables> = bounds
            .windows(2)
            .map(|w| {
                // Each line with its newline, so the parts concatenate to the whole text (a part of one
                // blank line is one line, not zero bytes).
                let part: String = lines[w[0]..w[1]].iter().map(|l| format!("{l}\n")).collect();
                a.chunk(&mut parser.chunk(None), part.as_bytes())
            })
            .collect();
        let merged = if tree {
            // Pairwise, as a parallel reduction would.
            let mut level = parts;
            while level.len() > 1 {
                let mut next = Vec::new();
                let mut it = level.into_iter();
                while let Some(mut x) = it.next() {
                    if let Some(y) = it.next() {
                        x.merge(y);
                    }
                    next.push(x);
                }
                level = next;
            }
            level.pop().unwrap_or_default()
        } else {
            // Last to first.
            let mut total = Tables::default();
            for p in parts.into_iter().rev() {
                total.merge(p);
            }
            total
        };
        let merged = finish(merged, a.settings());
        prop_assert_eq!(whole, merged);
    }
}
