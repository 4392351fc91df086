"""The pandas floor for `npm run bench -- explore`: describe() plus corr(method="spearman") on a CSV.

Usage: /usr/bin/python3 bench/explore-pandas.py FILE. Prints the seconds of describe and spearman (the
read is not timed) as JSON. Debian package python3-pandas.
"""
import json
import sys
import time

import pandas as pd

frame = pd.read_csv(sys.argv[1])
start = time.perf_counter()
frame.describe(include="all")
frame.corr(method="spearman", numeric_only=True)
print(json.dumps({"seconds": time.perf_counter() - start}))
