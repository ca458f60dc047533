//! Data-driven rows as iterations of one Test (`[mapping] iterations = "auto"`, the default).
//!
//! Owns recognising a row of a data-driven test by its name, the Test it belongs to, and the
//! row's parameters, the way Xray's own importers treat them:
//! - pytest `test_div[1-0]` → Test `test_div`, one parameter `p1 = 1-0` (pytest ids join the
//!   values with `-`, which values may contain, so the id stays one value);
//! - JUnit 5 `testDiv(int, int)[2]` → Test `testDiv(int, int)`, parameter `index = 2` (Maven
//!   Surefire 2.22's JUnit Platform provider writes the types in braces, `testDiv{int, int}[2]`:
//!   the same);
//! - JUnit 5 display names `[2] a=4, b=2` / `[2] 4, 2` → a Test named by the argument names
//!   (`[a, b]`; `[p1, p2]` when unnamed), parameters `a = 4, b = 2` / `p1 = 4, p2 = 2`;
//! - NUnit `Divide(4,2)` and xUnit theories `Divide(x: 4, y: 2)` → Test `Divide`, parameters
//!   `x = 4, y = 2` where named, `p1 = 4, p2 = 2` otherwise (Xray's NUnit import likewise
//!   imports parameter sets as iterations).
//!
//! Rows whose reader already split off the parameters (TestNG data providers, Cucumber outline
//! examples, Allure parameters) share one definition and are grouped by it; their parameters
//! come from the result itself. Only unmapped rows are regrouped: a row
//! carrying a Test key already names its Test.

use crate::model::TestCase;

/// A row of a data-driven test, as read from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The Test's name: the row's name without its row part.
    pub base: String,
    /// The row part of the name as written (`[1-0]`, `(4,2)`, `[2] 4, 2`).
    pub suffix: String,
    /// Name → value, in order.
    pub params: Vec<(String, String)>,
}

/// The row `name` is, when it is one.
pub fn row(name: &str) -> Option<Row> {
    let name = name.trim_end();
    if let Some(r) = display_name_row(name) {
        return Some(r);
    }
    if let Some(before) = name.strip_suffix(']') {
        // The last `[` suits JUnit 5's `method(int[])[2]`; the first suits pytest ids that
        // hold brackets themselves (`test_split[[x]]`).
        let opens = [before.rfind('['), before.find('[')];
        return opens
            .into_iter()
            .flatten()
            .find_map(|open| bracket_row(name, open));
    }
    // NUnit `Method(args)`, xUnit `Ns.Class.Method(x: 1, y: 2)`.
    let open = name.strip_suffix(')').and_then(|n| n.find('('))?;
    let base = &name[..open];
    let inside = &name[open + 1..name.len() - 1];
    if inside.trim().is_empty() || !is_identifier(base) || looks_like_types(inside) {
        return None;
    }
    Some(Row {
        base: base.to_string(),
        suffix: name[open..].to_string(),
        params: args(inside),
    })
}

/// `name` read as `base[inside]` with the `[` at `open`, when `base` names a test.
fn bracket_row(name: &str, open: usize) -> Option<Row> {
    let base = &name[..open];
    let inside = &name[open + 1..name.len() - 1];
    if inside.is_empty() || !is_identifier(base.trim_end_matches(method_args(base))) {
        return None;
    }
    let suffix = name[open..].to_string();
    // JUnit 5 legacy names: `method(types)[n]`, or `method{types}[n]` (Surefire 2.22).
    let signature = base.ends_with(')') || base.ends_with('}');
    if signature && inside.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Row {
            base: base.to_string(),
            suffix,
            params: vec![("index".into(), inside.to_string())],
        });
    }
    if signature {
        return None;
    }
    Some(Row {
        base: base.to_string(),
        suffix,
        params: vec![("p1".into(), inside.to_string())],
    })
}

/// The parameters a row's name carries (`p1`, `p2`, … where unnamed). The result's own
/// parameters (TestNG, Cucumber, Allure, xUnit) come first and are used instead when present
/// (`build/xray.rs`, `iteration`).
pub fn parameters(case: &TestCase) -> Vec<(String, String)> {
    row(&case.name).map(|r| r.params).unwrap_or_default()
}

/// The definition of the Test a row belongs to: `definition` without the row part, when it
/// ends with it (`calc.test_div[1-0]` → `calc.test_div`).
pub fn base_definition(definition: &str, row: &Row) -> Option<String> {
    let base = definition.strip_suffix(&row.suffix)?;
    if row.base.starts_with('[') {
        // Display-name rows: the Test is named by its argument names.
        return Some(format!("{base}{}", row.base));
    }
    (!base.is_empty()).then(|| base.to_string())
}

