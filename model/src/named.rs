//! Errors about inputs name the input at fault and the values it allows.
//!
//! The library names inputs neutrally, by their field names (`n`,
//! `mttr_hours`, `slo_read_p99_ms`), and its errors' `Display` uses those
//! names. A front end shows the same message with its own names through
//! [`Named::named`]: the command line says `--mttr-hours`, a scenario file
//! `failure.mttr_hours`, a spec `mttr`. The names of the command line live
//! with the command line, not here.
//!
//! ```
//! use quorum_model::named::Named;
//! use quorum_model::eval::Config;
//! let e = Config::new(3, 4, 2).unwrap_err();
//! assert_eq!(e.to_string(), "r: must be between 1 and n = 3, got 4");
//! let flag = |field: &str| format!("--{}", field.replace('_', "-"));
//! assert_eq!(e.named(&flag), "--r: must be between 1 and n = 3, got 4");
//! ```

/// How a front end calls each input field.
pub type Namer<'a> = &'a dyn Fn(&str) -> String;

/// An error whose message names input fields.
pub trait Named {
    /// The message, one line, with every field called `name(field)`.
    fn named(&self, name: Namer) -> String;
}

/// The library's own names: each field as itself.
pub fn neutral(field: &str) -> String {
    field.to_string()
}

/// `Display` (neutral names) and `Error` for a [`Named`] error.
macro_rules! display_named {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::named::Named::named(self, &$crate::named::neutral))
            }
        }
        impl std::error::Error for $t {}
    };
}
pub(crate) use display_named;
