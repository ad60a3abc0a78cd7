//! Every way a kernel can refuse its input.
//!
//! Kernels never panic on user input: they return a `DspError`, and the
//! binding layer turns it into `ferrosa.ParameterError` with this message.

use std::fmt;

/// A refusal from a DSP kernel, carrying what was expected and what was given.
#[derive(Debug, Clone, PartialEq)]
pub enum DspError {
    /// A scalar parameter is out of its valid range.
    Parameter {
        name: &'static str,
        value: String,
        expected: String,
    },
    /// An array has the wrong length or shape.
    Shape {
        what: &'static str,
        expected: String,
        got: String,
    },
    /// The input has no samples.
    Empty { what: &'static str },
    /// The input holds NaN or infinity.
    NonFinite { what: &'static str },
}

impl DspError {
    /// Shorthand for [`DspError::Parameter`].
    pub fn param(
        name: &'static str,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        DspError::Parameter {
            name,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// Shorthand for [`DspError::Shape`].
    pub fn shape(what: &'static str, expected: impl fmt::Display, got: impl fmt::Display) -> Self {
        DspError::Shape {
            what,
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }
}

impl fmt::Display for DspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DspError::Parameter {
                name,
                value,
                expected,
            } => write!(f, "{name}={value} is invalid: expected {expected}"),
            DspError::Shape {
                what,
                expected,
                got,
            } => write!(f, "{what} has shape {got}, expected {expected}"),
            DspError::Empty { what } => write!(f, "{what} is empty"),
            DspError::NonFinite { what } => write!(f, "{what} is not finite everywhere"),
        }
    }
}

impl std::error::Error for DspError {}

/// Result alias used by every kernel.
pub type DspResult<T> = Result<T, DspError>;
