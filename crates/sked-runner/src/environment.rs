//! The child's environment: a clean base, then the task's variables.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use crate::account::Account;
use crate::error::Error;
use crate::spec::RunIdentity;

/// The `PATH` of the clean base environment.
pub const CLEAN_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The `LANG` of the clean base environment.
pub const CLEAN_LANG: &str = "C.UTF-8";

/// The child's whole environment: the clean base for `account` and `identity`, then `task`'s
/// variables, which win over the base. Nothing of the daemon's own environment is used.
pub(crate) fn build(
    account: &Account,
    identity: &RunIdentity,
    task: &BTreeMap<OsString, OsString>,
) -> Result<BTreeMap<OsString, OsString>, Error> {
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: &OsStr| {
        env.insert(OsString::from(k), v.to_owned());
    };
    set("PATH", OsStr::new(CLEAN_PATH));
    set("HOME", account.home.as_os_str());
    set("USER", OsStr::new(&account.name));
    set("LOGNAME", OsStr::new(&account.name));
    let shell =
        if account.shell.as_os_str().is_empty() { OsStr::new("/bin/sh") } else { account.shell.as_os_str() };
    set("SHELL", shell);
    set("LANG", OsStr::new(CLEAN_LANG));
    set("SKED_TASK", OsStr::new(&identity.task));
    set("SKED_RUN_ID", OsStr::new(&identity.run_id));
    if let Some(at) = &identity.scheduled_time {
        set("SKED_SCHEDULED_TIME", OsStr::new(at));
    }
    for (k, v) in task {
        check_var(k, v)?;
        env.insert(k.clone(), v.clone());
    }
    Ok(env)
}

fn check_var(k: &OsStr, v: &OsStr) -> Result<(), Error> {
    let kb = k.as_bytes();
    if kb.is_empty() || kb.contains(&b'=') || kb.contains(&0) {
        return Err(Error::invalid(
            "env",
            format!("`{}` is not a variable name; names are not empty and hold no `=` or NUL", k.display()),
        ));
    }
    if v.as_bytes().contains(&0) {
        return Err(Error::invalid("env", format!("the value of `{}` contains a NUL byte", k.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nobody() -> Account {
        Account {
            name: "nobody".into(),
            uid: 65534,
            gid: 65534,
            home: "/nonexistent".into(),
            shell: "/usr/sbin/nologin".into(),
        }
    }

    fn render(env: &BTreeMap<OsString, OsString>) -> Vec<String> {
        env.iter().map(|(k, v)| format!("{}={}", k.display(), v.display())).collect()
    }

    #[test]
    fn clean_base_then_task_variables() {
        let id = RunIdentity {
            task: "nightly/backup".into(),
            run_id: "42".into(),
            scheduled_time: Some("2026-03-27T05:00:00Z".into()),
        };
        let mut task = BTreeMap::new();
        task.insert(OsString::from("LANG"), OsString::from("fr_FR.UTF-8"));
        task.insert(OsString::from("FOO"), OsString::from("a b;$HOME"));
        let env = build(&nobody(), &id, &task).unwrap();
        assert_eq!(
            render(&env),
            [
                "FOO=a b;$HOME",
                "HOME=/nonexistent",
                "LANG=fr_FR.UTF-8",
                "LOGNAME=nobody",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "SHELL=/usr/sbin/nologin",
                "SKED_RUN_ID=42",
                "SKED_SCHEDULED_TIME=2026-03-27T05:00:00Z",
                "SKED_TASK=nightly/backup",
                "USER=nobody",
            ]
        );
    }

    #[test]
    fn manual_runs_have_no_scheduled_time_and_empty_shells_are_sh() {
        let mut acct = nobody();
        acct.shell = "".into();
        let env = build(&acct, &RunIdentity::default(), &BTreeMap::new()).unwrap();
        assert!(!env.contains_key(OsStr::new("SKED_SCHEDULED_TIME")));
        assert_eq!(env[OsStr::new("SHELL")], "/bin/sh");
    }

    #[test]
    fn bad_variable_names_are_refused() {
        for (k, v) in [("", "x"), ("A=B", "x"), ("A\0", "x"), ("A", "x\0y")] {
            let mut task = BTreeMap::new();
            task.insert(OsString::from(k), OsString::from(v));
            let err = build(&nobody(), &RunIdentity::default(), &task).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidSpec, "{k:?}");
        }
    }
}
