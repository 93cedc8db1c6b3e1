//! Which referring sites are the site itself, when `--site-host` was not given: a site counts as internal
//! when most of the visits it referred came from paths that are pages of this report.
//!
//! A referrer is the page the visitor was on. A site's own pages link to each other, so the referrer paths
//! of its own host are paths this log serves; an external site links from paths of its own. Without a
//! vhost field (`%v`) nothing else tells the site's host, and the site used to be its own top referrer.
//!
//! The rule is applied when a report is rendered, to the referrer tables summed over every day: it reads
//! only what a partial already holds, so one run, a merge of its days' partials and a merge of
//! visitor-disjoint shards decide alike. The visits such a site referred count as direct entries, as with
//! `--site-host`: its rows leave `referrer_sites` and `referrer_pages`.
//!
//! Not counted as evidence: the path `/` (every site has one), and the referrers of known search engines
//! (a site with a `/search` page must not take Google's `/search` for its own).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::partial::Day;
use super::search;

/// The sites of `total`'s referrer pages whose visits from a path of this report (other than `/`) are
/// more than half of their visits.
pub(crate) fn infer(total: &Day) -> BTreeSet<String> {
    // Visits per site: (all, from a path of this report).
    let mut sites: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (page, tally) in &total.referrer_pages {
        let (Some(host), path) = (search::url_host(page.as_bytes()), path_of(page)) else {
            continue;
        };
        if search::engine_of(host).is_some() {
            continue;
        }
        let Ok(site) = std::str::from_utf8(host) else {
            continue;
        };
        let ours = path != "/"
            && (total.pages.contains_key(path) || total.downloads_by_path.contains_key(path));
        let s = sites.entry(site).or_default();
        s.0 += tally.0;
        s.1 += if ours { tally.0 } else { 0 };
    }
    (sites.into_iter())
        .filter(|(_, (all, ours))| *ours * 2 > *all)
        .map(|(site, _)| site.to_string())
        .collect()
}

/// Takes the sites [`infer`] finds out of `total`'s referrer tables (copying a borrowed total only
/// then) and returns them.
pub(crate) fn apply(total: &mut Cow<'_, Day>) -> BTreeSet<String> {
    let sites = infer(total);
    remove(total, &sites);
    sites
}

/// Takes `sites` out of `total`'s referrer tables (copying a borrowed total only when there are any).
pub(crate) fn remove(total: &mut Cow<'_, Day>, sites: &BTreeSet<String>) {
    if !sites.is_empty() {
        let total = total.to_mut();
        total.referrer_sites.retain(|site, _| !sites.contains(site));
        total.referrer_pages.retain(|page, _| {
            search::url_host(page.as_bytes())
                .and_then(|h| std::str::from_utf8(h).ok())
                .is_none_or(|h| !sites.contains(h))
        });
    }
}

fn path_of(page: &str) -> &str {
    let rest = page.find("://").map_or(page, |i| &page[i + 3..]);
    rest.find('/').map_or("/", |i| &rest[i..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::partial::{PageRow, Tally};

    fn day(pages: &[&str], referrers: &[(&str, u64)]) -> Day {
        let mut d = Day::default();
        for p in pages {
            d.pages.insert(p.to_string(), PageRow::default());
        }
        for (page, visits) in referrers {
            d.referrer_pages
                .insert(page.to_string(), Tally(*visits, *visits));
            let site = search::url_host(page.as_bytes()).unwrap();
            let site = std::str::from_utf8(site).unwrap().to_string();
            d.referrer_sites.entry(site).or_default().0 += visits;
        }
        d
    }

    #[test]
    fn paths() {
        assert_eq!(path_of("https://a.example/x/y"), "/x/y");
        assert_eq!(path_of("https://a.example"), "/");
        assert_eq!(path_of("https://a.example/"), "/");
        assert_eq!(path_of("a.example/z"), "/z");
    }

    #[test]
    fn a_site_referring_from_this_reports_pages_is_internal() {
        let d = day(
            &["/", "/a", "/b", "/search"],
            &[
                ("http://www.mine.example/a", 5),
                ("http://www.mine.example/b", 3),
                ("http://www.mine.example/old", 2),
                ("https://news.example/item", 4),
                // The root is no evidence: every site has one.
                ("https://blog.example/", 9),
                // Nor a search engine's path that happens to be a page here.
                ("https://www.google.com/search", 7),
            ],
        );
        let mut d = Cow::Owned(d);
        let sites = apply(&mut d);
        assert_eq!(sites.into_iter().collect::<Vec<_>>(), ["www.mine.example"]);
        assert!(!d.referrer_sites.contains_key("www.mine.example"));
        assert_eq!(d.referrer_sites.len(), 3);
        assert!(d.referrer_pages.keys().all(|p| !p.contains("mine")));
        assert_eq!(d.referrer_pages.len(), 3);
    }

    #[test]
    fn half_is_not_most() {
        let d = day(
            &["/a"],
            &[
                ("https://x.example/a", 2),
                ("https://x.example/elsewhere", 2),
            ],
        );
        assert!(infer(&d).is_empty());
    }
}
