//! A small read-only element tree over decoded XML text, built from `quick_xml` events.
//!
//! Task Scheduler 2.0 XML is an `xs:all` schema (children in any order) and sked keeps the
//! elements it does not model verbatim, so the readers want random access to children and
//! the exact source text of any element. The tree is one flat arena of nodes that borrow
//! names and text from the input; only text holding entity references is copied. Every node
//! records its byte range in the text so errors can point at a line and column.

use std::borrow::Cow;
use std::cell::Cell;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::diagnostic::{Diagnostic, Location};

const NONE: u32 = u32::MAX;

/// A parsed document: the text and its elements.
#[derive(Debug)]
pub struct Tree<'a> {
    text: &'a str,
    nodes: Vec<Node<'a>>,
    /// The start of the line of the last location asked for and its number, so that the
    /// warnings of a large file, asked for in document order, cost one pass over it.
    cursor: Cell<(usize, usize)>,
}

#[derive(Debug)]
struct Node<'a> {
    /// The local name (any `prefix:` removed).
    name: &'a str,
    /// The start tag between the name and `>` or `/>`: the attributes.
    attrs: &'a str,
    /// Byte offset of the attributes in the text.
    attrs_at: usize,
    /// Byte range of the whole element, from `<` to the end of its end tag.
    start: usize,
    end: usize,
    /// Byte range of the start tag.
    tag_end: usize,
    /// The element's own character data, entity references resolved.
    text: Cow<'a, str>,
    /// `text` is only whitespace, not yet line-end normalized (it rarely matters: a
    /// container's indentation is dropped when its first child arrives).
    text_is_space: bool,
    /// Byte offset where the first piece of character data begins.
    text_at: usize,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// One element of a [`Tree`]: a cheap copyable handle.
