//! What carafe's macro and its runtime both know, in one place, as Rocket's codegen and core
//! share `rocket_http`: the path grammar and its converters, the methods a route answers, the
//! classes of status codes, and which header names and values can be sent.
//!
//! `#[route]` parses and checks a route with this crate at compile time and emits the result
//! as `const` data built from these types; the runtime routes by that data and never parses a
//! path again.
#![warn(missing_docs)]

pub mod converter;
pub mod folder;
pub mod header;
pub mod media;
pub mod message;
pub mod method;
pub mod path;
pub mod size;
pub mod status;
#[doc(hidden)]
pub mod suggest;
#[cfg(feature = "templates")]
pub mod template;

pub use converter::Converter;
pub use method::MethodSet;
