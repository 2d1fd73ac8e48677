//! Turning files into an apply request: read, substitute symbols, check every task, and only
//! then build the request, so that one bad file stops `sked apply` before anything is sent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sked_api::types::{ApplyAction, ApplyFile, ApplyItem, Source as ApiSource};
use sked_core::Zones;
use sked_formats::{Action, Diagnostic};

use crate::exit::{Reported, Usage};
use crate::load::{self, LoadOptions};
use crate::validate;

/// One file, ready to send.
#[derive(Debug)]
pub struct Prepared {
    /// The path as given, for messages.
    pub name: String,
    /// The file as the request carries it: source id = the file's absolute path.
    pub file: ApplyFile,
}

/// FNV-1a, 64 bits, in hex: a hash that stays the same across Rust versions and machines,
/// which the service compares to tell whether a file changed since its last apply.
pub fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// The source id of `path`: its absolute path, which `sked remove` names again later.
pub fn source_id(path: &str) -> anyhow::Result<PathBuf> {
    if path == "-" {
        return Err(Usage(
            "standard input has no path to remember; `sked apply` and `sked remove` need a file, whose absolute path names what it installed".into(),
        )
        .into());
    }
    std::path::absolute(Path::new(path)).with_context(|| format!("cannot make `{path}` absolute"))
}

/// What each format's entry does when applied: GPP says it per item, every other format
/// creates or replaces.
pub fn action(action: Action) -> ApplyAction {
    match action {
        Action::Create => ApplyAction::Create,
        Action::Replace | Action::Update => ApplyAction::Replace,
        Action::Delete => ApplyAction::Delete,
    }
}

/// Reads `path` with its symbols substituted, checks each of its tasks, and builds its
/// part of the request. Problems are printed (with file, line and column where the format has them)
/// and returned as [`Reported`].
pub fn prepare(path: &str, bytes: &[u8], opts: &LoadOptions, zones: &Zones) -> anyhow::Result<Prepared> {
    let id = source_id(path)?;
    let source = load::parse(path, bytes.to_vec(), opts)?;
    validate::print_warnings(&source);
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, entry) in source.document.entries.iter().enumerate() {
        if let Some(first) = seen.insert(&entry.task.name, i) {
            problems.push(
                Diagnostic::error(
                    sked_formats::Location::None,
                    format!(
                        "task `{}` is defined twice (tasks {} and {}); a name may appear once in a file",
                        entry.task.name,
                        first + 1,
                        i + 1
                    ),
                )
                .in_file(path),
            );
        }
        if entry.action != Action::Delete
            && let Err(d) = validate::compile(&source, i, zones)
        {
            problems.extend(d);
        }
    }
    if !problems.is_empty() {
        let rendered: Vec<String> = problems.iter().map(Diagnostic::to_string).collect();
        eprintln!("{}", rendered.join("\n\n"));
        return Err(Reported.into());
    }
    let mut items = Vec::new();
    for entry in &source.document.entries {
        let action = action(entry.action);
        let definition = match action {
            ApplyAction::Delete => None,
            _ => Some(sked_api::encode(&entry.task)?),
        };
        items.push(ApplyItem { action, name: entry.task.name.clone(), definition });
    }
    let file = ApplyFile {
        source: ApiSource { id: id.display().to_string(), hash: fnv1a(&source.bytes) },
        items,
        prune: true,
    };
    Ok(Prepared { name: path.to_string(), file })
}

