"""Optuna's samplers on the suite of bench/hpo-sample-efficiency.ts (peers of ours).

Usage: python bench/peers/optuna_samplers.py '{"functions": [...], "samplers": [...], "seeds": [0, 1], "trials": 100}'
Prints one JSON object on its last line:
  {"optuna": version, "samplers": {name: description},
   "best": {sampler: {function: [best value per seed]}}, "secondsPerTrial": {sampler: {function: s}}}
The functions repeat bench/lib/hpo-functions.ts constant for constant (define-by-run for the
conditional spaces). Samplers run as a user would: the seed set, otherwise Optuna's defaults but
for TPE, which gets Optuna's best mode for conditional spaces (multivariate=True, group=True).
Sequential ask/tell (study.optimize), n_jobs=1.
"""
import json
import math
import sys
import time
import warnings

import optuna

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


def xs(t, d, low, high):
    return [t.suggest_float(f"x{i + 1}", low, high) for i in range(d)]


def branin(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    s = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


def hartmann6(t):
    x = xs(t, 6, 0, 1)
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


def levy5(t):
    w = [1 + (v - 1) / 4 for v in xs(t, 5, -10, 10)]
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(len(w) - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def rosenbrock4(t):
    x = xs(t, 4, -5, 10)
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def ackley5(t):
    x = xs(t, 5, -32.768, 32.768)
    d = len(x)
    sq = sum(v * v for v in x) / d
    cs = sum(math.cos(2 * math.pi * v) for v in x) / d
    return -20 * math.exp(-0.2 * math.sqrt(sq)) - math.exp(cs) + 20 + math.e


def styblinski_tang6(t):
    return sum((v**4 - 16 * v * v + 5 * v) / 2 for v in xs(t, 6, -5, 5))


def rastrigin10(t):
    x = xs(t, 10, -5.12, 5.12)
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def mixed(t):
    # Declaration order of the TypeScript space: model, then its branch, then lr.
    model = t.suggest_categorical("model", ["linear", "tree", "net"])
    if model == "linear":
        alpha = t.suggest_float("alpha", 1e-4, 1, log=True)
        penalty = t.suggest_categorical("penalty", ["l1", "l2"])
    elif model == "tree":
        depth = t.suggest_int("depth", 1, 12)
        shrink = t.suggest_float("shrink", 0.01, 1)
    else:
        units = t.suggest_int("units", 8, 256, log=True)
        dropout = t.suggest_float("dropout", 0, 0.5)
    lr = t.suggest_float("lr", 1e-4, 1, log=True)
    lr_term = (math.log10(lr) + 2.5) ** 2 * 0.02
    if model == "linear":
        return 0.3 + lr_term + (math.log10(alpha) + 2) ** 2 * 0.05 + (0 if penalty == "l1" else 0.05)
    if model == "tree":
        return 0.1 + lr_term + ((depth - 7) / 5) ** 2 * 0.2 + (shrink - 0.3) ** 2 * 0.5
    u = (math.log2(units) - 6) / 2
    d = (dropout - 0.2) * 5
    return lr_term + 0.1 * (u * u + d * d + 1.5 * u * d)


def planted(t):
    branch = t.suggest_categorical("branch", ["a", "b", "c"])
    if branch == "a":
        a1, a2, a3 = (t.suggest_float(n, 0, 1) for n in ("a1", "a2", "a3"))
    elif branch == "b":
        b1 = t.suggest_float("b1", 0, 1)
    t.suggest_float("lr", 0, 1)
    if branch == "b":
        return 0.5 + 0.1 * (b1 - 0.3) ** 2
    if branch == "c":
        return 0.2
    d1 = (a1 - 0.15) ** 2 + (a2 - 0.85) ** 2 + (a3 - 0.15) ** 2
    d2 = (a1 - 0.85) ** 2 + (a2 - 0.15) ** 2 + (a3 - 0.85) ** 2
    return min(d1, d2)


FUNCTIONS = {
    "branin": branin,
    "hartmann6": hartmann6,
    "levy5": levy5,
    "rosenbrock4": rosenbrock4,
    "ackley5": ackley5,
    "styblinskiTang6": styblinski_tang6,
    "rastrigin10": rastrigin10,
    "mixed": mixed,
    "planted": planted,
}

SAMPLERS = {
    "tpe": ("TPESampler(multivariate=True, group=True, seed=seed)", lambda seed: optuna.samplers.TPESampler(multivariate=True, group=True, seed=seed)),
    "gp": ("GPSampler(seed=seed)", lambda seed: optuna.samplers.GPSampler(seed=seed)),
    "cmaes": ("CmaEsSampler(seed=seed)", lambda seed: optuna.samplers.CmaEsSampler(seed=seed)),
    "random": ("RandomSampler(seed=seed)", lambda seed: optuna.samplers.RandomSampler(seed=seed)),
}


def main():
    args = json.loads(sys.argv[1])
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")  # experimental-feature and fallback warnings, one per study
    best = {}
    seconds = {}
    for s in args["samplers"]:
        best[s], seconds[s] = {}, {}
        for name in args["functions"]:
            best[s][name] = []
            t0 = time.perf_counter()
            for seed in args["seeds"]:
                study = optuna.create_study(direction="minimize", sampler=SAMPLERS[s][1](seed))
                study.optimize(FUNCTIONS[name], n_trials=args["trials"])
                best[s][name].append(study.best_value)
            seconds[s][name] = (time.perf_counter() - t0) / (len(args["seeds"]) * args["trials"])
            print(f"optuna {s} {name} done", file=sys.stderr, flush=True)
    print(json.dumps({"optuna": optuna.__version__, "samplers": {s: SAMPLERS[s][0] for s in args["samplers"]}, "best": best, "secondsPerTrial": seconds}))


if __name__ == "__main__":
    main()
