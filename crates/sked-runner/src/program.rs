//! Finding the program to run, without a shell.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Inner};

/// The path the child will `exec`.
///
/// - A program holding a `/` is used as given; a relative one is relative to `cwd`, the
///   child's working directory. It must exist.
/// - A bare name is looked up in `path`, the `PATH` of the child's own environment (not the
///   daemon's): the first absolute directory holding an executable regular file of that name
///   wins. Empty and relative entries are skipped: they would depend on the working directory.
///   When only a non-executable file is found, it is returned so that `exec` reports
///   "permission denied" for it, as `execvp` does.
///
/// These checks are made by the daemon; the child's `exec`, as the task's user, has the last
/// word (a file the user may not execute fails the start with `EACCES`).
pub(crate) fn resolve(program: &Path, path: Option<&OsStr>, cwd: &Path) -> Result<PathBuf, Error> {
    let bytes = program.as_os_str().as_bytes();
    if bytes.is_empty() {
        return Err(Error::invalid("program", "is empty; expected a path or a program name"));
    }
    if bytes.contains(&0) {
        return Err(Error::invalid("program", format!("`{}` contains a NUL byte", program.display())));
    }
    if bytes.contains(&b'/') {
        let full = cwd.join(program);
        return match full.metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(Error::new(Inner::NoProgram { program: full }))
            }
            _ => Ok(program.to_path_buf()),
        };
    }
    let path = path.unwrap_or_default();
    let mut not_executable = None;
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir = Path::new(OsStr::from_bytes(dir));
        if !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(program);
        match candidate.metadata() {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => return Ok(candidate),
            Ok(m) if m.is_file() && not_executable.is_none() => not_executable = Some(candidate),
            _ => {}
        }
    }
    not_executable.ok_or_else(|| {
        Error::new(Inner::NotInPath {
            program: program.display().to_string(),
            path: path.display().to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn bare_names_are_found_in_the_given_path_only() {
        let found = resolve(Path::new("sh"), Some(OsStr::new("relative:/nonexistent:/bin")), Path::new("/"));
        assert_eq!(found.unwrap(), PathBuf::from("/bin/sh"));
        let err = resolve(Path::new("sh"), Some(OsStr::new("/nonexistent")), Path::new("/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ProgramNotFound);
        assert_eq!(err.to_string(), "program `sh` was not found in PATH `/nonexistent`");
        let err = resolve(Path::new("sh"), None, Path::new("/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ProgramNotFound);
    }

    #[test]
    fn paths_are_used_as_given_relative_to_the_working_dir() {
        assert_eq!(resolve(Path::new("/bin/sh"), None, Path::new("/tmp")).unwrap(), PathBuf::from("/bin/sh"));
        assert_eq!(resolve(Path::new("bin/sh"), None, Path::new("/")).unwrap(), PathBuf::from("bin/sh"));
        let err = resolve(Path::new("./no-such-program"), None, Path::new("/")).unwrap_err();
        assert_eq!(err.to_string(), "program `/./no-such-program` does not exist");
    }

    #[test]
    fn empty_and_nul_programs_are_invalid() {
        assert_eq!(resolve(Path::new(""), None, Path::new("/")).unwrap_err().kind(), ErrorKind::InvalidSpec);
        let nul = Path::new(OsStr::from_bytes(b"a\0b"));
        assert_eq!(resolve(nul, None, Path::new("/")).unwrap_err().kind(), ErrorKind::InvalidSpec);
    }
}
