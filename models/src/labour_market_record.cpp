// The labour-market model's reported metrics (docs/model.md, "Reported metrics"): each period's
// rows of a block, and the check that the state stays finite.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "labour_market_worker.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::models::detail {

void Worker::check_finite(int month, std::size_t r, std::size_t count) const {
  const RoleLanes& role = roles_[r];
  for (std::size_t i = 0; i < count; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    if (std::isfinite(role.demand[k]) && std::isfinite(role.employed[k]) &&
        std::isfinite(role.candidates[k]) && std::isfinite(role.ln_salary[k])) {
      continue;
    }
    std::string values;
    for (const auto& p : role_param_table()) {
      values += fmt::format("{}{} = {:.6g}", values.empty() ? "" : ", ", p.key,
                            role.param[static_cast<std::size_t>(p.param)][k]);
    }
    throw ModelError(fmt::format(
        "path {}, month {} ({}), role {}: the state became non-finite (demand = {}, employed = {}, "
        "candidates = {}, ln salary = {}); the scenario's values are jointly unusable. This "
        "path's parameters: {}. Replay it with: talentcast replay {} --path {} --seed {}",
        first_path_ + i, month, period_label(scenario_.start.ordinal() + month, Step::month),
        scenario_.roles[r].name, role.demand[k], role.employed[k], role.candidates[k],
        role.ln_salary[k], values, scenario_.path.string(), first_path_ + i,
        model_.options().seed));
  }
}

// A row of a period: an output's values over the block's paths, which must be finite.
void Worker::put(const PeriodRows& rows, const OutputSeries& series, Metric metric,
                 const Lanes& values) {
  const OutputLayout& layout = model_.layout();
  const std::size_t count = rows.count;
  double* target =
      rows.out.row(layout.index(series, static_cast<std::size_t>(rows.period), metric)).data();
  bool finite = true;
  for (std::size_t i = 0; i < count; ++i) {
    target[i] = values[static_cast<Eigen::Index>(i)];
    finite = finite && std::isfinite(target[i]);
  }
  if (finite) return;
  const std::size_t i = static_cast<std::size_t>(
      std::find_if(target, target + count, [](double x) { return !std::isfinite(x); }) - target);
  throw ModelError(fmt::format(
      "path {}, period {}, role {}: {} is {}; the scenario's values are jointly unusable. "
      "Replay it with: talentcast replay {} --path {} --seed {}",
      first_path_ + i, scenario_.period_label(rows.period), series.name, metric_name(metric),
      target[i], scenario_.path.string(), first_path_ + i, model_.options().seed));
}

// A salary band: its median and percentiles, and (for the band store) the first paths' log
// median and log-sd, retained after the outputs.
void Worker::put_band(const PeriodRows& rows, const OutputSeries& series, const Lanes& ln_median,
                      const Lanes& sigma, const BandSpread& spread) {
  const OutputLayout& layout = model_.layout();
  median_ = ln_median;
  exp_in_place(median_);
  put(rows, series, Metric::salary_median, median_);
  for (std::size_t b = 0; b < kBandPercentiles.size(); ++b) {
    scratch_ = median_ * spread[b];
    put(rows, series, kBandPercentiles[b].second, scratch_);
  }
  if (!model_.options().band_store) return;
  const auto group = static_cast<std::size_t>(&series - layout.series().data());
  for (std::size_t q = 0; q < 2; ++q) {
    const Lanes& values = q == 0 ? ln_median : sigma;
    double* target =
        rows.out
            .row(layout.size() + layout.band_value(group, static_cast<std::size_t>(rows.period), q))
            .data();
    for (std::size_t i = 0; i < rows.count; ++i) target[i] = values[static_cast<Eigen::Index>(i)];
  }
}

// The market measures of a period, from its candidates, openings and hires.
void Worker::put_market(const PeriodRows& rows, const OutputSeries& series, const Lanes& candidates,
                        const Lanes& openings, const Lanes& sum_openings, const Lanes& hires,
                        const Lanes& neutral) {
  const auto no_market = (candidates < 1.0) && (openings < 1.0);
  const Lanes ratio = no_market.select(neutral, candidates / openings.max(1.0));
  put(rows, series, Metric::ratio, ratio);
  put(rows, series, Metric::shortage, ((ratio < 1.0) && !no_market).cast<double>());
  put(rows, series, Metric::fill_rate, hires / sum_openings.max(1.0));
}

// The metrics of a period (docs/model.md, "Reported metrics"): each role's, its levels' bands,
// and the total's; the role's sums over the period start again.
void Worker::record_period(int period, core::RowSink& out, std::size_t count) {
  const OutputLayout& layout = model_.layout();
  const double months = scenario_.months_per_period();
  const PeriodRows rows{out, period, count};
  const std::size_t R = roles_.size();
  Lanes total[kTotalMetricCount];
  for (auto& t : total) t = Lanes::Zero(lanes_);
  Lanes total_sum_openings = Lanes::Zero(lanes_);
  for (std::size_t r = 0; r < R; ++r) {
    RoleLanes& role = roles_[r];
    const Lanes candidates = role.sum_candidates / months;
    const Lanes openings = role.sum_openings / months;
    const Lanes unfilled = role.sum_unfilled / months;
    const std::pair<Metric, const Lanes*> flows[] = {
        {Metric::demand, &role.demand},
        {Metric::employed, &role.employed},
        {Metric::candidates, &candidates},
        {Metric::openings, &openings},
        {Metric::unfilled, &unfilled},
        {Metric::hires, &role.sum_hires},
        {Metric::new_openings, &role.sum_new_openings},
        {Metric::new_candidates, &role.sum_new_candidates}};
    const OutputSeries& series = layout.role_series(r);
    for (const auto& [metric, values] : flows) {
      put(rows, series, metric, *values);
      total[static_cast<std::size_t>(metric)] += *values;
    }
    total_sum_openings += role.sum_openings;
    put_market(rows, series, candidates, openings, role.sum_openings, role.sum_hires,
               role[RoleParam::neutral_ratio]);
    put_band(rows, series, role.ln_salary, role[RoleParam::band_sigma], role.band_spread);
    for (std::size_t l = 0; l < role.levels.size(); ++l) {
      const LevelLanes& level = role.levels[l];
      level_ln_median_ = role.ln_salary + level.ln_multiplier;
      put_band(rows, layout.level_series(r, l), level_ln_median_, level.sigma, level.spread);
    }
    for (Lanes* sum : {&role.sum_candidates, &role.sum_openings, &role.sum_unfilled,
                       &role.sum_hires, &role.sum_new_openings, &role.sum_new_candidates}) {
      sum->setZero();
    }
    out.flush();  // a role's rows (about 40) are reduced while in the core's cache
  }
  for (Metric metric :
       {Metric::demand, Metric::employed, Metric::candidates, Metric::openings, Metric::unfilled,
        Metric::hires, Metric::new_openings, Metric::new_candidates}) {
    put(rows, layout.role_series(R), metric, total[static_cast<std::size_t>(metric)]);
  }
  put_market(rows, layout.role_series(R), total[static_cast<std::size_t>(Metric::candidates)],
             total[static_cast<std::size_t>(Metric::openings)], total_sum_openings,
             total[static_cast<std::size_t>(Metric::hires)], Lanes::Ones(lanes_));
}

}  // namespace talentcast::models::detail
