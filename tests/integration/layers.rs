//! The stairs stay one-way: every `crate::` path in `src/` may only name a top-level module of
//! the same or a lower layer, and modules of one layer may use each other only without a cycle.
//! The layer table is ARCHITECTURE.md's ("Layers"); a module missing from it fails the test, so
//! a new module has to be placed on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. Keep in step with ARCHITECTURE.md.
const LAYERS: &[&[&str]] = &[
    // Leaves: raw arguments, secrets, error kinds, CI detection, untrusted-text safety,
    // no-follow file writes.
    &["cli", "secret", "error", "ci", "untrusted", "outfile"],
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
