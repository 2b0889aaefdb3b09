"""talentcast from Python: load a scenario, change it by key path, run its Monte Carlo forecast
and read the results as pandas and xarray; drive the model from your own samplers with
evaluate(). The reference is docs/python.md.

    import talentcast
    sc = talentcast.load_scenario("scenarios/china-ai-2024.toml")
    sc["roles.llm_algorithm.demand_growth"] = 0.35
    forecast = talentcast.run(sc, paths=5000, seed=7)
    forecast.to_pandas()
"""

import io
import json
import math
import os
import tempfile
import warnings

import numpy as np

from . import _tables
from ._talentcast import ScenarioError, __version__
from . import _talentcast as _engine

__all__ = [
    "ScenarioError",
    "Scenario",
    "Forecast",
    "Comparison",
    "load_scenario",
    "run",
    "compare",
    "evaluate",
    "benchmark",
    "PayrollBenchmark",
    "sweep",
    "read_sweep",
    "sensitivity",
    "calibrate",
    "backtest",
    "Backtest",
    "STATISTICS",
    "__version__",
]

STATISTICS = list(_tables.STATISTICS)


# The bounds of the command line's flags of the same names (docs/cli.md).
_BOUNDS = {"paths": (1, 2**32 - 1), "seed": (0, 2**64 - 1), "threads": (0, 1024),
           "through": (1900, 2200), "since": (1900, 2200), "horizon": (1, 100),
           "band_samples": (0, 100_000), "resamples": (1, 100_000), "keep_limit": (1, 2**63 - 1)}


def _check(**arguments):
    """Raises ScenarioError naming every argument outside its bounds (None: not given)."""
    problems = []
    for name, value in arguments.items():
        if value is None:
            continue
        low, high = _BOUNDS[name]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or not low <= value <= high:
            problems.append(f"talentcast: {name}: expected an integer from {low} to {high}, "
                            f"found {value!r}")
    if problems:
        raise ScenarioError("\n".join(problems))


def _pandas():
    # pandas is imported when a table is first asked for: `import talentcast` stays quick.
    import pandas

    return pandas


def _toml_value(value, key):
    """A Python value in TOML's notation, as a scenario file writes it."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v, key)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    raise TypeError(f"{key}: expected a number, a string, a boolean, a list or a dict, "
                    f"found {type(value).__name__}")


class Scenario:
    """A scenario file, resolved (its `extends` merged) and open to change by the key paths a
    sweep uses: sc["roles.llm_algorithm.demand_growth"] = 0.35, or a distribution as a dict,
    sc["defaults.attrition"] = {"dist": "normal", "mean": 0.1, "sd": 0.02}. A change is
    validated when the scenario is next used, or by validate()."""

    def __init__(self, document):
        self._document = document
        self._model = None

    @property
    def path(self):
        """The scenario file."""
        return str(self._document.path)

    def __getitem__(self, key):
        return json.loads(self._document.get_json(key))["value"]

    def __setitem__(self, key, value):
        self._document.set(key, _toml_value(value, key))
        self._model = None

    def keys(self):
        """Every key path of a value in the scenario, in the file's order."""
        return list(self._document.keys())

    @property
    def changes(self):
        """The values set since loading, as {key path: TOML value}."""
        return dict(self._document.changes())

    def copy(self):
        """An independent copy, with the same changes."""
        return Scenario(self._document.copy())

    def validate(self):
        """Validates the scenario as `talentcast validate` does; raises ScenarioError listing
        every problem. Returns the scenario."""
        self._validated()
        return self

    def _validated(self):
        if self._model is None:
            self._model = self._document.model()
            for warning in self._model.warnings:
                warnings.warn(f"talentcast: warning: {warning}", stacklevel=3)
        return self._model

    @property
    def title(self):
        return self._validated().title

    @property
    def roles(self):
        """The roles' names, in the file's order."""
        return list(self._validated().roles)

    @property
    def periods(self):
        """The reporting periods' labels ("2024-Q1", ...)."""
        return list(self._validated().periods)

    @property
    def paths(self):
        """The paths the file asks for (run's default)."""
        return self._validated().paths

    @property
    def seed(self):
        """The seed the file gives (run's default)."""
        return self._validated().seed

    def __repr__(self):
        changed = f", {len(self.changes)} changed" if self.changes else ""
        return f"<talentcast.Scenario {self.path!r}{changed}>"


