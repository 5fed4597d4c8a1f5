"""The benchmark protocol (protocol.py) in PyTorch: eager training, torch.optim.Adam, per-example
gradients for the Fisher with torch.func (vmap of grad) in chunks.

Run by `metaplastic bench --peers`; by hand: python torch_demo.py --fresh si --methods plain,si,ewc
"""

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol  # noqa: E402

START = time.perf_counter()
import torch  # noqa: E402
from torch.func import functional_call, grad, vmap  # noqa: E402

FISHER_CHUNK = 128


class MultiHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        sizes = (784,) + protocol.HIDDEN
        self.trunk = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])
        )
        self.heads = torch.nn.ModuleList(
            torch.nn.Linear(sizes[-1], protocol.CLASSES_PER_TASK) for _ in range(protocol.TASKS)
        )
        for layer in list(self.trunk) + list(self.heads):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x, task):
        h = x
        for layer in self.trunk:
            h = torch.relu(layer(h))
        logits = torch.stack([head(h) for head in self.heads], dim=1)
        return logits[torch.arange(len(x)), task]


class TorchLearner(protocol.Learner):
    def __init__(self, method):
        self.method = method
        self.model = MultiHead()
        self.params = list(self.model.parameters())
        self.optimizer = torch.optim.Adam(
            self.params,
            lr=protocol.LEARNING_RATE,
            betas=(protocol.BETA1, protocol.BETA2),
            eps=protocol.EPSILON,
        )
        zeros = [torch.zeros_like(p) for p in self.params]
        self.importance = [z.clone() for z in zeros]  # SI's Omega or EWC's summed Fisher
        self.anchor = [p.detach().clone() for p in self.params]
        self.omega = [z.clone() for z in zeros]
        self.start = [p.detach().clone() for p in self.params]

    def train_step(self, x, y, task):
        x = torch.from_numpy(x)
        y = torch.from_numpy(y)
        tasks = torch.full((len(x),), task, dtype=torch.long)
        self.optimizer.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(self.model(x, tasks), y)
        loss.backward()
        if self.method == "plain":
            self.optimizer.step()
            return
        with torch.no_grad():
            task_grads = [p.grad.clone() for p in self.params]
            strength = 2 * protocol.SI_C if self.method == "si" else protocol.EWC_LAMBDA
            for p, w, a in zip(self.params, self.importance, self.anchor):
                p.grad.add_(strength * w * (p - a))
            before = [p.detach().clone() for p in self.params]
        self.optimizer.step()
        if self.method == "si":
            with torch.no_grad():
                for o, g, p, b in zip(self.omega, task_grads, self.params, before):
                    o.sub_(g * (p - b))

    def consolidate(self, x, task, rng):
        with torch.no_grad():
            if self.method == "si":
                for i, p in enumerate(self.params):
                    shift = (p - self.start[i]) ** 2 + protocol.SI_XI
                    self.importance[i] = torch.relu(self.importance[i] + self.omega[i] / shift)
                    self.omega[i].zero_()
                    self.start[i] = p.detach().clone()
                    self.anchor[i] = p.detach().clone()
            elif self.method == "ewc":
                fisher = self.fisher(protocol.ewc_sample(x, rng), task)
                for i, p in enumerate(self.params):
                    total = self.importance[i] + fisher[i]
                    safe = torch.where(total > 0, total, torch.ones_like(total))
                    self.anchor[i] = torch.where(
                        total > 0, self.anchor[i] + fisher[i] / safe * (p - self.anchor[i]), p
                    )
                    self.importance[i] = total

    def fisher(self, x, task):
        """Mean squared per-example gradient of log p(y|x), y ~ softmax: one vmap per chunk."""
        names = [n for n, _ in self.model.named_parameters()]
        values = {n: p.detach() for n, p in self.model.named_parameters()}

        def log_likelihood(params, xi, yi):
            logits = functional_call(self.model, params, (xi[None], torch.tensor([task])))
            return (torch.log_softmax(logits, dim=1)[0] * yi).sum()

        per_example = vmap(grad(log_likelihood), in_dims=(None, 0, 0))
        total = [torch.zeros_like(values[n]) for n in names]
        x = torch.from_numpy(x)
        with torch.no_grad():
            probabilities = torch.softmax(self.model(x, torch.full((len(x),), task)), dim=1)
            labels = torch.nn.functional.one_hot(
                torch.multinomial(probabilities, 1).squeeze(1), protocol.CLASSES_PER_TASK
            ).float()
        for s in range(0, len(x), FISHER_CHUNK):
            grads = per_example(values, x[s : s + FISHER_CHUNK], labels[s : s + FISHER_CHUNK])
            for i, n in enumerate(names):
                total[i] += (grads[n] ** 2).sum(0)
        return [t / len(x) for t in total]

    def correct(self, x, y, task):
        with torch.no_grad():
            logits = self.model(torch.from_numpy(x), torch.full((len(x),), task))
            return int((logits.argmax(1) == torch.from_numpy(y)).sum())


def main():
    args = protocol.arguments(__doc__)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)
    protocol.emit(event="import", seconds=time.perf_counter() - START)
    protocol.main("torch", torch.__version__, TorchLearner, args)


if __name__ == "__main__":
    main()
