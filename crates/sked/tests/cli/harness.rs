//! A fluent builder for running the real `sked` binary, after casey/just's `Test`.
//!
//! ```ignore
//! Test::new()
//!     .file("tasks.toml", "...")
//!     .args(["next", "tasks.toml", "--json"])
//!     .stdout("[]\n")
//!     .run();
//! ```
//!
//! Each test runs in a fresh directory, so file names in messages are stable. `stdout` and
//! `stderr` default to "expect nothing", and the exit status to 0.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The directory of the golden files.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The text of golden file `name`.
pub fn golden(name: &str) -> String {
    let path = golden_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The root of the repository, for the shipped example.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

enum Expect {
    Exactly(String),
    Contains(Vec<String>),
    /// The text of a golden file; `SKED_BLESS=1` rewrites the file with the output instead.
    /// Only for outputs that are sked's own wording (descriptions, rendered errors), never
    /// for schedules: those are written by hand from semantics.md.
    Golden(String),
    Anything,
}

/// One run of `sked`.
pub struct Test {
    args: Vec<String>,
    files: Vec<(String, String)>,
    stdin: Option<String>,
    env: Vec<(String, String)>,
    stdout: Expect,
    stderr: Expect,
    status: i32,
}

/// What a run produced, for checks the builder does not make.
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// The directory it ran in, with the files it wrote.
    pub dir: PathBuf,
}

impl Test {
    /// A run of `sked` with no arguments, expecting success and no output.
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            files: Vec::new(),
            stdin: None,
            env: Vec::new(),
            stdout: Expect::Exactly(String::new()),
            stderr: Expect::Exactly(String::new()),
            status: 0,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Writes `contents` to `name` in the test's directory.
    pub fn file(mut self, name: &str, contents: impl Into<String>) -> Self {
        self.files.push((name.to_string(), contents.into()));
        self
    }

    /// Feeds `s` to standard input.
    pub fn stdin(mut self, s: impl Into<String>) -> Self {
        self.stdin = Some(s.into());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Expects exactly `s` on standard output.
    pub fn stdout(mut self, s: impl Into<String>) -> Self {
        self.stdout = Expect::Exactly(s.into());
        self
    }

    /// Expects standard output to contain `s` (and whatever else was asked to be contained).
    pub fn stdout_contains(mut self, s: impl Into<String>) -> Self {
        match &mut self.stdout {
            Expect::Contains(v) => v.push(s.into()),
            _ => self.stdout = Expect::Contains(vec![s.into()]),
        }
        self
    }

    /// Expects standard output to be golden file `name`.
    pub fn stdout_golden(mut self, name: &str) -> Self {
        self.stdout = Expect::Golden(name.to_string());
        self
    }

    /// Accepts any standard output (checked by the caller on [`Output`]).
    pub fn any_stdout(mut self) -> Self {
        self.stdout = Expect::Anything;
        self
    }

    /// Expects exactly `s` on standard error.
    pub fn stderr(mut self, s: impl Into<String>) -> Self {
        self.stderr = Expect::Exactly(s.into());
        self
    }

    /// Expects standard error to contain `s`.
    pub fn stderr_contains(mut self, s: impl Into<String>) -> Self {
        match &mut self.stderr {
            Expect::Contains(v) => v.push(s.into()),
            _ => self.stderr = Expect::Contains(vec![s.into()]),
        }
        self
    }

    /// Expects standard error to be golden file `name`.
    pub fn stderr_golden(mut self, name: &str) -> Self {
        self.stderr = Expect::Golden(name.to_string());
        self
    }

    /// Accepts any standard error (warnings that are not the point of the test).
    pub fn any_stderr(mut self) -> Self {
        self.stderr = Expect::Anything;
        self
    }

    /// Expects exit status `code`.
    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    /// Runs `sked` and checks the status, stdout and stderr.
    pub fn run(self) -> Output {
        let dir = fresh_dir();
        for (name, contents) in &self.files {
            std::fs::write(dir.join(name), contents).unwrap();
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sked"));
        cmd.args(&self.args)
            .current_dir(&dir)
            .env_remove("NO_COLOR")
            .stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("cannot start sked");
        if let Some(input) = &self.stdin {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let context = format!("sked {}\n--- stdout\n{stdout}--- stderr\n{stderr}---", self.args.join(" "));
        assert_eq!(out.status.code(), Some(self.status), "exit status\n{context}");
        check("stdout", &self.stdout, &stdout, &context);
        check("stderr", &self.stderr, &stderr, &context);
        Output { stdout, dir }
    }
}

fn check(what: &str, expect: &Expect, actual: &str, context: &str) {
    match expect {
        Expect::Anything => {}
        Expect::Exactly(s) => assert_eq!(actual, s, "{what}\n{context}"),
        Expect::Contains(parts) => {
            for p in parts {
                assert!(actual.contains(p.as_str()), "{what} lacks {p:?}\n{context}");
            }
        }
        Expect::Golden(name) => {
            if std::env::var_os("SKED_BLESS").is_some() {
                std::fs::write(golden_dir().join(name), actual).unwrap();
            } else {
                assert_eq!(actual, golden(name), "{what} differs from golden/{name}\n{context}");
            }
        }
    }
}

fn fresh_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sked-cli-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
