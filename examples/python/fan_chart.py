"""A fan chart drawn with matplotlib: the median salary of LLM algorithm engineers over time,
with its 50% and 90% intervals, from the forecast as an xarray DataArray.

    python3 examples/python/fan_chart.py [OUT.png] [PATHS]
"""

import sys

import matplotlib

matplotlib.use("Agg")  # files, no display
import matplotlib.pyplot as plt

import talentcast

out = sys.argv[1] if len(sys.argv) > 1 else "fan_chart.png"
paths = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

forecast = talentcast.run("scenarios/china-ai-2024.toml", paths=paths, seed=7)
band = forecast.to_xarray().sel(role="llm_algorithm", metric="salary_median")
periods = list(band.coords["period"].values)
x = range(len(periods))

figure, axes = plt.subplots(figsize=(8, 4.5))
axes.fill_between(x, band.sel(statistic="p05"), band.sel(statistic="p95"), alpha=0.2,
                  color="tab:blue", label="90% interval")
axes.fill_between(x, band.sel(statistic="p25"), band.sel(statistic="p75"), alpha=0.4,
                  color="tab:blue", label="50% interval")
axes.plot(x, band.sel(statistic="p50"), color="tab:blue", label="median")
axes.set_xticks(list(x)[::4], periods[::4])
axes.set_ylabel("median salary, CNY per month")
axes.set_title(f"LLM algorithm engineers: median salary ({forecast.paths} paths)")
axes.legend(loc="upper left")
figure.tight_layout()
figure.savefig(out, dpi=120)
print(f"wrote {out}")
