//! Install-time symbols: `(*NAME*)` in any text format, replaced before reading.
//!
//! MAKEMSI's `Schedule` command (seed 001) passes a schedule's command line through
//! `VbsCaCadReplace()`, which replaces every `(*Symbol*)` with a value known only at install
//! time (the install directory, a comment). sked does the same with values given by
//! `--define NAME=VALUE` and `--defines FILE`, before the text reaches a format's reader:
//!
//! ```
//! use sked_formats::symbols::{Defines, parse_define, substitute};
//!
//! let mut defines = Defines::new();
//! let (name, value) = parse_define("Schedule1Comment=Runs simple CMD.EXE task")?;
//! defines.insert(name, value);
//! assert_eq!(
//!     substitute("SillySchedule1 - (*Schedule1Comment*)", &defines)?,
//!     "SillySchedule1 - Runs simple CMD.EXE task",
//! );
//! # Ok::<(), sked_formats::Error>(())
//! ```
//!
//! Rules:
//! - A symbol is `(*`, a name, `*)`. Names are case-sensitive (as the seed says) and made of
//!   ASCII letters, digits, `_`, `.` and `-`. Text such as `(* note *)` whose inside is not
//!   a name is not a symbol and is left as it is.
//! - Replacement is one pass: a value that itself contains `(*X*)` is not expanded again.
//! - Every undefined symbol is reported, each with its line and column, in one error.

use std::collections::BTreeMap;

use crate::{Diagnostic, Error, Location};

/// The symbols known at install time: name → value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defines {
    map: BTreeMap<String, String>,
}

impl Defines {
    /// No symbols.
    pub fn new() -> Self {
        Defines::default()
    }

    /// Defines `name` as `value`, replacing (and returning) an earlier value. Later
    /// definitions win, so `--define` given after `--defines FILE` overrides the file.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.map.insert(name.into(), value.into())
    }

    /// The value of `name`, if defined.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// How many symbols are defined.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no symbol is defined.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The symbols, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Adds every symbol of `other`, its values winning.
    pub fn extend(&mut self, other: Defines) {
        self.map.extend(other.map);
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Defines {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Defines { map: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}

/// True for a valid symbol name: ASCII letters, digits, `_`, `.`, `-`, at least one.
pub fn is_symbol_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Reads one `--define` argument, `NAME=VALUE`. The value is everything after the first
/// `=`, kept as it is (it may be empty).
pub fn parse_define(arg: &str) -> Result<(String, String), Error> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(Error::one(Diagnostic::error(
            Location::None,
            format!("`--define {arg}` has no `=`; expected `NAME=VALUE`"),
        )));
    };
    let name = name.trim();
    if !is_symbol_name(name) {
        return Err(Error::one(Diagnostic::error(
            Location::None,
            format!(
                "`{name}` in `--define {arg}` is not a symbol name; expected letters, digits, `_`, `.` or `-`"
            ),
        )));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Reads a `--defines` file.
///
/// One definition a line, in either form:
/// - `NAME=VALUE`: spaces around the name and the value are dropped; a value wrapped in
///   double quotes loses them (`DIR = "C:\Program Files\App"`). Nothing else is special
///   in the value, so it may hold `=`, `#` or `;`.
/// - MAKEMSI's `"NAME" "VALUE" ;;comment` (seed 001): two double-quoted strings, then an
///   optional `;;` comment.
///
/// Blank lines and lines starting with `#` or `;` are comments. A name defined twice in
/// the file is an error naming both lines. Every bad line is reported at once.
pub fn parse_defines_file(text: &str) -> Result<Defines, Error> {
    let mut defines = Defines::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let here = |from: usize, to: usize| Location::in_text(text, start + from, start + to);
        let parsed =
            if trimmed.starts_with('"') { parse_quoted_define(line, lead) } else { parse_plain_define(line) };
        match parsed {
            Ok((name, value, (from, to))) => {
                if let Some(prev) = first_line.get(&name) {
                    errors.push(Diagnostic::error(
                        here(from, to),
                        format!("`{name}` is defined twice, on line {prev} and line {}", i + 1),
                    ));
                    continue;
                }
                first_line.insert(name.clone(), i + 1);
                defines.insert(name, value);
            }
            Err((message, (from, to))) => errors.push(Diagnostic::error(here(from, to), message)),
        }
    }
    if errors.is_empty() { Ok(defines) } else { Err(Error::new(errors)) }
}

type Span = (usize, usize);

/// `NAME=VALUE`; spans are byte offsets within the line.
fn parse_plain_define(line: &str) -> Result<(String, String, Span), (String, Span)> {
    let Some(eq) = line.find('=') else {
        return Err((
            format!("`{}` is not a definition; expected `NAME=VALUE` or `\"NAME\" \"VALUE\"`", line.trim()),
            (0, line.len()),
        ));
    };
    let raw_name = &line[..eq];
    let name = raw_name.trim();
    let name_at = raw_name.len() - raw_name.trim_start().len();
    if !is_symbol_name(name) {
        return Err((
            format!("`{name}` is not a symbol name; expected letters, digits, `_`, `.` or `-`"),
            (name_at, name_at + name.len().max(1)),
        ));
    }
    let mut value = line[eq + 1..].trim();
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        value = &value[1..value.len() - 1];
    }
    Ok((name.to_string(), value.to_string(), (name_at, name_at + name.len())))
}