/// JUnit 5 display names: `[n] args`.
fn display_name_row(name: &str) -> Option<Row> {
    let rest = name.strip_prefix('[')?;
    let (index, args_text) = rest.split_once("] ")?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) || args_text.is_empty() {
        return None;
    }
    let params = args(args_text);
    let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    Some(Row {
        base: format!("[{}]", names.join(", ")),
        suffix: name.to_string(),
        params,
    })
}

/// Splits `a=1, b="x, y"` / `x: 1, y: 2` / `4,2` at top-level commas (quotes and brackets
/// kept whole) into names and values; unnamed values get `p1`, `p2`, ….
fn args(text: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let p = p.trim();
            let named = p
                .split_once(": ")
                .or_else(|| p.split_once('='))
                .filter(|(k, _)| is_identifier(k.trim()) && !k.trim().is_empty());
            match named {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => (format!("p{}", n + 1), p.to_string()),
            }
        })
        .collect()
}

/// `(types)` or `{types}` at the end of `base`, for JUnit 5 legacy names; empty when none.
fn method_args(base: &str) -> &str {
    let open = match base.as_bytes().last() {
        Some(b')') => base.find('('),
        Some(b'}') => base.find('{'),
        _ => None,
    };
    open.map_or("", |open| &base[open..])
}

/// Java parameter type lists (`int, java.lang.String`): a method signature, not values.
fn looks_like_types(inside: &str) -> bool {
    inside.split(',').all(|t| {
        let t = t.trim().trim_end_matches("[]").trim_end_matches("...");
        !t.is_empty()
            && t.chars().next().is_some_and(char::is_alphabetic)
            && t.chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '$')
            && (t.chars().next().is_some_and(char::is_uppercase)
                || matches!(
                    t,
                    "int" | "long" | "short" | "byte" | "char" | "boolean" | "double" | "float"
                ))
    })
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '$' | '/' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pytest_ids_are_one_value() {
        let r = row("test_div[1-0]").unwrap();
        assert_eq!(r.base, "test_div");
        assert_eq!(r.suffix, "[1-0]");
        assert_eq!(r.params, p(&[("p1", "1-0")]));
        assert_eq!(
            base_definition("tests.test_calc.test_div[1-0]", &r).as_deref(),
            Some("tests.test_calc.test_div")
        );
    }

    #[test]
    fn pytest_ids_holding_brackets_are_one_value() {
        // From fixtures/generated-pytest-params: `@pytest.mark.parametrize("s", ["[x]"])`.
        let r = row("test_split[[x]]").unwrap();
        assert_eq!(r.base, "test_split");
        assert_eq!(r.params, p(&[("p1", "[x]")]));
        assert_eq!(row("test_split[a b]").unwrap().base, "test_split");
        let r = row("testSum(int[])[3]").unwrap();
        assert_eq!(r.base, "testSum(int[])");
        assert_eq!(r.params, p(&[("index", "3")]));
    }

    #[test]
    fn junit5_legacy_and_display_names() {
        let r = row("testDiv(int, int)[2]").unwrap();
        assert_eq!(r.base, "testDiv(int, int)");
        assert_eq!(r.params, p(&[("index", "2")]));
        // Maven Surefire 2.22.3 with JUnit 5.9 (fixtures/generated-surefire/junit5).
        let r = row("adds{int, int, int}[3]").unwrap();
        assert_eq!(r.base, "adds{int, int, int}");
        assert_eq!(r.params, p(&[("index", "3")]));
        assert_eq!(
            base_definition("calc.CalculatorTest.adds{int, int, int}[3]", &r).as_deref(),
            Some("calc.CalculatorTest.adds{int, int, int}")
        );
        assert_eq!(row("adds{int, int, int}[x]"), None);
        let r = row("[2] a=4, b=2").unwrap();
        assert_eq!(r.base, "[a, b]");
        assert_eq!(r.params, p(&[("a", "4"), ("b", "2")]));
        assert_eq!(
            base_definition("calc.CalcTest.[2] a=4, b=2", &r).as_deref(),
            Some("calc.CalcTest.[a, b]")
        );
        assert_eq!(
            row("[1] 4, 2").unwrap().params,
            p(&[("p1", "4"), ("p2", "2")])
        );
    }

    #[test]
    fn nunit_and_xunit_arguments() {
        let r = row("Divide(4,2)").unwrap();
        assert_eq!(r.base, "Divide");
        assert_eq!(r.params, p(&[("p1", "4"), ("p2", "2")]));
        let r = row("Calc.Tests.Divide(x: 4, y: \"a, b\")").unwrap();
        assert_eq!(r.base, "Calc.Tests.Divide");
        assert_eq!(r.params, p(&[("x", "4"), ("y", "\"a, b\"")]));
    }

    #[test]
    fn plain_names_and_signatures_are_not_rows() {
        for name in [
            "test_add",
            "testAdd()",
            "testAdd(String)",
            "adds two numbers (fast)",
            "should work [slow]",
            "[ci] flaky",
        ] {
            assert_eq!(row(name), None, "{name}");
        }
    }
}
