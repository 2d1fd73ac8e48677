-- sked store, schema version 1. Never edit a released migration: add the next one.
-- Timestamps are integer microseconds since the Unix epoch (UTC).

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

-- Runs and missed times share one table so that one unique key, (task_id, scheduled_for),
-- makes every scheduled time accounted for once: claimed for a run, or recorded missed.
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
