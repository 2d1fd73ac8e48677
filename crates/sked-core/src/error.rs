//! The error of this crate: what is wrong with a task, field by field.

use std::fmt;

/// Every problem found in one task. Validation reports them all at once, so a user fixes a
/// file in one pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    task: String,
    problems: Vec<Problem>,
}

impl Error {
    /// An error for the task named `task`. `problems` must not be empty.
    pub fn new(task: String, problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        Error { task, problems }
    }

    /// The name of the task at fault.
    pub fn task(&self) -> &str {
        &self.task
    }

    /// Each problem, in field order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The kind of the first problem, for callers that branch on it.
    pub fn kind(&self) -> ErrorKind {
        self.problems.first().map_or(ErrorKind::InvalidValue, |p| p.kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "task `{}`: {}: {}", self.task, p.field, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is, in task-file keys.
    pub field: FieldPath,
    /// What sort of problem it is.
    pub kind: ErrorKind,
    /// The bad value and what is allowed, in one lowercase sentence.
    pub message: String,
}

/// The sorts of problem, for callers that need to branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value outside what the field allows.
    InvalidValue,
    /// A required field is absent.
    MissingField,
    /// Fields that contradict each other.
    Conflict,
    /// A zone name that is malformed or not in the time zone database.
    UnknownTimeZone,
    /// A trigger that can never fire.
    NeverFires,
}

/// The path of a field in task-file keys: `trigger[2].repeat.every`.
///
/// Trigger indexes count from 1 in the text, as people do, and from 0 in [`Segment::Index`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<Segment>);

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A key of a table.
    Key(&'static str),
    /// An element of an array, from 0.
    Index(usize),
}

impl FieldPath {
    /// The path of a top-level task key.
    pub fn key(k: &'static str) -> Self {
        FieldPath(vec![Segment::Key(k)])
    }

    /// The path of nested task keys.
    pub fn keys(ks: &[&'static str]) -> Self {
        FieldPath(ks.iter().map(|k| Segment::Key(k)).collect())
    }

    /// The path of a key inside trigger `index` (from 0).
    pub fn trigger(index: usize, rest: &[&'static str]) -> Self {
        let mut v = vec![Segment::Key("trigger"), Segment::Index(index)];
        v.extend(rest.iter().map(|k| Segment::Key(k)));
        FieldPath(v)
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{}]", n + 1)?,
            }
        }
        Ok(())
    }
}
