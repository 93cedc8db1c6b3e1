//! The layering of `privacy`, checked from its source: the modules' `use` lines (and the `super::…` paths
//! written in code) must form a graph without a cycle, [`recognise`](super::recognise) must name nothing
//! else in `privacy`, and nothing in `privacy` may use the top layer (`scrub`, `detect`). Test code
//! (`#[cfg(test)] mod tests`, `tests.rs`) is not looked at.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The bottom layer: depends on nothing else in `privacy`.
const RECOGNISERS: &str = "recognise";
/// The top layer: used by nothing else in `privacy`.
const TOP: [&str; 2] = ["scrub", "detect"];

/// For each top-level module of `privacy` (a file `x.rs` or a directory `x/`), the others its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the sources in `files`: (path under `src/privacy/`, text) each.
fn graph(files: &[(String, String)]) -> Graph {
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|(path, _)| module_path(path).first().cloned())
        .collect();
    // Items the root re-exports (`pub use ip::{IpMode, IpPolicy};`): `super::IpPolicy` means `ip`.
    let mut reexports = BTreeMap::new();
    if let Some((_, root)) = files.iter().find(|(p, _)| p == "mod.rs") {
        for path in use_paths(&tokens(&code(root))) {
            if let [module, item] = path.as_slice() {
                reexports.insert(item.clone(), module.clone());
            }
        }
    }
    let mut graph = Graph::new();
    for (path, text) in files {
        let here = module_path(path);
        let Some(from) = here.first() else {
            continue; // the root only declares and re-exports
        };
        let edges = graph.entry(from.clone()).or_default();
        let toks = tokens(&code(text));
        let mut paths = use_paths(&toks);
        paths.extend(code_paths(&toks));
        for p in paths {
            let Some(target) = resolve(&here, &p) else {
                continue;
            };
            let Some(first) = target.first() else {
                continue;
            };
            let to = if modules.contains(first) {
                first.clone()
            } else {
                match reexports.get(first) {
                    Some(m) => m.clone(),
                    None => panic!("{path}: `{}` names nothing known in privacy", p.join("::")),
                }
            };
            if to != *from {
                edges.insert(to);
            }
        }
    }
    graph
}

/// The module path of a file under `src/privacy/`: `[]` for `mod.rs`, `["x"]` for `x.rs` and `x/mod.rs`,
/// `["x", "y"]` for `x/y.rs`.
fn module_path(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    if let Some(last) = parts.pop() {
        if last != "mod.rs" {
            parts.push(last.trim_end_matches(".rs").to_string());
        }
    }
    parts
}

/// The file's code without comments and without its test module.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod tests"))
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        // Cut a trailing comment, but not a `//` inside a string (`b"//"`, `"http://"`).
        let mut in_str = false;
        let mut prev = ' ';
        let mut end = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && c == '/' && prev == '/' {
                end = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..end]);
        out.push('\n');
    }
    out
}

/// Identifiers, `::` and the punctuation of `use` trees; string literals dropped.
fn tokens(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let s = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[s..i].iter().collect());
            continue;
        }
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 1;
        } else if matches!(c, '{' | '}' | ',' | ';' | '*') {
            out.push(c.to_string());
        } else if !c.is_whitespace() {
            out.push(" ".to_string()); // anything else ends a path
        }
        i += 1;
    }
    out
}

/// The full paths of every `use` declaration, braces expanded (`use super::{a, b::c};` gives `super::a`
/// and `super::b::c`).
fn use_paths(toks: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i] == "use" {
            i = use_tree(toks, i + 1, &[], &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Reads one use tree starting at `i` under `prefix`; returns the position after it.
fn use_tree(toks: &[String], mut i: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    while i < toks.len() {
        match toks[i].as_str() {
            "::" => i += 1,
            "{" => {
                i += 1;
                while i < toks.len() && toks[i] != "}" {
                    i = use_tree(toks, i, &path, out);
                    if toks.get(i).is_some_and(|t| t == ",") {
                        i += 1;
                    }
                }
                return i + 1;
            }
            "," | "}" | ";" => break,
            "as" => i += 2,
            "*" | "self" => i += 1,
            t => {
                path.push(t.to_string());
                i += 1;
            }
        }
    }
    if path.len() > prefix.len() || !prefix.is_empty() {
        out.push(path);
    }
    i
}

/// Paths written in code outside `use` lines: `super::host::is_hostname(…)`, `crate::privacy::x::y`.
fn code_paths(toks: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let starts = matches!(toks[i].as_str(), "super" | "crate")
            && (i == 0 || toks[i - 1] != "::")
            && (i == 0 || toks[i - 1] != "use");
        if !starts {
            i += 1;
            continue;
        }
        let mut path = vec![toks[i].clone()];
        i += 1;
        while i + 1 < toks.len()
            && toks[i] == "::"
            && toks[i + 1].chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            path.push(toks[i + 1].clone());
            i += 2;
        }
        out.push(path);
    }
    out
}

