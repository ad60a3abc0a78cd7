//! Onset detection: picking the peaks of an onset-strength envelope
//! (librosa.util.peak_pick, which librosa.onset.onset_detect calls), and
//! dynamic-programming beat tracking (librosa.beat.beat_track) with the
//! autocorrelation tempogram its tempo comes from.

pub mod beats;
pub mod peaks;
pub mod tempogram;
