//! The calendar engine checked against semantics.md: a slow, literal reference
//! implementation of the rules (`reference`), hand-computed cases for each rule (`rules`), and
//! property tests comparing the engine with the reference on random triggers (`props`).

#[path = "engine/props.rs"]
mod props;
#[path = "engine/reference.rs"]
mod reference;
#[path = "engine/rules.rs"]
mod rules;
#[path = "engine/support.rs"]
mod support;
