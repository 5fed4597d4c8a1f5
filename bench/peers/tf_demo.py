"""The benchmark protocol (protocol.py) in TensorFlow 2 Python: a tf.function training step, the
Keras Adam optimizer, per-example gradients for the Fisher with tf.vectorized_map in one
tf.function per task boundary.

Run by `metaplastic bench --peers`; by hand: python tf_demo.py --fresh si --methods plain,si,ewc
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol  # noqa: E402

START = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

FISHER_CHUNK = 128


class TfLearner(protocol.Learner):
    def __init__(self, method):
        self.method = method
        glorot = keras.initializers.GlorotUniform()
        sizes = (784,) + protocol.HIDDEN
        self.trunk = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.trunk.append((tf.Variable(glorot((a, b))), tf.Variable(tf.zeros(b))))
        self.heads = [
            (
                tf.Variable(glorot((sizes[-1], protocol.CLASSES_PER_TASK))),
                tf.Variable(tf.zeros(protocol.CLASSES_PER_TASK)),
            )
            for _ in range(protocol.TASKS)
        ]
        self.params = [v for layer in self.trunk + self.heads for v in layer]
        self.optimizer = keras.optimizers.Adam(
            learning_rate=protocol.LEARNING_RATE,
            beta_1=protocol.BETA1,
            beta_2=protocol.BETA2,
            epsilon=protocol.EPSILON,
        )
        self.optimizer.build(self.params)

        def state(initial):
            return [tf.Variable(initial(p), trainable=False) for p in self.params]

        self.importance = state(tf.zeros_like)  # SI's Omega or EWC's summed Fisher
        self.anchor = state(tf.identity)
        self.omega = state(tf.zeros_like)
        self.start = state(tf.identity)
        self.step = tf.function(self._step)
        self.logits = tf.function(self._logits)
        self.fisher = tf.function(self._fisher)
        self.boundary = tf.function(self._si_boundary if method == "si" else self._ewc_boundary)

    def _logits(self, x, task):
        h = x
        for kernel, bias in self.trunk:
            h = tf.nn.relu(tf.matmul(h, kernel) + bias)
        all_heads = tf.stack([tf.matmul(h, k) + b for k, b in self.heads], axis=1)
        return tf.gather(all_heads, task, axis=1, batch_dims=1)

    def _step(self, x, y, task):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(y, self._logits(x, task))
            )
        grads = tape.gradient(loss, self.params)
        if self.method == "plain":
            self.optimizer.apply_gradients(zip(grads, self.params))
            return loss
        strength = 2 * protocol.SI_C if self.method == "si" else protocol.EWC_LAMBDA
        total = [
            g + strength * w * (p - a)
            for g, p, w, a in zip(grads, self.params, self.importance, self.anchor)
        ]
        before = [tf.identity(p) for p in self.params]
        self.optimizer.apply_gradients(zip(total, self.params))
        if self.method == "si":
            for o, g, p, b in zip(self.omega, grads, self.params, before):
                o.assign_sub(g * (p - b))
        return loss

    def _si_boundary(self):
        for w, o, p, s, a in zip(self.importance, self.omega, self.params, self.start, self.anchor):
            w.assign(tf.nn.relu(w + o / (tf.square(p - s) + protocol.SI_XI)))
            o.assign(tf.zeros_like(o))
            s.assign(p)
            a.assign(p)

    def _ewc_boundary(self, fisher):
        for w, a, p, f in zip(self.importance, self.anchor, self.params, fisher):
            total = w + f
            positive = total > 0
            safe = tf.where(positive, total, tf.ones_like(total))
            a.assign(tf.where(positive, a + f / safe * (p - a), p))
            w.assign(total)

    def _fisher(self, x, task, seed):
        """Summed squared per-example gradients of log p(y|x), y ~ softmax, over the chunk."""
        drawn = tf.random.stateless_categorical(self._logits(x, task), 1, seed)[:, 0]
        labels = tf.one_hot(drawn, protocol.CLASSES_PER_TASK)

        def per_example(args):
            xi, ti, yi = args
            with tf.GradientTape() as tape:
                log_p = tf.nn.log_softmax(self._logits(xi[None], ti[None]))[0]
                objective = tf.reduce_sum(log_p * yi)
            return [tf.square(g) for g in tape.gradient(objective, self.params)]

        squares = tf.vectorized_map(per_example, (x, task, labels))
        return [tf.reduce_sum(s, axis=0) for s in squares]

    def train_step(self, x, y, task):
        self.step(x, y, tf.fill([len(x)], task))

    def consolidate(self, x, task, rng):
        if self.method == "si":
            self.boundary()
        elif self.method == "ewc":
            sample = protocol.ewc_sample(x, rng)
            total = [tf.zeros_like(p) for p in self.params]
            for s in range(0, len(sample), FISHER_CHUNK):
                rows = sample[s : s + FISHER_CHUNK]
                seed = rng.integers(0, 2**31, size=2)
                chunk = self.fisher(rows, tf.fill([len(rows)], task), seed)
                total = [t + c for t, c in zip(total, chunk)]
            self.boundary([t / len(sample) for t in total])

    def correct(self, x, y, task):
        logits = self.logits(x, tf.fill([len(x)], task))
        return int(tf.reduce_sum(tf.cast(tf.argmax(logits, 1) == y, tf.int32)))


def main():
    args = protocol.arguments(__doc__)
    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)
    protocol.emit(event="import", seconds=time.perf_counter() - START)
    protocol.main("tensorflow", tf.__version__, TfLearner, args)


if __name__ == "__main__":
    main()
