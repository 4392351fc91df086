"""numpy reference timings for bench/off-policy.ts: the five OBP estimators with a vectorised bootstrap,
and the one-pass value curve scikit-learn's `_binary_clf_curve` computes, on the files the bench wrote."""
import json
import os
import sys
import time

import numpy as np

scratch, resamples = sys.argv[1], int(sys.argv[2])


def load(name):
    return np.fromfile(os.path.join(scratch, name), dtype=np.float64)


action = load("actions.f64").astype(np.int64)
pscore = load("propensities.f64")
reward = load("rewards.f64")
n = len(action)
pi_e = load("probabilities.f64").reshape(n, -1)
q_hat = load("predictions.f64").reshape(n, -1)

start = time.perf_counter()
iw = pi_e[np.arange(n), action] / pscore
q_pi_e = np.average(q_hat, weights=pi_e, axis=1)
residual = reward - q_hat[np.arange(n), action]
terms = {
    "ips": (iw * reward, None),
    "snips": (iw * reward, iw),
    "dm": (q_pi_e, None),
    "dr": (q_pi_e + iw * residual, None),
    "switch-dr": (q_pi_e + (iw <= 2) * iw * residual, None),
}
estimates = {name: float(a.sum() / (n if b is None else b.sum())) for name, (a, b) in terms.items()}
rng = np.random.default_rng(1)
replicates = {name: [] for name in terms}
for _ in range(resamples):
    idx = rng.integers(0, n, size=n)
    for name, (a, b) in terms.items():
        replicates[name].append(a[idx].sum() / (n if b is None else b[idx].sum()))
intervals = {name: np.percentile(values, [2.5, 97.5]).tolist() for name, values in replicates.items()}
estimate_seconds = time.perf_counter() - start

scores = load("scores.f64")
labels = load("labels.f64")
start = time.perf_counter()
order = np.argsort(scores, kind="mergesort")[::-1]
sorted_scores = scores[order]
sorted_labels = labels[order]
distinct = np.where(np.diff(sorted_scores))[0]
ends = np.r_[distinct, n - 1]
tps = np.r_[0, np.cumsum(sorted_labels)[ends]]
fps = np.r_[0, 1 + ends - tps[1:]]
positives, negatives = labels.sum(), n - labels.sum()
value = (14 * tps - 4 * fps - 6 * (positives - tps)) / n
feasible = fps / negatives <= 0.2
best = int(np.flatnonzero(feasible)[np.argmax(value[feasible])])
thresholds = np.r_[np.inf, sorted_scores[ends]]
curve_seconds = time.perf_counter() - start

print(json.dumps({
    "estimateSeconds": estimate_seconds,
    "curveSeconds": curve_seconds,
    "estimates": estimates,
    "intervals": intervals,
    "bestThreshold": float(thresholds[best]),
    "bestValue": float(value[best]),
}))
