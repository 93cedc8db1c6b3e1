//! What a hit is: page view, static asset, download or other; and who sent it: a browser (family, major
//! version, OS, device class) or a bot (by name and by reason). User agents are parsed with `woothee`
//! behind a per-thread cache, so each distinct user agent is parsed about once per worker.

use std::cell::RefCell;

use foldhash::HashMap;

use super::lists;

/// Why a hit was counted as a bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BotReason {
    /// The user agent names a known crawler (list or UA parser's crawler category) or a crawler word.
    Crawler,
    /// The user agent carries a URL (`(+http://…)`).
    UrlInUa,
    /// The user agent is empty or `-`.
    EmptyUa,
    /// The user agent is an HTTP library or command-line client.
    Library,
    /// The visitor fetched `/robots.txt`.
    RobotsTxt,
}

impl BotReason {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            BotReason::Crawler => "crawler",
            BotReason::UrlInUa => "url-in-ua",
            BotReason::EmptyUa => "empty-ua",
            BotReason::Library => "library",
            BotReason::RobotsTxt => "robots.txt",
        }
    }

    /// The reason of a [`BotReason::name`].
    pub fn from_name(name: &str) -> Option<BotReason> {
        [
            BotReason::Crawler,
            BotReason::UrlInUa,
            BotReason::EmptyUa,
            BotReason::Library,
            BotReason::RobotsTxt,
        ]
        .into_iter()
        .find(|r| r.name() == name)
    }
}

/// What a user agent says about the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UaInfo {
    /// Browser family and major version (`Chrome 120`), or `Unknown`.
    pub browser: String,
    /// Operating system (`Windows 10`, `Mac OSX`, …), or `Unknown`.
    pub os: String,
    /// Device class: `pc`, `smartphone`, `mobilephone`, `appliance`, `misc` or `unknown`.
    pub device: String,
    /// Set when the client is a bot: its name and why.
    pub bot: Option<(String, BotReason)>,
    /// A stable identifier of (browser, os, device) within a run, for grouping.
    pub class: u64,
}

/// Classifies a user agent (uncached).
pub(crate) fn classify_ua(ua: &[u8]) -> UaInfo {
    let text = String::from_utf8_lossy(ua);
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let lists = BotLists::found_in(&lower);
    let (mut browser, mut os, mut device) = (
        "Unknown".to_string(),
        "Unknown".to_string(),
        "unknown".to_string(),
    );
    let listed =
        trimmed.is_empty() || trimmed == "-" || lists.name.is_some() || lists.library.is_some();
    // A bot named by our lists is a bot whatever the parser says: the parser is asked only otherwise.
    let parsed = if listed {
        None
    } else {
        woothee::parser::Parser::new().parse(trimmed)
    };
    let mut crawler_name = None;
    if let Some(r) = &parsed {
        if r.category == "crawler" {
            crawler_name = Some(r.name.to_string());
        } else {
            if r.name != "UNKNOWN" {
                let major = r.version.split('.').next().unwrap_or("");
                browser = if major.is_empty() || major == "UNKNOWN" {
                    r.name.to_string()
                } else {
                    format!("{} {major}", r.name)
                };
            }
            if r.os != "UNKNOWN" {
                os = r.os.to_string();
            }
            if r.category != "UNKNOWN" {
                device = r.category.to_string();
            }
        }
    }
    let bot = if trimmed.is_empty() || trimmed == "-" {
        Some(("(empty)".to_string(), BotReason::EmptyUa))
    } else if let Some(n) = lists.name {
        Some((n.to_string(), BotReason::Crawler))
    } else if let Some(n) = lists.library {
        Some((n.trim_end_matches('/').to_string(), BotReason::Library))
    } else if let Some(name) = crawler_name {
        Some((name.to_ascii_lowercase(), BotReason::Crawler))
    } else if lists.url {
        Some(("(url in ua)".to_string(), BotReason::UrlInUa))
    } else if lists.word {
        Some(("(generic)".to_string(), BotReason::Crawler))
    } else {
        None
    };
    if bot.is_some() {
        browser = "(bot)".into();
        os = "(bot)".into();
        device = "(bot)".into();
    }
    let class = stable_hash(&[browser.as_bytes(), os.as_bytes(), device.as_bytes()]);
    UaInfo {
        browser,
        os,
        device,
        bot,
        class,
    }
}

/// A 64-bit hash that is the same in every thread of a run (for identifiers that merge across chunks).
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(0x6c6f_6776_6569_6c00).build_hasher();
    for p in parts {
        h.write(p);
        h.write_u8(0xff);
    }
    h.finish()
}

/// Most user agents a worker keeps parsed; the cache is emptied when it is full.
const UA_CACHE_ENTRIES: usize = 20_000;

