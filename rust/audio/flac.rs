//! FLAC files to float32 samples, as libsndfile gives them.
//!
//! Decoding is symphonia's (pure Rust). The samples are scaled the way
//! libsndfile's float read does it, `int / 2^(bits - 1)`, which is exact in
//! float32 for the 8, 16 and 24-bit depths libsndfile reads, so the result is
//! bit-for-bit `soundfile.read(path, dtype="float32")`.
//!
//! With `mono`, 2 to 7 channels are averaged while decoding, with the
//! operations of `ferrosa.to_mono` on the float32 samples (a float32 sum in
//! channel order, then one division rounded from double), so the result is
//! bit-for-bit `to_mono(soundfile.read(...).T)` without the multichannel
//! buffer; 8 channels (`to_mono` takes numpy's mean there) come back as they
//! are.
//!
//! The decoder is strict: anything unusual (another bit depth, a stream of
//! unknown length, a frame that fails its CRC and would be skipped, fewer or
//! more samples than STREAMINFO declares) is an error rather than a guess, so
//! a caller can fall back to libsndfile and keep its behaviour for such files.

use std::fmt;
use std::fs::File;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::audio::{AudioBufferRef, Signal};
use symphonia::core::codecs::{Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::default::codecs::FlacDecoder;
use symphonia::default::formats::FlacReader;

/// symphonia returns samples shifted to the top of an i32; this undoes the
/// shift and divides by `2^(bits - 1)` in one exact multiplication.
const SCALE: f32 = 1.0 / 2_147_483_648.0;

/// Bit depths decoded here: the ones libsndfile reads.
const BIT_DEPTHS: [u32; 3] = [8, 16, 24];

/// Channel counts `mono` averages: `ferrosa.to_mono` adds fewer than 8 rows
/// one by one (8 or more go to numpy's pairwise mean).
const MIX_CHANNELS: std::ops::Range<usize> = 2..8;

/// Why a FLAC stream was not decoded.
#[derive(Debug)]
pub enum FlacError {
    /// The file could not be opened or read.
    Io(io::Error),
    /// A valid stream this decoder does not handle (bit depth, unknown length).
    Unsupported(String),
    /// The stream is damaged or not FLAC.
    Malformed(String),
    /// The declared size cannot be allocated.
    TooLarge { channels: usize, frames: u64 },
}

impl fmt::Display for FlacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlacError::Io(e) => write!(f, "cannot read: {e}"),
            FlacError::Unsupported(msg) => write!(f, "unsupported FLAC stream: {msg}"),
            FlacError::Malformed(msg) => write!(f, "cannot decode FLAC: {msg}"),
            FlacError::TooLarge { channels, frames } => write!(
                f,
                "cannot allocate {channels} channels x {frames} frames of float32 samples"
            ),
        }
    }
}

impl std::error::Error for FlacError {}

impl From<SymphoniaError> for FlacError {
    fn from(e: SymphoniaError) -> Self {
        match e {
            SymphoniaError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                FlacError::Malformed("unexpected end of file".into())
            }
            SymphoniaError::IoError(e) => FlacError::Io(e),
            SymphoniaError::Unsupported(msg) => FlacError::Unsupported(msg.into()),
            other => FlacError::Malformed(other.to_string()),
        }
    }
}

/// Decoded audio: `samples` is channel-major, `(channels, frames)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FlacAudio {
    pub sample_rate: u32,
    /// Rows of `samples`: 1 when the channels were averaged.
    pub channels: usize,
    /// Channels in the file.
    pub file_channels: usize,
    pub bits_per_sample: u32,
    /// Frames in `samples` (per channel).
    pub frames: usize,
    pub samples: Vec<f32>,
}

/// Decode the FLAC file at `path`; see [`decode`].
pub fn decode_file(path: &Path, mono: bool) -> Result<FlacAudio, FlacError> {
    let file = File::open(path).map_err(FlacError::Io)?;
    decode(Box::new(file), mono)
}

/// Decode a FLAC stream to float32, channel-major, averaging 2 to 7 channels
/// into one with `mono`. The stream must hold exactly the frame count its
/// STREAMINFO declares.
pub fn decode(source: Box<dyn MediaSource>, mono: bool) -> Result<FlacAudio, FlacError> {
    // symphonia indexes its buffers with the frame headers' channel counts; a
    // hostile file must not take the process down, so a panic is an error too.
    catch_unwind(AssertUnwindSafe(|| decode_inner(source, mono))).unwrap_or_else(|_| {
        Err(FlacError::Malformed(
            "the decoder stopped on an inconsistent stream".into(),
        ))
    })
}

