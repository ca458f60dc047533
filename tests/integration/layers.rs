//! The stairs stay one-way: every `crate::` path in `src/` may only name a top-level module of
//! the same or a lower layer, and modules of one layer may use each other only without a cycle.
//! The layer table is ARCHITECTURE.md's ("Layers"); a module missing from it fails the test, so
//! a new module has to be placed on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. Keep in step with ARCHITECTURE.md.
const LAYERS: &[&[&str]] = &[
    // Leaves: raw arguments, secrets, error kinds, CI detection, untrusted-text safety, the
    // stop state, no-follow file writes, indented JSON.
    &[
        "cli",
        "secret",
        "error",
        "ci",
        "untrusted",
        "stop",
        "outfile",
        "pretty_json",
    ],
    // The data every stage shares.
    &["model"],
    // Resolved settings (from raw args, env, file).
    &["settings"],
    // Files to tests; tests to identities.
    &["ingest", "mapping"],
    // The pure planner and the wire formats it owns.
    &["plan"],
    // Effects: the one HTTP stack and the clients on it; the spool on disk.
    &["http", "jira", "xray", "github", "spool"],
    // What the user reads.
    &["report"],
    // Commands: the order of the steps.
    &["commands", "run", "doctor"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/plan/build.rs` → `plan`); `None`
/// for the crate roots.
fn owner(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// Every top-level module a source text names through `crate::`, including the grouped form
/// `crate::{a::X, b}`. Comments are skipped (a doc comment may mention any path).
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or(code);
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level items of the group: what follows `{` or a `,` at depth 0.
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if start && (c.is_ascii_alphabetic() || c == '_') => {
                            let ident: String = group[i..]
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect();
                            out.insert(ident);
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    out.insert(ident);
                }
            }
        }
    }
    out
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = owner(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let uses = graph.entry(module.clone()).or_default();
        for named in named_modules(&text) {
            if named != module {
                uses.insert(named);
            }
        }
    }
    graph
}

#[test]
fn imports_only_go_down_the_layers() {
    let graph = module_graph();
    let mut wrong = Vec::new();
    for (module, uses) in &graph {
        let Some(own) = layer_of(module) else {
            wrong.push(format!(
                "src/{module}: not in the layer table (tests/integration/layers.rs)"
            ));
            continue;
        };
        for used in uses {
            match layer_of(used) {
                None => wrong.push(format!(
                    "{module} uses {used}, which is not in the layer table"
                )),
                Some(l) if l > own => wrong.push(format!(
                    "{module} (layer {own}) uses {used} (layer {l}): imports go down, never up"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_cycle_between_modules() {
    let graph = module_graph();
    // Depth-first search for a back edge; the path printed is the cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("modules depend on each other: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_reader_sees_grouped_and_inline_paths() {
    let text = "use crate::{model::Text, plan::{IssueKey, label}};\n\
                let x = crate::xray::payload::ImportDoc::default();\n\
                // crate::report is only mentioned\n";
    let found: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(found, ["model", "plan", "xray"]);
}

/// A source file's module path (`src/plan/build/xray.rs` → `plan::build::xray`,
/// `src/ingest/mod.rs` → `ingest`); empty for the crate roots.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Every module path a source text names through `crate::`, `super::` or `self::` (grouped
/// forms included), resolved against `own` (the file's module path). Test modules
/// (`#[cfg(test)]` to the end) are left out: their `super` is the file itself.
fn named_paths(text: &str, own: &[String]) -> Vec<Vec<String>> {
    fn idents(s: &str) -> (Vec<String>, &str) {
        // `a::b::c` at the start of `s`, and what follows it.
        let mut out = Vec::new();
        let mut rest = s;
        loop {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() {
                break;
            }
            rest = &rest[ident.len()..];
            out.push(ident);
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        (out, rest)
    }
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or(code);
        for (at, _) in code.match_indices("::") {
            // Only paths that start at `crate`, `super` or `self`.
            let head = &code[..at];
            let start = head
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(0, |i| i + 1);
            if start != at - head[start..].len() || head[start..].contains("::") {
                continue;
            }
            let mut base: Vec<String> = match &head[start..] {
                "crate" => Vec::new(),
                "self" => own.to_vec(),
                "super" => own[..own.len().saturating_sub(1)].to_vec(),
                _ => continue,
            };
            let (mut path, rest) = idents(&code[at + 2..]);
            while path.first().is_some_and(|p| p == "super") {
                path.remove(0);
                base.pop();
            }
            base.extend(path);
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut item_start = Some(0);
                for (i, c) in group.char_indices() {
                    if let Some(s) = item_start.take() {
                        let (item, _) = idents(group[s..].trim_start());
                        let mut p = base.clone();
                        p.extend(item.into_iter().filter(|i| i != "self"));
                        out.push(p);
                    }
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = Some(i + 1),
                        _ => {}
                    }
                }
            } else {
                out.push(base);
            }
        }
    }
    out
}

/// Inside every module, which of its submodules use which siblings (`plan::bugs` →
/// `plan::text`). A use of the parent or of a child is not an edge.
fn submodule_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let own = module_path(&src, file);
        if own.len() < 2 {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for mut named in named_paths(&text, &own) {
            // Items are dropped: the longest prefix that is a module file.
            while !named.is_empty() && !modules.contains(&named) {
                named.pop();
            }
            let common = own.iter().zip(&named).take_while(|(a, b)| a == b).count();
            // Siblings under a common module (the top level is `no_cycle_between_modules`).
            if common == 0 || common >= own.len() || common >= named.len() {
                continue;
            }
            graph
                .entry(own[..=common].join("::"))
                .or_default()
                .insert(named[..=common].join("::"));
        }
    }
    graph
}

