//! Audio file decoding. Nothing here knows about Python: decoders take a path
//! (or bytes) and return samples or an [`flac::FlacError`] saying why not.

pub mod flac;
