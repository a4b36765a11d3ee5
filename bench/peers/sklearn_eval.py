"""Peer of bench/eval.ts: the same analyses with scikit-learn / numpy on the same probabilities.

    python sklearn_eval.py <cases.json> <repeat>

Reads {"classes": k, "labels": [...], "probabilities": [[...], ...], "replicates": B} and prints
one JSON line: best-of-<repeat> seconds per analysis, and the library versions.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve, precision_recall_fscore_support, roc_auc_score, roc_curve
from sklearn.preprocessing import label_binarize


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    data = json.load(open(sys.argv[1]))
    repeat = int(sys.argv[2])
    y = np.asarray(data["labels"])
    p = np.asarray(data["probabilities"], dtype=np.float64)
    k = p.shape[1]
    yb = label_binarize(y, classes=list(range(k)))
    replicates = int(data["replicates"])

    def roc():
        for c in range(k):
            roc_curve(yb[:, c], p[:, c])
            precision_recall_curve(yb[:, c], p[:, c])
        roc_auc_score(yb, p, average="macro")
        roc_auc_score(yb, p, average="micro")
        average_precision_score(yb, p, average="macro")
        average_precision_score(yb, p, average="micro")

    def errors():
        pred = p.argmax(axis=1)
        confusion_matrix(y, pred, labels=list(range(k)), normalize="true")
        precision_recall_fscore_support(y, pred, labels=list(range(k)), zero_division=0)
        calibration_curve((pred == y).astype(int), p.max(axis=1), n_bins=10)

    def bootstrap():
        rng = np.random.default_rng(0)
        n = len(y)
        for _ in range(replicates):
            idx = rng.integers(0, n, n)
            yy = yb[idx]
            keep = [c for c in range(k) if 0 < yy[:, c].sum() < n]
            np.mean([roc_auc_score(yy[:, c], p[idx, c]) for c in keep])
            roc_auc_score(yy, p[idx], average="micro")

    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "rocSec": best(roc, repeat), "errorsSec": best(errors, repeat), "bootstrapSec": best(bootstrap, 1), "replicates": replicates}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
