"""References for the lightgbm-examples rows of `npm run bench -- gbdt`: XGBoost `hist` (lossguide) and
scikit-learn's HistGradientBoosting on LightGBM's example data (binary, regression, multiclass), 100 rounds
of 31 leaves, learning rate 0.1, at least 20 rows per leaf, 255 bins, 2 threads.

Usage: /usr/bin/python3 bench/gbdt-examples-reference.py FOLDER, FOLDER holding LightGBM's {task}.train and
{task}.test (tab-separated, label first). Prints JSON: per task and library, train seconds and the test
metric (AUC, RMSE, multi-class log-loss). Debian packages python3-xgboost and python3-sklearn.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np
import xgboost
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import log_loss, roc_auc_score

folder = sys.argv[1]
ROUNDS, LEAVES = 100, 31
TASKS = {
    "binary": ("binary:logistic", HistGradientBoostingClassifier, lambda y, p: roc_auc_score(y, p if p.ndim == 1 else p[:, 1])),
    "regression": ("reg:squarederror", HistGradientBoostingRegressor, lambda y, p: float(np.sqrt(np.mean((p - y) ** 2)))),
    "multiclass": ("multi:softprob", HistGradientBoostingClassifier, lambda y, p: log_loss(y, p, labels=[0, 1, 2, 3, 4])),
}
result = {}
for task, (objective, estimator, metric) in TASKS.items():
    train, test = np.loadtxt(f"{folder}/{task}.train"), np.loadtxt(f"{folder}/{task}.test")
    x, y, tx, ty = train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]
    params = {"objective": objective, "tree_method": "hist", "grow_policy": "lossguide", "max_leaves": LEAVES, "max_depth": 0,
              "eta": 0.1, "nthread": 2, "max_bin": 255, "min_child_weight": 1e-3}
    if task == "multiclass":
        params["num_class"] = 5
    start = time.perf_counter()
    booster = xgboost.train(params, xgboost.DMatrix(x, label=y, nthread=2), num_boost_round=ROUNDS)
    seconds = time.perf_counter() - start
    entry = {"xgboost": {"seconds": seconds, "metric": float(metric(ty, booster.predict(xgboost.DMatrix(tx, nthread=2))))}}
    start = time.perf_counter()
    model = estimator(max_iter=ROUNDS, max_leaf_nodes=LEAVES, learning_rate=0.1, min_samples_leaf=20, max_bins=255, early_stopping=False).fit(x, y)
    seconds = time.perf_counter() - start
    predicted = model.predict(tx) if task == "regression" else model.predict_proba(tx)
    entry["sklearn"] = {"seconds": seconds, "metric": float(metric(ty, predicted))}
    result[task] = entry
print(json.dumps(result))
