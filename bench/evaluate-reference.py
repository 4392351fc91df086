"""Reference for `npm run bench -- evaluate`: scikit-learn's roc_auc_score over bootstrap resamples (rows
drawn with replacement by numpy, the usual way), on the same labels and scores as mlcycle.

Usage: /usr/bin/python3 bench/evaluate-reference.py FILE ROWS RESAMPLES. FILE holds ROWS float64 labels
then ROWS float64 scores (little-endian, as mlcycle wrote them). Prints JSON: seconds for RESAMPLES
resamples, the point AUC and the 2.5% and 97.5% percentiles of the replicates. Debian's python3-sklearn.
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

path, rows, resamples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = np.fromfile(path, dtype="<f8")
labels, scores = data[:rows], data[rows:]
random = np.random.RandomState(1)
start = time.perf_counter()
replicates = np.empty(resamples)
for replicate in range(resamples):
    index = random.randint(0, rows, rows)
    replicates[replicate] = roc_auc_score(labels[index], scores[index])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "auc": float(roc_auc_score(labels, scores)),
                  "lower": float(np.percentile(replicates, 2.5)), "upper": float(np.percentile(replicates, 97.5))}))
