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
use symphonia::core::codecs::{CodecParameters, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader, Packet};
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

/// What STREAMINFO declares, checked as [`decode`] checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlacInfo {
    pub sample_rate: u32,
    pub channels: usize,
    pub bits_per_sample: u32,
    /// Frames (per channel) in the whole stream.
    pub frames: u64,
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
    /// Frames in the whole stream (more than `frames` for a head).
    pub total_frames: u64,
    pub samples: Vec<f32>,
}

/// Decode the FLAC file at `path`; see [`decode`].
pub fn decode_file(path: &Path, mono: bool) -> Result<FlacAudio, FlacError> {
    decode_file_head(path, mono, None)
}

/// Decode the first `head` frames of the FLAC file at `path` (all with
/// `None`); see [`decode_head`].
pub fn decode_file_head(
    path: &Path,
    mono: bool,
    head: Option<u64>,
) -> Result<FlacAudio, FlacError> {
    let file = open_regular(path)?;
    decode_head(Box::new(file), mono, head)
}

/// The STREAMINFO facts of the FLAC file at `path`, refused as [`decode`]
/// would refuse them (bit depth, unknown length), without decoding audio.
pub fn read_info_file(path: &Path) -> Result<FlacInfo, FlacError> {
    let file = open_regular(path)?;
    guarded(|| open(Box::new(file)).map(|(_, info, _)| info))
}

/// Open `path` for reading only if it is a regular file: `open()` on a
/// named pipe blocks until a writer appears (and a device may never end),
/// so anything else is refused from its metadata, before opening.
fn open_regular(path: &Path) -> Result<File, FlacError> {
    let meta = std::fs::metadata(path).map_err(FlacError::Io)?;
    if meta.is_dir() {
        return Err(FlacError::Io(io::Error::from_raw_os_error(21))); // EISDIR
    }
    if !meta.is_file() {
        return Err(FlacError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a pipe, device or socket)",
        )));
    }
    File::open(path).map_err(FlacError::Io)
}

/// Decode a FLAC stream to float32, channel-major, averaging 2 to 7 channels
/// into one with `mono`. The stream must hold exactly the frame count its
/// STREAMINFO declares.
pub fn decode(source: Box<dyn MediaSource>, mono: bool) -> Result<FlacAudio, FlacError> {
    decode_head(source, mono, None)
}

/// [`decode`], keeping only the first `head` frames (all with `None`).
///
/// The frames after the head are demuxed but not decoded: the frame
/// parser still checks each frame's CRC and the timestamps must still run
/// without a gap to exactly the declared length, so a cut or damaged file is
/// refused as [`decode`] refuses it, at a fraction of the cost.
pub fn decode_head(
    source: Box<dyn MediaSource>,
    mono: bool,
    head: Option<u64>,
) -> Result<FlacAudio, FlacError> {
    guarded(|| decode_inner(source, mono, head))
}

/// symphonia indexes its buffers with the frame headers' channel counts; a
/// hostile file must not take the process down, so a panic is an error too.
fn guarded<T>(f: impl FnOnce() -> Result<T, FlacError>) -> Result<T, FlacError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(FlacError::Malformed(
            "the decoder stopped on an inconsistent stream".into(),
        ))
    })
}

/// The reader, the stream's facts, and its codec parameters.
fn open(
    source: Box<dyn MediaSource>,
) -> Result<(FlacReader, FlacInfo, CodecParameters), FlacError> {
    let stream = MediaSourceStream::new(source, Default::default());
    let reader = FlacReader::try_new(stream, &FormatOptions::default())?;
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
    let frames = match params.n_frames {
        Some(n) if n > 0 => n,
        _ => {
            return Err(FlacError::Unsupported(
                "STREAMINFO gives no total length".into(),
            ))
        }
    };
    let info = FlacInfo {
        sample_rate,
        channels,
        bits_per_sample: bits,
        frames,
    };
    Ok((reader, info, params))
}

