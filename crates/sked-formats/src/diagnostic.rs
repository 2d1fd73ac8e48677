//! Errors and warnings that point into the input: a file, a line and column with the line
//! shown and a caret under the fault, or a byte offset and the field being read.

use std::fmt;

/// Where in the input a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Nowhere in particular (a whole-document problem).
    None,
    /// Text: 1-based line and column (in characters), the line's text, and how many
    /// characters to underline.
    Text {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// The whole line, without its line ending.
        source_line: String,
        /// Characters to underline (at least 1).
        width: usize,
    },
    /// Binary: the byte offset and the name of the field being read there.
    Bytes {
        /// Offset from the start of the input.
        offset: usize,
        /// The field, in the format's own terms (`trigger 1: TriggerType`).
        field: String,
    },
}

impl Location {
    /// The location of byte range `start..end` of `text`.
    pub fn in_text(text: &str, start: usize, end: usize) -> Location {
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let source_line = text[line_start..line_end].trim_end_matches('\r').to_string();
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end).max(start)].chars().count().max(1);
        Location::Text { line, column, source_line, width }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Is it fatal?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The input was not read.
    Error,
    /// The input was read, with something dropped or doubtful.
    Warning,
}

/// One error or warning about an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file (or `<stdin>`, or a description such as `schtasks command line`).
    pub file: Option<String>,
    /// Where in it.
    pub location: Location,
    /// One lowercase sentence: what is wrong, the value found, and what is allowed.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, file: None, location, message: message.into() }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, file: None, location, message: message.into() }
    }

    /// The same diagnostic, naming `file`.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like a compiler:
    ///
    /// ```text
    /// error: unknown key `comand`; expected one of `name`, `command`, ...
    ///   --> tasks.toml:3:1
    ///    |
    ///  3 | comand = "x"
    ///    | ^^^^^^
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        let file = self.file.as_deref().unwrap_or("<input>");
        match &self.location {
            Location::None => {
                if self.file.is_some() {
                    write!(f, "\n  --> {file}")?;
                }
            }
            Location::Bytes { offset, field } => {
                write!(f, "\n  --> {file}: byte {offset} (0x{offset:X}), field `{field}`")?;
            }
            Location::Text { line, column, source_line, width } => {
                let gutter = line.to_string().len();
                let pad = " ".repeat(gutter);
                write!(f, "\n{pad}--> {file}:{line}:{column}")?;
                write!(f, "\n{pad} |")?;
                write!(f, "\n{line} | {source_line}")?;
                let lead: String = source_line
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {lead}{}", "^".repeat(*width))?;
            }
        }
        Ok(())
    }
}

/// One or more diagnostics that stopped an input from being read or written: the error
/// type of this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error made of `diagnostics` (not empty).
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        debug_assert!(!diagnostics.is_empty());
        Error { diagnostics }
    }

    /// One diagnostic.
    pub fn one(d: Diagnostic) -> Self {
        Error { diagnostics: vec![d] }
    }

    /// The diagnostics, in input order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The same error with every diagnostic naming `file`.
    #[must_use]
    pub fn in_file(mut self, file: &str) -> Self {
        for d in &mut self.diagnostics {
            d.file.get_or_insert_with(|| file.to_string());
        }
        self
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::one(d)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_caret_under_the_fault() {
        let text = "[[task]]\nname = \"x\"\ncomand = \"y\"\n";
        let start = text.find("comand").unwrap();
        let d = Diagnostic::error(Location::in_text(text, start, start + 6), "unknown key `comand`")
            .in_file("t.toml");
        assert_eq!(
            d.to_string(),
            "error: unknown key `comand`\n --> t.toml:3:1\n  |\n3 | comand = \"y\"\n  | ^^^^^^"
        );
    }

    #[test]
    fn binary_locations_name_the_field() {
        let d =
            Diagnostic::error(Location::Bytes { offset: 846, field: "trigger count".into() }, "truncated")
                .in_file("a.job");
        assert_eq!(d.to_string(), "error: truncated\n  --> a.job: byte 846 (0x34E), field `trigger count`");
    }

    #[test]
    fn locations_survive_odd_offsets() {
        let text = "é\nab";
        assert!(matches!(Location::in_text(text, 1, 99), Location::Text { line: 1, .. }));
        assert!(matches!(Location::in_text(text, 99, 1), Location::Text { line: 2, column: 3, .. }));
    }
}
