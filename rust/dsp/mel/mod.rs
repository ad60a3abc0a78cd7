//! Mel filter banks, the DCT, and the fused mel-spectrogram / MFCC kernels
//! with their float32 error guards.

pub mod bank;
pub mod dct;
pub mod mel_guard;
pub mod melspec;
pub mod mfcc_guard;
pub mod psf;
