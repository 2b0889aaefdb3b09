#include "talentcast/studies/forecast.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>
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

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

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
  if (settings.target_mcse > 0.0 && !settings.central) {
    // Every series' watched metrics in the last period.
    std::vector<std::pair<std::size_t, std::string>> watched;
    const std::vector<std::string> names = settings.target_metrics.empty()
                                               ? std::vector<std::string>{"ratio", "salary_median"}
                                               : settings.target_metrics;
    for (const OutputSeries& series : layout.series()) {
      for (const std::string& name : names) {
        for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
             ++m) {
          if (metric_name(m) != name) continue;
          watched.emplace_back(
              layout.index(series, layout.periods() - 1, static_cast<Metric>(m)),
              fmt::format("{} of {} in {}", name, series.name,
                          scenario.period_label(static_cast<int>(layout.periods() - 1))));
        }
      }
    }
    const auto round_up = [](double paths) {
      const double chunks = std::ceil(paths / static_cast<double>(core::kChunkPaths));
      return chunks >= 1e15 ? core::kMaxPaths
                            : static_cast<std::uint64_t>(chunks) * core::kChunkPaths;
    };
    options.max_paths = settings.max_paths;
    options.paths = std::min(round_up(static_cast<double>(options.paths)), settings.max_paths);
    forecast.precision.emplace();
    forecast.precision->target = settings.target_mcse;
    options.checkpoint = [&, watched](std::uint64_t paths,
                                      const std::vector<core::Moments>& totals) -> std::uint64_t {
      Precision& p = *forecast.precision;
      p.reached = 0.0;
      for (const auto& [v, label] : watched) {
        const core::Moments& m = totals[v];
        const double mcse = m.sd() / std::sqrt(static_cast<double>(m.count));
        // Infinite at a mean of 0, and with fewer than 2 paths (no standard error yet).
        const double relative = m.count < 2 ? kInf : mcse == 0.0 ? 0.0 : mcse / std::abs(m.mean);
        if (!(relative <= p.reached)) {
          p.reached = relative;
          p.worst = label;
        }
      }
      p.met = p.reached <= p.target;
      if (p.met) return 0;
      // The standard error falls as 1/sqrt(paths): aim 5% past the estimate, a chunk at least.
      const double needed =
          static_cast<double>(paths) * (p.reached / p.target) * (p.reached / p.target) * 1.05;
      return std::max(paths + core::kChunkPaths,
                      round_up(std::min(needed, static_cast<double>(core::kMaxPaths))));
    };
  }
  core::RunResult result = core::run(model, options);

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
