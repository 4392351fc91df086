"""References for `npm run bench -- gbdt`: XGBoost `hist` (lossguide, categoricals as codes) and
scikit-learn's HistGradientBoosting (native categoricals), same rounds, leaves, learning rate, 2 threads.

Usage: /usr/bin/python3 bench/gbdt-reference.py FOLDER ROUNDS LEAVES. FOLDER holds train.csv and test.csv
(label first, no header; the last two features categorical). Prints JSON per library: train seconds and
test AUC; for XGBoost also the process's peak resident memory after training (MiB, data loading included,
as mlcycle's figure is), the rows per second of `inplace_predict` on every test row, and its microseconds
per row when given one row at a time. Debian packages python3-xgboost and python3-sklearn.
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np
import xgboost
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

folder, rounds, leaves = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
train = np.loadtxt(f"{folder}/train.csv", delimiter=",")
test = np.loadtxt(f"{folder}/test.csv", delimiter=",")
x, y, tx, ty = train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]
result = {}

start = time.perf_counter()
booster = xgboost.train(
    {"objective": "binary:logistic", "tree_method": "hist", "grow_policy": "lossguide", "max_leaves": leaves, "max_depth": 0,
     "eta": 0.1, "nthread": 2, "max_bin": 255, "min_child_weight": 1e-3},
    xgboost.DMatrix(x, label=y, nthread=2), num_boost_round=rounds)
seconds = time.perf_counter() - start
# ru_maxrss is in KiB on Linux (getrusage(2)).
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
predicted = booster.inplace_predict(tx)
predict_rows_per_s = len(tx) / (time.perf_counter() - start)
single_rows = 20_000
for _ in range(2):  # the first pass warms up, as mlcycle's does
    start = time.perf_counter()
    for row in range(single_rows):
        booster.inplace_predict(tx[row:row + 1])
    single_row_us = (time.perf_counter() - start) / single_rows * 1e6
result["xgboost"] = {"seconds": seconds, "auc": float(roc_auc_score(ty, predicted)), "peak_mib": peak_mib,
                     "predict_rows_per_s": predict_rows_per_s, "single_row_us": single_row_us}

start = time.perf_counter()
model = HistGradientBoostingClassifier(max_iter=rounds, max_leaf_nodes=leaves, learning_rate=0.1, min_samples_leaf=20, max_bins=255,
                                       categorical_features=[6, 7], early_stopping=False).fit(x, y)
seconds = time.perf_counter() - start
result["sklearn"] = {"seconds": seconds, "auc": float(roc_auc_score(ty, model.predict_proba(tx)[:, 1]))}
print(json.dumps(result))
