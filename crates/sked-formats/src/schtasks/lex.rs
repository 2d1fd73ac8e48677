//! Command-line text: decoding, comments, and splitting into arguments that remember where
//! they came from. Shared by the schtasks and JT readers.

use crate::{Diagnostic, Error, Location};

/// One argument of a command line, with the byte range it came from when it came from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    /// The argument after Windows unquoting.
    pub text: String,
    /// `start..end` in the source text; `None` for an argument given as argv.
    pub span: Option<(usize, usize)>,
}

impl Tok {
    /// An argument without a place (from argv).
    pub fn bare(text: impl Into<String>) -> Tok {
        Tok { text: text.into(), span: None }
    }
}

/// Where diagnostics point: the source text, when there is one.
///
/// Locations are computed through an index of line starts, so that computing one costs the
/// length of its line, not of the text before it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Src<'a> {
    text: Option<&'a str>,
    /// The byte offset of every line start of `text`, ascending, starting with 0.
    line_starts: &'a [usize],
}

/// The byte offsets where the lines of `text` start, for [`Src::text`].
pub(crate) fn line_index(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

impl<'a> Src<'a> {
    /// Diagnostics point into `text`, whose [`line_index`] is `line_starts`.
    pub fn text(text: &'a str, line_starts: &'a [usize]) -> Self {
        Src { text: Some(text), line_starts }
    }

    /// Arguments came as argv: diagnostics have no place.
    pub fn argv() -> Self {
        Src { text: None, line_starts: &[] }
    }

    /// [`Location::in_text`], through the line index.
    fn locate(&self, text: &str, start: usize, end: usize) -> Location {
        let floor = |mut i: usize| {
            while i > 0 && !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(start.min(text.len()));
        let end = floor(end.clamp(start, text.len()));
        let li = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(li).copied().unwrap_or(0).min(start);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        Location::Text {
            line: li + 1,
            column: text[line_start..start].chars().count() + 1,
            source_line: text[line_start..line_end].trim_end_matches('\r').to_string(),
            width: text[start..end.min(line_end).max(start)].chars().count().max(1),
        }
    }

    /// The location of `tok`.
    pub fn at(&self, tok: &Tok) -> Location {
        self.span(tok, tok)
    }

    /// The location from the start of `a` to the end of `b`.
    pub fn span(&self, a: &Tok, b: &Tok) -> Location {
        match (self.text, a.span, b.span) {
            (Some(text), Some((s, _)), Some((_, e))) => self.locate(text, s, e.max(s)),
            (Some(text), Some((s, e)), None) => self.locate(text, s, e),
            _ => Location::None,
        }
    }

    /// The location of byte range `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Location {
        match self.text {
            Some(text) => self.locate(text, start, end),
            None => Location::None,
        }
    }
}

/// Decodes command-line text: UTF-8 (a BOM is dropped), or UTF-16 with a BOM as Windows
/// editors save it.
pub(crate) fn decode(input: &[u8], what: &str) -> Result<String, Error> {
    let utf16 = |bytes: &[u8], le: bool| -> Result<String, Error> {
        if !bytes.len().is_multiple_of(2) {
            return Err(Error::one(Diagnostic::error(
                Location::Bytes { offset: input.len() - 1, field: format!("{what} text") },
                "UTF-16 text has an odd number of bytes",
            )));
        }
        let units = bytes
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        char::decode_utf16(units)
            .enumerate()
            .map(|(i, r)| {
                r.map_err(|_| {
                    Error::one(Diagnostic::error(
                        Location::Bytes { offset: 2 + 2 * i, field: format!("{what} text") },
                        "invalid UTF-16 (an unpaired surrogate)",
                    ))
                })
            })
            .collect()
    };
    if let Some(rest) = input.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = input.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(Error::one(Diagnostic::error(
            Location::Bytes {
                offset: e.valid_up_to() + (input.len() - body.len()),
                field: format!("{what} text"),
            },
            "the text is not UTF-8; save it as UTF-8 or UTF-16 with a byte-order mark",
        ))),
    }
}

/// One line of text: its byte range without the line ending.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
}

/// The lines of `text`, without their endings (`\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let body = raw.trim_end_matches('\n').trim_end_matches('\r');
        Line { start, end: start + body.len() }
    })
}

/// True for a line that is only a comment: its first non-blank character is `;` (MAKEMSI
/// and the seed's `;--- Task Information ---`) or `#`.
pub(crate) fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(';') || t.starts_with('#')
}