/// What the bot lists ([`lists::BOT_NAMES`], [`lists::LIBRARY_CLIENTS`], [`lists::URL_IN_UA`],
/// [`lists::BOT_WORDS`]) find in a lower-cased user agent, all looked for in one pass.
#[derive(Debug, Default)]
struct BotLists {
    /// The first bot name of the list (in list order) the user agent contains.
    name: Option<&'static str>,
    /// The first library client of the list the user agent contains.
    library: Option<&'static str>,
    /// The user agent carries a URL.
    url: bool,
    /// The user agent contains a crawler word.
    word: bool,
}

impl BotLists {
    fn found_in(lower: &str) -> BotLists {
        static LISTS: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<(u8, &'static str)>)> =
            std::sync::LazyLock::new(|| {
                let tagged: Vec<(u8, &'static str)> = [
                    (0, lists::BOT_NAMES),
                    (1, lists::LIBRARY_CLIENTS),
                    (2, lists::URL_IN_UA),
                    (3, lists::BOT_WORDS),
                ]
                .into_iter()
                .flat_map(|(list, words)| words.iter().map(move |w| (list, *w)))
                .collect();
                let automaton = aho_corasick::AhoCorasick::new(tagged.iter().map(|(_, w)| w))
                    .expect("the bot lists are a valid automaton");
                (automaton, tagged)
            });
        let (automaton, tagged) = &*LISTS;
        let mut found = BotLists::default();
        // Overlapping matches: every pattern present is seen, so "first in list order" is the lowest
        // pattern index of its list, as a search of each list in turn would find.
        let (mut name, mut library) = (usize::MAX, usize::MAX);
        for m in automaton.find_overlapping_iter(lower) {
            let i = m.pattern().as_usize();
            match tagged[i].0 {
                0 => name = name.min(i),
                1 => library = library.min(i),
                2 => found.url = true,
                _ => found.word = true,
            }
        }
        found.name = (name != usize::MAX).then(|| tagged[name].1);
        found.library = (library != usize::MAX).then(|| tagged[library].1);
        found
    }
}

thread_local! {
    static UA_CACHE: RefCell<HashMap<Box<[u8]>, UaInfo>> = RefCell::new(HashMap::default());
}

/// Calls `f` with the (cached) classification of `ua`.
pub(crate) fn with_ua<R>(ua: &[u8], f: impl FnOnce(&UaInfo) -> R) -> R {
    UA_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(info) = cache.get(ua) {
            return f(info);
        }
        if cache.len() >= UA_CACHE_ENTRIES {
            cache.clear();
        }
        let info = classify_ua(ua);
        let r = f(&info);
        cache.insert(ua.into(), info);
        r
    })
}

/// What a request asked for, by the extension of its path (query removed, case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    /// A page (extension-less or a page extension).
    Page,
    /// A static asset (stylesheet, script, image, font, `robots.txt`, `favicon.ico`).
    Static,
    /// A download (archive, document, media).
    Download,
    /// Any other extension (1 to 8 letters and digits): counted as a hit only.
    Other,
}

/// An extension of at most 8 bytes, lower-cased and packed into a `u64` (0 when longer or empty).
fn pack_ext(ext: &[u8]) -> u64 {
    if ext.is_empty() || ext.len() > 8 {
        return 0;
    }
    ext.iter().fold(0u64, |acc, b| {
        (acc << 8) | u64::from(b.to_ascii_lowercase())
    })
}

/// The extension lists as sorted packed keys, built once.
fn ext_table() -> &'static [(u64, Resource)] {
    static TABLE: std::sync::OnceLock<Vec<(u64, Resource)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Vec<(u64, Resource)> = Vec::new();
        // Earlier lists win, as in the order of the checks: page, static, download.
        for (list, kind) in [
            (lists::PAGE_EXTENSIONS, Resource::Page),
            (lists::STATIC_EXTENSIONS, Resource::Static),
            (lists::DOWNLOAD_EXTENSIONS, Resource::Download),
        ] {
            for e in list {
                let k = pack_ext(e.as_bytes());
                if !t.iter().any(|(x, _)| *x == k) {
                    t.push((k, kind));
                }
            }
        }
        t.sort_unstable_by_key(|(k, _)| *k);
        t
    })
}

