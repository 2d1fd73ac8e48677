//! The schtasks verbs (windows-formats.md §3.3a) and what each one asks for.

use jiff::civil::DateTime;

use super::create::{self, Ctx};
use super::lex::{Src, Tok};
use super::switches::{Arity, Switches, Table};
use crate::{Diagnostic, Entry, Location, ReadOptions};

/// A verb of schtasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    Create,
    Delete,
    Query,
    Change,
    Run,
    End,
}

impl Verb {
    pub fn parse(arg: &str) -> Option<Verb> {
        let name = super::switches::switch_name(arg)?;
        Some(match name.as_str() {
            "CREATE" => Verb::Create,
            "DELETE" => Verb::Delete,
            "QUERY" => Verb::Query,
            "CHANGE" => Verb::Change,
            "RUN" => Verb::Run,
            "END" => Verb::End,
            _ => return None,
        })
    }
}

/// The output format of `/Query /FO`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryFormat {
    /// `TABLE`, the default.
    #[default]
    Table,
    /// `LIST`.
    List,
    /// `CSV`.
    Csv,
}

/// What `schtasks /Query` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// `/TN`: one task, or every task.
    pub name: Option<String>,
    /// `/FO`.
    pub format: QueryFormat,
    /// `/NH`: no column headers (TABLE and CSV only).
    pub no_header: bool,
    /// `/V`: verbose.
    pub verbose: bool,
    /// `/XML [ONE]`: task XML instead; `Some(true)` for `ONE` (one document for all).
    pub xml: Option<bool>,
}

/// One schtasks command, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `/Create`: the task to create. Its action is [`crate::Action::Replace`] with `/F`,
    /// [`crate::Action::Create`] without.
    Create(Box<Entry>),
    /// `/Delete /TN name|* [/F]`: `name` is `None` for `*` (every task).
    Delete {
        /// The task, or `None` for all.
        name: Option<String>,
        /// `/F`: no prompt, and running tasks too.
        force: bool,
    },
    /// `/Query`.
    Query(Query),
    /// `/Change /TN name ...`: the switches after the verb, as given, for the caller to
    /// apply (sked does not model partial changes yet).
    Change {
        /// The task.
        name: String,
        /// Every argument after `/Change`, `/TN` and its value included.
        args: Vec<String>,
    },
    /// `/Run /TN name [/I]`.
    Run {
        /// The task.
        name: String,
        /// `/I`: run now, ignoring the task's constraints.
        ignore_constraints: bool,
    },
    /// `/End /TN name`.
    End {
        /// The task.
        name: String,
    },
}

impl Command {
    /// The verb as schtasks writes it (`/Create`).
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Create(_) => "/Create",
            Command::Delete { .. } => "/Delete",
            Command::Query(_) => "/Query",
            Command::Change { .. } => "/Change",
            Command::Run { .. } => "/Run",
            Command::End { .. } => "/End",
        }
    }
}

/// A command and the warnings raised reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The command.
    pub command: Command,
    /// Things ignored or doubtful (a remote `/S`, a password).
    pub warnings: Vec<Diagnostic>,
}

const REMOTE: [(&str, Arity); 3] = [("S", Arity::Value), ("U", Arity::Value), ("P", Arity::Optional)];
const DELETE: Table = &[REMOTE[0], REMOTE[1], REMOTE[2], ("TN", Arity::Value), ("F", Arity::Flag)];
const QUERY: Table = &[
    REMOTE[0],
    REMOTE[1],
    REMOTE[2],
    ("FO", Arity::Value),
    ("NH", Arity::Flag),
    ("V", Arity::Flag),
    ("TN", Arity::Value),
    ("XML", Arity::Optional),
];
const RUN: Table =
    &[REMOTE[0], REMOTE[1], REMOTE[2], ("TN", Arity::Value), ("I", Arity::Flag), ("HRESULT", Arity::Flag)];
const END: Table = &[REMOTE[0], REMOTE[1], REMOTE[2], ("TN", Arity::Value), ("HRESULT", Arity::Flag)];
const CHANGE: Table = &[
    REMOTE[0],
    REMOTE[1],
    REMOTE[2],
    ("TN", Arity::Value),
    ("RU", Arity::Value),
    ("RP", Arity::Optional),
    ("TR", Arity::Value),
    ("ST", Arity::Value),
    ("RI", Arity::Value),
    ("ET", Arity::Value),
    ("DU", Arity::Value),
    ("K", Arity::Flag),
    ("SD", Arity::Value),
    ("ED", Arity::Value),
    ("ENABLE", Arity::Flag),
    ("DISABLE", Arity::Flag),
    ("IT", Arity::Flag),
    ("Z", Arity::Flag),
    ("RL", Arity::Value),
    ("DELAY", Arity::Value),
    ("HRESULT", Arity::Flag),
];

