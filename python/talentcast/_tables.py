"""The engine's tables (codes into name lists, and a (rows, 10) array of statistics) as pandas
DataFrames and xarray DataArrays."""

import numpy as np

#: A summary's statistics, in forecast.csv's column order.
STATISTICS = ["mean", "sd", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "mcse"]


def _names(coded):
    names, codes = coded
    return np.asarray(names, dtype=object)[codes]


def frame(table, keys):
    """A tidy DataFrame: the key columns (role, period, metric[, quantity]), then STATISTICS."""
    columns = {}
    for key, source in keys:
        columns[key] = _names(table[source])
    import pandas as pd

    frame = pd.DataFrame(columns)
    values = table["values"]
    for i, name in enumerate(STATISTICS):
        frame[name] = values[:, i]
    return frame


def data_array(table, dims, name):
    """A DataArray with dims (dims..., statistic), coordinates in the table's order; NaN where a
    series has no such metric (a role/level has the salary metrics alone)."""
    import xarray as xr

    coords = {}
    index = []
    for dim, source in dims:
        names, codes = table[source]
        coords[dim] = list(names)
        index.append(codes)
    coords["statistic"] = STATISTICS
    shape = [len(coords[dim]) for dim, _ in dims] + [len(STATISTICS)]
    data = np.full(shape, np.nan)
    data[tuple(index)] = table["values"]
    return xr.DataArray(data, coords=coords, dims=[dim for dim, _ in dims] + ["statistic"],
                        name=name)