/// Classifies a path (without query or fragment).
pub(crate) fn resource(path: &[u8]) -> Resource {
    let name = match memchr::memrchr(b'/', path) {
        Some(i) => &path[i + 1..],
        None => path,
    };
    let Some(dot) = memchr::memrchr(b'.', name) else {
        return Resource::Page;
    };
    if lists::STATIC_FILES
        .iter()
        .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
    {
        return Resource::Static;
    }
    let ext = &name[dot + 1..];
    // Only 1 to 8 letters and digits make an extension: after any other dot the last segment is a name
    // (`/u/jane.doe-smith`, `/reset/<JWT>`), so a page.
    if ext.is_empty() || ext.len() > 8 || !ext.iter().all(u8::is_ascii_alphanumeric) {
        return Resource::Page;
    }
    let table = ext_table();
    match table.binary_search_by_key(&pack_ext(ext), |(k, _)| *k) {
        Ok(i) if ext.len() <= 8 => table[i].1,
        _ => Resource::Other,
    }
}

/// Splits a target into path and query (without `?`; the fragment is dropped).
pub(crate) fn split_target(target: &[u8]) -> (&[u8], &[u8]) {
    let target = &target[..memchr::memchr(b'#', target).unwrap_or(target.len())];
    match memchr::memchr(b'?', target) {
        Some(q) => (&target[..q], &target[q + 1..]),
        None => (target, &b""[..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::split_request;

    /// The one-pass search finds what searching each list in turn finds, on every user agent of the
    /// corpus and on ones made to hold several list words at once.
    #[test]
    fn one_pass_bot_lists_agree_with_each_list_in_turn() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
        let mut agents: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(corpus).expect("../shared/corpus") {
            let text = std::fs::read(entry.unwrap().path()).unwrap();
            agents.extend(
                String::from_utf8_lossy(&text)
                    .split('"')
                    .map(str::to_ascii_lowercase),
            );
        }
        agents.extend(
            [
                "mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) googlebot",
                "python-requests/2.31 curl/8.0 spider",
                "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                "",
            ]
            .map(String::from),
        );
        for ua in &agents {
            let found = BotLists::found_in(ua);
            let first = |list: &[&'static str]| list.iter().find(|n| ua.contains(*n)).copied();
            assert_eq!(found.name, first(lists::BOT_NAMES), "{ua}");
            assert_eq!(found.library, first(lists::LIBRARY_CLIENTS), "{ua}");
            assert_eq!(found.url, first(lists::URL_IN_UA).is_some(), "{ua}");
            assert_eq!(found.word, first(lists::BOT_WORDS).is_some(), "{ua}");
        }
    }

    #[test]
    fn resources_by_extension_without_the_query() {
        assert_eq!(resource(b"/"), Resource::Page);
        assert_eq!(resource(b"/blog/post"), Resource::Page);
        assert_eq!(resource(b"/index.PHP"), Resource::Page);
        assert_eq!(resource(b"/a/x.js"), Resource::Static);
        assert_eq!(resource(b"/robots.txt"), Resource::Static);
        assert_eq!(resource(b"/files/report.PDF"), Resource::Download);
        assert_eq!(resource(b"/x.weird"), Resource::Other);
        assert_eq!(resource(b"/x.verylongextension"), Resource::Page);
        assert_eq!(
            resource(b"/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.Sfl-x_w"),
            Resource::Page
        );
        assert_eq!(resource(b"/u/jane.doe-smith"), Resource::Page);
        assert_eq!(resource(b"/x."), Resource::Page);
        assert_eq!(resource(b"/FAVICON.ICO"), Resource::Static);
        assert_eq!(resource(b"/a.tar.GZ"), Resource::Download);
        assert_eq!(resource(b"/a.Html"), Resource::Page);
        assert_eq!(
            split_request(b"GET /a b HTTP/1.1"),
            (&b"GET"[..], &b"/a"[..])
        );
        assert_eq!(split_request(b"GET /a"), (&b"GET"[..], &b"/a"[..]));
        assert_eq!(split_request(b"-"), (&b"-"[..], &b""[..]));
        assert_eq!(
            split_target(b"/x.js?ver=4.8#f"),
            (&b"/x.js"[..], &b"ver=4.8"[..])
        );
    }

    #[test]
    fn bots_by_name_and_reason() {
        let bot = |ua: &str| classify_ua(ua.as_bytes()).bot;
        assert_eq!(
            bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            Some(("googlebot".into(), BotReason::Crawler))
        );
        assert_eq!(bot("-"), Some(("(empty)".into(), BotReason::EmptyUa)));
        assert_eq!(bot("curl/8.4.0"), Some(("curl".into(), BotReason::Library)));
        assert_eq!(
            bot("Foo/1.0 (+http://foo.example/info)"),
            Some(("(url in ua)".into(), BotReason::UrlInUa))
        );
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        let info = classify_ua(chrome.as_bytes());
        assert_eq!(info.bot, None);
        assert_eq!(info.browser, "Chrome 120");
        assert_eq!(info.os, "Windows 10");
        assert_eq!(info.device, "pc");
    }
}