/// Reads and prepares every file; fails (having printed every file's problems) if any
/// file is bad, or if two files define the same task.
pub fn prepare_all(files: &[String], opts: &LoadOptions, zones: &Zones) -> anyhow::Result<Vec<Prepared>> {
    let mut prepared = Vec::new();
    let mut bad = false;
    for path in files {
        let result = std::fs::read(path)
            .with_context(|| format!("cannot read `{path}`"))
            .and_then(|bytes| prepare(path, &bytes, opts, zones));
        match result {
            Ok(p) => prepared.push(p),
            Err(e) if e.downcast_ref::<Reported>().is_some() => bad = true,
            Err(e) => {
                eprintln!("{}", crate::exit::message(&e));
                bad = true;
            }
        }
    }
    if bad {
        return Err(Reported.into());
    }
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for p in &prepared {
        for item in &p.file.items {
            if let Some(other) = owner.insert(&item.name, &p.name)
                && other != p.name
            {
                return Err(Usage(format!(
                    "task `{}` is in both `{other}` and `{}`; a task can come from one file only",
                    item.name, p.name
                ))
                .into());
            }
        }
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn zones() -> Zones {
        Zones::new(jiff::tz::db().clone(), TimeZone::UTC)
    }

    const TWO: &str = r#"
[[task]]
name = "a"
command = "/bin/echo"
args = ["(*WHO*)"]

[[task.trigger]]
daily = {}
start = "2026-03-01T06:00:00"

[[task]]
name = "b"
command = "/bin/true"
"#;

    #[test]
    fn fnv_is_the_reference_function() {
        assert_eq!(fnv1a(b""), "fnv1a64:cbf29ce484222325");
        assert_eq!(fnv1a(b"a"), "fnv1a64:af63dc4c8601ec8c");
        assert_eq!(fnv1a(b"foobar"), "fnv1a64:85944171f73967e8");
    }

    #[test]
    fn a_file_becomes_one_file_of_the_request() {
        let mut d = LoadOptions::default();
        d.defines.insert("WHO", "world");
        let p = prepare("dir/tasks.toml", TWO.as_bytes(), &d, &zones()).unwrap();
        let r = &p.file;
        assert!(r.source.id.starts_with('/') && r.source.id.ends_with("/dir/tasks.toml"), "{}", r.source.id);
        assert!(r.prune);
        assert_eq!(
            r.items.iter().map(|i| (i.action, i.name.as_str())).collect::<Vec<_>>(),
            [(ApplyAction::Replace, "a"), (ApplyAction::Replace, "b")]
        );
        let a = sked_api::decode(r.items[0].definition.as_deref().unwrap()).unwrap();
        assert_eq!(a.args, ["world"]);
        assert_eq!(r.source.hash, fnv1a(TWO.replace("(*WHO*)", "world").as_bytes()));
    }

    #[test]
    fn an_undefined_symbol_or_a_bad_task_fails_the_file() {
        let e = prepare("t.toml", TWO.as_bytes(), &LoadOptions::default(), &zones()).unwrap_err();
        assert!(e.to_string().contains("WHO"), "{e:#}");
        let bad =
            TWO.replace("command = \"/bin/true\"", "command = \"/bin/true\"\ntime-zone = \"Mars/Base\"");
        let mut d = LoadOptions::default();
        d.defines.insert("WHO", "x");
        let e = prepare("t.toml", bad.as_bytes(), &d, &zones()).unwrap_err();
        assert!(e.downcast_ref::<Reported>().is_some(), "{e:#}");
    }

    #[test]
    fn files_are_read_as_every_other_command_reads_them() {
        let line = "schtasks /Create /TN x /TR run.exe /SC ONCE /ST 06:00 /SD 01/02/2036\n";
        let opts = LoadOptions { date_order: sked_formats::DateOrder::Dmy, ..LoadOptions::default() };
        let p = prepare("install.txt", line.as_bytes(), &opts, &zones()).unwrap();
        let task = sked_api::decode(p.file.items[0].definition.as_deref().unwrap()).unwrap();
        let start = task.triggers[0].start.as_ref().unwrap().datetime;
        assert_eq!(start, jiff::civil::date(2036, 2, 1).at(6, 0, 0, 0));
    }

    #[test]
    fn gpp_actions_map_to_apply_actions() {
        assert_eq!(action(Action::Create), ApplyAction::Create);
        assert_eq!(action(Action::Replace), ApplyAction::Replace);
        assert_eq!(action(Action::Update), ApplyAction::Replace);
        assert_eq!(action(Action::Delete), ApplyAction::Delete);
    }

    #[test]
    fn stdin_has_no_source_id() {
        assert!(source_id("-").unwrap_err().to_string().contains("need a file"));
    }

    #[test]
    fn two_files_may_not_share_a_task() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.toml");
        let two = dir.path().join("two.toml");
        std::fs::write(&one, "[[task]]\nname = \"x\"\ncommand = \"/bin/true\"\n").unwrap();
        std::fs::write(&two, "[[task]]\nname = \"x\"\ncommand = \"/bin/false\"\n").unwrap();
        let files = [one.display().to_string(), two.display().to_string()];
        let e = prepare_all(&files, &LoadOptions::default(), &zones()).unwrap_err();
        assert!(e.to_string().contains("task `x` is in both"), "{e}");
    }

    #[test]
    fn defines_come_from_flags_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.defines");
        std::fs::write(&file, "A=1\nB = \"two\"\n").unwrap();
        let read = crate::args::ReadArgs {
            defines: vec![("A".into(), "override".into())],
            defines_file: Some(file.display().to_string()),
            ..Default::default()
        };
        let d = LoadOptions::from_args(&crate::args::InputArgs { format: None, read, name: None })
            .unwrap()
            .defines;
        assert_eq!((d.get("A"), d.get("B")), (Some("override"), Some("two")));
        assert!(crate::args::parse_define("nope").unwrap_err().contains("has no `=`"));
    }
}
