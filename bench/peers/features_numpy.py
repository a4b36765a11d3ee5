"""numpy/scipy/PyWavelets implementation of ml/features (feature-set version 1), written from the
definitions, not translated line by line: it is the reference the fixtures of
test/unit/features-reference.test.ts come from and the peer of bench/features.ts.

    python features_numpy.py bench <samples> <repeat>   # one JSON line: best-of-<repeat> seconds per domain

Defaults mirror contracts/features.ts (FeatureSettingsSchema).
"""
import json
import sys
import time

import numpy as np
import pywt
import scipy
import scipy.signal
import scipy.stats

BPFI, BPFO, BSF, FTF = 5.4152, 3.5848, 4.7135, 0.39828
ORDERS = [("bpfi", BPFI), ("bpfo", BPFO), ("2bsf", 2 * BSF), ("ftf", FTF)]
HARMONICS = [1, 2, 3]
DEFAULTS = {
    "domains": ["time", "frequency", "envelope", "wavelet"],
    "bandEdges": [0, 0.125, 0.25, 0.5, 1],
    "rolloff": 0.85,
    "envelopeTolerance": 0.03,
    "wavelet": "db4",
    "waveletLevel": 3,
}


def settings_with_defaults(settings):
    out = dict(DEFAULTS)
    out.update(settings or {})
    return out


def ratio(a, b):
    return 0.0 if b == 0 else a / b


def time_features(x):
    rms = np.sqrt(np.mean(x**2))
    peak = np.max(np.abs(x))
    mean_abs = np.mean(np.abs(x))
    return {
        "mean": np.mean(x),
        "std": np.std(x),
        "rms": rms,
        "peak": peak,
        "peak_to_peak": np.ptp(x),
        "crest_factor": ratio(peak, rms),
        "kurtosis": scipy.stats.kurtosis(x, fisher=True, bias=True) + 3.0,
        "skewness": scipy.stats.skew(x, bias=True),
        "shape_factor": ratio(rms, mean_abs),
        "impulse_factor": ratio(peak, mean_abs),
        "clearance_factor": ratio(peak, np.mean(np.sqrt(np.abs(x))) ** 2),
    }


def fft_size(n):
    size = 4
    while size < n:
        size *= 2
    return size


