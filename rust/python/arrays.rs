//! The f32/f64 dispatch of every binding, and output arrays filled by a
//! kernel with the GIL released.

use super::interrupt::allow_interrupt;
use crate::error::DspResult;
use numpy::ndarray::{Dimension, IntoDimension};
use numpy::{Element, PyArray, PyArrayMethods};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;

/// Allocate an uninitialised array of shape `dims`, let `fill` write every
/// element (GIL released; Ctrl-C interrupts a large fill), and return it.
///
/// An impossible size raises `MemoryError` here instead of aborting inside
/// numpy's allocator, which is why every binding allocates through this.
pub fn filled<'py, T, D, F>(
    py: Python<'py>,
    dims: D,
    fill: F,
) -> PyResult<Bound<'py, PyArray<T, D::Dim>>>
where
    T: Element + Send,
    D: IntoDimension,
    F: FnOnce(&mut [T]) -> DspResult<()> + Send,
{
    let dims = dims.into_dimension();
    let bytes = dims
        .slice()
        .iter()
        .try_fold(std::mem::size_of::<T>(), |acc, &d| acc.checked_mul(d))
        .filter(|&b| b <= isize::MAX as usize);
    let probe = bytes.and_then(|b| Vec::<u8>::new().try_reserve_exact(b).ok());
    if probe.is_none() {
        return Err(PyMemoryError::new_err(format!(
            "cannot allocate an output array of shape {:?}",
            dims.slice()
        )));
    }
    // SAFETY: `fill` writes every element before the array is returned.
    let out = unsafe { PyArray::<T, D::Dim>::new(py, dims, false) };
    {
        let mut rw = out.readwrite();
        let os = rw.as_slice_mut()?;
        let n = os.len();
        allow_interrupt(py, n, || fill(os))??;
    }
    Ok(out)
}

/// The dispatch error of bindings that take any float array.
pub const FLOAT_ARRAY: &str = "expected a C-contiguous float32 or float64 array";

/// Evaluate `$body` with `$a` bound to `$obj` downcast to the float32 form
/// of `$ty`, else to its float64 form (`$T` names the element float type
/// inside both `$ty` and `$body`), else raise `ParameterError($msg)`.
///
/// The one place a binding chooses the precision; kernels are generic over
/// [`crate::dsp::num::float::Float`] from there on. For example
/// `with_float!(y, |T| PyArray2<T>, a => run::<T>(py, a), "expected ...")`.
macro_rules! with_float {
    ($obj:expr, |$T:ident| $ty:ty, $a:ident => $body:expr, $msg:expr) => {{
        if let Ok($a) = {
            type $T = f32;
            $obj.downcast::<$ty>()
        } {
            #[allow(dead_code)]
            type $T = f32;
            $body
        } else if let Ok($a) = {
            type $T = f64;
            $obj.downcast::<$ty>()
        } {
            #[allow(dead_code)]
            type $T = f64;
            $body
        } else {
            Err($crate::python::errors::parameter_error($msg))
        }
    }};
}
pub(crate) use with_float;