/// Splits `text[line.start..line.end]` into arguments by the rules of
/// [`crate::winargs::split`], keeping each argument's byte range. A `;;` outside quotes and
/// at the start of an argument begins a comment that runs to the end of the line (seed 001:
/// `/MO 1   ;;Every week`). A lone `^` at the end of the line (cmd.exe's line
/// continuation) is dropped.
pub(crate) fn split_line(text: &str, line: Line) -> Vec<Tok> {
    let s = &text[line.start..line.end];
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut start: Option<usize> = None;
    let mut quoted = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' => {
                let run = bytes[i..].iter().take_while(|&&c| c == b'\\').count();
                start.get_or_insert(i);
                if bytes.get(i + run) == Some(&b'"') {
                    cur.extend(std::iter::repeat_n('\\', run / 2));
                    if run % 2 == 1 {
                        cur.push('"');
                        i += run + 1;
                    } else {
                        i += run;
                    }
                } else {
                    cur.extend(std::iter::repeat_n('\\', run));
                    i += run;
                }
                continue;
            }
            b'"' => {
                start.get_or_insert(i);
                if quoted && bytes.get(i + 1) == Some(&b'"') {
                    cur.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
            }
            b' ' | b'\t' if !quoted => {
                if let Some(st) = start.take() {
                    toks.push(Tok {
                        text: std::mem::take(&mut cur),
                        span: Some((line.start + st, line.start + i)),
                    });
                }
                i += 1;
            }
            b';' if !quoted && start.is_none() && bytes.get(i + 1) == Some(&b';') => break,
            _ => {
                // Copy one whole character.
                let len = utf8_len(b);
                start.get_or_insert(i);
                cur.push_str(&s[i..(i + len).min(s.len())]);
                i += len;
            }
        }
    }
    if let Some(st) = start {
        let end = if i > s.len() { s.len() } else { i };
        toks.push(Tok { text: cur, span: Some((line.start + st, line.start + end)) });
    }
    if toks.last().is_some_and(|t| t.text == "^" && t.span.is_some_and(|(a, b)| b - a == 1)) {
        toks.pop();
    }
    toks
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(s: &str) -> Vec<(String, String)> {
        split_line(s, Line { start: 0, end: s.len() })
            .into_iter()
            .map(|t| {
                let (a, b) = t.span.unwrap();
                (t.text, s[a..b].to_string())
            })
            .collect()
    }

    #[test]
    fn arguments_keep_their_source() {
        assert_eq!(
            split(r#"/TR "\"C:\Program Files\a.exe\" x"  /ST 06:00   ;;At 6am"#),
            [
                ("/TR".into(), "/TR".into()),
                (r#""C:\Program Files\a.exe" x"#.into(), r#""\"C:\Program Files\a.exe\" x""#.into()),
                ("/ST".into(), "/ST".into()),
                ("06:00".into(), "06:00".into()),
            ]
        );
        assert_eq!(
            split(r#"/D "MON WED FRI"   ^"#),
            [("/D".into(), "/D".into()), ("MON WED FRI".into(), r#""MON WED FRI""#.into())]
        );
        assert_eq!(
            split(r#"a;;b "x ;; y" ;;c"#),
            [("a;;b".into(), "a;;b".into()), ("x ;; y".into(), r#""x ;; y""#.into())]
        );
        assert_eq!(split("é ü"), [("é".into(), "é".into()), ("ü".into(), "ü".into())]);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"\xEF\xBB\xBFab", "x").unwrap(), "ab");
        assert_eq!(decode(&[0xFF, 0xFE, b'a', 0, b'b', 0], "x").unwrap(), "ab");
        assert_eq!(decode(&[0xFE, 0xFF, 0, b'a'], "x").unwrap(), "a");
        let e = decode(b"ab\xFF", "schtasks").unwrap_err();
        assert_eq!(e.diagnostics()[0].location, Location::Bytes { offset: 2, field: "schtasks text".into() });
        assert!(decode(&[0xFF, 0xFE, b'a'], "x").is_err());
    }

    proptest! {
        #[test]
        fn locations_agree_with_in_text(s in "[a\n\ré]{0,20}", a in 0usize..30, b in 0usize..30) {
            let index = line_index(&s);
            let src = Src::text(&s, &index);
            prop_assert_eq!(src.range(a, b), Location::in_text(&s, a, b));
        }

        #[test]
        fn agrees_with_winargs(s in "[ a-z\\\\\"\té]{0,24}") {
            let toks: Vec<String> = split_line(&s, Line { start: 0, end: s.len() })
                .into_iter()
                .map(|t| t.text)
                .collect();
            let mut expect = crate::winargs::split(&s);
            if expect.last().is_some_and(|l| l == "^") {
                expect.pop();
            }
            prop_assert_eq!(toks, expect);
        }

        #[test]
        fn spans_are_char_boundaries(s in "\\PC{0,30}") {
            for t in split_line(&s, Line { start: 0, end: s.len() }) {
                let (a, b) = t.span.unwrap();
                prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b) && a <= b);
            }
        }
    }
}