/// The next packet, or None at the end of the file.
fn next(reader: &mut FlacReader) -> Result<Option<Packet>, FlacError> {
    // A caller that can be interrupted (Ctrl-C) raised its flag: stop here.
    if crate::dsp::num::cancel::is_raised(&crate::dsp::num::cancel::current()) {
        return Err(FlacError::Io(io::Error::new(
            io::ErrorKind::Interrupted,
            "decoding interrupted",
        )));
    }
    match reader.next_packet() {
        Ok(p) => Ok(Some(p)),
        Err(SymphoniaError::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The demuxer drops frames whose CRC fails and resynchronises: a gap in the
/// timestamps is such a frame, which libsndfile would handle differently.
fn check_ts(packet: &Packet, pos: usize) -> Result<(), FlacError> {
    if packet.ts() != pos as u64 {
        return Err(FlacError::Malformed(format!(
            "frame at sample {} follows sample {pos}: a frame is damaged or missing",
            packet.ts()
        )));
    }
    Ok(())
}

fn too_long(declared: u64) -> FlacError {
    FlacError::Malformed(format!(
        "the stream holds more than the {declared} frames STREAMINFO declares"
    ))
}

fn decode_inner(
    source: Box<dyn MediaSource>,
    mono: bool,
    head: Option<u64>,
) -> Result<FlacAudio, FlacError> {
    let (mut reader, info, params) = open(source)?;
    let (channels, declared) = (info.channels, info.frames);
    let keep = head.map_or(declared, |h| h.min(declared));
    let too_large = || FlacError::TooLarge {
        channels,
        frames: keep,
    };
    let n = usize::try_from(declared).map_err(|_| too_large())?;
    let k = usize::try_from(keep).map_err(|_| too_large())?;
    let mix = mono && MIX_CHANNELS.contains(&channels);
    let rows = if mix { 1 } else { channels };
    let total = k.checked_mul(rows).ok_or_else(too_large)?;

    let mut samples: Vec<f32> = Vec::new();
    samples.try_reserve_exact(total).map_err(|_| too_large())?;
    let out = &mut samples.spare_capacity_mut()[..total];
    let mut decoder = FlacDecoder::try_new(&params, &DecoderOptions::default())?;
    let mut pos = 0usize;
    let mut sum: Vec<f32> = Vec::new();
    while pos < k {
        let Some(packet) = next(&mut reader)? else {
            break;
        };
        check_ts(&packet, pos)?;
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
            return Err(too_long(declared));
        }
        // Only the head's part of the last block is kept.
        let used = len.min(k - pos);
        if mix {
            // to_mono: acc = y[0] + y[1]; acc += y[2] ...; acc / intp(C) in double.
            sum.clear();
            sum.extend(
                block.chan(0)[..used]
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
            for (d, &acc) in out[pos..pos + used].iter_mut().zip(&sum) {
                d.write((f64::from(acc) / count) as f32);
            }
        } else {
            for c in 0..channels {
                let dst = &mut out[c * k + pos..c * k + pos + used];
                for (d, &s) in dst.iter_mut().zip(block.chan(c)) {
                    d.write(s as f32 * SCALE);
                }
            }
        }
        pos += len;
    }
    // The rest is demuxed only: same timestamp and length checks, no decoding.
    while pos < n {
        let Some(packet) = next(&mut reader)? else {
            break;
        };
        check_ts(&packet, pos)?;
        let len = usize::try_from(packet.dur()).map_err(|_| too_long(declared))?;
        if len == 0 {
            return Err(FlacError::Malformed("an empty frame".into()));
        }
        if len > n - pos {
            return Err(too_long(declared));
        }
        pos += len;
    }
    if pos < n {
        return Err(FlacError::Malformed(format!(
            "STREAMINFO declares {declared} frames, {pos} decode"
        )));
    }
    // SAFETY: every block wrote frames [pos, pos + used) of each row, the
    // blocks are contiguous from 0 (timestamps checked) and reached `k`, so
    // all `total = rows * k` elements are initialised.
    unsafe { samples.set_len(total) };
    Ok(FlacAudio {
        sample_rate: info.sample_rate,
        channels: rows,
        file_channels: channels,
        bits_per_sample: info.bits_per_sample,
        frames: k,
        total_frames: declared,
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
    fn head_is_the_start_of_the_whole_and_the_rest_is_still_checked() {
        let ch = [ramp(1000, 16, 1), ramp(1000, 16, 2), ramp(1000, 16, 3)];
        let bytes = flac(44100, 16, &ch, 128, 1000);
        for mono in [false, true] {
            let all = decode(Box::new(Cursor::new(bytes.clone())), mono).unwrap();
            for head in [0u64, 1, 127, 128, 129, 500, 999, 1000, 5000] {
                let got = decode_head(Box::new(Cursor::new(bytes.clone())), mono, Some(head));
                let got = got.unwrap();
                let k = head.min(1000) as usize;
                assert_eq!((got.frames, got.total_frames), (k, 1000));
                let want: Vec<f32> = all
                    .samples
                    .chunks(1000)
                    .flat_map(|row| row[..k].to_vec())
                    .collect();
                assert_eq!(got.samples, want, "mono={mono} head={head}");
            }
        }
        let head = |b: Vec<u8>| decode_head(Box::new(Cursor::new(b)), false, Some(200));
        // Cut in the middle, cut inside the last frame, a damaged frame after
        // the head, a header that declares more: refused although the head
        // decodes.
        assert!(matches!(
            head(bytes[..bytes.len() / 2].to_vec()),
            Err(FlacError::Malformed(_))
        ));
        assert!(matches!(
            head(bytes[..bytes.len() - 3].to_vec()),
            Err(FlacError::Malformed(_))
        ));
        let mut bad = bytes.clone();
        let k = bad.len() - 400;
        bad[k] ^= 0x10;
        assert!(matches!(head(bad), Err(FlacError::Malformed(_))));
        assert!(matches!(
            head(flac(44100, 16, &ch, 128, 1001)),
            Err(FlacError::Malformed(_))
        ));
        assert!(matches!(
            head(flac(44100, 16, &ch, 128, 999)),
            Err(FlacError::Malformed(_))
        ));
    }

    #[test]
    fn info_reads_the_header_and_refuses_like_decode() {
        let ch = [ramp(600, 24, 4), ramp(600, 24, 5)];
        let bytes = flac(48000, 24, &ch, 128, 600);
        let info = guarded(|| open(Box::new(Cursor::new(bytes))).map(|(_, i, _)| i)).unwrap();
        let want = FlacInfo {
            sample_rate: 48000,
            channels: 2,
            bits_per_sample: 24,
            frames: 600,
        };
        assert_eq!(info, want);
        let info_of = |b: Vec<u8>| guarded(|| open(Box::new(Cursor::new(b))).map(|(_, i, _)| i));
        let ch12 = [ramp(600, 12, 4)];
        assert!(matches!(
            info_of(flac(22050, 12, &ch12, 128, 600)),
            Err(FlacError::Unsupported(_))
        ));
        assert!(matches!(
            info_of(flac(22050, 16, &[ramp(600, 16, 4)], 128, 0)),
            Err(FlacError::Unsupported(_))
        ));
        assert!(info_of(b"RIFF\0\0\0\0WAVE".to_vec()).is_err());
        let missing = read_info_file(Path::new("/nonexistent/ferrosa.flac"));
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
