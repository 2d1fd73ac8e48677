//! Properties: whatever the model holds is written and read back unchanged, and no input
//! makes the reader panic.

use proptest::prelude::*;
use sked_core::FieldPath;
use sked_formats::task_file;

use crate::arb;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_strategies_make_valid_tasks(doc in arb::document()) {
        for task in doc.tasks() {
            prop_assert_eq!(task.validate(), Ok(()));
        }
    }

    #[test]
    fn read_after_write_is_the_identity(doc in arb::document()) {
        let written = task_file::write(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let text = String::from_utf8_lossy(&written).into_owned();
        let read = task_file::read(&written)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- file ---\n{text}")))?;
        prop_assert_eq!(read, doc, "{}", text);
    }

    #[test]
    fn writing_is_stable(doc in arb::document()) {
        let once = task_file::write(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = task_file::read(&once)
            .and_then(|d| task_file::write(&d))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(once, again);
    }
}

/// A valid file damaged in one place: bytes removed, inserted or replaced.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), 1usize..16).prop_map(|(i, n)| Edit::Remove(i, n)),
        (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<prop::sample::Index>(), prop::sample::select(b"=[]{}\"',.#\n -0123456789abcxyzZT:".to_vec()))
            .prop_map(|(i, b)| Edit::Replace(i, b)),
    ];
    (arb::document(), prop::collection::vec(edit, 1..4)).prop_map(|(doc, edits)| {
        let mut bytes = task_file::write(&doc).unwrap_or_default();
        for edit in edits {
            edit.apply(&mut bytes);
        }
        bytes
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Remove(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    Replace(prop::sample::Index, u8),
}

impl Edit {
    fn apply(self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        match self {
            Edit::Remove(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Insert(i, b) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, b);
            }
            Edit::Replace(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
        }
    }
}

/// Reading never panics; what reads writes and reads back the same; every diagnostic
/// renders; `locate` never panics.
fn check_any_input(input: &[u8]) -> Result<(), TestCaseError> {
    match task_file::read(input) {
        Ok(doc) => {
            let written = task_file::write(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(task_file::read(&written), Ok(doc));
        }
        Err(e) => {
            prop_assert!(!e.diagnostics().is_empty());
            let _ = e.to_string();
        }
    }
    for path in [
        FieldPath::key("name"),
        FieldPath::trigger(0, &["repeat", "every"]),
        FieldPath::trigger(3, &["start"]),
    ] {
        let _ = task_file::locate(input, 0, &path);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_string_reads_without_panic(s in "\\PC*") {
        check_any_input(s.as_bytes())?;
    }

    #[test]
    fn any_toml_like_text_reads_without_panic(
        s in "(\\[\\[task(\\.trigger)?\\]\\]\n|\\[task\\.(idle|power)\\]\n|[a-z-]{1,12} = (\"[^\"\n]{0,12}\"|[0-9-]{1,4}|\\{[^\n]{0,20}\\}|\\[[^\n]{0,20}\\]|true)\n){0,12}"
    ) {
        check_any_input(s.as_bytes())?;
    }

    #[test]
    fn any_bytes_read_without_panic(b in prop::collection::vec(any::<u8>(), 0..256)) {
        check_any_input(&b)?;
    }

    #[test]
    fn mutated_files_read_without_panic(b in mutated()) {
        check_any_input(&b)?;
    }
}
