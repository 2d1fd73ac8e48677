//! A small read-only element tree over decoded XML text, built from `quick_xml` events.
//!
//! Task Scheduler 2.0 XML is an `xs:all` schema (children in any order) and sked keeps the
//! elements it does not model verbatim, so the readers want random access to children and
//! the exact source text of any element. The tree is one flat arena of nodes that borrow
//! names and text from the input; only text holding entity references is copied. Every node
//! records its byte range in the text so errors can point at a line and column.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::diagnostic::{Diagnostic, Location};

const NONE: u32 = u32::MAX;

/// A parsed document: the text and its elements.
#[derive(Debug)]
pub struct Tree<'a> {
    text: &'a str,
    nodes: Vec<Node<'a>>,
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
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(text.len() / 48 + 1);
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
                    let name = qname.rsplit(':').next().unwrap_or(qname);
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
                        text_at: now,
                        first_child: NONE,
                        last_child: NONE,
                        next_sibling: NONE,
                    });
                    if let Some(&parent) = stack.last() {
                        let p = &mut nodes[parent as usize];
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
                        nodes[index as usize].end = now;
                    }
                }
                Event::Text(t) => {
                    if let Some(&top) = stack.last() {
                        let raw: &str = &t;
                        if raw.bytes().all(is_xml_space) && nodes[top as usize].first_child != NONE
                        {
                            continue;
                        }
                        let content = t.xml10_content();
                        push_text(&mut nodes[top as usize], content, at);
                    } else if !(*t).bytes().all(is_xml_space) {
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
        Ok(Tree { text, nodes })
    }

    /// The root element.
    pub fn root(&self) -> El<'_, 'a> {
        El {
            tree: self,
            index: 0,
        }
    }

    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or("")
}

fn push_text<'a>(node: &mut Node<'a>, piece: Cow<'a, str>, at: usize) {
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
        Children {
            tree: self.tree,
            next: self.node().first_child,
        }
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
        Location::in_text(self.tree.text, n.start, n.tag_end)
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
        Location::in_text(self.tree.text, start, start + trimmed.trim_end().len())
    }

    /// The attributes, in order, values unescaped and normalized (XML 1.0 §3.3.3).
    pub fn attrs(&self) -> Result<Vec<Attr<'a>>, Diagnostic> {
        let n = self.node();
        parse_attrs(self.tree.text, n.attrs, n.attrs_at)
    }

    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Result<Option<Cow<'a, str>>, Diagnostic> {
        Ok(self
            .attrs()?
            .into_iter()
            .find(|a| a.name == name)
            .map(|a| a.value))
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
        let el = El {
            tree: self.tree,
            index: self.next,
        };
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
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |from: usize, to: usize, msg: String| {
        Diagnostic::error(Location::in_text(text, base + from, base + to), msg)
    };
    loop {
        while i < bytes.len() && is_xml_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
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
            return Err(err(
                name_start,
                i,
                format!("attribute `{name}` has no value; expected `{name}=\"...\"`"),
            ));
        }
        i += 1;
        while i < bytes.len() && is_xml_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                return Err(err(
                    name_start,
                    i,
                    format!(
                        "the value of attribute `{name}` is not quoted; expected `{name}=\"...\"`"
                    ),
                ));
            }
        };
        i += 1;
        let value_start = i;
        while i < bytes.len() && bytes[i] != quote {
            i += 1;
        }
        if i >= bytes.len() {
            return Err(err(
                name_start,
                i,
                format!("the value of attribute `{name}` has no closing quote"),
            ));
        }
        let raw_value = &raw[value_start..i];
        i += 1;
        if out.iter().any(|a: &Attr<'_>| a.name == name) {
            return Err(err(
                name_start,
                name_start + name.len(),
                format!("attribute `{name}` appears twice; expected it at most once"),
            ));
        }
        let value = attr_value(raw_value).map_err(|e| {
            err(
                value_start,
                value_start + raw_value.len(),
                format!("bad value of attribute `{name}`: {e}"),
            )
        })?;
        out.push(Attr {
            name,
            value,
            at: base + name_start,
        });
    }
    Ok(out)
}

fn attr_value(raw: &str) -> Result<Cow<'_, str>, String> {
    if raw.contains('<') {
        return Err("`<` is not allowed in an attribute value".into());
    }
    let needs_space_fix = raw.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n'));
    let unescaped = if raw.contains('&') {
        quick_xml::escape::unescape(raw).map_err(|e| e.to_string())?
    } else {
        Cow::Borrowed(raw)
    };
    if !needs_space_fix {
        return Ok(unescaped);
    }
    // Literal tabs and line ends become spaces (XML 1.0 §3.3.3); escaped ones (`&#10;`) stay,
    // so normalize the raw text first and unescape after.
    let normalized = raw.replace("\r\n", " ").replace(['\t', '\r', '\n'], " ");
    Ok(Cow::Owned(
        quick_xml::escape::unescape(&normalized)
            .map_err(|e| e.to_string())?
            .into_owned(),
    ))
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
    fn errors_point_at_the_fault() {
        let e = Tree::parse("<a>\n  <b></c>\n</a>").unwrap_err();
        let Location::Text { line, .. } = e.location else {
            panic!("{e:?}")
        };
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
