-- A sked store as schema version 1 wrote it, frozen: the store of every later sked must open
-- it and read the same records (tests/store.rs, `a_version_1_store_still_opens`). Never edit
-- this file; add one per new schema version.
PRAGMA application_id = 1936418148;
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
    owner_uid   INTEGER NOT NULL CHECK (owner_uid BETWEEN 0 AND 4294967295),
    name        TEXT    NOT NULL CHECK (name <> ''),
    definition  BLOB    NOT NULL,                  -- opaque: the daemon's serialized task
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    source_id   TEXT,                              -- the applied file, if any
    source_hash TEXT,
    version     INTEGER NOT NULL CHECK (version >= 1),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    CHECK ((source_id IS NULL) = (source_hash IS NULL)),
    UNIQUE (owner_uid, name)                       -- get_by_name, list of one owner
);
CREATE INDEX tasks_by_name ON tasks (name, owner_uid);                           -- list of all owners
CREATE INDEX tasks_by_source ON tasks (source_id) WHERE source_id IS NOT NULL;   -- remove FILE

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: may name log files
    task_id       INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    owner_uid     INTEGER NOT NULL,                  -- the task's, which never changes
    scheduled_for INTEGER,                           -- NULL: run now, at startup
    trigger_index INTEGER,
    sort_at       INTEGER NOT NULL,                  -- coalesce(scheduled_for, claimed_at)
    state         TEXT    NOT NULL,                  -- an Outcome name, or 'missed'
    miss_reason   TEXT,
    claimed_by    TEXT,                              -- the node; NULL for a missed time
    claimed_at    INTEGER NOT NULL,                  -- for a missed time, when it was recorded
    started_at    INTEGER,
    ended_at      INTEGER,
    pid           INTEGER,
    exit_code     INTEGER,
    signal        INTEGER,
    log_path      BLOB,                              -- path bytes
    log_bytes     INTEGER,
    message       TEXT,
    CHECK ((state = 'missed') = (miss_reason IS NOT NULL)),
    CHECK ((state = 'missed') = (claimed_by IS NULL)),
    CHECK (state <> 'missed' OR (scheduled_for IS NOT NULL AND trigger_index IS NOT NULL)),
    CHECK (sort_at = coalesce(scheduled_for, claimed_at)),
    UNIQUE (task_id, scheduled_for)                  -- the claim: once per scheduled time
);
CREATE INDEX runs_by_task ON runs (task_id, sort_at, id);    -- history of a task
CREATE INDEX runs_by_owner ON runs (owner_uid, sort_at, id); -- history of a user
CREATE INDEX runs_by_time ON runs (sort_at, id);             -- history of all, retention by age
CREATE INDEX runs_active ON runs (claimed_by) WHERE state IN ('claimed', 'running'); -- orphans

CREATE TABLE task_state (
    task_id         INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    last_accounted  INTEGER,  -- the latest scheduled time claimed or recorded missed
    last_run_id     INTEGER,  -- no foreign key: retention may delete the run
    last_run_state  TEXT,
    last_started    INTEGER,
    last_ended      INTEGER,
    last_exit_code  INTEGER,
    last_signal     INTEGER,
    startup_boot_id TEXT      -- the boot of the last at-startup firing
);

INSERT INTO tasks VALUES
    (1, 1000, 'backup', X'636f6d6d616e64203d20277273796e6327', 1, '/home/ann/tasks.toml', 'sha256:ab12', 2,
        1767225600000000, 1767333600000000),
    (2, 0, 'reports/weekly', X'7b7d', 0, NULL, NULL, 1, 1767225600000000, 1767225600000000);

INSERT INTO runs (id, task_id, owner_uid, scheduled_for, trigger_index, sort_at, state, miss_reason, claimed_by,
                  claimed_at, started_at, ended_at, pid, exit_code, signal, log_path, log_bytes, message) VALUES
    (1, 1, 1000, 1767247200000000, 0, 1767247200000000, 'succeeded', NULL, 'host-a',
        1767247200000000, 1767247201000000, 1767247205000000, 4242, 0, NULL, X'2f7661722f6c6f672f736b65642f312e6c6f67', 512, NULL),
    (2, 1, 1000, 1767333600000000, 0, 1767333600000000, 'missed', 'down', NULL,
        1767333602000000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, 1, 1000, 1767420000000000, 0, 1767420000000000, 'running', NULL, 'host-a',
        1767420000000000, 1767420000000000, NULL, 4343, NULL, NULL, NULL, NULL, NULL),
    (4, 2, 0, NULL, NULL, 1767427200000000, 'killed_at_max_run_time', NULL, 'host-a',
        1767427200000000, 1767427200000000, 1767427200000000, 99, NULL, 9, NULL, NULL, 'ran longer than 0s');

INSERT INTO task_state VALUES
    (1, 1767420000000000, 3, 'running', 1767420000000000, NULL, NULL, NULL, 'boot-1'),
    (2, NULL, 4, 'killed_at_max_run_time', 1767427200000000, 1767427200000000, NULL, 9, NULL);