#[derive(Clone, Copy, Debug)]
pub struct El<'t, 'a> {
    tree: &'t Tree<'a>,
    index: u32,
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Tree<'a> {
    /// Parses `text` into a tree. Errors point at the fault and say what was expected.
    pub fn parse(text: &'a str) -> Result<Tree<'a>, Diagnostic> {
        let mut reader = Reader::from_str(text);
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(text.len() / 24 + 1);
        let mut stack: Vec<u32> = Vec::with_capacity(16);
        let mut had_root = false;
        loop {
            let at = reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let pos = reader.error_position() as usize;
                    return Err(Diagnostic::error(
                        Location::in_text(text, pos, pos + 1),
                        format!("the XML is not well-formed: {e}"),
                    ));
                }
            };
            let now = reader.buffer_position() as usize;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    if stack.is_empty() && had_root {
                        return Err(Diagnostic::error(
                            Location::in_text(text, at, now),
                            "a second root element; expected one element holding the whole document",
                        ));
                    }
                    had_root = true;
                    let qname: &'a str = slice(text, at + 1, at + 1 + e.name().as_ref().len());
                    let name = match qname.bytes().rposition(|b| b == b':') {
                        Some(colon) => &qname[colon + 1..],
                        None => qname,
                    };
                    let attrs_at = at + 1 + qname.len();
                    let attrs_end = if empty { now - 2 } else { now - 1 };
                    let index = nodes.len() as u32;
                    nodes.push(Node {
                        name,
                        attrs: slice(text, attrs_at, attrs_end.max(attrs_at)),
                        attrs_at,
                        start: at,
                        end: now,
                        tag_end: now,
                        text: Cow::Borrowed(""),
                        text_is_space: false,
                        text_at: now,
                        first_child: NONE,
                        last_child: NONE,
                        next_sibling: NONE,
                    });
                    if let Some(&parent) = stack.last() {
                        let p = &mut nodes[parent as usize];
                        if p.text_is_space {
                            p.text = Cow::Borrowed("");
                            p.text_is_space = false;
                        }
                        if p.first_child == NONE {
                            p.first_child = index;
                        } else {
                            let last = p.last_child as usize;
                            nodes[last].next_sibling = index;
                        }
                        nodes[parent as usize].last_child = index;
                    }
                    if !empty {
                        stack.push(index);
                    }
                }
                Event::End(_) => {
                    // quick_xml checks that end names match their start.
                    if let Some(index) = stack.pop() {
                        let n = &mut nodes[index as usize];
                        n.end = now;
                        if n.text_is_space && n.text.contains('\r') {
                            n.text = Cow::Owned(n.text.replace("\r\n", "\n").replace('\r', "\n"));
                        }
                    }
                }
                Event::Text(t) => {
                    if let Some(&top) = stack.last() {
                        let raw: &'a str = match t.into_inner() {
                            Cow::Borrowed(s) => s,
                            Cow::Owned(_) => slice(text, at, now),
                        };
                        let node = &mut nodes[top as usize];
                        if raw.bytes().all(is_xml_space) {
                            if node.first_child == NONE && node.text.is_empty() {
                                node.text = Cow::Borrowed(raw);
                                node.text_is_space = true;
                                node.text_at = at;
                            } else if node.first_child == NONE {
                                push_text(node, normalize(raw), at);
                            }
                            continue;
                        }
                        push_text(node, normalize(raw), at);
                    } else if !t.bytes().all(is_xml_space) {
                        return Err(Diagnostic::error(
                            Location::in_text(text, at, now),
                            "text outside the root element; expected only markup there",
                        ));
                    }
                }
                Event::CData(c) => {
                    if let Some(&top) = stack.last() {
                        push_text(&mut nodes[top as usize], c.xml10_content(), at);
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved: Cow<'a, str> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                            Some(s) => Cow::Borrowed(s),
                            None => {
                                return Err(Diagnostic::error(
                                    Location::in_text(text, at, now),
                                    format!(
                                        "unknown entity `&{};`; expected one of `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` or a character reference",
                                        &*r
                                    ),
                                ));
                            }
                        },
                        Err(e) => {
                            return Err(Diagnostic::error(
                                Location::in_text(text, at, now),
                                format!("bad character reference `&{};`: {e}", &*r),
                            ));
                        }
                    };
                    if let Some(&top) = stack.last() {
                        push_text(&mut nodes[top as usize], resolved, at);
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if let Some(&open) = stack.last() {
            let n = &nodes[open as usize];
            return Err(Diagnostic::error(
                Location::in_text(text, n.start, n.tag_end),
                format!(
                    "`<{}>` is never closed; expected `</{}>` before the end of the input",
                    n.name, n.name
                ),
            ));
        }
        if nodes.is_empty() {
            let end = text.len();
            return Err(Diagnostic::error(
                Location::in_text(text, end, end),
                "no element found; expected an XML document",
            ));
        }
        Ok(Tree { text, nodes, cursor: Cell::new((0, 1)) })
    }

    /// The root element.
    pub fn root(&self) -> El<'_, 'a> {
        El { tree: self, index: 0 }
    }

    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The location of byte range `start..end`: the same as [`Location::in_text`], found
    /// through a line index instead of a scan from the start.
    pub fn locate(&self, start: usize, end: usize) -> Location {
        let text = self.text;
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let (mut from, mut line) = self.cursor.get();
        if from > line_start {
            (from, line) = (0, 1);
        }
        // A plain byte count vectorizes; `str::matches` would not.
        line += text.as_bytes()[from..line_start].iter().filter(|&&b| b == b'\n').count();
        self.cursor.set((line_start, line));
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let source_line = text[line_start..line_end].trim_end_matches('\r').to_string();
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

fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or("")
}

/// XML 1.0 §2.11 line ends: CRLF and lone CR become LF.
fn normalize(s: &str) -> Cow<'_, str> {
    if s.contains('\r') { Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n")) } else { Cow::Borrowed(s) }
}

fn push_text<'a>(node: &mut Node<'a>, piece: Cow<'a, str>, at: usize) {
    if node.text_is_space {
        node.text_is_space = false;
        if node.text.contains('\r') {
            node.text = Cow::Owned(node.text.replace("\r\n", "\n").replace('\r', "\n"));
        }
    }
    if node.text.is_empty() {
        node.text = piece;
        node.text_at = at;
    } else {
        node.text.to_mut().push_str(&piece);
    }
}

impl<'t, 'a> El<'t, 'a> {
    fn node(&self) -> &'t Node<'a> {
        &self.tree.nodes[self.index as usize]
    }

