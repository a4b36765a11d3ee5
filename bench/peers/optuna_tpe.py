"""Optuna's TPESampler on the functions of bench/hpo-sample-efficiency.ts (peer of our TPE).

Usage: python bench/peers/optuna_tpe.py '{"functions": ["branin", "hartmann6"], "seeds": [0, 1], "trials": 60}'
Prints one JSON object: {"optuna": version, "sampler": ..., "best": {function: [best per seed]}}.
The functions and bounds repeat workflows/search/test-functions.ts constant for constant.
TPESampler runs with its defaults (only the seed is set), as a user would run it.
"""
import json
import math
import sys

import optuna


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    s = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H6_P = [
    [v * 1e-4 for v in row]
    for row in [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
]


def hartmann6(t):
    x = [t.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6}


def main():
    args = json.loads(sys.argv[1])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    best = {}
    for name in args["functions"]:
        best[name] = []
        for seed in args["seeds"]:
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(FUNCTIONS[name], n_trials=args["trials"])
            best[name].append(study.best_value)
    print(json.dumps({"optuna": optuna.__version__, "sampler": "TPESampler(seed=seed), defaults", "best": best}))


if __name__ == "__main__":
    main()
