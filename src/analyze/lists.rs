//! The default lists the classifier uses, copied as data from the peers (see
//! `reference/analytics-anchors.md`, section (c)): static and download extensions, site-search and campaign
//! parameters, search engines and their keyword parameters, and bot user-agent patterns.

/// Extensions of static assets (lower case, no dot): union of the Matomo, AWStats and GoatCounter lists,
/// less the ones that are downloads.
pub(crate) const STATIC_EXTENSIONS: &[&str] = &[
    "css", "js", "mjs", "map", "gif", "jpg", "jpeg", "png", "bmp", "ico", "svg", "svgz", "webp",
    "avif", "tif", "tiff", "ttf", "otf", "eot", "woff", "woff2", "class", "swf", "rss", "less",
];

/// Extensions of downloads (lower case, no dot): the Plausible list plus the common archive, package,
/// document and media types of the Matomo and AWStats lists.
pub(crate) const DOWNLOAD_EXTENSIONS: &[&str] = &[
    "7z", "aac", "apk", "avi", "azw3", "bin", "bz2", "csv", "deb", "dmg", "doc", "docx", "epub",
    "exe", "flac", "flv", "gz", "iso", "jar", "key", "m4a", "m4v", "midi", "mkv", "mobi", "mov",
    "mp3", "mp4", "mpeg", "mpg", "msi", "odp", "ods", "odt", "ogg", "ogv", "pdf", "pkg", "pps",
    "ppt", "pptx", "rar", "rpm", "rtf", "tar", "tbz", "tbz2", "tgz", "torrent", "txt", "wav",
    "webm", "wma", "wmv", "xls", "xlsx", "xz", "zip", "zst",
];

/// Extensions that are pages (besides extension-less paths): AWStats' page logic.
pub(crate) const PAGE_EXTENSIONS: &[&str] = &[
    "html", "htm", "php", "asp", "aspx", "jsp", "shtml", "xhtml", "cgi", "pl",
];

/// File names that are static whatever their extension.
pub(crate) const STATIC_FILES: &[&str] = &["robots.txt", "favicon.ico"];

/// Site-search query parameters, in the order they are tried (Matomo).
pub(crate) const SITE_SEARCH_PARAMS: &[&str] =
    &["q", "query", "s", "search", "searchword", "k", "keyword"];

/// Campaign parameters reported in `campaigns.csv`.
pub(crate) const CAMPAIGN_PARAMS: [&str; 3] = ["utm_source", "utm_medium", "utm_campaign"];

/// A search engine: its name, how to recognise its host, and its keyword parameters in order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchEngine {
    /// Display name.
    pub name: &'static str,
    /// Host patterns: `google.` matches any label sequence containing `google.` at a label start
    /// (`www.google.co.uk`); a pattern without a trailing dot must equal the host or be a suffix after a dot.
    pub hosts: &'static [&'static str],
    /// Keyword parameters, tried in order.
    pub params: &'static [&'static str],
}

/// Known search engines (the first configuration of each in Matomo's `SearchEngines.yml`).
pub(crate) const SEARCH_ENGINES: &[SearchEngine] = &[
    SearchEngine {
        name: "Google",
        hosts: &["google."],
        params: &["q"],
    },
    SearchEngine {
        name: "Bing",
        hosts: &["bing.com"],
        params: &["q", "Q"],
    },
    SearchEngine {
        name: "Yahoo!",
        hosts: &["search.yahoo.com", "search.yahoo.co.jp"],
        params: &["p", "q"],
    },
    SearchEngine {
        name: "DuckDuckGo",
        hosts: &["duckduckgo.com"],
        params: &["q"],
    },
    SearchEngine {
        name: "Yandex",
        hosts: &["yandex.", "ya.ru"],
        params: &["text"],
    },
    SearchEngine {
        name: "Baidu",
        hosts: &["baidu.com"],
        params: &["wd", "word", "kw"],
    },
    SearchEngine {
        name: "Ecosia",
        hosts: &["ecosia.org"],
        params: &["q"],
    },
    SearchEngine {
        name: "Qwant",
        hosts: &["qwant.com"],
        params: &["q"],
    },
    SearchEngine {
        name: "StartPage",
        hosts: &["startpage.com"],
        params: &["query"],
    },
    SearchEngine {
        name: "Brave",
        hosts: &["search.brave.com"],
        params: &["q"],
    },
    SearchEngine {
        name: "Kagi",
        hosts: &["kagi.com"],
        params: &["q"],
    },
    SearchEngine {
        name: "Mojeek",
        hosts: &["mojeek.com"],
        params: &["q"],
    },
    SearchEngine {
        name: "Swisscows",
        hosts: &["swisscows.com"],
        params: &["query"],
    },
    SearchEngine {
        name: "Naver",
        hosts: &["search.naver.com"],
        params: &["query"],
    },
    SearchEngine {
        name: "Seznam",
        hosts: &["search.seznam.cz"],
        params: &["q"],
    },
    SearchEngine {
        name: "Sogou",
        hosts: &["sogou.com"],
        params: &["query"],
    },
    SearchEngine {
        name: "AOL",
        hosts: &["search.aol.com"],
        params: &["query", "q"],
    },
    SearchEngine {
        name: "Ask",
        hosts: &["ask.com"],
        params: &["q", "ask", "searchfor"],
    },
];

/// Crawler names matched as case-insensitive substrings of the user agent, in order; the first match
/// names the bot. Lower case. (GoAccess crawler list, Matomo and AWStats generic lists.)
pub(crate) const BOT_NAMES: &[&str] = &[
    "googlebot",
    "adsbot-google",
    "mediapartners-google",
    "google-inspectiontool",
    "googleother",
    "bingbot",
    "msnbot",
    "yandexbot",
    "baiduspider",
    "duckduckbot",
    "applebot",
    "petalbot",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "blexbot",
    "bytespider",
    "gptbot",
    "claudebot",
    "perplexitybot",
    "amazonbot",
    "ccbot",
    "facebookexternalhit",
    "twitterbot",
    "slackbot",
    "telegrambot",
    "discordbot",
    "linkedinbot",
    "yahoo! slurp",
    "archive.org_bot",
    "ia_archiver",
    "sogou",
    "exabot",
    "pingdom",
    "uptimerobot",
    "netcraft",
    "zabbix",
    "masscan",
    "zmeu",
    "nimbostratus",
];

/// Generic crawler words (case-insensitive substrings), reported under the name `(generic)`.
pub(crate) const BOT_WORDS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "robot",
    "scanner",
    "checker",
    "fetcher",
    "validator",
    "feed",
];

/// Library and command-line HTTP clients (case-insensitive prefixes or substrings of the user agent).
pub(crate) const LIBRARY_CLIENTS: &[&str] = &[
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "python/",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "headlesschrome",
    "apache-httpclient",
    "php/",
    "ruby",
    "node-fetch",
    "axios",
    "aiohttp",
    "httpclient",
    "scrapy",
    "prometheus/",
];

/// URL-in-UA heuristics (GoAccess `check_http_crawler`).
pub(crate) const URL_IN_UA: &[&str] = &["; +http", "; http", " (+http", " (http", ";++http"];
