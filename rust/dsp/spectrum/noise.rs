//! The rounding noise of rustfft's f32 transforms, shared by the kernels
//! that run a float32 FFT under a per-frame error check
//! ([`crate::dsp::mel::mfcc_guard`], [`crate::dsp::spectral::centroid_guard`]).
//!
//! An f32 FFT of a frame with energy `E` adds noise of variance about
//! `eps^2 * log2(n) * E / n` to every bin: the mean of
//! `|dX|^2 / (eps^2 log2(n) E / n)` is below 0.6 for every signal class and
//! size measured (n = 256..8192).

/// Safety factor on the measured noise variance.
const NOISE_FACTOR: f64 = 4.0;

/// Frames per block: a block whose first frame fails its check runs wholly
/// on the f64 FFT, so clean tonal audio (where most frames fail) costs
/// about what the f64 path alone does. Blocks are fixed in frame numbers,
/// never in how frames are split among threads.
pub const BLOCK: usize = 8;

/// The bin-noise variance `sigma^2` per unit of half-spectrum energy
/// (`sum |X_k|^2` over the `n / 2 + 1` bins, counted twice for the
/// mirrored half) of an FFT of size `n_fft`, with the safety factor.
pub fn variance_per_energy(n_fft: usize) -> f64 {
    let n = n_fft.max(2) as f64;
    let eps = f32::EPSILON as f64;
    eps * eps * n.log2() / n * NOISE_FACTOR * 2.0
}
