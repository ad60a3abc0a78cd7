//! Pure numeric kernels. Nothing here knows about Python: kernels take
//! slices, return `DspResult`, and run their own parallelism.

pub mod convert;
pub mod dct;
pub mod delta;
pub mod f32_noise;
pub mod fft;
pub mod frame;
pub mod istft;
pub mod mel;
pub mod mel_guard;
pub mod melspec;
pub mod mfcc_guard;
pub mod pad;
pub mod parallel;
pub mod pitch;
pub mod rfft;
pub mod rolloff_guard;
pub mod sample;
pub mod simd;
pub mod spectral;
pub mod stack;
pub mod stft;
pub mod temporal;
pub mod window;

pub mod centroid_guard;
pub mod chroma;
pub mod cqt;
pub mod cqt_basis;
pub mod cqt_decimate;
pub mod cqt_frames;
pub mod cwt;
pub mod cwt_inverse;
pub mod scalogram;
pub mod wavelets;
