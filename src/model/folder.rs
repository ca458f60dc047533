//! The Test Repository folder template (`XRAY_FOLDER`, e.g. `/CI/{package}`): which
//! placeholders it may use and how one test's values turn it into a folder path.
//!
//! Pure string work, so settings can refuse a bad template before anything is sent and the
//! planner can show every folder a dry run would create.

/// The placeholders a folder template may use.
pub const PLACEHOLDERS: [&str; 4] = ["suite", "classname", "package", "file"];

/// What one test contributes to its folder path.
#[derive(Debug, Clone, Copy, Default)]
pub struct FolderVars<'a> {
    pub suite: &'a str,
    pub classname: &'a str,
    /// Source file of the test as the result file names it (may contain `/`).
    pub file: &'a str,
}

/// `Ok` when every `{…}` in the template is a known placeholder and braces are balanced.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("unmatched '}}' in {template:?}"));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!("unmatched '{{' in {template:?}"));
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} in {template:?} (known: {})",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// `{package}`: the classname without its last segment, dots turned into folder separators
/// (`com.acme.calc.DivTest` → `com/acme/calc`).
pub fn package_of(classname: &str) -> String {
    match classname.rsplit_once('.') {
        Some((package, _)) => package.replace('.', "/"),
        None => String::new(),
    }
}

/// The folder path for one test: placeholders filled, empty segments dropped, always starting
/// with `/` and never ending with one (`/` alone is the repository root). Assumes a template
/// that passed [`check_template`]; an unknown placeholder is left as written.
pub fn render(template: &str, vars: &FolderVars<'_>) -> String {
    let package = package_of(vars.classname);
    let mut filled = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            filled.push_str(&rest[open..]);
            rest = "";
            break;
        };
        match &after[..close] {
            "suite" => filled.push_str(vars.suite),
            "classname" => filled.push_str(vars.classname),
            "package" => filled.push_str(&package),
            "file" => filled.push_str(vars.file),
            other => {
                filled.push('{');
                filled.push_str(other);
                filled.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    filled.push_str(rest);
    let segments: Vec<&str> = filled
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", segments.join("/"))
}

/// Whether `path` is a folder path as [`render`] writes them, other than the root: `/` then
/// segments, each non-empty, without surrounding whitespace, not `.`, without `\\`. For paths
/// read back from a file anything may have written (the spool).
pub fn is_rendered_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    !rest.is_empty()
        && rest
            .split('/')
            .all(|seg| !seg.is_empty() && seg.trim() == seg && seg != "." && !seg.contains('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_with_unknown_or_unbalanced_placeholders_are_refused() {
        assert!(check_template("/CI/{package}/{suite}").is_ok());
        assert!(check_template("/plain").is_ok());
        let e = check_template("/CI/{pkg}").unwrap_err();
        assert!(e.contains("{pkg}") && e.contains("{package}"), "{e}");
        assert!(check_template("/CI/{package").is_err());
        assert!(check_template("/CI/package}").is_err());
    }

    #[test]
    fn package_drops_the_class_and_turns_dots_into_folders() {
        assert_eq!(package_of("com.acme.calc.DivTest"), "com/acme/calc");
        assert_eq!(package_of("DivTest"), "");
    }

    #[test]
    fn rendered_paths_are_told_from_other_strings() {
        let v = FolderVars {
            suite: " a {suite} ",
            classname: "com.acme.X",
            file: "t/x.py",
        };
        for template in ["/CI/{package}", "/{suite}/{file}", "x\\{classname}"] {
            let path = render(template, &v);
            assert!(is_rendered_path(&path), "{path}");
        }
        for bad in ["", "/", "CI", "/CI/", "//CI", "/CI/ a", "/CI/./a", "/CI\\a"] {
            assert!(!is_rendered_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn render_fills_placeholders_and_normalises_slashes() {
        let v = FolderVars {
            suite: "calc suite",
            classname: "com.acme.calc.DivTest",
            file: "tests/test_div.py",
        };
        assert_eq!(render("/CI/{package}", &v), "/CI/com/acme/calc");
        assert_eq!(render("CI//{suite}/", &v), "/CI/calc suite");
        assert_eq!(render("/CI/{file}", &v), "/CI/tests/test_div.py");
        // An empty value drops its segment instead of making `//`.
        let bare = FolderVars {
            classname: "DivTest",
            ..v
        };
        assert_eq!(render("/CI/{package}/x", &bare), "/CI/x");
        assert_eq!(render("/", &bare), "/");
    }
}
