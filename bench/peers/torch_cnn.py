"""PyTorch CPU peer of Faultline's REFERENCE_ARCHITECTURE (ml/model/build.ts).

Same layers, shapes and parameter count (13,428 trainable + 192 batch-norm running statistics),
TensorFlow-style 'same' padding, Adam, batch 32, random 2048x1 inputs. Prints one JSON object.
Run: python3 bench/peers/torch_cnn.py [--train-seconds 10] [--predict-seconds 5]
Exits with code 3 and a JSON {"skipped": reason} when torch is not importable.
"""
import argparse
import json
import math
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the benchmark reports the skip instead of failing
    print(json.dumps({"skipped": f"torch not importable: {e}"}))
    sys.exit(3)


class SameConv1d(nn.Module):
    """Conv1d with TensorFlow 'same' padding (PyTorch's padding='same' rejects stride > 1)."""

    def __init__(self, cin, cout, k, stride=1):
        super().__init__()
        self.k, self.stride = k, stride
        self.conv = nn.Conv1d(cin, cout, k, stride=stride)

    def forward(self, x):
        length = x.shape[-1]
        out = math.ceil(length / self.stride)
        total = max((out - 1) * self.stride + self.k - length, 0)
        return self.conv(F.pad(x, (total // 2, total - total // 2)))


class ReferenceCnn(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.features = nn.Sequential(
            SameConv1d(1, 16, 64, 16), nn.ReLU(), nn.MaxPool1d(2),
            SameConv1d(16, 32, 3), nn.BatchNorm1d(32, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool1d(2),
            SameConv1d(32, 64, 3), nn.BatchNorm1d(64, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool1d(2),
        )
        self.head = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x):  # x: [batch, 1, 2048]
        return self.head(self.features(x).mean(dim=-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train-seconds", type=float, default=10.0)
    p.add_argument("--predict-seconds", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--predict-batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = ReferenceCnn()
    trainable = sum(t.numel() for t in model.parameters())
    buffers = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 1, 2048)
    y = torch.randint(0, 4, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    model.train()
    for _ in range(5):
        step()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < a.train_seconds:
        step()
        n += 1
    train_sps = n * a.batch / (time.perf_counter() - t0)
    # CPU-seconds of every thread of this process: samples per CPU-second compares at equal cores.
    train_cpu_sps = n * a.batch / max(time.process_time() - c0, 1e-9)

    model.eval()
    xp = torch.randn(a.predict_batch, 1, 2048)
    with torch.inference_mode():
        for _ in range(3):
            model(xp)
        m, t0, c0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < a.predict_seconds:
            torch.softmax(model(xp), dim=-1)
            m += 1
        predict_sps = m * a.predict_batch / (time.perf_counter() - t0)
        predict_cpu_sps = m * a.predict_batch / max(time.process_time() - c0, 1e-9)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "trainableParams": trainable,
        "params": trainable + buffers,
        "trainSamplesPerSec": train_sps,
        "predictSamplesPerSec": predict_sps,
        "trainSamplesPerCpuSec": train_cpu_sps,
        "predictSamplesPerCpuSec": predict_cpu_sps,
        "trainBatches": n,
        "batchSize": a.batch,
        "predictBatchSize": a.predict_batch,
    }))


if __name__ == "__main__":
    main()
