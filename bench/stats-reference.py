"""The pandas reference of `npm run bench -- stats`: the same aggregation as src/experiment/aggregate-statistics.ts.

Usage: /usr/bin/python3 bench/stats-reference.py FOLDER METRICS_JSON. Reads FOLDER/{exposures,outcomes,
pre_period}.csv (CSV because this python3 has neither pyarrow nor fastparquet; the read is NOT timed, and
the mlcycle side is timed both from Parquet and from tables already loaded), then times: exposures reduced
to one row per unit (units seen in two arms counted and dropped), outcomes and pre-period summed per unit,
the join, and per-arm and per-arm-and-segment sums, sums of squares and cross-products. Prints JSON with the
seconds and the statistics in the shape of AggregatedStatistics. Debian package python3-pandas.
"""
import json
import sys
import time

import numpy as np
import pandas as pd

folder, metrics = sys.argv[1], json.loads(sys.argv[2])
# Arms and segments read as categories (what a pandas user does with repeated strings; DuckDB's Parquet
# holds them dictionary-encoded too): grouping on object strings made pandas 20 times slower.
exposures = pd.read_csv(f"{folder}/exposures.csv", dtype={"variant": "category", "segment": "category"})
outcomes = pd.read_csv(f"{folder}/outcomes.csv")
pre_period = pd.read_csv(f"{folder}/pre_period.csv")

start = time.perf_counter()
codes = pd.DataFrame({"user_id": exposures["user_id"], "arm": exposures["variant"].cat.codes, "segment": exposures["segment"].cat.codes})
per_unit = codes.groupby("user_id").agg(arm=("arm", "min"), arm_max=("arm", "max"), segment=("segment", "min"))
mixed = per_unit["arm"] != per_unit["arm_max"]
multiple_exposures = int(mixed.sum())
per_unit = per_unit[~mixed].drop(columns="arm_max")
per_unit["arm"] = exposures["variant"].cat.categories.values[per_unit["arm"].values]
per_unit["segment"] = exposures["segment"].cat.categories.values[per_unit["segment"].values]
columns = sorted({c for m in metrics for c in ([m["numerator"], m["denominator"]] if m["kind"] == "ratio" else [m["value"]])})
post = outcomes.groupby("user_id")[columns].sum()
pre = pre_period.groupby("user_id")[columns].sum().add_prefix("pre_")
per_unit = per_unit.join(post, how="left").join(pre, how="left").fillna(0.0)

# The quantities to sum per group, named after the fields of the statistics.
quantities = {}
for m in metrics:
    i = m["id"]
    if m["kind"] == "proportion":
        quantities[(i, "successes")] = (per_unit[m["value"]] > 0).astype(np.float64)
    elif m["kind"] == "mean":
        y, x = per_unit[m["value"]], per_unit["pre_" + m["value"]]
        quantities[(i, "sum")], quantities[(i, "sumSquares")] = y, y * y
        if m.get("cuped"):
            quantities[(i, "covariate.sum")], quantities[(i, "covariate.sumSquares")], quantities[(i, "covariate.metricCovariateSum")] = x, x * x, y * x
    else:
        a, b = per_unit[m["numerator"]], per_unit[m["denominator"]]
        quantities.update({(i, "numeratorSum"): a, (i, "numeratorSumSquares"): a * a, (i, "denominatorSum"): b, (i, "denominatorSumSquares"): b * b, (i, "numeratorDenominatorSum"): a * b})
        if m.get("cuped"):
            c, d = per_unit["pre_" + m["numerator"]], per_unit["pre_" + m["denominator"]]
            quantities.update({
                (i, "covariate.numeratorSum"): c, (i, "covariate.numeratorSumSquares"): c * c, (i, "covariate.denominatorSum"): d,
                (i, "covariate.denominatorSumSquares"): d * d, (i, "covariate.numeratorDenominatorSum"): c * d,
                (i, "covariate.postNumeratorNumeratorSum"): a * c, (i, "covariate.postNumeratorDenominatorSum"): a * d,
                (i, "covariate.postDenominatorNumeratorSum"): b * c, (i, "covariate.postDenominatorDenominatorSum"): b * d,
            })
names = [f"q{k}" for k in range(len(quantities))]
frame = pd.DataFrame({name: series for name, series in zip(names, quantities.values())})
frame["arm"], frame["segment"], frame["n"] = per_unit["arm"], per_unit["segment"], 1.0
by_arm = frame.groupby("arm")[["n", *names]].sum()
by_segment = frame.groupby(["arm", "segment"])[["n", *names]].sum()
seconds = time.perf_counter() - start


def statistics(row):
    out = {}
    for (metric, field), name in zip(quantities.keys(), names):
        target = out.setdefault(metric, {"n": row["n"]})
        if field.startswith("covariate."):
            target = target.setdefault("covariate", {})
            field = field[len("covariate."):]
        target[field] = row[name]
    return out


result = {"units": {arm: row["n"] for arm, row in by_arm.iterrows()}, "multipleExposures": multiple_exposures, "metrics": {m["id"]: {"arms": {}, "segments": {}} for m in metrics}}
for arm, row in by_arm.iterrows():
    for metric, stats in statistics(row).items():
        result["metrics"][metric]["arms"][arm] = stats
for (arm, segment), row in by_segment.iterrows():
    for metric, stats in statistics(row).items():
        result["metrics"][metric]["segments"].setdefault(segment, {})[arm] = stats
print(json.dumps({"seconds": seconds, "statistics": result}))
