"""Optuna with its RDB storage on the local Postgres: the durable Python peer of bench/hpo-orchestration.ts.

Usage: python bench/peers/optuna_rdb.py '{"trials": 500, "windows": [1, 8, 32], "seed": 0, "warmup": 16, "url": "postgresql://..."}'
Every trial is Branin (instant), random sampler, no pruning: what is measured is Optuna's own
bookkeeping, each trial's rows written to and read from Postgres (RDBStorage, SQLAlchemy +
psycopg2), as a user would run it: study.optimize(n_jobs=C) threads, one fresh study per C.
Prints one JSON object on its last line:
  {"optuna": version, "sqlalchemy": version, "results": [{"window", "trials", "wallSec", "trialsPerSec", "msPerTrialWall", "best"}]}
or {"skipped": reason}.
"""
import json
import math
import sys
import time

try:
    import optuna
    import psycopg2
    import sqlalchemy
except ImportError as e:  # the caller reports the peer as skipped, with how to get it
    print(json.dumps({"skipped": f"missing package: {e.name}"}))
    sys.exit(0)


def branin(trial: "optuna.Trial") -> float:
    x1 = trial.suggest_float("x1", -5.0, 10.0)
    x2 = trial.suggest_float("x2", 0.0, 15.0)
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def ensure_database(url: str) -> None:
    """Creates the peer's own database once (the server's `postgres` database is left alone)."""
    u = sqlalchemy.engine.make_url(url)
    admin = psycopg2.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{u.database}"')
    admin.close()


def run(storage: "optuna.storages.RDBStorage", name: str, trials: int, window: int, seed: int) -> dict:
    study = optuna.create_study(study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed=seed), direction="minimize")
    t0 = time.perf_counter()
    study.optimize(branin, n_trials=trials, n_jobs=window)
    wall = time.perf_counter() - t0
    done = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    return {"window": window, "trials": done, "wallSec": wall, "trialsPerSec": done / wall, "msPerTrialWall": 1000 * wall / done, "best": study.best_value}


def main() -> None:
    args = json.loads(sys.argv[1])
    # The driver installed with the peer (SQLAlchemy's default for postgresql:// may be another one).
    args["url"] = str(sqlalchemy.engine.make_url(args["url"]).set(drivername="postgresql+psycopg2"))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        ensure_database(args["url"])
    except Exception as e:  # noqa: BLE001 - any connection problem means: no Postgres for the peer
        print(json.dumps({"skipped": f"cannot reach Postgres at {args['url']}: {e}"}))
        return
    # Pool large enough for every thread: a thread waiting for a connection would be measured as Optuna's cost.
    storage = optuna.storages.RDBStorage(args["url"], engine_kwargs={"pool_size": max(args["windows"]) + 2, "max_overflow": 0})
    tag = str(int(time.time()))
    run(storage, f"warmup-{tag}", args["warmup"], max(args["windows"]), args["seed"])
    results = [run(storage, f"bench-c{w}-{tag}", args["trials"], w, args["seed"]) for w in args["windows"]]
    print(json.dumps({"optuna": optuna.__version__, "sqlalchemy": sqlalchemy.__version__, "results": results}))


main()
