//! Rows counted under ids (hashes) and named at the end: put into the report's name-keyed maps sorted.
//!
//! The walk counts rows under ids and names them once, into `BTreeMap<String, _>`s. Inserted in id order,
//! which is hash order, every insert compares strings at every level of the tree, and each string is a
//! miss in the processor's cache: naming the 300,000 paths of a busy day took over a second. Sorted by
//! name first, an empty map is built in one pass (the standard library's bulk build from sorted keys).

use std::collections::BTreeMap;

use rayon::slice::ParallelSliceMut;

/// Adds `rows` (name, value) into `map`, adding with `add` the values of a name met more than once (in
/// `rows` or already in `map`). The map's content is what inserting the rows one by one gives, in any
/// order, as `add` is a sum (or a maximum); only the time differs.
pub(super) fn extend<V: Default + Send>(
    map: &mut BTreeMap<String, V>,
    mut rows: Vec<(String, V)>,
    add: impl Fn(&mut V, V),
) {
    // The rows a map already holds (none where the walk names its rows) are sorted in with the others.
    rows.extend(std::mem::take(map));
    rows.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            add(&mut kept.1, std::mem::take(&mut next.1));
        }
        same
    });
    // Keys sorted and distinct: `from_iter` checks the order in one pass and builds the tree bottom up.
    *map = rows.into_iter().collect();
}

/// Puts `rows` ((day, name), value) into the maps of their days (`of_day` picks a day's map out of
/// `days`), as [`extend`] does for one map.
pub(super) fn extend_days<D: Default, V: Default + Send>(
    days: &mut BTreeMap<i64, D>,
    rows: impl IntoIterator<Item = (i64, String, V)>,
    of_day: impl Fn(&mut D) -> &mut BTreeMap<String, V>,
    add: impl Fn(&mut V, V) + Copy,
) {
    let mut by_day: BTreeMap<i64, Vec<(String, V)>> = BTreeMap::new();
    for (day, name, value) in rows {
        by_day.entry(day).or_default().push((name, value));
    }
    for (day, rows) in by_day {
        extend(of_day(days.entry(day).or_default()), rows, add);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_rows_give_the_map_inserting_them_one_by_one_gives() {
        // Hash-ordered names, a name twice among the rows, and a map that already holds a row.
        let rows: Vec<(String, u64)> = (0..2000u64)
            .map(|i| (format!("/p{}", (i * 7919) % 1500), i))
            .collect();
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for (name, v) in rows.clone() {
            *expected.entry(name).or_default() += v;
        }
        let mut built = BTreeMap::new();
        extend(&mut built, rows.clone(), |a, b| *a += b);
        assert_eq!(built, expected);

        let mut held = BTreeMap::from([("/p3".to_string(), 100u64), ("/zz".to_string(), 1)]);
        extend(&mut held, rows, |a, b| *a += b);
        let mut expected_held = expected.clone();
        *expected_held.get_mut("/p3").unwrap() += 100;
        expected_held.insert("/zz".to_string(), 1);
        assert_eq!(held, expected_held);
    }

    #[test]
    fn rows_go_to_their_days() {
        let mut days: BTreeMap<i64, BTreeMap<String, u64>> = BTreeMap::new();
        days.entry(2).or_default().insert("/a".to_string(), 5);
        let rows = vec![
            (1, "/b".to_string(), 1),
            (2, "/a".to_string(), 2),
            (1, "/a".to_string(), 3),
            (1, "/b".to_string(), 4),
        ];
        extend_days(&mut days, rows, |d| d, |a, b| *a += b);
        assert_eq!(
            days[&1],
            BTreeMap::from([("/a".into(), 3), ("/b".into(), 5)])
        );
        assert_eq!(days[&2], BTreeMap::from([("/a".into(), 7)]));
    }
}
