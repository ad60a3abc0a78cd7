//! Continuous wavelet transform by FFT convolution, equal to `pywt.cwt`.
//!
//! pywt convolves the signal with the integrated wavelet sampled at each
//! scale, differentiates (`np.diff`), multiplies by `-sqrt(scale)` and keeps
//! the centred `n` samples. Here the difference, the gain and the centring are
//! folded into one filter per scale, whose spectrum is computed once (and
//! cached per signal length): a transform is then one forward FFT of the
//! signal per FFT size plus one product and one inverse FFT per scale, with
//! scales spread over threads. Each scale's FFT size is the shortest fast
//! length (see [`fast_len`]) that holds the centred output (about
//! `n + taps / 2`), so no circular wrap-around reaches the kept samples.
//! For real wavelets the product and the inverse run as one fused pass and
//! a half-length complex FFT ([`crate::dsp::wavelet::inverse`]).

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel;
use crate::dsp::spectrum::fft;
use crate::dsp::wavelet::inverse::{Buffers, Paired, ProductInverse};
use crate::dsp::wavelet::{IntegratedWavelet, Wavelet};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use rustfft::Fft;
use std::sync::{Arc, Mutex, OnceLock};

/// What the wavelets are and how pywt would sample them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CwtConfig {
    pub wavelet: Wavelet,
    /// `2**precision` points sample the wavelet (pywt's `precision`, 12).
    pub precision: u32,
    /// Pick taps on pywt's float32 grid (pywt does for float32 data).
    pub f32_grid: bool,
}