/// `"NAME" "VALUE" ;;comment`; `lead` is where the first quote is.
fn parse_quoted_define(line: &str, lead: usize) -> Result<(String, String, Span), (String, Span)> {
    let quoted = |from: usize| -> Result<(usize, usize), (String, Span)> {
        // from is the index of the opening quote; returns (content start, closing quote).
        match line[from + 1..].find('"') {
            Some(len) => Ok((from + 1, from + 1 + len)),
            None => Err(("this quoted string has no closing `\"`".to_string(), (from, line.len()))),
        }
    };
    let (ns, ne) = quoted(lead)?;
    let name = &line[ns..ne];
    if !is_symbol_name(name) {
        return Err((
            format!("`{name}` is not a symbol name; expected letters, digits, `_`, `.` or `-`"),
            (lead, ne + 1),
        ));
    }
    let rest = &line[ne + 1..];
    let value_at = ne + 1 + (rest.len() - rest.trim_start().len());
    if !line[value_at..].starts_with('"') {
        return Err((
            format!("`\"{name}\"` needs a value: expected `\"{name}\" \"VALUE\"`"),
            (value_at, line.len().max(value_at + 1)),
        ));
    }
    let (vs, ve) = quoted(value_at)?;
    let tail = line[ve + 1..].trim();
    if !tail.is_empty() && !tail.starts_with(";;") {
        let at = ve + 1 + (line[ve + 1..].len() - line[ve + 1..].trim_start().len());
        return Err((
            format!("unexpected `{tail}` after the value; expected nothing or a `;;` comment"),
            (at, line.len()),
        ));
    }
    Ok((name.to_string(), line[vs..ve].to_string(), (lead, ne + 1)))
}

