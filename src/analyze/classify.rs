//! What a hit is: page view, static asset, download or other; and who sent it: a browser (family, major
//! version, OS, device class) or a bot (by name and by reason). User agents are parsed with `woothee`
//! behind a cache shared by the workers, so each distinct user agent is parsed about once per run.

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// Most user agents a cache keeps; it is emptied when it is full. At 16 bytes an entry (a hash and an
/// index), a full cache takes about 8 MiB: 7/8 of 2^19, the load at which the hash table would grow. A
/// month of a busy site has a few hundred thousand distinct user agents, each a new `woothee` parse
/// whenever a cache of fewer forgets it.
const UA_CACHE_ENTRIES: usize = 7 << 16;

/// The user agents a run has classified, shared by its workers, so that each distinct user agent is
/// parsed once rather than once per worker. A 64-bit hash of a user agent (under a random seed of the
/// process) gives the index of its classification among the few distinct ones, which are kept in the
/// order they were first met and never dropped. The text is not kept: two user agents of one hash (about
/// one chance in 2^64 per pair) would share a classification, never an identifier.
struct Classified {
    /// A user agent's hash → its classification's index in `infos`.
    by_hash: HashMap<u64, u32>,
    /// The distinct classifications.
    infos: Vec<UaInfo>,
    /// A classification → its index in `infos`.
    by_info: HashMap<UaInfo, u32>,
    /// User agents parsed (for tests).
    parsed: u64,
}

/// The user agents one worker has met: its own hash → index map, looked up without a lock, and its copy
/// of the shared classifications (the same indices).
#[derive(Default)]
struct SeenHere {
    by_hash: HashMap<u64, u32>,
    infos: Vec<UaInfo>,
}

/// A cache of classifications: one shared part, one part per worker ([`SeenHere`]).
struct UaCache {
    seed: foldhash::quality::RandomState,
    shared: std::sync::Mutex<Classified>,
    /// Entries a hash → index map holds before it is emptied.
    limit: usize,
}

impl UaCache {
    fn new(limit: usize) -> UaCache {
        UaCache {
            seed: foldhash::quality::RandomState::default(),
            shared: std::sync::Mutex::new(Classified {
                by_hash: HashMap::default(),
                infos: Vec::new(),
                by_info: HashMap::default(),
                parsed: 0,
            }),
            limit,
        }
    }

    fn shared(&self) -> std::sync::MutexGuard<'_, Classified> {
        // A worker that panicked holding the lock left the maps whole (no insert is half done).
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The classification of `ua`: from this worker's map, else the shared one (parsed when neither has it).
    fn get<'h>(&self, here: &'h mut SeenHere, ua: &[u8]) -> &'h UaInfo {
        use std::hash::BuildHasher;
        let h = self.seed.hash_one(ua);
        if let Some(&i) = here.by_hash.get(&h) {
            return &here.infos[i as usize];
        }
        let known = self.shared().by_hash.get(&h).copied();
        let i = match known {
            Some(i) => i,
            None => {
                // Parsed without the lock; a worker that parsed the same user agent meanwhile found the
                // same classification, so its index is the same.
                let info = classify_ua(ua);
                let mut shared = self.shared();
                shared.parsed += 1;
                let i = match shared.by_info.get(&info) {
                    Some(&i) => i,
                    None => {
                        let i = shared.infos.len() as u32;
                        shared.by_info.insert(info.clone(), i);
                        shared.infos.push(info);
                        i
                    }
                };
                if shared.by_hash.len() >= self.limit {
                    shared.by_hash.clear();
                }
                shared.by_hash.insert(h, i);
                i
            }
        };
        if here.infos.len() <= i as usize {
            let shared = self.shared();
            here.infos
                .extend_from_slice(&shared.infos[here.infos.len()..]);
        }
        if here.by_hash.len() >= self.limit {
            here.by_hash.clear();
        }
        here.by_hash.insert(h, i);
        &here.infos[i as usize]
    }
}

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

/// The process's user-agent cache (classifications depend on nothing but the user agent).
static UA_CACHE: std::sync::LazyLock<UaCache> =
    std::sync::LazyLock::new(|| UaCache::new(UA_CACHE_ENTRIES));

thread_local! {
    static UA_SEEN_HERE: RefCell<SeenHere> = RefCell::new(SeenHere::default());
}

/// Calls `f` with the (cached) classification of `ua`.
pub(crate) fn with_ua<R>(ua: &[u8], f: impl FnOnce(&UaInfo) -> R) -> R {
    UA_SEEN_HERE.with(|here| f(UA_CACHE.get(&mut here.borrow_mut(), ua)))
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

    /// Workers sharing a cache parse each user agent once and get what an uncached classification
    /// gives, also when the maps are emptied for being full.
    #[test]
    fn the_shared_cache_parses_each_agent_once_and_agrees_with_classify() {
        let agents: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => format!(
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{}.0.1.{i}",
                    100 + i % 7
                ),
                1 => format!(
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{i} like Mac OS X) Safari/604.{i}"
                ),
                2 => format!("Googlebot/2.{i} (+http://www.google.com/bot.html)"),
                _ => format!("curl/8.{i}.0"),
            })
            .collect();
        let cache = UaCache::new(1 << 20);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    let mut here = SeenHere::default();
                    for round in 0..2 {
                        for ua in agents.iter().skip(round) {
                            let got = cache.get(&mut here, ua.as_bytes());
                            assert_eq!(*got, classify_ua(ua.as_bytes()), "{ua}");
                        }
                    }
                });
            }
        });
        // Three workers may race to parse an agent first, never more than that.
        let parsed = cache.shared().parsed;
        assert!((40..=120).contains(&parsed), "{parsed} parses of 40 agents");
        let one_worker = UaCache::new(1 << 20);
        let mut here = SeenHere::default();
        for ua in agents.iter().chain(&agents) {
            one_worker.get(&mut here, ua.as_bytes());
        }
        assert_eq!(one_worker.shared().parsed, 40);
        // The distinct classifications are kept once each.
        assert!(one_worker.shared().infos.len() < 40);

        // Maps of 3 entries, emptied over and over: every answer still right.
        let small = UaCache::new(3);
        let mut here = SeenHere::default();
        for ua in agents.iter().chain(agents.iter().rev()) {
            assert_eq!(
                *small.get(&mut here, ua.as_bytes()),
                classify_ua(ua.as_bytes())
            );
        }
        assert!(here.by_hash.len() <= 3);
    }

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