    /// The local name.
    pub fn name(&self) -> &'a str {
        self.node().name
    }

    /// The element's own text, entity references resolved.
    pub fn text(&self) -> &'t str {
        &self.node().text
    }

    /// The source text of the whole element, from `<` to the end of its end tag.
    pub fn raw(&self) -> &'a str {
        let n = self.node();
        slice(self.tree.text, n.start, n.end)
    }

    /// The children, in order.
    pub fn children(&self) -> Children<'t, 'a> {
        Children { tree: self.tree, next: self.node().first_child }
    }

    /// True when the element has child elements.
    pub fn has_children(&self) -> bool {
        self.node().first_child != NONE
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<El<'t, 'a>> {
        self.children().find(|c| c.name() == name)
    }

    /// Where the start tag is.
    pub fn location(&self) -> Location {
        let n = self.node();
        self.tree.locate(n.start, n.tag_end)
    }

    /// The location of byte range `start..end` of the document.
    pub fn locate(&self, start: usize, end: usize) -> Location {
        self.tree.locate(start, end)
    }

    /// Where the text is (the start tag when there is none).
    pub fn text_location(&self) -> Location {
        let n = self.node();
        if n.text.is_empty() {
            return self.location();
        }
        let trimmed = n.text.trim_start();
        let lead = n.text.len() - trimmed.len();
        let start = n.text_at + lead;
        self.tree.locate(start, start + trimmed.trim_end().len())
    }

    /// The attributes, in order, values unescaped and normalized (XML 1.0 §3.3.3).
    pub fn attrs(&self) -> Result<Vec<Attr<'a>>, Diagnostic> {
        let n = self.node();
        parse_attrs(self.tree.text, n.attrs, n.attrs_at)
    }

    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Result<Option<Cow<'a, str>>, Diagnostic> {
        let n = self.node();
        let attrs = AttrIter { text: self.tree.text, raw: n.attrs, base: n.attrs_at, i: 0 };
        for a in attrs {
            let a = a?;
            if a.name == name {
                return Ok(Some(a.value));
            }
        }
        Ok(None)
    }

    /// The full text the element lives in.
    pub fn source(&self) -> &'a str {
        self.tree.text
    }

    /// An error at this element.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.location(), message)
    }

    /// An error at this element's text.
    pub fn text_error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.text_location(), message)
    }
}

/// The children of an element.
#[derive(Clone, Debug)]
pub struct Children<'t, 'a> {
    tree: &'t Tree<'a>,
    next: u32,
}

impl<'t, 'a> Iterator for Children<'t, 'a> {
    type Item = El<'t, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let el = El { tree: self.tree, index: self.next };
        self.next = self.tree.nodes[self.next as usize].next_sibling;
        Some(el)
    }
}

/// One attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Its name as written (with any prefix).
    pub name: &'a str,
    /// Its value, unescaped.
    pub value: Cow<'a, str>,
    /// Byte offset of the name in the text.
    pub at: usize,
}

fn parse_attrs<'a>(text: &'a str, raw: &'a str, base: usize) -> Result<Vec<Attr<'a>>, Diagnostic> {
    let mut out: Vec<Attr<'a>> = Vec::with_capacity(8);
    for a in (AttrIter { text, raw, base, i: 0 }) {
        let a = a?;
        // Cheap tests first: most names differ in length or in their last byte.
        let last = a.name.as_bytes().last();
        if out
            .iter()
            .any(|b| b.name.len() == a.name.len() && b.name.as_bytes().last() == last && b.name == a.name)
        {
            return Err(Diagnostic::error(
                Location::in_text(text, a.at, a.at + a.name.len()),
                format!("attribute `{}` appears twice; expected it at most once", a.name),
            ));
        }
        out.push(a);
    }
    Ok(out)
}

/// The attributes of a start tag, one at a time.
struct AttrIter<'a> {
    text: &'a str,
    raw: &'a str,
    base: usize,
    i: usize,
}

impl<'a> AttrIter<'a> {
    fn err(&mut self, from: usize, to: usize, msg: String) -> Option<Result<Attr<'a>, Diagnostic>> {
        self.i = self.raw.len();
        Some(Err(Diagnostic::error(Location::in_text(self.text, self.base + from, self.base + to), msg)))
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<Attr<'a>, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.raw;
        let bytes = raw.as_bytes();
        let mut i = self.i;
        while i < bytes.len() && is_xml_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            self.i = i;
            return None;
        }
        let name_start = i;
        while i < bytes.len() && !is_xml_space(bytes[i]) && bytes[i] != b'=' {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < bytes.len() && is_xml_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return self.err(
                name_start,
                i,
                format!("attribute `{name}` has no value; expected `{name}=\"...\"`"),
            );
        }
        i += 1;
        while i < bytes.len() && is_xml_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return self.err(
                    name_start,
                    i,
                    format!("the value of attribute `{name}` is not quoted; expected `{name}=\"...\"`"),
                );
            }
        };
        i += 1;
        let value_start = i;
        // `find` on one ASCII byte is a vectorized memchr; values are the long part of a tag.
        i = raw[value_start..].find(quote as char).map_or(bytes.len(), |at| value_start + at);
        if i >= bytes.len() {
            return self.err(name_start, i, format!("the value of attribute `{name}` has no closing quote"));
        }
        let raw_value = &raw[value_start..i];
        self.i = i + 1;
        match attr_value(raw_value) {
            Ok(value) => Some(Ok(Attr { name, value, at: self.base + name_start })),
            Err(e) => self.err(
                value_start,
                value_start + raw_value.len(),
                format!("bad value of attribute `{name}`: {e}"),
            ),
        }
    }
}

