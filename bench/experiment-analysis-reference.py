"""The pandas reference of `npm run bench -- experiment` (experiment.analysis-10m-s): the same aggregation
as src/experiment/online-analysis.ts over the same event log.

Usage: /usr/bin/python3 bench/experiment-analysis-reference.py EXPOSURES_CSV OUTCOMES_CSV HOURS. Reads the
log's exposure and outcome records exported as CSV (the read is NOT timed), then times: each unit's arm
(units seen in two arms counted and dropped), first exposure time and segment; outcomes joined to the
unit's first exposure and kept within the attribution window; per-unit sums per event name; per-arm counts,
sums and sums of squares (proportions: units with the event), and the ratio's cross-product. Prints JSON
with the seconds and the statistics. Debian package python3-pandas.
"""
import json
import sys
import time

import pandas as pd

exposures_csv, outcomes_csv, hours = sys.argv[1], sys.argv[2], float(sys.argv[3])
exposures = pd.read_csv(exposures_csv, dtype={"arm": "category", "segment": "category"})
outcomes = pd.read_csv(outcomes_csv, dtype={"name": "category"})
exposures["time"] = pd.to_datetime(exposures["time"], utc=True)
outcomes["time"] = pd.to_datetime(outcomes["time"], utc=True)

start = time.perf_counter()
# Arms and segments by their category codes (what a pandas user does with repeated strings).
codes = pd.DataFrame({"unit": exposures["unit"], "arm": exposures["arm"].cat.codes, "time": exposures["time"], "segment": exposures["segment"].cat.codes})
per_unit = codes.groupby("unit").agg(arm=("arm", "min"), arm_max=("arm", "max"), first=("time", "min"), segment=("segment", "min"))
mixed = per_unit["arm"] != per_unit["arm_max"]
multiple = int(mixed.sum())
per_unit = per_unit[~mixed].drop(columns="arm_max")
per_unit["arm"] = exposures["arm"].cat.categories.values[per_unit["arm"].values]
joined = outcomes.merge(per_unit[["first"]], left_on="unit", right_index=True, how="inner")
window = joined[(joined["time"] >= joined["first"]) & (joined["time"] < joined["first"] + pd.Timedelta(hours=hours))]
counts = window.groupby(["unit", "name"], observed=True).size().unstack(fill_value=0)
per_unit = per_unit.join(counts, how="left").fillna(0)
out = {"multipleExposures": multiple, "arms": {}}
for arm, group in per_unit.groupby("arm"):
    stats = {"n": int(len(group))}
    for name in ["rebooked_before_gate", "alerts_muted"]:
        stats[name] = int((group.get(name, 0) > 0).sum())
    opened, sent = group.get("alert_opened", 0), group.get("alert_sent", 0)
    stats["opened_sum"] = float(opened.sum())
    stats["sent_sum"] = float(sent.sum())
    stats["opened_sent"] = float((opened * sent).sum())
    out["arms"][str(arm)] = stats
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "statistics": out}))