def amplitude_spectrum(x, fs):
    """One-sided amplitude spectrum, zero padded to a power of two, normalised by the real length."""
    n = len(x)
    size = fft_size(n)
    mags = np.abs(np.fft.rfft(x, n=size))
    scale = np.full(mags.shape, 2.0 / n)
    scale[0] = scale[-1] = 1.0 / n
    return np.arange(size // 2 + 1) * fs / size, mags * scale


def frequency_features(x, fs, s):
    f, a = amplitude_spectrum(x, fs)
    p = a**2 / 2
    p[0], p[-1] = a[0] ** 2, a[-1] ** 2
    f, p = f[1:], p[1:]  # no DC
    total = np.sum(p)
    edges = s["bandEdges"]
    out = {}
    if total == 0:
        keys = ["spectral_centroid", "spectral_spread", "spectral_entropy", "spectral_rolloff", "peak_frequency"]
        out = {k: 0.0 for k in keys}
        for lo, hi in zip(edges[:-1], edges[1:]):
            out[band_name(lo, hi)] = 0.0
        return out
    q = p / total
    centroid = np.sum(f * q)
    out["spectral_centroid"] = centroid
    out["spectral_spread"] = np.sqrt(np.sum((f - centroid) ** 2 * q))
    nz = q[q > 0]
    out["spectral_entropy"] = -np.sum(nz * np.log(nz)) / np.log(len(p))
    out["spectral_rolloff"] = f[np.argmax(np.cumsum(p) >= s["rolloff"] * total)]
    out["peak_frequency"] = f[np.argmax(p)]
    fraction = f / (fs / 2)
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        last = i == len(edges) - 2
        mask = (fraction >= lo) & ((fraction < hi) | (last & (fraction <= hi)))
        out[band_name(lo, hi)] = np.sum(p[mask]) / total
    return out


def band_name(lo, hi):
    def fmt(v):
        return str(int(v)) if float(v).is_integer() else repr(float(v))

    return f"band_energy_{fmt(lo)}_{fmt(hi)}"


def default_envelope_band(fs):
    scale = min(1.0, fs / 12000)
    return 2500 * scale * 0.8, min(4500 * scale * 1.2, 0.45 * fs)


def envelope_spectrum(x, fs, band):
    """Brick-wall band-pass in the frequency domain, then scipy's Hilbert transform, then the de-meaned envelope's spectrum."""
    n = len(x)
    size = fft_size(n)
    X = np.fft.rfft(x, n=size)
    k = np.arange(len(X))
    k_lo = max(1, int(np.ceil(band[0] * size / fs)))
    k_hi = min(size // 2 - 1, int(np.floor(band[1] * size / fs)))
    X[(k < k_lo) | (k > k_hi)] = 0
    band_passed = np.fft.irfft(X, n=size)
    envelope = np.abs(scipy.signal.hilbert(band_passed))[:n]
    return amplitude_spectrum(envelope - np.mean(envelope), fs)


def envelope_features(x, fs, shaft_hz, s):
    band = s.get("envelopeBandHz") or default_envelope_band(fs)
    f, a = envelope_spectrum(x, fs, band)
    df = f[1]
    top = max(o for _, o in ORDERS) * HARMONICS[-1] * shaft_hz * 1.1
    first = max(1, int(np.ceil(0.3 * shaft_hz / df)))
    last = min(len(a) - 1, int(np.floor(top / df)))
    floor = np.median(a[first : last + 1])
    out = {}
    for key, order in ORDERS:
        for h in HARMONICS:
            centre = h * order * shaft_hz
            half = max(s["envelopeTolerance"] * centre, df)
            lo = max(1, int(np.floor((centre - half) / df)))
            hi = min(len(a) - 1, int(np.ceil((centre + half) / df)))
            out[f"env_{key}_{h}x"] = ratio(np.max(a[lo : hi + 1]), floor)
    return out


def wavelet_features(x, s):
    level = s["waveletLevel"]
    wp = pywt.WaveletPacket(data=x, wavelet=s["wavelet"], mode="symmetric", maxlevel=level)
    energies = np.array([np.sum(node.data**2) for node in wp.get_level(level, order="freq")])
    total = np.sum(energies)
    return {f"wp_{s['wavelet']}_l{level}_b{b}": ratio(e, total) for b, e in enumerate(energies)}


def features(x, fs, shaft_hz, settings=None):
    s = settings_with_defaults(settings)
    x = np.asarray(x, dtype=np.float64)
    out = {}
    if "time" in s["domains"]:
        out.update(time_features(x))
    if "frequency" in s["domains"]:
        out.update(frequency_features(x, fs, s))
    if "envelope" in s["domains"]:
        out.update(envelope_features(x, fs, shaft_hz, s))
    if "wavelet" in s["domains"]:
        out.update(wavelet_features(x, s))
    return {k: float(v) for k, v in out.items()}


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench(samples, repeat):
    rng = np.random.default_rng(0)
    fs, shaft = 12000.0, 1797 / 60
    t = np.arange(samples) / fs
    x = np.sin(2 * np.pi * shaft * t) + 0.3 * rng.standard_normal(samples)
    s = settings_with_defaults({})
    per_domain = {
        "time": best(lambda: time_features(x), repeat),
        "frequency": best(lambda: frequency_features(x, fs, s), repeat),
        "envelope": best(lambda: envelope_features(x, fs, shaft, s), repeat),
        "wavelet": best(lambda: wavelet_features(x, s), repeat),
        "all": best(lambda: features(x, fs, shaft), repeat),
    }
    print(json.dumps({"seconds": per_domain, "numpy": np.__version__, "scipy": scipy.__version__, "pywt": pywt.__version__}))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "bench":
        bench(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(__doc__)
        sys.exit(2)