fn attr_value(raw: &str) -> Result<Cow<'_, str>, String> {
    // One pass that the compiler can vectorize, then the rare cases.
    if !raw.bytes().fold(false, |any, b| any | matches!(b, b'<' | b'&' | b'\t' | b'\r' | b'\n')) {
        return Ok(Cow::Borrowed(raw));
    }
    if raw.contains('<') {
        return Err("`<` is not allowed in an attribute value".into());
    }
    let amp = raw.contains('&');
    let needs_space_fix = raw.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n'));
    let unescaped =
        if amp { quick_xml::escape::unescape(raw).map_err(|e| e.to_string())? } else { Cow::Borrowed(raw) };
    if !needs_space_fix {
        return Ok(unescaped);
    }
    // Literal tabs and line ends become spaces (XML 1.0 §3.3.3); escaped ones (`&#10;`) stay,
    // so normalize the raw text first and unescape after.
    let normalized = raw.replace("\r\n", " ").replace(['\t', '\r', '\n'], " ");
    Ok(Cow::Owned(quick_xml::escape::unescape(&normalized).map_err(|e| e.to_string())?.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_navigates() {
        let text = "<?xml version=\"1.0\"?>\r\n<a x=\"1 &amp; 2\">\r\n  <b>hi &lt;there&gt;</b>\r\n  <c/>\r\n</a>\r\n";
        let tree = Tree::parse(text).unwrap();
        let a = tree.root();
        assert_eq!(a.name(), "a");
        assert_eq!(a.attr("x").unwrap().as_deref(), Some("1 & 2"));
        let names: Vec<_> = a.children().map(|c| c.name()).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(a.child("b").unwrap().text(), "hi <there>");
        assert_eq!(a.child("c").unwrap().raw(), "<c/>");
        assert_eq!(a.child("b").unwrap().raw(), "<b>hi &lt;there&gt;</b>");
    }

    #[test]
    fn locate_agrees_with_in_text() {
        let text = "<a>\r\n  <b>é</b>\n\n<c x=\"1\"/>\r\n</a>";
        let tree = Tree::parse(text).unwrap();
        for start in 0..=text.len() + 2 {
            for end in [0, start, start + 1, start + 5, text.len() + 3] {
                assert_eq!(tree.locate(start, end), Location::in_text(text, start, end), "{start}..{end}");
            }
        }
    }

    #[test]
    fn whitespace_text_is_kept_for_leaves_only() {
        let tree = Tree::parse("<a>\r\n <b> \r\n </b>\r\n <c> x\r\n</c> </a>").unwrap();
        let a = tree.root();
        assert_eq!(a.text(), "");
        assert_eq!(a.child("b").unwrap().text(), " \n ");
        assert_eq!(a.child("c").unwrap().text(), " x\n");
    }

    #[test]
    fn errors_point_at_the_fault() {
        let e = Tree::parse("<a>\n  <b></c>\n</a>").unwrap_err();
        let Location::Text { line, .. } = e.location else { panic!("{e:?}") };
        assert_eq!(line, 2);
        assert!(e.message.starts_with("the XML is not well-formed"), "{e}");
        let e = Tree::parse("<a>&nbsp;</a>").unwrap_err();
        assert!(e.message.starts_with("unknown entity `&nbsp;`"), "{e}");
        let e = Tree::parse("<a><b>").unwrap_err();
        assert!(e.message.contains("`<b>` is never closed"), "{e}");
        let e = Tree::parse("").unwrap_err();
        assert_eq!(e.message, "no element found; expected an XML document");
        let e = Tree::parse("<a/><b/>").unwrap_err();
        assert!(e.message.starts_with("a second root element"), "{e}");
        let e = Tree::parse("<a x=1/>").unwrap().root().attrs().unwrap_err();
        assert!(e.message.contains("is not quoted"), "{e}");
    }
}
