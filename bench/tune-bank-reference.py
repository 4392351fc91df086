"""Optuna 3.1's TPESampler (defaults, Debian's python3-optuna) choosing GBDT parameters for the bank task of
bench/tune-bank.ts, through the ask-and-tell interface: for each trial it prints the parameters as one JSON
line and reads back the objective value, which the Node side computes by training mlcycle's GBDT. Both
samplers therefore tune the very same learner on the very same data, and only the sampling differs.
Usage: tune-bank-reference.py SEED TRIALS; stdin/stdout carry the protocol; the last line is the result."""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def suggest(trial):
    # The space of BANK_SPACE in bench/tune-bank.ts.
    return {
        "learningRate": trial.suggest_float("learningRate", 0.02, 0.3, log=True),
        "numLeaves": trial.suggest_int("numLeaves", 4, 64, log=True),
        "minDataInLeaf": trial.suggest_int("minDataInLeaf", 5, 200, log=True),
        "featureFraction": trial.suggest_float("featureFraction", 0.5, 1.0),
        "lambdaL2": trial.suggest_float("lambdaL2", 1e-3, 10.0, log=True),
    }


def main():
    seed, trials = (int(arg) for arg in sys.argv[1:3])
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    for _ in range(trials):
        trial = study.ask()
        print(json.dumps({"params": suggest(trial)}), flush=True)
        value = json.loads(sys.stdin.readline())["value"]
        study.tell(trial, value)
    print(json.dumps({"optuna": optuna.__version__, "best": study.best_value}), flush=True)


main()
