//! Onset detection: picking the peaks of an onset-strength envelope
//! (librosa.util.peak_pick, which librosa.onset.onset_detect calls).

pub mod peaks;
