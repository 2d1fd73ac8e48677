//! Golden files: realistic task files under `testdata/toml/`, each with its expected reading
//! beside it (`<name>.snap`), and the canonical form they are written in.

use std::path::{Path, PathBuf};

use sked_formats::task_file;

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/toml");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_files_read_as_expected_and_round_trip() {
    let files = golden_files();
    assert!(files.len() >= 3, "{files:?}");
    for path in files {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc =
            task_file::read(&bytes).unwrap_or_else(|e| panic!("{}", e.in_file(&path.display().to_string())));
        for task in doc.tasks() {
            assert_eq!(task.validate(), Ok(()), "{stem}");
        }
        let written = task_file::write(&doc).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let canonical = String::from_utf8(written).expect("the writer writes UTF-8");
        assert_eq!(task_file::read(canonical.as_bytes()).as_ref(), Ok(&doc), "{stem}");
        insta::with_settings!({
            snapshot_path => "../../testdata/toml",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_debug_snapshot!(stem.clone(), doc.entries);
            insta::assert_snapshot!(format!("{stem}.written"), canonical);
        });
    }
}