fn decode_inner(source: Box<dyn MediaSource>, mono: bool) -> Result<FlacAudio, FlacError> {
    let stream = MediaSourceStream::new(source, Default::default());
    let mut reader = FlacReader::try_new(stream, &FormatOptions::default())?;
    let params = match reader.tracks().first() {
        Some(track) => track.codec_params.clone(),
        None => return Err(FlacError::Malformed("no audio stream".into())),
    };
    let sample_rate = params
        .sample_rate
        .ok_or_else(|| FlacError::Malformed("no sample rate".into()))?;
    let channels = params
        .channels
        .map(|c| c.count())
        .ok_or_else(|| FlacError::Malformed("no channel count".into()))?;
    let bits = params.bits_per_sample.unwrap_or(0);
    if !BIT_DEPTHS.contains(&bits) {
        return Err(FlacError::Unsupported(format!(
            "{bits} bits per sample (8, 16 and 24 are decoded)"
        )));
    }
    let declared = match params.n_frames {
        Some(n) if n > 0 => n,
        _ => {
            return Err(FlacError::Unsupported(
                "STREAMINFO gives no total length".into(),
            ))
        }
    };
    let too_large = || FlacError::TooLarge {
        channels,
        frames: declared,
    };
    let n = usize::try_from(declared).map_err(|_| too_large())?;
    let mix = mono && MIX_CHANNELS.contains(&channels);
    let rows = if mix { 1 } else { channels };
    let total = n.checked_mul(rows).ok_or_else(too_large)?;

    let mut samples: Vec<f32> = Vec::new();
    samples.try_reserve_exact(total).map_err(|_| too_large())?;
    let out = &mut samples.spare_capacity_mut()[..total];
    let mut decoder = FlacDecoder::try_new(&params, &DecoderOptions::default())?;
    let mut pos = 0usize;
    let mut sum: Vec<f32> = Vec::new();
    while pos < n {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.into()),
        };
        // The demuxer drops frames whose CRC fails and resynchronises: a gap
        // in the timestamps is such a frame, which libsndfile would handle
        // differently.
        if packet.ts() != pos as u64 {
            return Err(FlacError::Malformed(format!(
                "frame at sample {} follows sample {pos}: a frame is damaged or missing",
                packet.ts()
            )));
        }
        let block = match decoder.decode(&packet)? {
            AudioBufferRef::S32(b) => b,
            _ => return Err(FlacError::Unsupported("non-integer samples".into())),
        };
        if block.spec().channels.count() != channels {
            return Err(FlacError::Malformed("the channel count changes".into()));
        }
        let len = block.frames();
        if (0..channels).any(|c| block.chan(c).len() != len) {
            return Err(FlacError::Malformed(
                "a block's channels differ in length".into(),
            ));
        }
        if len > n - pos {
            return Err(FlacError::Malformed(format!(
                "the stream holds more than the {declared} frames STREAMINFO declares"
            )));
        }
        if mix {
            // to_mono: acc = y[0] + y[1]; acc += y[2] ...; acc / intp(C) in double.
            sum.clear();
            sum.extend(
                block
                    .chan(0)
                    .iter()
                    .zip(block.chan(1))
                    .map(|(&a, &b)| a as f32 * SCALE + b as f32 * SCALE),
            );
            for c in 2..channels {
                for (acc, &s) in sum.iter_mut().zip(block.chan(c)) {
                    *acc += s as f32 * SCALE;
                }
            }
            let count = channels as f64;
            for (d, &acc) in out[pos..pos + len].iter_mut().zip(&sum) {
                d.write((f64::from(acc) / count) as f32);
            }
        } else {
            for c in 0..channels {
                let dst = &mut out[c * n + pos..c * n + pos + len];
                for (d, &s) in dst.iter_mut().zip(block.chan(c)) {
                    d.write(s as f32 * SCALE);
                }
            }
        }
        pos += len;
    }
    if pos < n {
        return Err(FlacError::Malformed(format!(
            "STREAMINFO declares {declared} frames, {pos} decode"
        )));
    }
    // SAFETY: every block wrote frames [pos, pos + len) of each row, the
    // blocks are contiguous from 0 (timestamps checked) and reached `n`, so
    // all `total = rows * n` elements are initialised.
    unsafe { samples.set_len(total) };
    Ok(FlacAudio {
        sample_rate,
        channels: rows,
        file_channels: channels,
        bits_per_sample: bits,
        frames: n,
        samples,
    })
}