/// Replaces every `(*NAME*)` in `text` by its value. Fails with one diagnostic per
/// undefined symbol, each pointing at it.
pub fn substitute(text: &str, defines: &Defines) -> Result<String, Error> {
    let mut out = String::with_capacity(text.len());
    let mut errors = Vec::new();
    let mut rest = 0;
    let mut search = 0;
    while let Some(i) = text[search..].find("(*") {
        let open = search + i;
        let name_start = open + 2;
        let name_len = text[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            .count();
        let name_end = name_start + name_len;
        if name_len == 0 || !text[name_end..].starts_with("*)") {
            search = open + 1;
            continue;
        }
        let name = &text[name_start..name_end];
        let close = name_end + 2;
        match defines.get(name) {
            Some(value) => {
                out.push_str(&text[rest..open]);
                out.push_str(value);
            }
            None => errors.push(Diagnostic::error(
                Location::in_text(text, open, close),
                format!(
                    "symbol `{name}` is not defined; give it with `--define {name}=VALUE` or in a `--defines` file"
                ),
            )),
        }
        rest = close;
        search = close;
    }
    if !errors.is_empty() {
        return Err(Error::new(errors));
    }
    out.push_str(&text[rest..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definitions of seed 001, verbatim.
    const SEED_DEFINES: &str = r#"   "INSTALLDIR"          "[INSTALLDIR]"              ;;Want to know the installation directory
   "Schedule1Comment"    "Runs simple CMD.EXE task"  ;;Comment for schedule #1/2
   "Schedule2Comment"    "Runs VBS (logs progress)"  ;;Comment for schedule #2/2
"#;

    #[test]
    fn the_seed_schedule_name() {
        let d = parse_defines_file(SEED_DEFINES).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.get("INSTALLDIR"), Some("[INSTALLDIR]"));
        assert_eq!(
            substitute("SillySchedule1 - (*Schedule1Comment*)", &d).unwrap(),
            "SillySchedule1 - Runs simple CMD.EXE task"
        );
        assert_eq!(
            substitute(
                "Comment = \"This is a comment for the schedule (INSTALLDIR = '(*INSTALLDIR*)')\"",
                &d
            )
            .unwrap(),
            "Comment = \"This is a comment for the schedule (INSTALLDIR = '[INSTALLDIR]')\""
        );
    }

    #[test]
    fn names_are_case_sensitive() {
        let d: Defines = [("Fred", "FredsValue")].into_iter().collect();
        assert_eq!(substitute("(*Fred*)", &d).unwrap(), "FredsValue");
        let e = substitute("(*fred*)", &d).unwrap_err();
        assert_eq!(
            e.diagnostics()[0].message,
            "symbol `fred` is not defined; give it with `--define fred=VALUE` or in a `--defines` file"
        );
    }

    #[test]
    fn every_undefined_symbol_is_reported_with_its_place() {
        let d: Defines = [("A", "1")].into_iter().collect();
        let e = substitute("x (*A*) (*B*)\n  y (*C*)", &d).unwrap_err();
        let places: Vec<_> = e
            .diagnostics()
            .iter()
            .map(|d| match &d.location {
                Location::Text { line, column, width, .. } => (*line, *column, *width),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(places, [(1, 9, 5), (2, 5, 5)]);
        assert_eq!(
            e.to_string().lines().next().unwrap(),
            "error: symbol `B` is not defined; give it with `--define B=VALUE` or in a `--defines` file"
        );
    }

    #[test]
    fn what_is_not_a_symbol_stays() {
        let d = Defines::new();
        for s in ["(* note *)", "(*", "*)", "(**)", "((*x", "a (*b c*)", "(*A*", "é(*"] {
            assert_eq!(substitute(s, &d).unwrap(), s);
        }
        let d: Defines = [("A", "(*A*)")].into_iter().collect();
        assert_eq!(substitute("((*A*)*)", &d).unwrap(), "((*A*)*)");
    }

    #[test]
    fn define_arguments() {
        assert_eq!(parse_define("DIR=C:\\a=b").unwrap(), ("DIR".into(), "C:\\a=b".into()));
        assert_eq!(parse_define("E=").unwrap(), ("E".into(), String::new()));
        assert_eq!(
            parse_define("nothing").unwrap_err().diagnostics()[0].message,
            "`--define nothing` has no `=`; expected `NAME=VALUE`"
        );
        assert!(parse_define("a b=c").is_err());
        assert!(parse_define("=c").is_err());
    }

    #[test]
    fn defines_files() {
        let text = "# install values\nDIR = \"C:\\Program Files\\App\"\nURL=http://x/?a=b#c\n\n; makemsi comment\nEMPTY=\n";
        let d = parse_defines_file(text).unwrap();
        assert_eq!(d.get("DIR"), Some("C:\\Program Files\\App"));
        assert_eq!(d.get("URL"), Some("http://x/?a=b#c"));
        assert_eq!(d.get("EMPTY"), Some(""));

        let e = parse_defines_file("A=1\nbad line\n\"B\"\n\"C\" \"x\" junk\nA=2\n").unwrap_err();
        let messages: Vec<_> = e.diagnostics().iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`bad line` is not a definition; expected `NAME=VALUE` or `\"NAME\" \"VALUE\"`",
                "`\"B\"` needs a value: expected `\"B\" \"VALUE\"`",
                "unexpected `junk` after the value; expected nothing or a `;;` comment",
                "`A` is defined twice, on line 1 and line 5",
            ]
        );
    }

    #[test]
    fn later_definitions_win() {
        let mut d = parse_defines_file("A=file").unwrap();
        let (k, v) = parse_define("A=arg").unwrap();
        assert_eq!(d.insert(k, v).as_deref(), Some("file"));
        assert_eq!(d.get("A"), Some("arg"));
    }

    proptest! {
        #[test]
        fn substitute_never_panics(s in "[(*)a-zA-Z_\n é]{0,40}") {
            let d: Defines = [("a", "X"), ("A_1", "")].into_iter().collect();
            let _ = substitute(&s, &d);
        }

        #[test]
        fn defines_files_never_panic(s in "[\"=#; a-z\né]{0,60}") {
            let _ = parse_defines_file(&s);
        }

        #[test]
        fn text_without_symbols_is_unchanged(s in "[^(]{0,40}") {
            prop_assert_eq!(substitute(&s, &Defines::new()).unwrap(), s);
        }
    }
}
