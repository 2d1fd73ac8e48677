//! The account a run uses: who it runs as, and whether the child must switch to it.

use std::ffi::CString;
use std::io;
use std::path::PathBuf;

use nix::unistd::{Gid, Uid, User};

use crate::error::{Error, Inner};
use crate::spec::UserSpec;
use crate::sys::Switch;

/// The passwd entry fields a run needs. The password field of the entry is never kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
    pub shell: PathBuf,
}

impl Account {
    fn from_user(u: User) -> Self {
        Account { name: u.name, uid: u.uid.as_raw(), gid: u.gid.as_raw(), home: u.dir, shell: u.shell }
    }

    /// Looks `who` up in the passwd database.
    pub(crate) fn lookup(who: &UserSpec) -> Result<Account, Error> {
        let found = match who {
            UserSpec::Name(name) => User::from_name(name),
            UserSpec::Uid(uid) => User::from_uid(Uid::from_raw(*uid)),
        };
        match found {
            Ok(Some(u)) => Ok(Account::from_user(u)),
            Ok(None) => Err(Error::new(Inner::UnknownUser { user: who.to_string() })),
            Err(e) => Err(Error::new(Inner::UserLookup { user: who.to_string(), source: e.into() })),
        }
    }

    /// The daemon's own account (its effective uid). A uid without a passwd entry, as in some
    /// containers, still runs: named by its number, home `/`, shell `/bin/sh`.
    pub(crate) fn current() -> Account {
        let uid = Uid::effective();
        match User::from_uid(uid) {
            Ok(Some(u)) => Account::from_user(u),
            _ => Account {
                name: uid.to_string(),
                uid: uid.as_raw(),
                gid: Gid::effective().as_raw(),
                home: PathBuf::from("/"),
                shell: PathBuf::from("/bin/sh"),
            },
        }
    }

    /// The supplementary groups `initgroups` would give this account.
    fn groups(&self) -> Result<Vec<libc::gid_t>, Error> {
        let name = CString::new(self.name.as_bytes())
            .map_err(|_| Error::invalid("user", format!("`{}` contains a NUL byte", self.name)))?;
        nix::unistd::getgrouplist(&name, Gid::from_raw(self.gid))
            .map(|gs| gs.into_iter().map(Gid::as_raw).collect())
            .map_err(|e| {
                Error::new(Inner::UserLookup {
                    user: self.name.clone(),
                    source: io::Error::other(format!("could not list its groups: {e}")),
                })
            })
    }
}

/// Decides who a run executes as, given the daemon's effective uid and the spec's user.
///
/// - no user: the daemon's own account, no switch;
/// - the daemon is root: the user's account, always with a full switch (gid, groups, uid),
///   even to root itself, so the child's groups are exactly the user's;
/// - the daemon is not root: only its own uid is allowed, without a switch; any other user
///   is refused, because the switch would fail.
pub(crate) fn resolve(user: Option<&UserSpec>) -> Result<(Account, Option<Switch>), Error> {
    let daemon_uid = Uid::effective().as_raw();
    let Some(who) = user else {
        return Ok((Account::current(), None));
    };
    let account = Account::lookup(who)?;
    match plan(daemon_uid, &account) {
        Plan::Switch => {
            let groups = account.groups()?;
            let sw = Switch { uid: account.uid, gid: account.gid, groups };
            Ok((account, Some(sw)))
        }
        Plan::Stay => Ok((account, None)),
        Plan::Refuse => Err(Error::new(Inner::NotRoot { user: account.name, uid: account.uid, daemon_uid })),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Switch,
    Stay,
    Refuse,
}

fn plan(daemon_uid: u32, target: &Account) -> Plan {
    if daemon_uid == 0 {
        Plan::Switch
    } else if target.uid == daemon_uid {
        Plan::Stay
    } else {
        Plan::Refuse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(uid: u32) -> Account {
        Account { name: "u".into(), uid, gid: uid, home: "/".into(), shell: "/bin/sh".into() }
    }

    #[test]
    fn only_root_switches_and_others_may_only_be_themselves() {
        assert_eq!(plan(0, &account(65534)), Plan::Switch);
        assert_eq!(plan(0, &account(0)), Plan::Switch);
        assert_eq!(plan(1000, &account(1000)), Plan::Stay);
        assert_eq!(plan(1000, &account(1001)), Plan::Refuse);
        assert_eq!(plan(1000, &account(0)), Plan::Refuse);
    }

    #[test]
    fn lookup_names_the_missing_user() {
        let err = Account::lookup(&UserSpec::Name("no-such-user-sked".into())).unwrap_err();
        assert_eq!(err.to_string(), "user `no-such-user-sked` does not exist");
        assert_eq!(err.kind(), crate::ErrorKind::UnknownUser);
    }

    #[test]
    fn lookup_by_name_and_uid_agree() {
        let by_uid = Account::lookup(&UserSpec::Uid(0)).unwrap();
        let by_name = Account::lookup(&UserSpec::Name(by_uid.name.clone())).unwrap();
        assert_eq!(by_uid, by_name);
    }
}
