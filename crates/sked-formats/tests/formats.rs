//! The integration tests of sked-formats: one binary, one module per format.

mod arb;
mod task_file;