def load_scenario(path):
    """Reads, resolves and validates a scenario file. Raises ScenarioError with the command
    line's messages (file:line:column: key: expected ..., found ...)."""
    return Scenario(_engine.Document(os.fspath(path))).validate()


def _scenario(scenario):
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise TypeError(f"expected a talentcast.Scenario or a scenario file's path, "
                    f"found {type(scenario).__name__}")


def _call(name, **arguments):
    shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items() if v is not None)
    return f"python: talentcast.{name}({shown})"


class Forecast:
    """A run's forecast distributions: one row per (role, period, metric), as forecast.csv."""

    def __init__(self, scenario, run, keep):
        self.scenario = scenario
        self._run = run
        self._kept = run.take_kept() if keep else None

    @property
    def kept(self):
        """With run(..., keep=[metrics]): {metric: array of shape (paths, periods, roles)}, the
        per-path values (views of one array); the axes' labels are kept_periods and
        kept_roles."""
        if self._kept is None:
            raise ValueError("this forecast kept no per-path values: run(..., keep=[\"ratio\"])")
        values = self._kept["values"]
        return {metric: values[:, m] for m, metric in enumerate(self._kept["metrics"])}

    @property
    def kept_periods(self):
        return list(self._kept["periods"]) if self._kept else []

    @property
    def kept_roles(self):
        return list(self._kept["roles"]) if self._kept else []

    @property
    def paths(self):
        return self._run.paths

    @property
    def seed(self):
        return self._run.seed

    @property
    def seconds(self):
        """The run's wall time."""
        return self._run.seconds

    def to_pandas(self):
        """forecast.csv as a DataFrame: role, period, metric, mean, sd, p05 ... p95, mcse."""
        return _tables.frame(self._run.table(),
                             [("role", "series"), ("period", "period"), ("metric", "metric")])

    def to_xarray(self):
        """The forecast as a DataArray of dimensions (role, period, metric, statistic)."""
        return _tables.data_array(self._run.table(),
                                  [("role", "series"), ("period", "period"), ("metric", "metric")],
                                  "forecast")

    def _bands(self):
        bands = self._run.bands()
        if bands is None:
            raise ValueError("this forecast kept no band store (band_samples=0, or keep=): "
                             "run again with band_samples=1000 to benchmark salaries")
        return bands

    @property
    def manifest(self):
        """The run's manifest (manifest.json) as a dict."""
        return json.loads(self._run.manifest())

    def write(self, out):
        """Writes the files `talentcast run` writes (forecast.csv, forecast.json, bands.json,
        bands.bin, manifest.json) into the directory out: new, empty or an earlier run's; all of
        them or none."""
        self._run.write(os.fspath(out))

    def __repr__(self):
        return f"<talentcast.Forecast of {self.scenario.path!r}: {self.paths} paths>"


#: The most memory run(keep=...) may take by default: 1 GiB.
KEEP_LIMIT = 1 << 30


