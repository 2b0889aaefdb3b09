#include "talentcast/studies/forecast.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "talentcast/core/engine.hpp"
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

Forecast run_forecast(const Scenario& scenario, const ForecastSettings& settings) {
  const LabourMarketModel model(scenario,
                                {settings.seed, settings.central, settings.band_samples > 0});
  core::RunOptions options;
  options.paths = settings.central ? 1 : settings.paths;
  options.retain_paths = settings.band_samples;
  options.threads = settings.threads;
  options.on_progress = settings.on_progress;
  options.stop = settings.stop;
  options.session = settings.session;
  Forecast forecast;
  const OutputLayout& layout = model.layout();
  // Precision control watches the named metrics (ratio and salary_median unless told) of every
  // series in the last period; the engine runs its loop (core/precision.hpp).
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
  const core::RunResult result = core::run(model, options);
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
  if (settings.band_samples > 0 && !result.interrupted) {
    const std::uint64_t samples = std::min(settings.band_samples, result.paths_done);
    forecast.bands = BandStore::from_run(scenario, layout, result.retained, samples, settings.seed,
                                         result.paths_done, settings.central);
  }
  return forecast;
}

}  // namespace talentcast::studies
