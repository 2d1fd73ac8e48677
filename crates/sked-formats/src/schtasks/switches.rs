//! The switches of one schtasks command: `/NAME [value]`, `-NAME` too, any case.

use super::lex::{Src, Tok};
use crate::Diagnostic;

/// How many values a switch takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arity {
    /// None (`/K`).
    Flag,
    /// Exactly one: the next argument, whatever it looks like (`/TR /usr/bin/x`).
    Value,
    /// One unless the next argument is another switch of the verb (`/RP` alone prompts).
    Optional,
}

/// The switches a verb accepts, upper case without the `/`.
pub(crate) type Table = &'static [(&'static str, Arity)];

/// One switch as given.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Given<'t> {
    /// The switch itself (`/mo`).
    pub switch: &'t Tok,
    /// Its value, if it took one.
    pub value: Option<&'t Tok>,
}

/// The switches of one command, each at most once.
#[derive(Debug)]
pub(crate) struct Switches<'t> {
    given: Vec<(&'static str, Given<'t>)>,
}

/// The switch name of `text` (`/mo` → `MO`) if it is written as a switch.
pub(crate) fn switch_name(text: &str) -> Option<String> {
    let rest = text.strip_prefix(['/', '-'])?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'?'))
        .then(|| rest.to_ascii_uppercase())
}

fn lookup(table: Table, text: &str) -> Option<(&'static str, Arity)> {
    let name = switch_name(text)?;
    table.iter().copied().find(|(n, _)| *n == name)
}

impl<'t> Switches<'t> {
    /// Reads `toks` against `table`. `verb` (`/Create`) names the command in messages.
    pub fn parse(
        src: Src<'_>,
        toks: &'t [Tok],
        table: Table,
        verb: &str,
    ) -> Result<Switches<'t>, Vec<Diagnostic>> {
        let mut given: Vec<(&'static str, Given<'t>)> = Vec::new();
        let mut errors = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let tok = &toks[i];
            i += 1;
            let Some((name, arity)) = lookup(table, &tok.text) else {
                let known: Vec<String> = table.iter().map(|(n, _)| format!("/{n}")).collect();
                let message = if switch_name(&tok.text).is_some() {
                    format!(
                        "unknown switch `{}` for `schtasks {verb}`; expected one of {}",
                        tok.text,
                        known.join(" ")
                    )
                } else {
                    format!(
                        "unexpected `{}`; expected a switch of `schtasks {verb}` such as {} (a value with spaces needs double quotes)",
                        tok.text,
                        known.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                errors.push(Diagnostic::error(src.at(tok), message));
                continue;
            };
            let value = match arity {
                Arity::Flag => None,
                Arity::Value => {
                    let v = toks.get(i);
                    if v.is_none() {
                        errors.push(Diagnostic::error(src.at(tok), format!("`{}` needs a value", tok.text)));
                    }
                    i += 1;
                    v
                }
                Arity::Optional => match toks.get(i) {
                    Some(v) if lookup(table, &v.text).is_none() => {
                        i += 1;
                        Some(v)
                    }
                    _ => None,
                },
            };
            if let Some((_, first)) = given.iter().find(|(n, _)| *n == name) {
                errors.push(Diagnostic::error(
                    src.at(tok),
                    format!("`/{name}` is given twice (first as `{}`); give it once", first.switch.text),
                ));
                continue;
            }
            given.push((name, Given { switch: tok, value }));
        }
        if errors.is_empty() { Ok(Switches { given }) } else { Err(errors) }
    }

    /// The switch `name` (upper case), if given.
    pub fn get(&self, name: &str) -> Option<Given<'t>> {
        self.given.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
    }

    /// The value of switch `name`, if given with one.
    pub fn value(&self, name: &str) -> Option<&'t Tok> {
        self.get(name).and_then(|g| g.value)
    }

    /// True when switch `name` is given.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl Given<'_> {
    /// The switch and its value as written (`/MO 100`), for messages.
    pub fn written(&self) -> String {
        match self.value {
            Some(v) if v.text.contains([' ', '\t']) || v.text.is_empty() => {
                format!("{} \"{}\"", self.switch.text, v.text)
            }
            Some(v) => format!("{} {}", self.switch.text, v.text),
            None => self.switch.text.clone(),
        }
    }

    /// The location of the switch and its value.
    pub fn at(&self, src: Src<'_>) -> crate::Location {
        src.span(self.switch, self.value.unwrap_or(self.switch))
    }
}
