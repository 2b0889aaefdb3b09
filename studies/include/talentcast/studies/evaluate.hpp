#pragma once
// The model as a function for outside samplers (SALib, EMA Workbench, one's own numpy code;
// docs/python.md): points of parameter values in, chosen statistics of the forecast out.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/config/scenario_document.hpp"
#include "talentcast/core/accumulator.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::studies {

/// One output: a statistic of a metric of a series (a role, `role/level` or `total`) in a
/// period, named "metric:series:period:statistic", such as "ratio:llm_algorithm:2030-Q4:p50".
struct OutputName {
  std::string metric, series, period, statistic;
};

/// The statistics an output may name, in forecast.csv's order: mean, sd, p05 ... p95, mcse.
const std::vector<std::string>& statistic_names();

/// A statistic of a summary by its name (one of statistic_names()).
double statistic(const core::Summary& summary, std::string_view name);

/// Reads output names, each checked against what the scenario's forecast holds. Throws
/// io::UserError naming every one that is not an output, with "did you mean".
std::vector<OutputName> read_outputs(const models::Scenario& scenario,
                                     const std::vector<std::string>& names);

struct EvaluateSettings {
  std::uint64_t paths = 1000;  ///< paths per point
  std::uint64_t seed = 1;      ///< every point's seed: common random numbers across points
  int threads = 0;             ///< points run at once, one thread each; 0: all cores
  const std::atomic<bool>* stop = nullptr;
  std::function<void(std::size_t)> on_progress;  ///< points done, after each
};

struct Evaluation {
  std::vector<double> values;  ///< point by point, the outputs of each in order
  std::size_t points_done = 0;
  bool interrupted = false;
};

/// Runs the document's scenario once per point, point p with keys[j] set to values[p *
/// keys.size() + j], and gives the outputs of each (with no keys, each point is the scenario
/// as it stands). Every point runs on the same seed and paths, so that two points differ by
/// their values alone, and its outputs do not depend on the threads. Throws io::UserError,
/// before any point runs, for keys (twice, `paths` or `seed`, or naming no value) and outputs
/// that cannot be; and, nothing returned, for points whose values make invalid scenarios or
/// lose an output (every point is checked, the first 20 invalid ones named).
Evaluation evaluate(const config::ScenarioDocument& document, const std::vector<std::string>& keys,
                    std::size_t points, const std::vector<double>& values,
                    const std::vector<std::string>& outputs, const EvaluateSettings& settings);

}  // namespace talentcast::studies