def run(scenario, paths=None, seed=None, threads=0, central=False, keep=None,
        keep_limit=KEEP_LIMIT, band_samples=1000):
    """Runs a scenario's Monte Carlo forecast (the file's paths and seed unless given; threads
    0: every core; central: the one-path central projection). The same scenario, seed and paths
    give the same numbers as `talentcast run`, to the last bit.

    keep: metric names whose per-path values to keep (Forecast.kept), at most keep_limit bytes
    (paths x metrics x periods x roles x 8); such a run keeps no band store. band_samples: the
    paths whose salary bands write() stores in bands.bin, as `talentcast run --band-samples`."""
    _check(paths=paths, seed=seed, threads=threads, band_samples=band_samples,
           keep_limit=keep_limit)
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    twice = sorted({metric for metric in keep if keep.count(metric) > 1})
    if twice:
        raise ScenarioError(f"talentcast: keep: expected each metric once, found "
                            f"{', '.join(repr(m) for m in twice)} more than once")
    sc = _scenario(scenario)
    model = sc._validated()
    command = _call("run", scenario=sc.path, paths=paths, seed=seed, threads=threads,
                    central=central, keep=keep or None)
    engine_run = _engine.run(model, paths, seed, threads, central, 0 if keep else band_samples,
                             keep, int(keep_limit), command)
    return Forecast(sc, engine_run, bool(keep))


class Comparison:
    """A what-if against its base on common random numbers: per series, period and metric the
    base, the what-if, their per-path difference and, for salaries, ratio."""

    def __init__(self, base, whatif, comparison):
        self.base, self.whatif = base, whatif
        self._comparison = comparison

    @property
    def paths(self):
        return self._comparison.paths

    def to_pandas(self):
        """comparison.csv as a DataFrame: role, period, metric, quantity, mean ... mcse."""
        return _tables.frame(self._comparison.table(),
                             [("role", "series"), ("period", "period"), ("metric", "metric"),
                              ("quantity", "quantity")])

    def to_xarray(self):
        """A DataArray of dimensions (role, period, metric, quantity, statistic)."""
        return _tables.data_array(self._comparison.table(),
                                  [("role", "series"), ("period", "period"), ("metric", "metric"),
                                   ("quantity", "quantity")], "comparison")


def compare(base, whatif, paths=None, seed=None, threads=0):
    """Runs base and what-if on the same seed and paths (the base's, unless given), as
    `talentcast compare` does."""
    _check(paths=paths, seed=seed, threads=threads)
    base, whatif = _scenario(base), _scenario(whatif)
    return Comparison(base, whatif,
                      _engine.compare(base._validated(), whatif._validated(), paths, seed, threads))


def evaluate(scenario, points, outputs, paths=1000, seed=None, threads=0):
    """The model as a function: for each row of points (a DataFrame whose columns are key paths,
    or a dict of equal-length columns), the scenario with those values, run on `paths` paths;
    returns a DataFrame of the outputs (names "metric:series:period:statistic", such as
    "ratio:llm_algorithm:2030-Q4:p50"), one row per point, with points' index. Every point
    runs on the same seed (common random numbers); points run in parallel, one per thread."""
    pd = _pandas()
    _check(paths=paths, seed=seed, threads=threads)
    sc = _scenario(scenario)
    points = pd.DataFrame(points)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    keys = [str(column) for column in points.columns]
    values = np.ascontiguousarray(points.to_numpy(dtype=float)).reshape(len(points), len(keys))
    seed = sc.seed if seed is None else seed
    result = _engine.evaluate(sc._document, keys, values, outputs, paths, seed, threads)
    return pd.DataFrame(result, index=points.index, columns=outputs)


#: An offer's columns after role, level, period and salary: `talentcast benchmark -f csv`'s.
OFFER_COLUMNS = ["percentile", "percentile_p10", "percentile_p90", "percentile_mcse"] + [
    f"market_p{q}{suffix}" for q in (25, 50, 75, 90) for suffix in ("", "_p10", "_p90")]


class PayrollBenchmark:
    """A payroll against the market bands: `employees` (one row per employee, employees.csv)
    and `summary` (one row per role/level and `all`, summary.csv), at periods now and
    horizon."""

    def __init__(self, now, horizon, employees, summary):
        self.now, self.horizon = now, horizon
        self.employees, self.summary = employees, summary

    def __repr__(self):
        return (f"<talentcast.PayrollBenchmark: {len(self.employees)} employees, now {self.now}, "
                f"horizon {self.horizon}>")


