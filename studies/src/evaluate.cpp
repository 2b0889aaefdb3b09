#include "talentcast/studies/evaluate.hpp"

#include <fmt/core.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
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
    values.push_back(
        statistic(*rows.at({output.series, output.period, output.metric}), output.statistic));
  }
  return values;
}

// Each key set, on a copy of the document, to the first point's value: a key that names no
// value of the scenario is found before any point runs.
void check_keys(const config::ScenarioDocument& document, const std::vector<std::string>& keys,
                const std::vector<double>& values) {
  config::ScenarioDocument probe(document);
  std::vector<io::Diagnostic> diagnostics;
  for (std::size_t j = 0; j < keys.size(); ++j) {
    try {
      probe.set(keys[j], fmt::format("{}", values.empty() ? 0.0 : values[j]));
    } catch (const io::UserError& error) {
      diagnostics.insert(diagnostics.end(), error.diagnostics().begin(), error.diagnostics().end());
    }
  }
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
}

}  // namespace

Evaluation evaluate(const config::ScenarioDocument& document, const std::vector<std::string>& keys,
                    const std::vector<double>& values, const std::vector<std::string>& outputs,
                    const EvaluateSettings& settings) {
  const std::size_t k = keys.size();
  if (k == 0 ? !values.empty() : values.size() % k != 0) {
    throw std::invalid_argument("evaluate: values are not whole points of the keys");
  }
  const std::size_t points = k == 0 ? 0 : values.size() / k;
  const std::vector<OutputName> names = read_outputs(document.scenario(), outputs);
  check_keys(document, keys, values);

  Evaluation evaluation;
  evaluation.values.assign(points * names.size(), 0.0);
  tbb::enumerable_thread_specific<std::unique_ptr<config::ScenarioDocument>> documents;
  std::vector<std::string> problems;
  std::size_t next = 0;
  const auto stopped = [&] {
    return !problems.empty() || (settings.stop != nullptr && settings.stop->load());
  };
  const auto take = [&]() -> std::optional<PointUnit> {
    if (next == points || stopped()) return std::nullopt;
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
      ForecastSettings run;
      run.paths = settings.paths;
      run.seed = settings.seed;
      run.threads = 1;
      unit.outputs = outputs_of(run_forecast(local->scenario(), run), names);
    } catch (const io::UserError& error) {
      std::string text;
      for (const auto& p : error.problems()) text += "; " + p;
      for (const auto& d : error.diagnostics()) text += "; " + d.message();
      unit.problem = fmt::format("point {}: {}", unit.point, text.substr(2));
    }
    return unit;
  };
  const auto pass = [&](PointUnit unit) {
    if (unit.problem) {
      if (problems.size() < kPointsNamed) problems.push_back(std::move(*unit.problem));
      return;
    }
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
    error.summarize("The values of these points make invalid scenarios; nothing was evaluated.");
    throw error;
  }
  evaluation.interrupted = evaluation.points_done < points;
  return evaluation;
}

}  // namespace talentcast::studies
