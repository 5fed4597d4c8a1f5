"""Reference policies for Go/No-Go learned from reward with reversals (RewardedGoNoGoTask), simulated.

Draws episodes the way the task does (K = 4 cues, a random half Go; T = 80 trials in blocks of
15-25 trials, the mapping reversing at each block; one uniform cue per trial; hit +1, miss 0,
false alarm -1, correct rejection 0) and scores tabular policies that keep one belief per cue
(Go, No-Go or unknown) with the study's measures: reward per trial, accuracy, and trials to
criterion after a reversal (4 of 5 consecutive trials right, within the block; the mean over
reversals that reach it, and the share that do).

  random        responds with probability 1/2 whatever the cue: the chance level of every measure.
  per-cue       responds to a cue believed Go or unknown, withholds on one believed No-Go; a hit
                marks the cue Go, a false alarm No-Go. It learns from its own outcomes only, as a
                dopamine-gated synapse does: a withheld cue gives no outcome, so after a reversal
                a cue believed No-Go (now Go) is never tried again unless it explores.
  per-cue+eps   the same, responding to a cue believed No-Go with probability eps (exploration).
  per-cue+reset the same as per-cue, but a surprise (a false alarm on a cue believed Go) wipes
                every belief: the noradrenaline-like reset of the study, which sends the agent back
                to exploring every cue.
  flip-all      knows the task's structure: a surprise flips every belief, and once one Go (No-Go)
                cue is known the half structure is not used (beliefs are per cue). The ceiling of
                within-episode inference without knowing the half structure.

Usage: python3 reference_policies.py   (standard library only; under a minute)
"""
import math
import random

K, T, MIN_BLOCK, MAX_BLOCK = 4, 80, 15, 25
WINDOW, CRITERION = 5, 0.8
HIT, MISS, FALSE_ALARM, CORRECT_REJECTION = 1, 0, -1, 0


def steps_to_criterion(correct, start, end):
    need = math.ceil(CRITERION * WINDOW - 1e-9)
    for s in range(start, end - WINDOW + 1):
        if sum(correct[s:s + WINDOW]) >= need:
            return s - start
    return None


def episode(rnd):
    order = list(range(K))
    rnd.shuffle(order)
    go_in_a = [False] * K
    for c in order[K // 2:]:
        go_in_a[c] = True
    reversals, t = [], MIN_BLOCK + rnd.randrange(MAX_BLOCK - MIN_BLOCK + 1)
    while t < T:
        reversals.append(t)
        t += MIN_BLOCK + rnd.randrange(MAX_BLOCK - MIN_BLOCK + 1)
    cues = [rnd.randrange(K) for _ in range(T)]
    go = []
    for t in range(T):
        reversed_ = sum(1 for r in reversals if r <= t) % 2 == 1
        go.append(go_in_a[cues[t]] != reversed_)
    return cues, go, reversals


def play(policy, episodes=20000, seed=1, eps=0.0):
    rnd = random.Random(seed)
    reward = right = trials = 0
    ttc, reached, blocks = 0.0, 0, 0
    for _ in range(episodes):
        cues, go, reversals = episode(rnd)
        belief = [None] * K
        correct = []
        for t in range(T):
            c = cues[t]
            if policy == "random":
                respond = rnd.random() < 0.5
            else:
                respond = belief[c] is not False or rnd.random() < eps
            r = (HIT if go[t] else FALSE_ALARM) if respond else (MISS if go[t] else CORRECT_REJECTION)
            if respond:
                surprise = belief[c] is True and not go[t]
                if surprise and policy == "reset":
                    belief = [None] * K
                elif surprise and policy == "flip":
                    belief = [None if b is None else not b for b in belief]
                belief[c] = go[t]
            reward += r
            right += respond == go[t]
            trials += 1
            correct.append(respond == go[t])
        for k, r in enumerate(reversals):
            end = reversals[k + 1] if k + 1 < len(reversals) else T
            n = steps_to_criterion(correct, r, end)
            blocks += 1
            if n is not None:
                reached += 1
                ttc += n
    return reward / trials, right / trials, ttc / max(reached, 1), reached / blocks


if __name__ == "__main__":
    print("| policy | reward per trial | accuracy | trials to criterion after a reversal | share of reversals reaching it |")
    print("|---|---|---|---|---|")
    for name, policy, eps in [
        ("random", "random", 0.0),
        ("per-cue", "plain", 0.0),
        ("per-cue+eps (0.1)", "plain", 0.1),
        ("per-cue+eps (0.3)", "plain", 0.3),
        ("per-cue+reset", "reset", 0.0),
        ("flip-all", "flip", 0.0),
    ]:
        r, a, n, share = play(policy, eps=eps)
        print(f"| {name} | {r:.3f} | {a:.3f} | {n:.2f} | {share:.2f} |")
