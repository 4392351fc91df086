"""Optuna 3.1's TPESampler (defaults, Debian's python3-optuna) on the test functions of bench/tune.ts:
the median over seeds of the best value after N trials, and the time per trial of one long run.
With SQLITE_TRIALS, also the time per trial of a study of that many trials kept in Optuna's SQLite storage.
Usage: tune-reference.py SEEDS TRIALS OVERHEAD_TRIALS [SQLITE_TRIALS]; prints one JSON object."""
import json
import math
import statistics
import os
import sys
import tempfile
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

# Hartmann-6 constants (Dixon and Szego 1978, as in Surjanovic and Bingham's Virtual Library of Simulation Experiments).
H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def branin(trial):
    x = trial.suggest_float("x0", -5, 10)
    y = trial.suggest_float("x1", 0, 15)
    return (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10


def hartmann6(trial):
    x = np.array([trial.suggest_float(f"x{i}", 0, 1) for i in range(6)])
    return float(-np.sum(H6_ALPHA * np.exp(-np.sum(H6_A * (x - H6_P) ** 2, axis=1))))


def sphere10(trial):
    return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(10))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "sphere10": sphere10}


def main():
    seeds, trials, overhead_trials = (int(arg) for arg in sys.argv[1:4])
    sqlite_trials = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    result = {"optuna": optuna.__version__, "best": {}}
    for name, objective in FUNCTIONS.items():
        bests = []
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(objective, n_trials=trials)
            bests.append(study.best_value)
        result["best"][name] = {"median": statistics.median(bests), "values": bests}
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    start = time.perf_counter()
    study.optimize(branin, n_trials=overhead_trials)
    result["overheadMsPerTrial"] = (time.perf_counter() - start) * 1000 / overhead_trials
    if sqlite_trials > 0:
        with tempfile.TemporaryDirectory() as folder:
            storage = "sqlite:///" + os.path.join(folder, "optuna.db")
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0), storage=storage)
            start = time.perf_counter()
            study.optimize(branin, n_trials=sqlite_trials)
            result["sqliteOverheadMsPerTrial"] = (time.perf_counter() - start) * 1000 / sqlite_trials
    json.dump(result, sys.stdout)
    print()


main()