/// One output row (one scale of one channel), `n` samples long.
pub enum Row<'a> {
    Real(&'a [f64]),
    Complex(&'a [Complex<f64>]),
}

/// One scale's filter spectrum for FFT size `m` (`m / 2 + 1` bins for real
/// wavelets, `m` for complex ones), gain and 1/m included.
struct ScaleFilter {
    m: usize,
    /// Index of `m` in the bank's `sizes`.
    size: usize,
    spectrum: Spectrum,
}

/// A filter spectrum as stored: in pair order for the fused real inverse,
/// in plain order (all `m` bins) for complex wavelets.
enum Stored<L> {
    Paired(Paired<L>),
    Full(Vec<Complex<L>>),
}

/// A filter spectrum in f64, or in f32 for float32 input, whose output is
/// float32 anyway. The product and the FFTs stay in f64; rounding the filter
/// to f32 adds ~1e-7 of the peak (about float32's own output rounding) and
/// halves the bytes streamed per row, which is what the product pass waits
/// on once the bank outgrows the CPU cache.
enum Spectrum {
    F64(Stored<f64>),
    F32(Stored<f32>),
}

fn store<L: Float>(v: Vec<Complex<f64>>, complex: bool) -> Stored<L> {
    if complex {
        Stored::Full(
            v.iter()
                .map(|c| Complex::new(L::narrow(c.re), L::narrow(c.im)))
                .collect(),
        )
    } else {
        Stored::Paired(Paired::new(&v))
    }
}

impl Spectrum {
    fn new(v: Vec<Complex<f64>>, complex: bool, f32_store: bool) -> Self {
        if f32_store {
            Spectrum::F32(store(v, complex))
        } else {
            Spectrum::F64(store(v, complex))
        }
    }

    fn bytes(&self) -> usize {
        fn of<L: Float>(s: &Stored<L>) -> usize {
            match s {
                Stored::Paired(p) => p.bytes(),
                Stored::Full(v) => v.len() * 2 * std::mem::size_of::<L>(),
            }
        }
        match self {
            Spectrum::F64(s) => of(s),
            Spectrum::F32(s) => of(s),
        }
    }
}

/// The inverse transform rows of one FFT size go through.
enum Inverse {
    Real(ProductInverse),
    Complex(Arc<dyn Fft<f64>>),
}

/// One distinct FFT size: one forward FFT of the signal per call, and the
/// inverse planned once with the bank.
struct SizePlan {
    m: usize,
    inverse: Inverse,
}

/// Filter spectra for every scale at one signal length.
pub struct CwtBank {
    n: usize,
    complex: bool,
    filters: Vec<ScaleFilter>,
    sizes: Vec<SizePlan>,
}

impl CwtBank {
    fn bytes(&self) -> usize {
        self.filters.iter().map(|f| f.spectrum.bytes()).sum()
    }

    /// Number of scales.
    pub fn n_scales(&self) -> usize {
        self.filters.len()
    }

    /// The signal length the bank was built for.
    pub fn n(&self) -> usize {
        self.n
    }

    /// True when rows are complex.
    pub fn is_complex(&self) -> bool {
        self.complex
    }
}

/// Smallest `2 * 2^a * 3^b` at least `n`: even (the real inverse runs on
/// `m / 2` points) with a 3-smooth half. rustfft's radix-2/3 kernels are the
/// fast ones; lengths with factors 5 (or odd lengths, which realfft would
/// run at full length) measured up to twice as slow per point, which costs
/// more than the few percent of extra length this rule sometimes adds.
pub fn fast_len(n: usize) -> usize {
    let half = n.div_ceil(2).max(1);
    let mut best = half.next_power_of_two();
    let mut p3 = 1usize;
    while p3 < best {
        let mut v = p3;
        while v < half {
            v *= 2;
        }
        best = best.min(v);
        p3 *= 3;
    }
    2 * best
}

fn build_filter(
    iw: &IntegratedWavelet,
    scale: f64,
    n: usize,
    f32_store: bool,
) -> DspResult<ScaleFilter> {
    let taps = iw.taps(scale)?;
    let l = taps.len();
    // pywt keeps coef[floor(d) .. ] of diff(conv) with d = (l - 2) / 2; the
    // difference makes output k read the full convolution with the
    // differenced taps at k + a.
    let a = 1 + (l - 2) / 2;
    let m = fast_len((n + l - a).max(n + a).max(l + 1));
    let gain = -scale.sqrt() / m as f64;
    let mut buf = vec![Complex::new(0.0, 0.0); m];
    for idx in 0..=l {
        let g = match idx {
            0 => taps[0],
            i if i == l => -taps[l - 1],
            i => taps[i] - taps[i - 1],
        };
        let pos = (idx as isize - a as isize).rem_euclid(m as isize) as usize;
        buf[pos] = g * gain;
    }
    let spectrum = if iw.complex {
        fft::complex_in::<f64>(m, false).process(&mut buf);
        buf
    } else {
        let plan = fft::forward(m);
        let mut real: Vec<f64> = buf.iter().map(|c| c.re).collect();
        let mut out = plan.make_output_vec();
        plan.process(&mut real, &mut out)
            .map_err(|e| DspError::param("fft", e, "a consistent FFT size"))?;
        out
    };
    Ok(ScaleFilter {
        m,
        size: 0,
        spectrum: Spectrum::new(spectrum, iw.complex, f32_store),
    })
}

/// Build the filter spectra for `scales` at signal length `n`.
pub fn build_bank(cfg: &CwtConfig, scales: &[f64], n: usize) -> DspResult<CwtBank> {
    if scales.is_empty() {
        return Err(DspError::Empty { what: "scales" });
    }
    if n == 0 {
        return Err(DspError::Empty {
            what: "audio buffer",
        });
    }
    if let Some(&s) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(DspError::param("scales", s, "finite positive values"));
    }
    let iw = IntegratedWavelet::new(&cfg.wavelet, cfg.precision, cfg.f32_grid);
    // Check every scale up front so no thread fails half-way.
    for &s in scales {
        let l = (s * iw.extent + 1.0).ceil();
        if l.is_nan() || l >= 1e9 {
            return Err(DspError::param(
                "scales",
                s,
                "a scale whose wavelet has fewer than 1e9 taps",
            ));
        }
    }
    let slots: Vec<Mutex<Option<DspResult<ScaleFilter>>>> =
        scales.iter().map(|_| Mutex::new(None)).collect();
    parallel::for_each_range(scales.len(), 1, |range| {
        for i in range {
            let f = build_filter(&iw, scales[i], n, cfg.f32_grid);
            *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
        }
    });
    let mut filters = Vec::with_capacity(scales.len());
    for slot in slots {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(f) => filters.push(f?),
            None => return Err(DspError::Empty { what: "scales" }),
        }
    }
    let mut lengths: Vec<usize> = filters.iter().map(|f| f.m).collect();
    lengths.sort_unstable();
    lengths.dedup();
    for f in &mut filters {
        f.size = lengths.binary_search(&f.m).unwrap_or_default();
    }
    let sizes = lengths
        .into_iter()
        .map(|m| SizePlan {
            m,
            inverse: if iw.complex {
                Inverse::Complex(fft::complex_in::<f64>(m, true))
            } else {
                Inverse::Real(ProductInverse::new(m))
            },
        })
        .collect();
    Ok(CwtBank {
        n,
        complex: iw.complex,
        filters,
        sizes,
    })
}

