"""The benchmark protocol shared by the peer scripts, written with numpy only.

Split Fashion-MNIST, task-incremental: five tasks, classes (0, 1), (2, 3), ... (8, 9), labels 0 or 1
within each task, one two-class head per task on a 784-256-256 ReLU trunk (Glorot-uniform kernels,
zero biases). Adam (learning rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8), batches of 256
(the last one of an epoch smaller), 2 epochs per task, a fresh shuffle each epoch. After each task
the rule consolidates and every task seen so far is tested (batches of 1000). The methods:

  plain  fine-tuning;
  si     Synaptic Intelligence, c = 1, xi = 1e-3: loss + c * sum Omega (theta - theta*)^2; after
         every step omega -= g * delta_theta with the task-loss gradient and the update Adam
         applied; at a boundary Omega = max(0, Omega + omega / ((theta - theta_start)^2 + xi));
  ewc    EWC, lambda = 1000: loss + lambda/2 * sum F (theta - theta_bar)^2 with F the summed
         diagonal Fisher of past tasks and theta_bar their Fisher-weighted anchors; each task's
         Fisher is the mean over 1024 of its training examples of the squared gradient of
         log p(y|x), y drawn from the model's softmax (sampled, not empirical, Fisher).

This is the protocol of `metaplastic bench --peers` and of the Java library's ContinualTrainer. A
peer script gives a Learner (one fresh model per run) and calls `main`; every measurement goes to
stdout as one JSON object per line, and nothing else does.
"""

import argparse
import gzip
import json
import os
import resource
import statistics
import struct
import time

import numpy as np

TASKS = 5
CLASSES_PER_TASK = 2
HIDDEN = (256, 256)
BATCH = 256
EPOCHS = 2
LEARNING_RATE = 1e-3
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8
SI_C, SI_XI = 1.0, 1e-3
EWC_LAMBDA, EWC_SAMPLES = 1000.0, 1024
EVAL_BATCH = 1000
METHODS = ("plain", "si", "ewc")
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def emit(**fields):
    """One measurement, as one JSON line on stdout."""
    print(json.dumps(fields), flush=True)


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array of unsigned bytes."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    with (gzip.open if gzipped else open)(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4 : 4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def find(directory, stem):
    for name in (stem + "-ubyte.gz", stem + "-ubyte"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise SystemExit(f"error: no {stem}-ubyte(.gz) in {directory}")


def split_tasks(directory):
    """[(train_x, train_y, test_x, test_y)] per task; pixels scaled to [0, 1], labels local."""
    sets = {}
    for part, stem in (("train", "train"), ("test", "t10k")):
        images = read_idx(find(directory, stem + "-images-idx3"))
        labels = read_idx(find(directory, stem + "-labels-idx1")).astype(np.int64)
        sets[part] = (images.reshape(len(images), -1).astype(np.float32) / 255.0, labels)
    tasks = []
    for t in range(TASKS):
        task = []
        for part in ("train", "test"):
            x, y = sets[part]
            rows = y // CLASSES_PER_TASK == t
            task += [np.ascontiguousarray(x[rows]), y[rows] - CLASSES_PER_TASK * t]
        tasks.append(tuple(task))
    return tasks


class Learner:
    """What a peer implements, for one model trained from scratch."""

    def train_step(self, x, y, task):
        raise NotImplementedError

    def consolidate(self, x, task, rng):
        """The task boundary: x holds the task's training images; rng draws the examples."""
        raise NotImplementedError

    def correct(self, x, y, task):
        """Number of examples of the batch classified correctly by head `task`."""
        raise NotImplementedError


def run_stream(learner, tasks, seed):
    """Trains on every task in order; returns the average accuracy over tasks after the last."""
    rng = np.random.default_rng(seed)
    row = []
    for t, (x, y, _, _) in enumerate(tasks):
        for _ in range(EPOCHS):
            order = rng.permutation(len(x))
            for start in range(0, len(x), BATCH):
                batch = order[start : start + BATCH]
                learner.train_step(x[batch], y[batch], t)
        learner.consolidate(x, t, rng)
        row = []
        for j in range(t + 1):
            test_x, test_y = tasks[j][2], tasks[j][3]
            hits = sum(
                learner.correct(test_x[s : s + EVAL_BATCH], test_y[s : s + EVAL_BATCH], j)
                for s in range(0, len(test_x), EVAL_BATCH)
            )
            row.append(hits / len(test_x))
    return sum(row) / len(row)


def ewc_sample(x, rng):
    """The EWC_SAMPLES examples of a task whose Fisher is estimated, drawn without replacement."""
    return x[rng.choice(len(x), size=min(EWC_SAMPLES, len(x)), replace=False)]


def time_steps(learner, steps, seed):
    """Median milliseconds of one training step on a fixed random batch (10 rounds)."""
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, 784), dtype=np.float32)
    y = rng.integers(0, CLASSES_PER_TASK, BATCH)
    for _ in range(20):
        learner.train_step(x, y, 0)
    rounds = []
    per_round = max(1, steps // 10)
    for _ in range(10):
        start = time.perf_counter()
        for _ in range(per_round):
            learner.train_step(x, y, 0)
        rounds.append((time.perf_counter() - start) * 1000 / per_round)
    return statistics.median(rounds)


def arguments(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data-dir", default=DEFAULT_DATA)
    p.add_argument(
        "--fresh", choices=METHODS, help="a method whose first run is timed before anything else"
    )
    p.add_argument("--methods", default="plain,si,ewc", help="methods of the repeated runs")
    p.add_argument("--repeats", type=int, default=1, help="repeated runs of each method")
    p.add_argument("--steps", type=int, default=200, help="timed steps per method (0: none)")
    p.add_argument("--threads", type=int, default=0, help="intra- and inter-op threads (0: default)")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def peak_megabytes():
    """This process's peak resident memory: Linux's VmHWM, which starts afresh at exec. (ru_maxrss
    keeps the parent's peak when a large parent, such as the JVM that runs the bench, spawned us.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(peer, version, make_learner, args):
    """Runs the fresh run, the repeated runs and the step timings, emitting each measurement."""
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            raise SystemExit(f"error: unknown method {m}; known: {', '.join(METHODS)}")
    emit(event="peer", peer=peer, version=version, threads=args.threads)
    start = time.perf_counter()
    tasks = split_tasks(args.data_dir)
    emit(event="data", seconds=time.perf_counter() - start)
    plan = ([(args.fresh, "fresh")] if args.fresh else []) + [
        (m, "repeated") for _ in range(args.repeats) for m in methods
    ]
    for method, kind in plan:
        start = time.perf_counter()
        accuracy = run_stream(make_learner(method), tasks, args.seed)
        emit(
            event="run",
            kind=kind,
            method=method,
            seconds=time.perf_counter() - start,
            accuracy=accuracy,
        )
    if args.steps > 0:
        for method in METHODS:
            ms = time_steps(make_learner(method), args.steps, args.seed)
            emit(event="step", method=method, milliseconds=ms)
    emit(event="memory", peak_mb=peak_megabytes())
