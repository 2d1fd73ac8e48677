//! Bounds-checked little-endian access to `.job` bytes.
//!
//! Untrusted input is read only through [`Reader`], whose every method checks the bounds
//! and names the field it was reading when it fails (the style of jiff's TZif parser).

use std::fmt;

use crate::{Diagnostic, Error, Location};

/// The name of a field, as MS-TSCH 2.4 calls it, and the trigger it belongs to.
///
/// Kept as static parts so that reading does not allocate a name per field; it becomes a
/// string only in an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Field {
    /// The 0-based index of the trigger, for trigger fields.
    pub trigger: Option<usize>,
    /// The field's name.
    pub name: &'static str,
}

impl Field {
    /// A field of the fixed or variable section.
    pub const fn job(name: &'static str) -> Self {
        Field { trigger: None, name }
    }

    /// A field of trigger `index` (0-based).
    pub const fn trigger(index: usize, name: &'static str) -> Self {
        Field { trigger: Some(index), name }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.trigger {
            Some(i) => write!(f, "trigger {}: {}", i + 1, self.name),
            None => f.write_str(self.name),
        }
    }
}

/// An error at byte `offset` while reading `field`.
pub(super) fn error_at(offset: usize, field: Field, message: impl Into<String>) -> Error {
    Error::one(Diagnostic::error(Location::Bytes { offset, field: field.to_string() }, message))
}

/// A cursor over untrusted bytes.
pub(super) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, pos: 0 }
    }

    /// The offset of the next byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// The next `n` bytes, or an error naming `field` if the input ends first.
    pub fn bytes(&mut self, n: usize, field: Field) -> Result<&'a [u8], Error> {
        let rest = &self.input[self.pos..];
        if n > rest.len() {
            return Err(error_at(
                self.pos,
                field,
                format!("unexpected end of file: expected {n} bytes, but found {}", rest.len()),
            ));
        }
        let (taken, _) = rest.split_at(n);
        self.pos += n;
        Ok(taken)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, field: Field) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, field)?);
        Ok(out)
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self, field: Field) -> Result<u16, Error> {
        self.array(field).map(u16::from_le_bytes)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, field: Field) -> Result<u32, Error> {
        self.array(field).map(u32::from_le_bytes)
    }
}

/// Little-endian output.
pub(super) trait Put {
    /// Appends a `u16`.
    fn put_u16(&mut self, v: u16);
    /// Appends a `u32`.
    fn put_u32(&mut self, v: u32);
}

impl Put for Vec<u8> {
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }

    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
}
