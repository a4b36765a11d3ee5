"""Peer of the random-forest fit in bench/features.ts: scikit-learn on the same matrix and settings.

    python sklearn_forest.py <matrix.f32> <labels.i32> <rows> <columns> <trees> <max_depth> <repeat>

Prints one JSON line: best-of-<repeat> fit seconds (one core, n_jobs=1) and training accuracy.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier


def main():
    path_x, path_y, rows, cols, trees, depth, repeat = sys.argv[1:8]
    x = np.fromfile(path_x, dtype="<f4").reshape(int(rows), int(cols))
    y = np.fromfile(path_y, dtype="<i4")
    best = float("inf")
    model = None
    for _ in range(int(repeat)):
        model = RandomForestClassifier(n_estimators=int(trees), max_depth=int(depth), max_features="sqrt", n_jobs=1, random_state=0)
        t0 = time.perf_counter()
        model.fit(x, y)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"fitSec": best, "trainAccuracy": float(model.score(x, y)), "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
