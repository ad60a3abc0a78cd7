//! The frame stream under every spectral feature: FFT plans, windows,
//! padding, framing, STFT/ISTFT, Griffin-Lim, and the float32 FFT noise model.

pub mod fft;
pub mod frame;
pub mod griffinlim;
pub mod guarded;
pub mod istft;
pub mod noise;
pub mod pad;
pub mod rfft;
pub mod stft;
pub mod stft_wide;
pub mod vocoder;
pub mod window;