/// Cycles among sibling submodules that predate this check, in files other work owns; each is
/// one group of mutually dependent siblings. The test fails on any other group (a new cycle, or
/// one of these growing), so the list can only shrink.
const KNOWN_SUBMODULE_CYCLES: &[&[&str]] = &[
    // `exec_fields::refused`, `landed` and `requirements` build or fill `upload`'s receipts;
    // `upload` calls all three.
    &[
        "xray::client",
        "xray::exec_fields",
        "xray::keys",
        "xray::landed",
        "xray::requirements",
        "xray::send",
        "xray::upload",
    ],
];

/// The groups of sibling submodules that depend on each other (strongly connected, more than
/// one member), each sorted.
fn submodule_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let reach = |start: &String| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph.get(start).into_iter().flatten().collect();
        while let Some(n) = todo.pop() {
            if seen.insert(n.clone()) {
                todo.extend(graph.get(n).into_iter().flatten());
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut groups = BTreeSet::new();
    for (n, from_n) in &reachable {
        if !from_n.contains(*n) {
            continue;
        }
        let group: Vec<String> = from_n
            .iter()
            .filter(|m| reachable.get(m).is_some_and(|r| r.contains(*n)))
            .cloned()
            .collect();
        groups.insert(group);
    }
    groups
}

#[test]
fn no_cycle_between_sibling_submodules() {
    let known: BTreeSet<Vec<String>> = KNOWN_SUBMODULE_CYCLES
        .iter()
        .map(|g| g.iter().map(|m| m.to_string()).collect())
        .collect();
    let found = submodule_cycles(&submodule_graph());
    let gone: Vec<&Vec<String>> = known.iter().filter(|g| !found.contains(*g)).collect();
    assert!(
        gone.is_empty(),
        "no longer a cycle (or a smaller one now): update KNOWN_SUBMODULE_CYCLES: {gone:?}"
    );
    let new: Vec<Vec<String>> = found.into_iter().filter(|g| !known.contains(g)).collect();
    assert!(
        new.is_empty(),
        "submodules depend on each other (move what they share to a lower sibling): {new:?}"
    );
}

#[test]
fn the_cycle_finder_groups_mutual_dependencies() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [
        ("x::a", "x::b"),
        ("x::b", "x::a"),
        ("x::b", "x::c"),
        ("y::d", "y::e"),
    ] {
        graph.entry(a.into()).or_default().insert(b.into());
    }
    let groups: Vec<Vec<String>> = submodule_cycles(&graph).into_iter().collect();
    assert_eq!(groups, [vec!["x::a".to_string(), "x::b".to_string()]]);
}

#[test]
fn the_submodule_reader_resolves_super_and_groups() {
    let own: Vec<String> = ["plan", "build", "xray"].map(String::from).to_vec();
    let text = "use super::text::{comment, span};\n\
                use super::super::{bugs, text::plain};\n\
                let x = crate::xray::wire::key_jql(&k);\n\
                #[cfg(test)]\nuse super::super::ignored;\n";
    let found: Vec<String> = named_paths(text, &own)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        found,
        [
            "plan::build::text::comment",
            "plan::build::text::span",
            "plan::bugs",
            "plan::text::plain",
            "xray::wire::key_jql"
        ]
    );
}