def _bands_of(run):
    if isinstance(run, Forecast):
        return run._bands()
    if isinstance(run, (str, os.PathLike)):
        return _engine.read_bands(os.fspath(run))
    raise TypeError(f"expected a talentcast.Forecast or a run directory, found "
                    f"{type(run).__name__}")


def _payroll(bands, payroll, now, horizon, threads):
    pd = _pandas()

    def read(text, dtype):
        return pd.read_csv(io.StringIO(text), dtype=dtype, keep_default_na=False)

    def bench(path):
        now_label, horizon_label, employees, summary = bands.payroll(path, now or "", horizon or "",
                                                                     threads)
        text = {"employee_id": str, "role": str, "level": str}
        return PayrollBenchmark(now_label, horizon_label, read(employees, text),
                                read(summary, {"role": str, "level": str}))

    if isinstance(payroll, (str, os.PathLike)):
        return bench(os.fspath(payroll))
    frame = pd.DataFrame(payroll)
    with tempfile.TemporaryDirectory(prefix="talentcast-payroll-") as folder:
        path = os.path.join(folder, "payroll.csv")
        frame.to_csv(path, index=False)
        try:
            return bench(path)
        except ScenarioError as error:
            # Its messages name the DataFrame, not the temporary file (line 2 is its first row).
            raise ScenarioError(str(error).replace(path, "payroll DataFrame")) from None


def benchmark(run, role=None, salary=None, level=None, periods=None, payroll=None, now=None,
              horizon=None, threads=0):
    """Benchmarks against a run's market bands (a Forecast, or a run directory of `talentcast
    run`), as `talentcast benchmark` does.

    An offer (role, salary[, level][, periods]): a DataFrame with one row per period (the first
    unless periods is given; "all" for every one; a label such as "2026-Q3" or a year): where
    the salary stands (its percentile, 80% interval and Monte Carlo standard error) and the
    market's 25th to 90th percentile salaries with their 80% intervals (OFFER_COLUMNS).

    A payroll (a DataFrame or CSV file with employee_id, role, salary and optionally level):
    a PayrollBenchmark at periods now (default the first) and horizon (default a year later,
    or the last)."""
    pd = _pandas()
    _check(threads=threads)
    bands = _bands_of(run)
    if payroll is not None:
        given = [n for n, v in (("role", role), ("salary", salary), ("level", level),
                                ("periods", periods)) if v is not None]
        if given:
            raise TypeError(f"benchmark: {', '.join(given)}: expected nothing with payroll (each "
                            "row names its role and level; now and horizon its periods)")
        return _payroll(bands, payroll, now, horizon, threads)
    if role is None or salary is None:
        raise TypeError("benchmark: expected role and salary (an offer), or payroll")
    if now is not None or horizon is not None:
        raise TypeError("benchmark: now, horizon: expected them only with payroll")
    periods = list(periods) if isinstance(periods, (list, tuple)) else \
        ([] if periods is None else [periods])
    offer = bands.offer(role, level or "", str(salary), [str(p) for p in periods])
    frame = pd.DataFrame({"role": role, "level": level or "", "period": offer["periods"],
                          "salary": offer["salary"]})
    for i, column in enumerate(OFFER_COLUMNS):
        frame[column] = offer["values"][:, i]
    return frame


def _names(values):
    return [values] if isinstance(values, str) else [str(v) for v in (values or [])]


def sweep(sweep_file, db, threads=0, metrics=None, periods=None):
    """Runs a sweep file (docs/sweeps.md) into its SQLite results database, as `talentcast
    sweep` does: points run in parallel, each committed as it is done; a database holding part
    of the same sweep is resumed (only its missing points run). metrics, periods: store only
    these. Ctrl-C stops it with the committed points kept, and raises KeyboardInterrupt.
    Returns read_sweep(db)."""
    _check(threads=threads)
    command = _call("sweep", sweep_file=os.fspath(sweep_file), db=os.fspath(db), threads=threads,
                    metrics=metrics, periods=periods)
    _engine.sweep(os.fspath(sweep_file), os.fspath(db), threads, _names(metrics),
                  _names(periods), command)
    return read_sweep(db)