#[cfg(test)]
mod tests {
    //! The samples of real encoders (LPC, stereo decorrelation, 16 and 24
    //! bits) are compared with libsndfile in tests/test_flac.py; here, a
    //! minimal writer of VERBATIM frames checks the scaling, the channel
    //! layout and the refusals.
    use super::*;
    use std::io::Cursor;

    struct Bits {
        bytes: Vec<u8>,
        acc: u64,
        n: u32,
    }

    impl Bits {
        fn new() -> Self {
            Bits {
                bytes: Vec::new(),
                acc: 0,
                n: 0,
            }
        }
        fn put(&mut self, value: u64, width: u32) {
            for i in (0..width).rev() {
                self.acc = (self.acc << 1) | ((value >> i) & 1);
                self.n += 1;
                if self.n == 8 {
                    self.bytes.push(self.acc as u8);
                    self.acc = 0;
                    self.n = 0;
                }
            }
        }
        fn align(&mut self) {
            while self.n != 0 {
                self.put(0, 1);
            }
        }
    }

    fn crc8(data: &[u8]) -> u8 {
        data.iter().fold(0u8, |mut crc, &b| {
            crc ^= b;
            for _ in 0..8 {
                crc = if crc & 0x80 != 0 {
                    (crc << 1) ^ 0x07
                } else {
                    crc << 1
                };
            }
            crc
        })
    }

