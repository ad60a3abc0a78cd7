//! Pure numeric kernels. Nothing here knows about Python: kernels take
//! slices, return `DspResult`, and run their own parallelism.

pub mod fft;
pub mod frame;
pub mod istft;
pub mod pad;
pub mod parallel;
pub mod sample;
pub mod stft;
pub mod window;
