"""Celery app of the orchestration-overhead peer (bench/hpo-orchestration.ts).

One task: Branin at the given point, the same function and constants as
workflows/search/test-functions.ts. It also returns how long the evaluation itself took, so the
driver can subtract it from the per-trial round trip (it is microseconds: the figure is overhead).

Broker and result backend: FAULTLINE_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0). The
queue name comes from FAULTLINE_BENCH_CELERY_QUEUE so a run never shares a queue with another.
"""
import math
import os
import time

from celery import Celery

REDIS_URL = os.environ.get("FAULTLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
QUEUE = os.environ.get("FAULTLINE_BENCH_CELERY_QUEUE", "faultline-bench")

app = Celery("faultline_bench", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue=QUEUE,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Results are read once by the driver, then forgotten; expire leftovers of a crashed run.
    result_expires=600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)

B = 5.1 / (4 * math.pi**2)
C = 5 / math.pi
T = 1 / (8 * math.pi)


def branin(x1: float, x2: float) -> float:
    return (x2 - B * x1 * x1 + C * x1 - 6) ** 2 + 10 * (1 - T) * math.cos(x1) + 10


@app.task(name="faultline_bench.branin")
def branin_task(x1: float, x2: float) -> dict:
    t0 = time.perf_counter()
    value = branin(x1, x2)
    return {"value": value, "evalMs": (time.perf_counter() - t0) * 1000}
