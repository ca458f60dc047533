//! Reading EnricoMi's `.results` sidecars (Python `pprint` output), shared by the corpus tests.

/// Reads one Python string literal (or `None`, or a parenthesised run of adjacent literals as
/// pprint writes long strings) from the start of `s`.
pub fn py_value(s: &str) -> Option<String> {
    let s = s.trim_start();
    if s.starts_with("None") {
        return None;
    }
    let mut out = String::new();
    let mut chars = s.strip_prefix('(').unwrap_or(s).chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(quote) = chars.next().filter(|c| *c == '\'' || *c == '"') else {
            break;
        };
        while let Some(c) = chars.next() {
            match c {
                c if c == quote => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(e @ ('x' | 'u' | 'U')) => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                        let code = u32::from_str_radix(&hex, 16).expect("hex escape");
                        out.push(char::from_u32(code).expect("escape is a char"));
                    }
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
    }
    Some(out)
}
