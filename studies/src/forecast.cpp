#include "talentcast/studies/forecast.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "kept_paths.hpp"
#include "run_options.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::studies {

using formats::BandStore;
using models::LabourMarketModel;
using models::Metric;
using models::metric_name;
using models::OutputLayout;
using models::OutputSeries;
using models::Scenario;

const core::Summary& Forecast::at(std::string_view role, std::string_view period,
                                  std::string_view metric) const {
  for (const auto& row : rows) {
    if (row.role == role && row.period == period && row.metric == metric) return row.summary;
  }
  throw std::out_of_range(
      fmt::format("no forecast for role '{}', period '{}', metric '{}'", role, period, metric));
}

ForecastSettings default_settings(const Scenario& scenario) {
  ForecastSettings settings;
  settings.paths = scenario.paths;
  settings.seed = scenario.seed;
  return settings;
}

namespace {

// The outputs ForecastSettings::keep asks for, metric by metric, period by period, role by
// role. Throws io::UserError for a name that is not a metric, or values too many to hold.
std::vector<std::size_t> kept_outputs(const OutputLayout& layout,
                                      const ForecastSettings& settings) {
  if (settings.band_samples > 0) {
    throw std::invalid_argument("run_forecast: keep and band_samples together");
  }
  std::vector<std::string> names, problems;
  std::vector<Metric> metrics;
  for (std::size_t m = 0; m < models::kMetricCount; ++m) names.emplace_back(metric_name(m));
  for (const auto& name : settings.keep) {
    const auto at = std::find(names.begin(), names.end(), name);
    if (at == names.end()) {
      problems.push_back(fmt::format("keep: expected metric names ({}), found '{}'{}",
                                     fmt::join(names, ", "), io::printable(name),
                                     io::did_you_mean(name, names)));
    }
    metrics.push_back(static_cast<Metric>(at - names.begin()));
  }
  const double bytes = static_cast<double>(settings.central ? 1 : settings.paths) *
                       static_cast<double>(settings.keep.size() * layout.periods() *
                                           layout.roles() * sizeof(double));
  if (bytes > static_cast<double>(settings.keep_limit_bytes)) {
    problems.push_back(fmt::format(
        "keep: expected at most {:.3g} MB of per-path values (keep_limit), found {:.3g} MB for "
        "{} paths x {} metrics x {} periods x {} roles; keep fewer metrics or paths, or raise "
        "the limit",
        static_cast<double>(settings.keep_limit_bytes) / 1e6, bytes / 1e6, settings.paths,
        settings.keep.size(), layout.periods(), layout.roles()));
  }
  if (!problems.empty()) throw io::UserError(std::move(problems));
  std::vector<std::size_t> kept;
  for (const Metric metric : metrics) {
    for (std::size_t t = 0; t < layout.periods(); ++t) {
      for (std::size_t r = 0; r < layout.roles(); ++r) kept.push_back(layout.index(r, t, metric));
    }
  }
  return kept;
}

KeptPaths kept_paths(const Scenario& scenario, const OutputLayout& layout,
                     const ForecastSettings& settings, std::vector<double> retained) {
  KeptPaths kept;
  kept.metrics = settings.keep;
  for (std::size_t t = 0; t < layout.periods(); ++t) {
    kept.periods.push_back(scenario.period_label(static_cast<int>(t)));
  }
  for (std::size_t r = 0; r < layout.roles(); ++r) kept.roles.push_back(layout.role_series(r).name);
  kept.values = std::move(retained);  // path by path, in kept_outputs' order
  return kept;
}

// Precision control watches the named metrics (ratio and salary_median unless told) of every
// series in the last period; the engine runs its loop (core/precision.hpp). Returns the watched
// outputs' labels, for the precision reached.
std::vector<std::string> watch(const Scenario& scenario, const OutputLayout& layout,
                               const ForecastSettings& settings, core::RunOptions& options) {
  std::vector<std::string> watched_labels;
  if (settings.target_mcse > 0.0 && !settings.central) {
    core::PrecisionTarget& target = options.precision.emplace();
    target.relative = settings.target_mcse;
    target.max_paths = settings.max_paths;
    const std::vector<std::string> names = settings.target_metrics.empty()
                                               ? std::vector<std::string>{"ratio", "salary_median"}
                                               : settings.target_metrics;
    const std::size_t last = layout.periods() - 1;
    const std::string period = scenario.period_label(static_cast<int>(last));
    for (const OutputSeries& series : layout.series()) {
      for (const std::string& name : names) {
        for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
             ++m) {
          if (metric_name(m) != name) continue;
          target.watched.push_back(layout.index(series, last, static_cast<Metric>(m)));
          watched_labels.push_back(fmt::format("{} of {} in {}", name, series.name, period));
        }
      }
    }
  }
  return watched_labels;
}

}  // namespace

Forecast run_forecast(const Scenario& scenario, const ForecastSettings& settings) {
  const LabourMarketModel model(scenario,
                                {settings.seed, settings.central, settings.band_samples > 0});
  core::RunOptions options = detail::run_options(settings);
  options.paths = settings.central ? 1 : settings.paths;
  options.retain_paths = settings.band_samples;
  options.session = settings.session;
  Forecast forecast;
  const OutputLayout& layout = model.layout();
  const std::vector<std::string> watched_labels = watch(scenario, layout, settings, options);
  std::optional<detail::KeepingModel> keeping;
  if (!settings.keep.empty()) {
    keeping.emplace(model, kept_outputs(layout, settings));
    options.retain_paths = options.paths;
  }
  const core::RunResult result = keeping ? core::run(*keeping, options) : core::run(model, options);
  if (result.precision) {
    const core::PrecisionReached& reached = *result.precision;
    Precision& precision = forecast.precision.emplace();
    precision.target = reached.target;
    precision.reached = reached.reached;
    precision.met = reached.met;
    if (reached.worst) {
      const auto at = std::find(options.precision->watched.begin(),
                                options.precision->watched.end(), *reached.worst);
      precision.worst =
          watched_labels[static_cast<std::size_t>(at - options.precision->watched.begin())];
    }
  }

  forecast.paths_done = result.paths_done;
  forecast.interrupted = result.interrupted;
  forecast.holds_results = result.holds_results;
  if (!result.holds_results) return forecast;
  forecast.rows.reserve(layout.size());
  for (const OutputSeries& series : layout.series()) {
    for (std::size_t period = 0; period < layout.periods(); ++period) {
      const std::string label = scenario.period_label(static_cast<int>(period));
      for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
           ++m) {
        const auto metric = static_cast<Metric>(m);
        forecast.rows.push_back({series.name, label, std::string(metric_name(metric)),
                                 result.outputs[layout.index(series, period, metric)]});
      }
    }
  }
  if (keeping && !result.interrupted) {
    forecast.kept = kept_paths(scenario, layout, settings, result.retained);
  }
  if (settings.band_samples > 0 && !result.interrupted) {
    const std::uint64_t samples = std::min(settings.band_samples, result.paths_done);
    forecast.bands = BandStore::from_run(scenario, layout, result.retained, samples, settings.seed,
                                         result.paths_done, settings.central);
  }
  return forecast;
}

}  // namespace talentcast::studies
