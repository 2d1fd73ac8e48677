//! [`Scope`]: whose tasks an operation sees.

use std::fmt;

/// Which owners' tasks an operation may see and change.
///
/// A user sees and changes only the tasks they own; root sees all. Out of scope, a task is
/// reported as not found, so a user learns nothing about other users' tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every owner's tasks: root, and the daemon itself.
    All,
    /// Only the tasks of this uid.
    Owner(u32),
}

impl Scope {
    /// The scope of a caller with this uid: [`Scope::All`] for root (uid 0), else its own tasks.
    pub fn for_uid(uid: u32) -> Scope {
        if uid == 0 { Scope::All } else { Scope::Owner(uid) }
    }

    /// Whether a task owned by `owner_uid` is in this scope.
    pub fn contains(self, owner_uid: u32) -> bool {
        match self {
            Scope::All => true,
            Scope::Owner(uid) => uid == owner_uid,
        }
    }

    /// The one owner this scope is limited to, if any.
    pub fn owner(self) -> Option<u32> {
        match self {
            Scope::All => None,
            Scope::Owner(uid) => Some(uid),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("all owners"),
            Scope::Owner(uid) => write!(f, "uid {uid}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_sees_all_and_users_their_own() {
        assert_eq!(Scope::for_uid(0), Scope::All);
        assert!(Scope::for_uid(0).contains(1000));
        let user = Scope::for_uid(1000);
        assert!(user.contains(1000));
        assert!(!user.contains(1001));
        assert!(!user.contains(0));
        assert_eq!(user.owner(), Some(1000));
        assert_eq!(user.to_string(), "uid 1000");
        assert_eq!(Scope::All.to_string(), "all owners");
    }
}
