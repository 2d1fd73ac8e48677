//! How the service keeps a task in the store: as sked's own task file, one task per
//! definition. The store holds opaque bytes; this is the one place that gives them a format.

use sked_core::Task;
use sked_formats::{Document, task_file};

/// The stored definition of `task`.
pub fn encode(task: &Task) -> Vec<u8> {
    // Writing a valid task cannot fail: the task file can say everything the model holds.
    task_file::write(&Document::from_tasks([task.clone()])).unwrap_or_default()
}

/// The task a stored definition holds.
pub fn decode(definition: &[u8]) -> Result<Task, sked_formats::Error> {
    let doc = task_file::read(definition)?;
    doc.entries.into_iter().next().map(|e| e.task).ok_or_else(|| {
        sked_formats::Error::one(sked_formats::Diagnostic::error(
            sked_formats::Location::None,
            "a stored task definition holds no task",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut task = Task::new("nightly/backup", "/usr/bin/backup");
        task.args = vec!["--full".into(), "a b".into()];
        assert_eq!(decode(&encode(&task)).unwrap(), task);
        assert!(decode(b"").is_err());
    }
}
