#include "talentcast/models/forecast.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "talentcast/core/engine.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::models {

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
  options.distributed = settings.distributed;
  core::RunResult result = core::run(model, options);

  Forecast forecast;
  forecast.paths_done = result.paths_done;
  forecast.interrupted = result.interrupted;
  forecast.holds_results = result.holds_results;
  if (!result.holds_results) return forecast;
  const OutputLayout& layout = model.layout();
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
    const std::uint64_t samples = std::min(settings.band_samples, options.paths);
    forecast.bands = BandStore::from_run(scenario, layout, result.retained, samples, settings.seed,
                                         options.paths, settings.central);
  }
  return forecast;
}

}  // namespace talentcast::models
