"""Driver of the Celery orchestration-overhead peer (bench/hpo-orchestration.ts).

Usage: python bench/peers/celery_fanout/driver.py '{"trials": 500, "windows": [8, 1, 32],
        "seed": 0, "workerConcurrency": 2, "warmup": 20}'

Starts a Celery worker as a subprocess (`celery -A tasks worker --concurrency N --pool prefork
-q`) on a queue of its own, then for each window W runs the same fan-out as our campaign: `trials`
Branin evaluations at random points (seeded), at most W in flight, a new one submitted as soon as
one finishes (sliding window; finished results found by polling AsyncResult.ready()), every result
collected. Wall time runs from the first submit to the last result.

Prints one JSON object on its last stdout line. Exit code 3 when celery/redis cannot be imported,
4 when the broker is unreachable (the caller reports the peer as skipped, with the reason).
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import celery
    import redis
except ImportError as e:  # reported as "skipped", never a made-up figure
    print(json.dumps({"skipped": f"cannot import celery/redis: {e}"}))
    sys.exit(3)


def main() -> None:
    args = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    trials = int(args.get("trials", 500))
    windows = [int(w) for w in args.get("windows", [8])]
    seed = int(args.get("seed", 0))
    worker_concurrency = int(args.get("workerConcurrency", 2))
    warmup = int(args.get("warmup", 20))
    poll_sleep = float(args.get("pollSleepMs", 0.2)) / 1000

    queue = f"faultline-bench-{os.getpid()}"
    os.environ["FAULTLINE_BENCH_CELERY_QUEUE"] = queue
    sys.path.insert(0, HERE)
    from tasks import REDIS_URL, app, branin_task  # noqa: E402 (needs the queue env first)

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"skipped": f"redis at {REDIS_URL} unreachable: {e}"}))
        sys.exit(4)

    cmd = [sys.executable, "-m", "celery", "-A", "tasks", "-q", "worker", "--concurrency", str(worker_concurrency),
           "--pool", "prefork", "-Q", queue, "-n", f"{queue}@%h", "--loglevel", "WARNING"]
    worker = subprocess.Popen(cmd, cwd=HERE, env={**os.environ, "PYTHONWARNINGS": "ignore"}, stdout=subprocess.DEVNULL, stderr=sys.stderr,
                              start_new_session=True)
    try:
        # Ready when a task comes back; also warms the pool processes and connections.
        t0 = time.perf_counter()
        first = branin_task.delay(1.0, 1.0)
        while not first.ready():
            if worker.poll() is not None:
                raise RuntimeError(f"celery worker exited with code {worker.returncode}: {' '.join(cmd)}")
            if time.perf_counter() - t0 > 60:
                raise RuntimeError("celery worker did not answer within 60 s")
            time.sleep(0.05)
        first.get()
        first.forget()
        startup_sec = time.perf_counter() - t0
        if warmup > 0:
            run_window(branin_task, random.Random(seed + 1), warmup, max(windows), poll_sleep)
        results = []
        for w in windows:
            r = run_window(branin_task, random.Random(seed), trials, w, poll_sleep)
            results.append({"window": w, **r})
            print(f"celery window {w}: {r['trialsPerSec']:.1f} trials/s, {r['msPerTrialWall']:.2f} ms/trial wall, "
                  f"{r['overheadMsPerTrial']:.2f} ms/trial overhead", file=sys.stderr)
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        except ProcessLookupError:
            pass
        try:
            r = redis.Redis.from_url(REDIS_URL)
            r.delete(queue)
        except Exception:  # noqa: BLE001
            pass

    print(json.dumps({
        "celery": celery.__version__,
        "redisPy": redis.__version__,
        "python": sys.version.split()[0],
        "pool": "prefork",
        "workerConcurrency": worker_concurrency,
        "workerStartupSec": startup_sec,
        "results": results,
    }))


def run_window(task, rng: random.Random, trials: int, window: int, poll_sleep: float) -> dict:
    points = [(rng.uniform(-5, 10), rng.uniform(0, 15)) for _ in range(trials)]
    pending = []
    done = 0
    eval_ms = 0.0
    best = float("inf")
    nxt = 0
    t0 = time.perf_counter()
    while done < trials:
        while nxt < trials and len(pending) < window:
            pending.append(task.delay(*points[nxt]))
            nxt += 1
        still = []
        for res in pending:
            if res.ready():
                out = res.get()  # already there: no wait; raises if the task failed
                res.forget()
                done += 1
                eval_ms += out["evalMs"]
                best = min(best, out["value"])
            else:
                still.append(res)
        if len(still) == len(pending) and poll_sleep > 0:
            time.sleep(poll_sleep)
        pending = still
    wall = time.perf_counter() - t0
    slot_ms = wall * 1000 * window / trials
    return {
        "trials": trials,
        "wallSec": wall,
        "trialsPerSec": trials / wall,
        "msPerTrialWall": wall * 1000 / trials,
        "msPerTrialPerSlot": slot_ms,
        "evalMsMean": eval_ms / trials,
        "overheadMsPerTrial": slot_ms - eval_ms / trials,
        "best": best,
    }


if __name__ == "__main__":
    main()
