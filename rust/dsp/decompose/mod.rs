//! Spectrogram decompositions: the median filters of harmonic-percussive
//! separation (librosa.decompose.hpss).

pub mod median;