type BankKey = (String, u32, bool, usize, Vec<u64>);
type BankCache = Vec<(BankKey, Arc<CwtBank>)>;

fn cache() -> &'static Mutex<BankCache> {
    static C: OnceLock<Mutex<BankCache>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Vec::new()))
}

/// Bytes of filter spectra kept between calls (`FERROSA_CWT_CACHE_MB`, 256 MB).
fn cache_budget() -> usize {
    std::env::var("FERROSA_CWT_CACHE_MB")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(256)
        .saturating_mul(1 << 20)
}

/// The bank for these parameters, from the cache when a previous call built
/// it (most recently used banks are kept within the byte budget).
pub fn bank(cfg: &CwtConfig, scales: &[f64], n: usize) -> DspResult<Arc<CwtBank>> {
    let key: BankKey = (
        cfg.wavelet.key(),
        cfg.precision,
        cfg.f32_grid,
        n,
        scales.iter().map(|s| s.to_bits()).collect(),
    );
    {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = c.iter().position(|(k, _)| *k == key) {
            let entry = c.remove(pos);
            let b = entry.1.clone();
            c.push(entry);
            return Ok(b);
        }
    }
    let b = Arc::new(build_bank(cfg, scales, n)?);
    let budget = cache_budget();
    if b.bytes() <= budget {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        c.push((key, b.clone()));
        let mut total: usize = c.iter().map(|(_, b)| b.bytes()).sum();
        while total > budget && c.len() > 1 {
            total -= c[0].1.bytes();
            c.remove(0);
        }
    }
    Ok(b)
}

/// A signal's spectrum at one FFT size, laid out as the filters are.
enum SignalSpectrum {
    Paired(Paired<f64>),
    Full(Vec<Complex<f64>>),
}

/// Forward spectra of one channel, one per FFT size of the bank (in the
/// order of `bank.sizes`).
fn signal_spectra<T: Float>(bank: &CwtBank, x: &[T]) -> DspResult<Vec<SignalSpectrum>> {
    let mut out = Vec::with_capacity(bank.sizes.len());
    for &SizePlan { m, .. } in &bank.sizes {
        let plan = fft::forward(m);
        let mut buf = vec![0.0; m];
        for (b, v) in buf.iter_mut().zip(x) {
            *b = v.wide();
        }
        let mut spec = plan.make_output_vec();
        plan.process(&mut buf, &mut spec)
            .map_err(|e| DspError::param("fft", e, "a consistent FFT size"))?;
        out.push(if bank.complex {
            // Full spectrum of a real signal from its Hermitian half.
            let half = spec.len();
            spec.resize(m, Complex::new(0.0, 0.0));
            for k in half..m {
                spec[k] = spec[m - k].conj();
            }
            SignalSpectrum::Full(spec)
        } else {
            SignalSpectrum::Paired(Paired::new(&spec))
        });
    }
    Ok(out)
}

