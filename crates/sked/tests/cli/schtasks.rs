//! `sked schtasks`: the switches reach the schtasks reader unchanged, and its errors exit 1.
//! The verbs against a running service are tested in `tests/schtasks.rs`.

use crate::harness::Test;

#[test]
fn windows_switches_pass_through() {
    Test::new()
        .args(["schtasks", "/Create", "/TN", "x", "/TR", "/bin/true", "-sc", "sometimes"])
        .stderr(
            "ERROR: Invalid syntax. `sometimes` is not a schedule type; expected MINUTE, HOURLY, DAILY, \
             WEEKLY, MONTHLY, ONCE, ONSTART, ONLOGON or ONIDLE.\nType \"SCHTASKS /CREATE /?\" for usage.\n",
        )
        .stdout("")
        .status(1)
        .run();
}

#[test]
fn nh_needs_table_or_csv() {
    Test::new()
        .args(["schtasks", "/Query", "/FO", "LIST", "/NH"])
        .stderr_contains("ERROR: Invalid syntax. `/NH` is only for `/FO TABLE` and `/FO CSV`.")
        .status(1)
        .run();
}

#[test]
fn no_service_is_an_error() {
    Test::new()
        .args(["schtasks", "/Run", "/TN", "x"])
        .env("SKED_SOCKET", "/nonexistent/sked.sock")
        .stderr_contains("ERROR: Cannot reach the sked service at `/nonexistent/sked.sock`")
        .stderr_contains("SKED_SOCKET names another socket")
        .status(1)
        .run();
}

#[test]
fn usage() {
    Test::new().args(["schtasks", "/?"]).stdout_contains("/Create  /SC schedule /TN name").run();
}
