#include "talentcast/studies/evaluate.hpp"

#include <fmt/core.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "talentcast/core/pipeline.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies {

namespace {

// The most invalid points an error names.
constexpr std::size_t kPointsNamed = 20;

using RowKey = std::tuple<std::string, std::string, std::string>;  // series, period, metric

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + 1) {
    parts.push_back(text.substr(start, at - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Why `part` (a series, a period or a metric) is not one of `known`, for a message.
std::string unknown(std::string_view what, const std::string& part,
                    const std::set<std::string>& known) {
  return fmt::format("no {} '{}'{}", what, io::printable(part),
                     io::did_you_mean(part, std::vector<std::string>(known.begin(), known.end())));
}

// A point as it goes through the pipeline: its index, then its outputs or what was wrong.
struct PointUnit {
  std::size_t point = 0;
  std::vector<double> outputs;
  std::optional<std::string> problem;
};

}  // namespace

const std::vector<std::string>& statistic_names() {
  static const std::vector<std::string> names{"mean", "sd",  "p05", "p10", "p25",
                                              "p50",  "p75", "p90", "p95", "mcse"};
  return names;
}

double statistic(const core::Summary& summary, std::string_view name) {
  if (name == "mean") return summary.mean;
  if (name == "sd") return summary.sd;
  if (name == "mcse") return summary.mcse;
  const auto& names = statistic_names();
  const auto at = std::find(names.begin() + 2, names.end() - 1, name);
  if (at == names.end() - 1) throw std::invalid_argument(fmt::format("no statistic '{}'", name));
  return summary.percentiles[static_cast<std::size_t>(at - (names.begin() + 2))];
}

std::vector<OutputName> read_outputs(const models::Scenario& scenario,
                                     const std::vector<std::string>& names) {
  // What the forecast holds, from the central projection (one path: milliseconds).
  ForecastSettings probe;
  probe.central = true;
  probe.threads = 1;
  std::set<std::string> series, periods, metrics;
  std::set<RowKey> rows;
  for (const auto& row : run_forecast(scenario, probe).rows) {
    series.insert(row.role);
    periods.insert(row.period);
    metrics.insert(row.metric);
    rows.emplace(row.role, row.period, row.metric);
  }
  const std::set<std::string> statistics(statistic_names().begin(), statistic_names().end());
  std::vector<OutputName> outputs;
  std::vector<std::string> problems;
  for (const auto& name : names) {
    const std::vector<std::string> parts = split(name, ':');
    std::string why;
    if (parts.size() != 4) {
      why = "expected metric:series:period:statistic, such as ratio:llm_algorithm:2030-Q4:p50";
    } else if (!metrics.count(parts[0])) {
      why = unknown("metric", parts[0], metrics);
    } else if (!series.count(parts[1])) {
      why = unknown("series", parts[1], series);
    } else if (!periods.count(parts[2])) {
      why = fmt::format("no period '{}' (the periods run from {} to {})", io::printable(parts[2]),
                        scenario.period_label(0), scenario.period_label(scenario.periods() - 1));
    } else if (!statistics.count(parts[3])) {
      why = unknown("statistic", parts[3], statistics);
    } else if (!rows.count({parts[1], parts[2], parts[0]})) {
      why = fmt::format("series '{}' has no metric '{}'", parts[1], parts[0]);
    }
    if (!why.empty()) {
      problems.push_back(fmt::format("output '{}': {}", io::printable(name), why));
      continue;
    }
    outputs.push_back({parts[0], parts[1], parts[2], parts[3]});
  }
  if (!problems.empty()) throw io::UserError(std::move(problems));
  return outputs;
}

namespace {

// The outputs of one forecast, in order.
std::vector<double> outputs_of(const Forecast& forecast, const std::vector<OutputName>& outputs) {
  std::map<RowKey, const core::Summary*> rows;
  for (const auto& row : forecast.rows) rows[{row.role, row.period, row.metric}] = &row.summary;
  std::vector<double> values;
  values.reserve(outputs.size());
  for (const auto& output : outputs) {
    const auto row = rows.find({output.series, output.period, output.metric});
    if (row == rows.end()) {
      // The point's values changed what the forecast holds (its horizon, its roles).
      throw io::UserError(fmt::format("output '{}:{}:{}:{}' is not in this point's forecast",
                                      output.metric, output.series, output.period,
                                      output.statistic));
    }
    values.push_back(statistic(*row->second, output.statistic));
  }
  return values;
}

// The keys' problems, as diagnostics: a key twice, a run setting (paths and seed are
// evaluate's own), or a key that names no value of the scenario (each set, on a copy of the
// document, to the first point's value).
std::vector<io::Diagnostic> key_problems(const config::ScenarioDocument& document,
                                         const std::vector<std::string>& keys,
                                         const std::vector<double>& values) {
  config::ScenarioDocument probe(document);
  std::vector<io::Diagnostic> diagnostics;
  std::set<std::string> seen;
  for (std::size_t j = 0; j < keys.size(); ++j) {
    const auto problem = [&](std::string expected, std::string found) {
      diagnostics.push_back({.file = "evaluate",
                             .key = keys[j],
                             .expected = std::move(expected),
                             .found = std::move(found)});
    };
    if (!seen.insert(keys[j]).second) {
      problem("each key once", "it twice");
    } else if (keys[j] == "paths" || keys[j] == "seed") {
      problem("a key of the model",
              fmt::format("the run's {} (give evaluate's {}= instead)", keys[j], keys[j]));
    } else {
      try {
        probe.set(keys[j], fmt::format("{}", values.empty() ? 0.0 : values[j]));
      } catch (const io::UserError& error) {
        diagnostics.insert(diagnostics.end(), error.diagnostics().begin(),
                           error.diagnostics().end());
      }
    }
  }
  return diagnostics;
}

// The outputs, with the keys' problems told first: every problem of the call at once.
std::vector<OutputName> checked_outputs(const config::ScenarioDocument& document,
                                        const std::vector<std::string>& keys,
                                        const std::vector<double>& values,
                                        const std::vector<std::string>& outputs) {
  std::vector<io::Diagnostic> diagnostics = key_problems(document, keys, values);
  std::vector<std::string> problems;
  std::vector<OutputName> names;
  try {
    names = read_outputs(document.scenario(), outputs);
  } catch (const io::UserError& error) {
    problems = error.problems();
    diagnostics.insert(diagnostics.end(), error.diagnostics().begin(), error.diagnostics().end());
  }
  if (problems.empty() && !diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  if (!problems.empty()) {
    io::UserError error(std::move(problems));
    error.add(std::move(diagnostics));
    throw error;
  }
  return names;
}

std::string problem_text(std::size_t point, const io::UserError& error) {
  std::string text;
  for (const auto& p : error.problems()) text += "; " + p;
  for (const auto& d : error.diagnostics()) text += "; " + d.message();
  return fmt::format("point {}: {}", point, text.substr(2));
}

}  // namespace

Evaluation evaluate(const config::ScenarioDocument& document, const std::vector<std::string>& keys,
                    std::size_t points, const std::vector<double>& values,
                    const std::vector<std::string>& outputs, const EvaluateSettings& settings) {
  const std::size_t k = keys.size();
  if (values.size() != points * k) {
    throw std::invalid_argument("evaluate: values are not points x keys");
  }
  const std::vector<OutputName> names = checked_outputs(document, keys, values, outputs);

  Evaluation evaluation;
  evaluation.values.assign(points * names.size(), 0.0);
  tbb::enumerable_thread_specific<std::unique_ptr<config::ScenarioDocument>> documents;
  // Once a point is found invalid no point runs, but every point is still checked: all the
  // invalid ones are told together.
  std::atomic<bool> failed{false};
  std::vector<std::string> problems;
  std::size_t invalid = 0;
  std::size_t next = 0;
  const auto take = [&]() -> std::optional<PointUnit> {
    if (next == points || (settings.stop != nullptr && settings.stop->load())) return std::nullopt;
    PointUnit unit;
    unit.point = next++;
    return unit;
  };
  const auto work = [&](PointUnit unit) {
    auto& local = documents.local();
    if (!local) local = std::make_unique<config::ScenarioDocument>(document);
    try {
      for (std::size_t j = 0; j < k; ++j) {
        local->set(keys[j], fmt::format("{}", values[unit.point * k + j]));
      }
      const models::Scenario scenario = local->scenario();
      if (failed.load()) return unit;
      ForecastSettings run;
      run.paths = settings.paths;
      run.seed = settings.seed;
      run.threads = 1;
      run.stop = settings.stop;
      unit.outputs = outputs_of(run_forecast(scenario, run), names);
    } catch (const io::UserError& error) {
      failed = true;
      unit.problem = problem_text(unit.point, error);
    }
    return unit;
  };
  const auto pass = [&](PointUnit unit) {
    if (unit.problem) {
      if (++invalid <= kPointsNamed) problems.push_back(std::move(*unit.problem));
      return;
    }
    if (unit.outputs.empty() && !names.empty()) return;  // checked only, after a failure
    std::copy(unit.outputs.begin(), unit.outputs.end(),
              evaluation.values.begin() + static_cast<std::ptrdiff_t>(unit.point * names.size()));
    ++evaluation.points_done;
    if (settings.on_progress) settings.on_progress(evaluation.points_done);
  };
  core::PipelineOptions options;
  options.threads = settings.threads;
  core::Pipeline(std::move(options)).run(take, work, pass);
  if (!problems.empty()) {
    io::UserError error(std::move(problems));
    error.summarize(fmt::format(
        "{} of {} points make invalid scenarios{}; nothing was evaluated.", invalid, points,
        invalid > kPointsNamed ? fmt::format(" (the first {} are listed)", kPointsNamed) : ""));
    throw error;
  }
  evaluation.interrupted = evaluation.points_done < points;
  return evaluation;
}

}  // namespace talentcast::studies