/// The path inside `privacy` that `path`, written in module `here`, names; `None` when it is outside.
fn resolve(here: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = here.to_vec();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            if path.get(1).map(String::as_str) != Some("privacy") {
                return None;
            }
            base.clear();
            rest = &path[2..];
        }
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some("self") => rest = &path[1..],
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// A cycle of `graph`, if it has one, as the modules along it.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(p) = stack.iter().position(|n| n == node) {
            let mut c = stack[p..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

/// What is wrong with the layering of `graph`, one message each.
fn violations(graph: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = cycle(graph) {
        out.push(format!("cycle: {}", c.join(" -> ")));
    }
    for to in graph.get(RECOGNISERS).into_iter().flatten() {
        out.push(format!("{RECOGNISERS} uses {to}, above it"));
    }
    for (from, tos) in graph {
        for top in TOP {
            if tos.contains(top) {
                out.push(format!("{from} uses {top}, the top layer"));
            }
        }
    }
    out
}

/// Every `.rs` file under `dir` but the test files, as (path under `root`, text).
fn sources(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/privacy is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("tests.rs")
            && !path.ends_with("layers.rs")
        {
            let rel = path.strip_prefix(root).expect("under root");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((
                rel,
                std::fs::read_to_string(&path).expect("readable source"),
            ));
        }
    }
}

fn privacy_graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/privacy");
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    graph(&files)
}

#[test]
fn privacy_modules_form_layers_without_a_cycle() {
    let graph = privacy_graph();
    assert!(graph.contains_key(RECOGNISERS) && graph.contains_key("scrub"));
    let wrong = violations(&graph);
    assert!(wrong.is_empty(), "{wrong:#?}\nthe graph: {graph:#?}");
}

#[test]
fn a_back_edge_is_caught() {
    let file = |p: &str, t: &str| (p.to_string(), t.to_string());
    let root = file("mod.rs", "mod a;\npub use rules::{Rules, PathRule};\n");
    let clean = [
        root.clone(),
        file("recognise/mod.rs", "mod net;\n"),
        file(
            "recognise/net.rs",
            "use super::addr::parse; // super::super::ip\n",
        ),
        file("ip.rs", "use super::recognise::{self, Kind};\n"),
        file("rules.rs", "use super::ip::IpPolicy;\n"),
        file(
            "url.rs",
            "use super::{Rules, ip};\nfn f() { super::rules::x(b\"//\"); }\n",
        ),
        file("scrub.rs", "use super::url::rewrite;\n"),
    ];
    let g = graph(&clean);
    assert_eq!(violations(&g), Vec::<String>::new(), "{g:#?}");
    assert_eq!(g["url"], ["ip", "rules"].map(String::from).into());
    // The recogniser layer reaching up (as `detect/net.rs` once did), in code rather than a `use` line.
    let mut up = clean.to_vec();
    up[2] = file(
        "recognise/net.rs",
        "fn f() { super::super::ip::parse_ipv6(b); }\n",
    );
    assert!(violations(&graph(&up)).iter().any(|v| v.contains("cycle")));
    assert!(
        violations(&graph(&up))
            .iter()
            .any(|v| v.contains("recognise uses ip"))
    );
    // A rule using the driver above it.
    let mut back = clean.to_vec();
    back[4] = file("rules.rs", "use super::{ip::IpPolicy, scrub::ScrubMode};\n");
    let v = violations(&graph(&back));
    assert!(v.iter().any(|v| v.starts_with("cycle: ")), "{v:?}");
    assert!(
        v.contains(&"rules uses scrub, the top layer".to_string()),
        "{v:?}"
    );
}
