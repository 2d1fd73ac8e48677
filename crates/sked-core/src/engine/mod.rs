//! The calendar engine: from triggers to instants, directly, without scanning.

pub(crate) mod civil;
pub(crate) mod day_rule;
pub(crate) mod plan;
pub(crate) mod sequence;
pub(crate) mod zone;
