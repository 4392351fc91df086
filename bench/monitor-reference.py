"""The scipy reference of `npm run bench -- monitor`: the drift statistics mlcycle computes, on the same data.

Usage: /usr/bin/python3 bench/monitor-reference.py FOLDER. Reads FOLDER/meta.json and the columns written by
bench/monitor.ts (numeric columns as float64, categorical ones as int32 codes; the read is not timed), puts
them in pandas DataFrames (what an Evidently user holds), then times, per column, what Evidently's default
test for a reference above 1,000 rows computes: scipy.stats.wasserstein_distance over the reference's
standard deviation (numpy.std, at least 0.001) for numeric columns, and for categorical ones the shares of
each category (pandas value_counts) into scipy.spatial.distance.jensenshannon. Then the profile of the
current rows (describe with 99 percentiles, value_counts). Prints JSON with the seconds and each column's
value. Debian packages python3-scipy, python3-pandas.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

folder = sys.argv[1]
meta = json.load(open(f"{folder}/meta.json"))
rows = meta["rows"]


def read(part):
    columns = {}
    for column in meta["columns"]:
        dtype = np.float64 if column["kind"] == "numeric" else np.int32
        columns[column["name"]] = np.fromfile(f"{folder}/{part}-{column['name']}.bin", dtype=dtype, count=rows)
    return pd.DataFrame(columns)


reference, current = read("reference"), read("current")
values = {}
start = time.perf_counter()
for column in meta["columns"]:
    name = column["name"]
    if column["kind"] == "numeric":
        r, c = reference[name].to_numpy(), current[name].to_numpy()
        values[name] = float(stats.wasserstein_distance(r, c) / max(np.std(r), 0.001))
    else:
        r = reference[name].value_counts()
        c = current[name].value_counts()
        keys = r.index.union(c.index)
        p = r.reindex(keys, fill_value=0).to_numpy() / len(reference)
        q = c.reindex(keys, fill_value=0).to_numpy() / len(current)
        values[name] = float(distance.jensenshannon(p, q))
seconds = time.perf_counter() - start

# The profile of the current rows as pandas gives it: describe() with the 1st to 99th percentiles for numbers,
# value_counts() for categories (exact where mlcycle's sketch approximates the quantiles).
start = time.perf_counter()
percentiles = [q / 100 for q in range(1, 100)]
for column in meta["columns"]:
    if column["kind"] == "numeric":
        current[column["name"]].describe(percentiles=percentiles)
    else:
        current[column["name"]].value_counts()
profile_seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "values": values, "profileSeconds": profile_seconds}))