/// Per-task buffers for [`transform_row`].
#[derive(Default)]
struct RowBuffers {
    real: Buffers,
    work: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

/// One row: the signal spectrum `xs` times the filter `h`, inverted.
fn transform_row<'a, L: Float>(
    plan: &SizePlan,
    xs: &SignalSpectrum,
    h: &Stored<L>,
    buf: &'a mut RowBuffers,
) -> Row<'a> {
    match (&plan.inverse, xs, h) {
        (Inverse::Real(inv), SignalSpectrum::Paired(s), Stored::Paired(g)) => {
            Row::Real(inv.run(s, g, &mut buf.real))
        }
        (Inverse::Complex(fft), SignalSpectrum::Full(s), Stored::Full(g)) => {
            multiply_spectra(s, g, &mut buf.work);
            let need = fft.get_inplace_scratch_len();
            if buf.scratch.len() < need {
                buf.scratch.resize(need, Complex::new(0.0, 0.0));
            }
            fft.process_with_scratch(&mut buf.work, &mut buf.scratch[..need]);
            Row::Complex(&buf.work)
        }
        _ => unreachable!("a bank's spectra and plans are built together"),
    }
}

/// Transform `channels` signals of `n` samples (`x` row-major) with every
/// scale of `bank`, calling `emit(channel, scale, row)` once per pair (from
/// worker threads, in no particular order).
pub fn cwt_rows<T, E>(bank: &CwtBank, x: &[T], channels: usize, emit: E) -> DspResult<()>
where
    T: Float,
    E: Fn(usize, usize, Row<'_>) + Send + Sync,
{
    let n = bank.n;
    if channels == 0 || x.len() != channels * n {
        return Err(DspError::shape(
            "audio",
            format!("({channels}, {n})"),
            x.len(),
        ));
    }
    if !crate::dsp::num::float::all_finite(x) {
        return Err(DspError::NonFinite {
            what: "audio buffer",
        });
    }
    let spectra: Vec<Vec<SignalSpectrum>> = (0..channels)
        .map(|c| signal_spectra(bank, &x[c * n..(c + 1) * n]))
        .collect::<DspResult<_>>()?;
    let n_scales = bank.filters.len();
    parallel::for_each_range(channels * n_scales, 1, |range| {
        // Buffers per task, grown to the largest size once.
        let mut buf = RowBuffers::default();
        for item in range {
            let (c, s) = (item / n_scales, item % n_scales);
            let f = &bank.filters[s];
            let (plan, xs) = (&bank.sizes[f.size], &spectra[c][f.size]);
            let row = match &f.spectrum {
                Spectrum::F64(h) => transform_row(plan, xs, h, &mut buf),
                Spectrum::F32(h) => transform_row(plan, xs, h, &mut buf),
            };
            match row {
                Row::Real(r) => emit(c, s, Row::Real(&r[..n])),
                Row::Complex(r) => emit(c, s, Row::Complex(&r[..n])),
            }
        }
    });
    Ok(())
}

/// `out = a * b` element-wise (complex), built for AVX2 when the CPU has it.
fn multiply_spectra<L: Float>(a: &[Complex<f64>], b: &[Complex<L>], out: &mut Vec<Complex<f64>>) {
    // Every element is overwritten: no need to clear.
    out.resize(a.len().min(b.len()), Complex::new(0.0, 0.0));
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { multiply_avx2(a, b, out) };
    }
    multiply_body(a, b, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn multiply_avx2<L: Float>(a: &[Complex<f64>], b: &[Complex<L>], out: &mut [Complex<f64>]) {
    multiply_body(a, b, out);
}

#[inline(always)]
fn multiply_body<L: Float>(a: &[Complex<f64>], b: &[Complex<L>], out: &mut [Complex<f64>]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let y = Complex::new(y.re.wide(), y.im.wide());
        *o = Complex::new(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pywt's algorithm written out directly: full convolution with the
    /// taps, diff, gain, centre crop.
    fn direct(cfg: &CwtConfig, x: &[f64], scale: f64) -> Vec<Complex<f64>> {
        let iw = IntegratedWavelet::new(&cfg.wavelet, cfg.precision, cfg.f32_grid);
        let taps = iw.taps(scale).unwrap();
        let (n, l) = (x.len(), taps.len());
        let conv: Vec<Complex<f64>> = (0..n + l - 1)
            .map(|k| {
                (0..l)
                    .filter(|&j| k >= j && k - j < n)
                    .map(|j| taps[j] * x[k - j])
                    .sum()
            })
            .collect();
        let diff: Vec<Complex<f64>> = conv
            .windows(2)
            .map(|w| (w[1] - w[0]) * -scale.sqrt())
            .collect();
        let start = (diff.len() - n) / 2;
        diff[start..start + n].to_vec()
    }

    fn run(cfg: &CwtConfig, x: &[f64], scales: &[f64]) -> Vec<Vec<Complex<f64>>> {
        let b = build_bank(cfg, scales, x.len()).unwrap();
        let rows = Mutex::new(vec![Vec::new(); scales.len()]);
        cwt_rows(&b, x, 1, |_, s, row| {
            let v = match row {
                Row::Real(r) => r.iter().map(|&v| Complex::new(v, 0.0)).collect(),
                Row::Complex(r) => r.to_vec(),
            };
            rows.lock().unwrap()[s] = v;
        })
        .unwrap();
        rows.into_inner().unwrap()
    }

    #[test]
    fn fft_path_equals_direct_convolution() {
        let x: Vec<f64> = (0..301)
            .map(|i| ((i * 37 % 17) as f64 - 8.0) / 8.0)
            .collect();
        for w in ["mexh", "morl", "gaus3", "cmor1.5-1.0"] {
            let cfg = CwtConfig {
                wavelet: Wavelet::parse(w).unwrap(),
                precision: 10,
                f32_grid: false,
            };
            let scales = [0.5, 1.0, 2.5, 7.0, 40.0];
            let got = run(&cfg, &x, &scales);
            for (i, &s) in scales.iter().enumerate() {
                let want = direct(&cfg, &x, s);
                let peak = want.iter().map(|c| c.norm()).fold(0.0, f64::max);
                for (a, b) in got[i].iter().zip(&want) {
                    assert!((a - b).norm() <= 1e-10 * peak.max(1e-300), "{w} scale {s}");
                }
            }
        }
    }

    #[test]
    fn fast_len_is_twice_3_smooth_and_minimal() {
        let fast = |k: usize| {
            if k < 2 {
                return false;
            }
            let mut r = k / 2;
            for p in [2, 3] {
                while r.is_multiple_of(p) {
                    r /= p;
                }
            }
            k.is_multiple_of(2) && r == 1
        };
        for n in [1usize, 2, 7, 97, 1000, 2501, 4097, 100_009] {
            let m = fast_len(n);
            assert!(m >= n && fast(m), "{n} -> {m}");
            assert!((n..m).all(|k| !fast(k)), "{n} -> {m}");
        }
    }

    #[test]
    fn rejects_bad_scales() {
        let cfg = CwtConfig {
            wavelet: Wavelet::Mexh,
            precision: 12,
            f32_grid: false,
        };
        assert!(build_bank(&cfg, &[], 10).is_err());
        assert!(build_bank(&cfg, &[1.0, -2.0], 10).is_err());
        assert!(build_bank(&cfg, &[f64::NAN], 10).is_err());
        assert!(build_bank(&cfg, &[0.01], 10).is_err());
    }
}