    fn crc16(data: &[u8]) -> u16 {
        data.iter().fold(0u16, |mut crc, &b| {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x8005
                } else {
                    crc << 1
                };
            }
            crc
        })
    }

    /// A FLAC file of VERBATIM subframes, `block` frames per FLAC frame.
    fn flac(rate: u32, bits: u32, channels: &[Vec<i32>], block: usize, declared: u64) -> Vec<u8> {
        let n = channels[0].len();
        let mut b = Bits::new();
        b.bytes.extend_from_slice(b"fLaC");
        b.put(1, 1); // last metadata block
        b.put(0, 7); // STREAMINFO
        b.put(34, 24);
        b.put(block as u64, 16);
        b.put(block as u64, 16);
        b.put(0, 24);
        b.put(0, 24);
        b.put(u64::from(rate), 20);
        b.put(channels.len() as u64 - 1, 3);
        b.put(u64::from(bits) - 1, 5);
        b.put(declared, 36);
        b.put(0, 64);
        b.put(0, 64); // no MD5
        for (k, start) in (0..n).step_by(block).enumerate() {
            let len = block.min(n - start);
            let mut f = Bits::new();
            f.put(0xFFF8, 16); // sync, fixed block size
            f.put(0b0111, 4); // block size in 16 bits at the end of the header
            f.put(0, 4); // rate from STREAMINFO
            f.put(channels.len() as u64 - 1, 4); // independent channels
            f.put(0, 3); // bits from STREAMINFO
            f.put(0, 1);
            assert!(k < 128);
            f.put(k as u64, 8); // frame number (one-byte UTF-8)
            f.put(len as u64 - 1, 16);
            let crc = crc8(&f.bytes);
            f.put(u64::from(crc), 8);
            for ch in channels {
                f.put(0, 1);
                f.put(1, 6); // VERBATIM
                f.put(0, 1); // no wasted bits
                for &s in &ch[start..start + len] {
                    f.put(u64::from(s as u32) & ((1 << bits) - 1), bits);
                }
            }
            f.align();
            let crc = crc16(&f.bytes);
            f.put(u64::from(crc), 16);
            b.bytes.extend_from_slice(&f.bytes);
        }
        b.bytes
    }

    fn run(bytes: Vec<u8>) -> Result<FlacAudio, FlacError> {
        decode(Box::new(Cursor::new(bytes)), false)
    }

    fn run_mono(bytes: Vec<u8>) -> Result<FlacAudio, FlacError> {
        decode(Box::new(Cursor::new(bytes)), true)
    }

    fn ramp(n: usize, bits: u32, seed: i64) -> Vec<i32> {
        let lo = -(1i64 << (bits - 1));
        let span = 1i64 << bits;
        (0..n as i64)
            .map(|i| (lo + (i * 7919 + seed).rem_euclid(span)) as i32)
            .collect()
    }

    #[test]
    fn scales_like_libsndfile_in_channel_major_order() {
        for bits in BIT_DEPTHS {
            let mut left = ramp(1000, bits, 0);
            left[0] = -(1 << (bits - 1)); // full scale both ways
            left[1] = (1 << (bits - 1)) - 1;
            let right = ramp(1000, bits, 12345);
            let got = run(flac(44100, bits, &[left.clone(), right.clone()], 256, 1000)).unwrap();
            assert_eq!((got.sample_rate, got.channels), (44100, 2));
            assert_eq!((got.bits_per_sample, got.frames), (bits, 1000));
            let norm = (1i64 << (bits - 1)) as f32;
            let want: Vec<f32> = left
                .iter()
                .chain(&right)
                .map(|&s| s as f32 / norm)
                .collect();
            assert_eq!(got.samples, want);
            assert_eq!(got.samples[0], -1.0);
        }
    }

    #[test]
    fn mono_averages_like_to_mono() {
        for n_ch in 1..=8usize {
            let ch: Vec<Vec<i32>> = (0..n_ch).map(|c| ramp(900, 24, 31 * c as i64)).collect();
            let bytes = flac(48000, 24, &ch, 256, 900);
            let all = run(bytes.clone()).unwrap();
            let got = run_mono(bytes).unwrap();
            assert_eq!(got.file_channels, n_ch);
            if n_ch == 8 {
                assert_eq!(got, all); // numpy's mean: left to Python
                continue;
            }
            assert_eq!((got.channels, got.frames), (1, 900));
            let rows: Vec<&[f32]> = all.samples.chunks(900).collect();
            let want: Vec<f32> = (0..900)
                .map(|i| {
                    if n_ch == 1 {
                        return rows[0][i];
                    }
                    let mut acc = rows[0][i] + rows[1][i];
                    for row in &rows[2..] {
                        acc += row[i];
                    }
                    (f64::from(acc) / n_ch as f64) as f32
                })
                .collect();
            assert_eq!(got.samples, want);
        }
    }

    #[test]
    fn refuses_what_libsndfile_should_handle() {
        let ch = [ramp(600, 16, 4)];
        // A damaged frame (its CRC fails) would be skipped silently.
        let mut bad = flac(22050, 16, &ch, 128, 600);
        let k = bad.len() - 300;
        bad[k] ^= 0x10;
        assert!(matches!(run(bad), Err(FlacError::Malformed(_))));
        // Truncated, or a header that declares more than the stream holds.
        let good = flac(22050, 16, &ch, 128, 600);
        let cut = good[..good.len() - 100].to_vec();
        assert!(matches!(run(cut), Err(FlacError::Malformed(_))));
        assert!(matches!(
            run(flac(22050, 16, &ch, 128, 601)),
            Err(FlacError::Malformed(_))
        ));
        // A header that declares less: libsndfile stops at the declared count
        // (on a frame boundary, so does this decoder; inside a frame it refuses).
        assert_eq!(run(flac(22050, 16, &ch, 128, 512)).unwrap().frames, 512);
        assert!(matches!(
            run(flac(22050, 16, &ch, 128, 599)),
            Err(FlacError::Malformed(_))
        ));
        // Unknown length, other bit depths.
        assert!(matches!(
            run(flac(22050, 16, &ch, 128, 0)),
            Err(FlacError::Unsupported(_))
        ));
        let ch12 = [ramp(600, 12, 4)];
        assert!(matches!(
            run(flac(22050, 12, &ch12, 128, 600)),
            Err(FlacError::Unsupported(_))
        ));
        // Not FLAC at all.
        assert!(run(b"RIFF\0\0\0\0WAVE".to_vec()).is_err());
        assert!(run(Vec::new()).is_err());
        let missing = decode_file(Path::new("/nonexistent/ferrosa.flac"), false);
        assert!(matches!(missing, Err(FlacError::Io(_))));
    }

    #[test]
    fn absurd_declared_sizes_are_errors_not_aborts() {
        // 2^36 - 1 frames x 8 channels of float32 is 2 TiB.
        let ch: Vec<Vec<i32>> = (0..8).map(|s| ramp(64, 16, s)).collect();
        let got = run(flac(8000, 16, &ch, 64, (1 << 36) - 1));
        assert!(matches!(
            got,
            Err(FlacError::TooLarge { .. }) | Err(FlacError::Malformed(_))
        ));
    }
}
