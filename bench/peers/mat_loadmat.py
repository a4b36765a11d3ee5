"""Peer of bench/mat-reader.ts: scipy.io.loadmat (and h5py for v7.3) on the same files.

    python bench/peers/mat_loadmat.py --prepare OUTDIR SRC.mat ...   # compressed v5 and v7.3 copies
    python bench/peers/mat_loadmat.py --measure --repeat 5 FORMAT:FILE ...

--measure prints one JSON line: per format, total MB read and the best of `repeat` passes (s).
"""
import argparse
import json
import os
import sys
import time


def prepare(outdir: str, sources: list[str]) -> None:
    import h5py
    import numpy as np
    from scipy.io import loadmat, savemat

    os.makedirs(outdir, exist_ok=True)
    for src in sources:
        stem = os.path.splitext(os.path.basename(src))[0]
        data = {k: v for k, v in loadmat(src).items() if not k.startswith("__")}
        savemat(os.path.join(outdir, f"{stem}.v7.mat"), data, do_compression=True)
        path = os.path.join(outdir, f"{stem}.v73.mat")
        with h5py.File(path, "w", userblock_size=512) as f:
            for k, v in data.items():
                f.create_dataset(k, data=np.ascontiguousarray(v.T)).attrs["MATLAB_class"] = np.bytes_("double")
        header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, bench copy".ljust(116, b" ") + b"\0" * 8 + (0x0200).to_bytes(2, "little") + b"IM"
        with open(path, "r+b") as f:
            f.write(header)


def read_v73(path: str) -> None:
    import h5py

    with h5py.File(path, "r") as f:
        for k in f.keys():
            f[k][()]


def measure(repeat: int, items: list[str]) -> None:
    import numpy
    import scipy
    from scipy.io import loadmat

    groups: dict[str, list[str]] = {}
    for item in items:
        fmt, path = item.split(":", 1)
        groups.setdefault(fmt, []).append(path)
    out = {"python": sys.version.split()[0], "scipy": scipy.__version__, "numpy": numpy.__version__, "formats": {}}
    for fmt, paths in groups.items():
        size = sum(os.path.getsize(p) for p in paths)
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for p in paths:
                read_v73(p) if fmt == "v7.3" else loadmat(p)
            best = min(best, time.perf_counter() - t0)
        out["formats"][fmt] = {"files": len(paths), "mb": size / 1e6, "seconds": best, "mbPerSec": size / 1e6 / best}
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prepare")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.prepare:
        prepare(a.prepare, a.files)
    elif a.measure:
        measure(a.repeat, a.files)


if __name__ == "__main__":
    main()
