//! Reads what a step leaves for the GitHub runner, following the runner's own rules, so tests
//! can assert on what the runner would do rather than on strings. Shared by
//! tests/integration/github_surfaces.rs and the end-to-end test of the binary in a simulated Actions
//! environment (use it with `mod github_runner;`).
#![allow(dead_code)]

use std::collections::BTreeMap;

// A reader that follows the runner's rules (actions/runner ActionCommand.cs): lines split at
// \r and \n; a trimmed line starting with `::` is a v2 command, else `##[` anywhere is a legacy
// one; `::stop-commands::TOKEN` turns commands off until `::TOKEN::`.

#[derive(Debug, PartialEq)]
pub struct Command {
    pub name: String,
    pub props: BTreeMap<String, String>,
    pub data: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

pub fn parse_commands(log: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut stopped: Option<String> = None;
    for line in log.split(['\r', '\n']) {
        let t = line.trim();
        if let Some(token) = &stopped {
            if t == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("::") {
            let Some((head, data)) = rest.split_once("::") else {
                continue;
            };
            let (name, props) = head.split_once(' ').unwrap_or((head, ""));
            let props = props
                .split(',')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_string(), unescape(v)))
                .collect();
            if name == "stop-commands" {
                stopped = Some(data.to_string());
            }
            out.push(Command {
                name: name.to_string(),
                props,
                data: unescape(data),
            });
        } else if let Some(i) = line.find("##[") {
            let rest = &line[i + 3..];
            let name = rest.split([']', ' ', ';']).next().unwrap_or("").to_string();
            out.push(Command {
                name,
                props: BTreeMap::new(),
                data: String::new(),
            });
        }
    }
    out
}

/// Parses `$GITHUB_OUTPUT` like the runner: `name=value` or `name<<DELIM` … `DELIM`.
pub fn parse_output_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let hd = line.find("<<");
        match (eq, hd) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.push((line[..e].to_string(), line[e + 1..].to_string()));
            }
            (_, Some(h)) => {
                let name = line[..h].to_string();
                let delim = &line[h + 2..];
                let mut value = Vec::new();
                for l in lines.by_ref() {
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.push((name, value.join("\n")));
            }
            _ => panic!("malformed output line {line:?}"),
        }
    }
    out
}
