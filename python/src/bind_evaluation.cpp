// Calibration from history and backtests (docs/calibration.md, docs/backtest.md): the same
// library calls as `talentcast calibrate` and `talentcast backtest`.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/studies/backtest.hpp"
#include "talentcast/studies/calibration.hpp"

namespace talentcast::python {

namespace {

// The base with the calibration's values set (its changes, which a run's manifest records),
// and the estimates as {name: (value, standard error)}.
py::tuple calibrate(const config::ScenarioDocument& base, const std::filesystem::path& history,
                    const std::string& role, int through, std::optional<int> since,
                    std::optional<int> horizon, const std::vector<std::string>& breaks,
                    const std::string& balance) {
  studies::CalibrationOptions options;
  options.role = role;
  options.through = through;
  options.since = since;
  options.horizon_years = horizon;
  for (const auto& text : breaks) options.breaks.push_back(config::parse_break(text));
  options.balance = balance;
  options.history_name = history.string();
  const studies::Calibration c = studies::calibrate(config::load_history(history), base, options);
  config::ScenarioDocument document(base);
  for (const auto& [key, value] : c.settings) document.set(key, value);
  py::dict estimates;
  const auto pair = [](studies::Estimate e) { return py::make_tuple(e.value, e.se); };
  estimates["demand_growth"] = pair(c.demand_growth);
  estimates["demand_vol"] = pair(c.demand_vol);
  estimates["wage_drift"] = pair(c.wage_drift);
  estimates["wage_vol"] = pair(c.wage_vol);
  if (c.band_sigma) estimates["band_sigma"] = pair(*c.band_sigma);
  return py::make_tuple(std::move(document), estimates);
}

// forecasts.csv, scores.csv and the origins left out, as `talentcast backtest` writes them.
py::tuple backtest(const std::filesystem::path& spec_file, std::optional<std::uint64_t> paths,
                   int threads) {
  config::BacktestSpec spec = config::load_backtest_spec(spec_file);
  if (paths) spec.paths = *paths;
  std::atomic<bool> stop{false};
  studies::BacktestSettings settings;
  settings.threads = threads;
  settings.stop = &stop;
  studies::BacktestResult result;
  interruptible(stop, [&] { result = studies::run_backtest(spec, settings); });
  return py::make_tuple(studies::forecasts_csv(result), studies::scores_csv(result),
                        result.origins_left);
}

}  // namespace

void bind_evaluation(py::module_& m) {
  m.def("calibrate", &calibrate, py::arg("base"), py::arg("history"), py::arg("role"),
        py::arg("through"), py::arg("since"), py::arg("horizon"), py::arg("breaks"),
        py::arg("balance"));
  m.def("backtest", &backtest, py::arg("spec"), py::arg("paths"), py::arg("threads"));
}

}  // namespace talentcast::python
