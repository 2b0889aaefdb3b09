#include "talentcast/studies/backtest.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "talentcast/config/scenario_document.hpp"
#include "talentcast/core/scoring.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/calibration.hpp"
#include "talentcast/studies/forecast.hpp"
#include "talentcast/studies/toml_values.hpp"

namespace talentcast::studies {

using Series = config::SeriesBreak::Series;

namespace {

constexpr std::array<Series, 2> kSeries{Series::employment, Series::median};

// A forecast of a log value as a normal distribution: how the baselines forecast.
struct Gaussian {
  double mean = 0.0, sd = 0.0;
};

// The scores every forecast gets from its percentiles; the caller sets pit, crps and covered.
void finish(Scored& s) {
  const double median = s.percentiles[3];
  s.ape = std::abs(median - s.actual) / s.actual;
  s.has_direction = median != s.last && s.method != Method::no_change;
  s.direction_right = s.has_direction && ((median > s.last) == (s.actual > s.last));
}

Scored score_normal(Scored s, Gaussian g) {
  const double sd = std::max(g.sd, 1e-12);  // a point forecast, as near as scores allow
  const double y = std::log(s.actual);
  for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
    s.percentiles[i] = std::exp(g.mean + sd * core::normal_quantile(kPercentiles[i]));
  }
  s.pit = 0.5 * std::erfc(-(y - g.mean) / sd / std::sqrt(2.0));
  s.crps = core::crps_normal(g.mean, sd, y);
  for (std::size_t i = 0; i < kLevels.size(); ++i) {
    s.covered[i] = core::normal_interval(g.mean, sd, kLevels[i]).covers(y);
  }
  finish(s);
  return s;
}

// The percentiles (kPercentiles) of the values whose sorted logs are given.
std::array<double, 7> sample_percentiles(const std::vector<double>& sorted_logs) {
  std::array<double, 7> q{};
  for (std::size_t k = 0; k < kPercentiles.size(); ++k) {
    q[k] = std::exp(core::sorted_quantile(sorted_logs, kPercentiles[k]));
  }
  return q;
}

// The model's forecast: the paths' log values, sorted; s.percentiles are theirs.
Scored score_sample(Scored s, const std::vector<double>& sorted_logs) {
  const double y = std::log(s.actual);
  const auto below = std::lower_bound(sorted_logs.begin(), sorted_logs.end(), y);
  const auto upto = std::upper_bound(below, sorted_logs.end(), y);
  s.pit =
      (static_cast<double>(below - sorted_logs.begin()) + 0.5 * static_cast<double>(upto - below)) /
      static_cast<double>(sorted_logs.size());
  s.crps = core::crps_sample(sorted_logs, y);
  for (std::size_t i = 0; i < kLevels.size(); ++i) {
    s.covered[i] = core::sample_interval(sorted_logs, kLevels[i]).covers(y);
  }
  finish(s);
  return s;
}

// The naive baselines at horizon h from the series through the origin (docs/backtest.md,
// eq. B1-B3).
Gaussian baseline(Method method, const LogSeries& w, const DriftFit& fit, int h, int k) {
  const double last = w.logs.back();
  const double hh = h;
  if (method == Method::no_change) {
    double squares = 0.0;
    for (std::size_t i = 1; i < w.years.size(); ++i) {
      if (w.shift[i]) continue;
      const double d = w.logs[i] - w.logs[i - 1];
      squares += d * d / (w.years[i] - w.years[i - 1]);
    }
    return {last, std::sqrt(squares / fit.changes * hh)};  // eq. B1
  }
  if (method == Method::trend) {
    std::size_t from = w.years.size() - 1;
    while (from > 0 && w.years[from - 1] >= w.years.back() - k) --from;
    const double years = w.years.back() - w.years[from];
    const double trend = years > 0 ? (last - w.logs[from]) / years : 0.0;
    return {last + trend * hh, fit.vol * std::sqrt(hh * (1.0 + hh / std::max(years, 1.0)))};  // B2
  }
  return {last + fit.drift * hh, fit.vol * std::sqrt(hh * (1.0 + hh / fit.years))};  // eq. B3
}

struct Prepared {
  config::History history;
  config::ScenarioDocument base;
  std::array<LogSeries, 2> series;  // the whole history on its latest basis
};

double at_year(const LogSeries& s, int year, bool& found) {
  const auto it = std::find(s.years.begin(), s.years.end(), year);
  found = it != s.years.end();
  return found ? std::exp(s.logs[static_cast<std::size_t>(it - s.years.begin())]) : 0.0;
}

}  // namespace

const char* method_name(Method method) {
  switch (method) {
    case Method::model:
      return "model";
    case Method::no_change:
      return "no_change";
    case Method::trend:
      return "trend";
    case Method::random_walk:
      return "random_walk";
  }
  return "";
}

