//! Subcommands of the `quorum-model` binary: each parses its options, calls
//! the library, and writes files or prints. Progress bars live in
//! [`progress`].

pub mod eval;
pub mod failure;
pub mod merge;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod sweep;

/// A refusal: printed as one line, exit code 2.
pub struct Usage(pub String);