/// Reads one command (without the program name). `implied_create`: a command without a
/// verb is a `/Create` (the seed's form); otherwise it needs a verb, and no arguments at
/// all is `/Query`.
pub(crate) fn parse(
    src: Src<'_>,
    toks: &[Tok],
    opts: &ReadOptions,
    now: Option<DateTime>,
    whole: &Location,
    implied_create: bool,
) -> Result<Parsed, Vec<Diagnostic>> {
    let (verb, rest) = match toks.first().and_then(|t| Verb::parse(&t.text)) {
        Some(v) => (v, &toks[1..]),
        None if toks.is_empty() && !implied_create => (Verb::Query, toks),
        None if implied_create => (Verb::Create, toks),
        None => {
            let at = toks.first().map_or(Location::None, |t| src.at(t));
            return Err(vec![Diagnostic::error(
                at,
                "expected a verb first: /Create, /Delete, /Query, /Change, /Run or /End".to_string(),
            )]);
        }
    };
    let ctx = Ctx { src, opts, now, whole };
    if verb == Verb::Create {
        let (entry, warnings) = create::create(&ctx, rest)?;
        return Ok(Parsed { command: Command::Create(Box::new(entry)), warnings });
    }
    let (table, verb_name) = match verb {
        Verb::Delete => (DELETE, "/Delete"),
        Verb::Query => (QUERY, "/Query"),
        Verb::Run => (RUN, "/Run"),
        Verb::End => (END, "/End"),
        Verb::Change => (CHANGE, "/Change"),
        // Handled above; listed so the match stays exhaustive.
        Verb::Create => (super::create::CREATE, "/Create"),
    };
    let sw = Switches::parse(src, rest, table, verb_name)?;
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    if let Some(g) = sw.get("S") {
        warnings.push(Diagnostic::warning(
            g.at(src),
            format!("`{}` is ignored: sked manages the tasks of the machine it runs on", g.written()),
        ));
    } else {
        for name in ["U", "P"] {
            if let Some(g) = sw.get(name) {
                errors.push(Diagnostic::error(g.at(src), format!("`/{name}` is valid only with `/S`")));
            }
        }
    }
    let name = sw.value("TN").map(|v| super::name_from_windows(&v.text));
    let need_name = |errors: &mut Vec<Diagnostic>| {
        if name.is_none() {
            errors.push(Diagnostic::error(
                whole.clone(),
                format!("`schtasks {verb_name}` needs `/TN`, the task name"),
            ));
        }
    };
    let command = match verb {
        Verb::Delete => {
            need_name(&mut errors);
            Command::Delete { name: name.clone().filter(|n| n != "*"), force: sw.has("F") }
        }
        Verb::Run => {
            need_name(&mut errors);
            Command::Run { name: name.clone().unwrap_or_default(), ignore_constraints: sw.has("I") }
        }
        Verb::End => {
            need_name(&mut errors);
            Command::End { name: name.clone().unwrap_or_default() }
        }
        Verb::Change => {
            need_name(&mut errors);
            if let (Some(_), Some(g)) = (sw.get("ENABLE"), sw.get("DISABLE")) {
                errors.push(Diagnostic::error(
                    g.at(src),
                    "`/ENABLE` and `/DISABLE` cannot be combined".to_string(),
                ));
            }
            Command::Change {
                name: name.clone().unwrap_or_default(),
                args: rest.iter().map(|t| t.text.clone()).collect(),
            }
        }
        _ => {
            let mut q = Query {
                name: name.clone(),
                no_header: sw.has("NH"),
                verbose: sw.has("V"),
                ..Query::default()
            };
            if let Some(g) = sw.get("FO") {
                let v = g.value.map_or("", |v| v.text.as_str());
                q.format = match v.to_ascii_uppercase().as_str() {
                    "TABLE" => QueryFormat::Table,
                    "LIST" => QueryFormat::List,
                    "CSV" => QueryFormat::Csv,
                    _ => {
                        errors.push(Diagnostic::error(
                            g.at(src),
                            format!("`{v}` is not a query format; expected TABLE, LIST or CSV"),
                        ));
                        QueryFormat::Table
                    }
                };
            }
            if let Some(g) = sw.get("XML") {
                match g.value.map(|v| v.text.to_ascii_uppercase()) {
                    None => q.xml = Some(false),
                    Some(v) if v == "ONE" => q.xml = Some(true),
                    Some(v) => errors
                        .push(Diagnostic::error(g.at(src), format!("`/XML {v}`: expected nothing or ONE"))),
                }
                if let Some(f) = sw.get("FO") {
                    errors.push(Diagnostic::error(
                        f.at(src),
                        "`/FO` and `/XML` cannot be combined".to_string(),
                    ));
                }
            }
            if let Some(g) = sw.get("NH")
                && (q.format == QueryFormat::List || q.xml.is_some())
            {
                errors.push(Diagnostic::error(
                    g.at(src),
                    "`/NH` is only for `/FO TABLE` and `/FO CSV`".to_string(),
                ));
            }
            Command::Query(q)
        }
    };
    if errors.is_empty() { Ok(Parsed { command, warnings }) } else { Err(errors) }
}
