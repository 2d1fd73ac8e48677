//! The schema and its migrations, numbered by SQLite's `user_version`.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, error::Repr};

/// The `application_id` in the header of every sked store: `sked` in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x736b_6564;

/// Migration `i` takes a database from version `i` to `i + 1`. Released migrations never
/// change; old databases are kept under `testdata/` so upgrades stay tested.
pub(crate) const MIGRATIONS: &[&str] = &[include_str!("v1.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Check that the database at `path` is a sked store this build can read, and bring its schema
/// up to [`SCHEMA_VERSION`], in one transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    // IMMEDIATE: two daemons opening one new file do not both create the tables.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let app: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 =
        tx.query_row("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'", [], |r| r.get(0))?;
    if app != APPLICATION_ID && (app != 0 || found != 0 || tables != 0) {
        let reason = if app == 0 {
            "it is an SQLite database of another program".to_owned()
        } else {
            format!("its application id is {app:#x}, not sked's {APPLICATION_ID:#x}")
        };
        return Err(Repr::NotAStore { path: path.to_owned(), reason }.into());
    }
    let Ok(from) = usize::try_from(found) else {
        return Err(Repr::NotAStore {
            path: path.to_owned(),
            reason: format!("its schema version is {found}"),
        }
        .into());
    };
    if from > MIGRATIONS.len() {
        return Err(Repr::SchemaTooNew { path: path.to_owned(), found, known: MIGRATIONS.len() }.into());
    }
    for sql in &MIGRATIONS[from..] {
        tx.execute_batch(sql)?;
    }
    if from < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_new_database_gets_the_schema_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(version(&conn), i64::from(SCHEMA_VERSION));
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
        assert_eq!(app, APPLICATION_ID);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new("x.db")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let e = migrate(&mut conn, Path::new("x.db")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Incompatible);
        assert_eq!(e.to_string(), "store `x.db` has schema version 99, but this sked knows versions up to 1");
    }

    #[test]
    fn another_programs_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT)").unwrap();
        let e = migrate(&mut conn, Path::new("notes.db")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupt);
        assert_eq!(
            e.to_string(),
            "`notes.db` is not a sked store: it is an SQLite database of another program"
        );

        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "application_id", 0x1234).unwrap();
        let e = migrate(&mut conn, Path::new("other.db")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`other.db` is not a sked store: its application id is 0x1234, not sked's 0x736b6564"
        );
    }
}
