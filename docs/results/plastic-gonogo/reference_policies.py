"""Reference policies for K-cue go/no-go with reversal (GoNoGoReversalTask), simulated.

Draws episodes the way the task does (a random half of the K cues Go, reversal step uniform in
[T/3, 2T/3], one uniform cue per step, feedback = correct response of the previous step) and
scores three policies with the table's measures: accuracy over all steps, steps after the
reversal until 4 of 5 consecutive steps are right (EpisodeRun's criterion), and the accuracy in
the 10 steps before and the 10 steps from the reversal.

  percue  binds each cue to the outcome the feedback last reported for it; guesses on a cue it
          has not seen;
  flip    as percue, but when the feedback contradicts a remembered cue it flips every
          remembered cue (it infers the reversal from one surprise);
  bernoulli(p)  right on each step independently with probability p: what the reversal measure
          gives a network that is merely p-accurate.

Usage: python3 reference_policies.py   (standard library only; about a minute)
"""
import math
import random

T = 40
WINDOW, CRITERION = 5, 0.8
SPAN = 10


def steps_to_criterion(correct, start):
    need = math.ceil(CRITERION * WINDOW - 1e-9)
    for s in range(start, len(correct) - WINDOW + 1):
        if sum(correct[s:s + WINDOW]) >= need:
            return s - start
    return None


def reversal_step(rnd):
    return T // 3 + rnd.randrange(2 * T // 3 - T // 3 + 1)


def memory_policy(cues, flip_all, episodes=20000, seed=1):
    rnd = random.Random(seed)
    right = 0
    adapt = []
    around = [[0, 0], [0, 0]]
    for _ in range(episodes):
        order = list(range(cues))
        rnd.shuffle(order)
        go = [False] * cues
        for c in order[cues // 2:]:
            go[c] = True
        r = reversal_step(rnd)
        memory = [None] * cues
        previous = None
        correct = []
        for t in range(T):
            cue = rnd.randrange(cues)
            truth = go[cue] == (t < r)
            if previous is not None:
                seen, outcome = previous
                if flip_all and memory[seen] is not None and memory[seen] != outcome:
                    memory = [None if m is None else not m for m in memory]
                memory[seen] = outcome
            guess = memory[cue] if memory[cue] is not None else rnd.random() < 0.5
            correct.append(guess == truth)
            previous = (cue, truth)
        right += sum(correct)
        for t in range(max(0, r - SPAN), min(T, r + SPAN)):
            tally = around[0] if t < r else around[1]
            tally[0] += correct[t]
            tally[1] += 1
        k = steps_to_criterion(correct, r)
        if k is not None:
            adapt.append(k)
    before, after = (hits / total for hits, total in around)
    return right / (episodes * T), sum(adapt) / len(adapt), len(adapt) / episodes, before, after


def bernoulli(p, episodes=20000, seed=2):
    rnd = random.Random(seed)
    adapt = []
    for _ in range(episodes):
        r = reversal_step(rnd)
        k = steps_to_criterion([rnd.random() < p for _ in range(T)], r)
        if k is not None:
            adapt.append(k)
    return sum(adapt) / len(adapt), len(adapt) / episodes


if __name__ == "__main__":
    for cues in (2, 4, 8):
        for name, flip_all in (("percue", False), ("flip", True)):
            acc, steps, reach, before, after = memory_policy(cues, flip_all)
            print(f"K={cues} {name}: accuracy {acc:.3f}, steps to criterion after the reversal"
                  f" {steps:.2f} ({100 * reach:.0f} % of episodes reach it), accuracy 10 steps"
                  f" before / after {before:.3f} / {after:.3f}")
    for p in (0.5, 0.6, 0.7, 0.75):
        steps, reach = bernoulli(p)
        print(f"bernoulli({p}): steps to criterion after the reversal {steps:.2f}"
              f" ({100 * reach:.0f} % reach it)")