std::filesystem::path spec_path(const config::BacktestSpec& spec,
                                const std::filesystem::path& named) {
  return named.is_absolute() ? named : spec.file.parent_path() / named;
}

namespace {

// Calibration through one origin, with the spec's settings.
CalibrationOptions options_at(const config::BacktestSpec& spec, const config::History& history,
                              int origin) {
  CalibrationOptions options;
  options.role = spec.role;
  options.through = origin;
  options.since = spec.since.value_or(history.rows.front().year);
  options.horizon_years = spec.horizon;
  options.breaks = spec.breaks;
  options.balance = spec.balance;
  return options;
}

// Reads the spec's files and checks the spec against them: every problem at once.
Prepared prepare(const config::BacktestSpec& spec) {
  std::vector<std::string> problems;
  std::vector<io::Diagnostic> diagnostics;
  std::optional<config::History> history;
  std::optional<config::ScenarioDocument> base;
  try {
    history.emplace(config::load_history(spec_path(spec, spec.history)));
  } catch (const io::UserError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    diagnostics.insert(diagnostics.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  try {
    base.emplace(spec_path(spec, spec.base));
    const auto scenario = base->scenario();
    const bool has = std::any_of(scenario.roles.begin(), scenario.roles.end(),
                                 [&](const auto& role) { return role.name == spec.role; });
    if (!has) {
      problems.push_back(fmt::format("{}: role '{}': {} has no such role", spec.file.string(),
                                     spec.role, spec_path(spec, spec.base).string()));
    }
  } catch (const io::UserError& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    diagnostics.insert(diagnostics.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  if (history) {
    const int first = history->rows.front().year, last = history->rows.back().year;
    if (spec.first_origin < first || spec.last_origin > last) {
      problems.push_back(
          fmt::format("{}: origins {}-{}: expected origins within the history's years ({}-{})",
                      spec.file.string(), spec.first_origin, spec.last_origin, first, last));
    }
  }
  if (!problems.empty() || !diagnostics.empty()) {
    io::UserError error(problems);
    error.add(std::move(diagnostics));
    throw error;
  }
  Prepared p{std::move(*history), std::move(*base), {}};
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    p.series[i] = log_series(p.history, kSeries[i], spec.breaks);
  }
  // What would stop every origin (the role's values in the base, the balance, too few years
  // even at the last origin) is the spec's problem: calibrate through the last origin checks it.
  try {
    (void)calibrate(p.history, p.base, options_at(spec, p.history, spec.last_origin));
  } catch (const io::UserError& e) {
    std::vector<std::string> told;
    for (const auto& problem : e.problems()) {
      told.push_back(fmt::format("{}: at the last origin, {}", spec.file.string(), problem));
    }
    throw io::UserError(told);
  }
  return p;
}

// The model's forecast from one origin: the paths' values of employment and the median salary
// (annual) in each target year's observed month, per series, year (1..H) and path.
std::array<std::vector<std::vector<double>>, 2> model_paths(const config::BacktestSpec& spec,
                                                            const Prepared& p, const Calibration& c,
                                                            const BacktestSettings& settings,
                                                            int origin) {
  config::ScenarioDocument document(p.base);
  for (const auto& [key, value] : c.settings) document.set(key, value);
  document.set("step", toml_string("month"));  // so that every month is a reporting period
  const models::Scenario scenario = document.scenario();
  ForecastSettings fs;
  fs.paths = spec.paths;
  fs.seed = spec.seed;
  fs.threads = settings.threads;
  fs.stop = settings.stop;
  fs.keep = {"employed", "salary_median"};
  const Forecast forecast = run_forecast(scenario, fs);
  std::array<std::vector<std::vector<double>>, 2> out;
  if (forecast.interrupted || !forecast.kept) return out;  // empty: stopped
  const KeptPaths& kept = *forecast.kept;
  const auto role = static_cast<std::size_t>(
      std::find(kept.roles.begin(), kept.roles.end(), spec.role) - kept.roles.begin());
  const double per_year = scenario.salary_unit == models::SalaryUnit::month ? 12.0 : 1.0;
  const std::size_t metrics = kept.metrics.size(), periods = kept.periods.size();
  const std::size_t roles = kept.roles.size();
  for (int h = 1; h <= spec.horizon; ++h) {
    const std::string label = fmt::format("{}-{:02}", origin + h, p.history.month);
    const auto t = static_cast<std::size_t>(
        std::find(kept.periods.begin(), kept.periods.end(), label) - kept.periods.begin());
    if (t == periods) throw std::logic_error("backtest: no period " + label + " in the forecast");
    for (std::size_t m = 0; m < 2; ++m) {
      std::vector<double> values(spec.paths);
      for (std::size_t path = 0; path < spec.paths; ++path) {
        values[path] = kept.values[((path * metrics + m) * periods + t) * roles + role] *
                       (m == 1 ? per_year : 1.0);
      }
      out[m].push_back(std::move(values));
    }
  }
  return out;
}

}  // namespace

namespace {

// The forecasts of one series and method that `keep` selects, pooled.
template <class Keep>
std::optional<Pooled> pool_of(const std::vector<Scored>& forecasts, Pooled p, Keep keep) {
  std::vector<double> apes;
  int right = 0;
  for (const Scored& s : forecasts) {
    if (s.series != p.series || s.method != p.method || !keep(s)) continue;
    ++p.n;
    for (std::size_t i = 0; i < kLevels.size(); ++i) p.coverage[i] += s.covered[i];
    p.crps += s.crps;
    apes.push_back(s.ape);
    p.directions += s.has_direction;
    right += s.direction_right;
  }
  if (p.n == 0) return std::nullopt;
  for (double& c : p.coverage) c /= p.n;
  p.crps /= p.n;
  std::sort(apes.begin(), apes.end());
  p.mdape = core::sorted_quantile(apes, 0.5);
  p.direction_right = p.directions > 0 ? double(right) / p.directions : 0.0;
  return p;
}

std::vector<Pooled> pool(const std::vector<Scored>& forecasts, int horizon,
                         const std::vector<int>& origins) {
  std::vector<Pooled> pooled;
  for (const Series series : kSeries) {
    for (const Method method : kMethods) {
      Pooled p;
      p.series = series;
      p.method = method;
      for (int h = 0; h <= horizon; ++h) {
        p.horizon = h;
        if (const auto one =
                pool_of(forecasts, p, [h](const Scored& s) { return h == 0 || s.horizon == h; })) {
          pooled.push_back(*one);
        }
      }
      p.horizon = 0;
      for (const int origin : origins) {
        p.origin = origin;
        if (const auto one =
                pool_of(forecasts, p, [origin](const Scored& s) { return s.origin == origin; })) {
          pooled.push_back(*one);
        }
      }
    }
  }
  return pooled;
}

}  // namespace

BacktestResult run_backtest(const config::BacktestSpec& spec, const BacktestSettings& settings) {
  const Prepared p = prepare(spec);
  BacktestResult result;
  result.history_sha256 = p.history.sha256;
  result.month = p.history.month;
  for (std::size_t i = 0; i < kSeries.size(); ++i) {
    for (std::size_t j = 0; j < p.series[i].years.size(); ++j) {
      result.actual[i].emplace_back(p.series[i].years[j], std::exp(p.series[i].logs[j]));
    }
  }
  const int since = spec.since.value_or(p.history.rows.front().year);
  const std::size_t origins = static_cast<std::size_t>(spec.last_origin - spec.first_origin + 1);
  for (int origin = spec.first_origin; origin <= spec.last_origin; ++origin) {
    if (settings.stop && settings.stop->load()) {
      result.interrupted = true;
      break;
    }
    std::optional<Calibration> c;
    try {
      c.emplace(calibrate(p.history, p.base, options_at(spec, p.history, origin)));
    } catch (const io::UserError& e) {
      std::string why;
      for (const auto& problem : e.problems()) {
        if (!why.empty()) why += "; ";
        why += problem;
      }
      result.origins_left.push_back(fmt::format("{}: {}", origin, why));
      continue;
    }
    const auto paths = model_paths(spec, p, *c, settings, origin);
    if (paths[0].empty()) {
      result.interrupted = true;
      break;
    }
    result.origins.push_back(origin);
    for (std::size_t i = 0; i < kSeries.size(); ++i) {
      const LogSeries w = window(p.series[i], since, origin);
      const DriftFit& fit = i == 0 ? c->employment : c->median;
      OriginFan fan{origin, kSeries[i], {origin}, {}};
      const double last = std::exp(w.logs.back());
      fan.percentiles.push_back({last, last, last, last, last, last, last});
      for (int h = 1; h <= spec.horizon; ++h) {
        std::vector<double> logs = paths[i][static_cast<std::size_t>(h - 1)];
        for (double& x : logs) x = std::log(x);
        std::sort(logs.begin(), logs.end());
        const std::array<double, 7> q = sample_percentiles(logs);
        fan.years.push_back(origin + h);
        fan.percentiles.push_back(q);
        bool observed = false;
        const double actual = at_year(p.series[i], origin + h, observed);
        if (!observed) continue;
        Scored base{origin, h, kSeries[i], Method::model, last, actual, q};
        result.forecasts.push_back(score_sample(base, logs));
        for (const Method m : {Method::no_change, Method::trend, Method::random_walk}) {
          base.method = m;
          result.forecasts.push_back(score_normal(base, baseline(m, w, fit, h, spec.trend_years)));
        }
      }
      result.fans.push_back(std::move(fan));
    }
    if (settings.on_progress) {
      settings.on_progress(static_cast<std::size_t>(origin - spec.first_origin + 1), origins);
    }
  }
  result.pooled = pool(result.forecasts, spec.horizon, result.origins);
  return result;
}

}  // namespace talentcast::studies