def read_sweep(db, metrics=None, roles=None, periods=None, stats=None):
    """A sweep's results as a DataFrame, one row per point, role, period and metric: the point,
    its seed and parameter values (a column per key path), then the statistics; `talentcast
    export`'s CSV. metrics, roles, periods: only these rows; stats: only these statistics."""
    pd = _pandas()
    with tempfile.TemporaryDirectory(prefix="talentcast-export-") as folder:
        path = os.path.join(folder, "export.csv")
        _engine.export_csv(os.fspath(db), path, _names(metrics), _names(roles), _names(periods),
                           _names(stats))
        return pd.read_csv(path, float_precision="round_trip", keep_default_na=False,
                           dtype={"role": str, "period": str, "metric": str})


def sensitivity(db, outputs, resamples=1000):
    """The sensitivity of outputs ("metric:role:period:statistic"; period * for every period) to
    a complete sweep's parameters, as `talentcast sensitivity -f csv`: one row per output and
    parameter with Sobol first and total indices and their bootstrap 95% intervals (saltelli
    designs), Morris mu, mu* and sigma (morris designs), and tornado data (any design)."""
    pd = _pandas()
    _check(resamples=resamples)
    text, cautions, rule = _engine.sensitivity(os.fspath(db), _names(outputs), resamples)
    for caution in cautions:
        warnings.warn(f"talentcast: warning: {caution} (the rule: {rule})", stacklevel=2)
    return pd.read_csv(io.StringIO(text), float_precision="round_trip")


def calibrate(history, base, role, through, since=None, horizon=None, breaks=None, balance=None):
    """A role of base calibrated to its history through a year, as `talentcast calibrate` does
    (docs/calibration.md): the base (a Scenario or a file) with the estimates set as
    distributions whose sd is their standard error, the start values and the start month. The
    returned Scenario's `changes` are the values set (a run's manifest records them), and its
    `estimates` are {parameter: (estimate, standard error)}. breaks: ["2021:median:adjust", ...];
    balance: "switcher_inflow" or "overseas_inflow" (calibrate's --balance)."""
    _check(through=through, since=since, horizon=horizon)
    base = _scenario(base)
    breaks = [breaks] if isinstance(breaks, str) else list(breaks or [])
    document, estimates = _engine.calibrate(base._document, os.fspath(history), str(role),
                                            through, since, horizon, breaks, balance or "")
    calibrated = Scenario(document).validate()
    calibrated.estimates = {name: tuple(value) for name, value in estimates.items()}
    return calibrated


class Backtest:
    """A backtest's scored forecasts and their pooled scores, as `talentcast backtest` writes
    them (docs/backtest.md): `forecasts` (forecasts.csv: one row per origin, series, horizon and
    method) and `scores` (scores.csv: per series and method, each horizon over all origins and
    each origin over all horizons; "all" where a row pools them), DataFrames."""

    def __init__(self, forecasts, scores, origins_left):
        self.forecasts = forecasts
        self.scores = scores
        self.origins_left = list(origins_left)

    def __repr__(self):
        return (f"<talentcast.Backtest: {len(self.forecasts)} forecasts scored, "
                f"{len(self.origins_left)} origins left out>")


def backtest(spec, paths=None, threads=0):
    """Runs a backtest spec, as `talentcast backtest SPEC` does but writing nothing: for each
    origin, calibrate through it, forecast 1 to H years ahead and score the forecasts against
    the history beside naive baselines. paths: per origin (default: the spec's)."""
    pd = _pandas()
    _check(paths=paths, threads=threads)
    forecasts, scores, left = _engine.backtest(os.fspath(spec), paths, threads)
    read = lambda text: pd.read_csv(io.StringIO(text), float_precision="round_trip",
                                    keep_default_na=False, dtype={"origin": str, "horizon": str})
    return Backtest(read(forecasts), read(scores), left)
