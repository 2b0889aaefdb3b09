#include "talentcast/studies/calibration.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "talentcast/core/scoring.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/toml_values.hpp"

namespace talentcast::studies {

using Series = config::SeriesBreak::Series;
using Action = config::SeriesBreak::Action;

namespace {

const char* series_name(Series which) {
  return which == Series::employment ? "employment" : "median";
}

std::string lines_of(const std::string& history, int first_year, int last_year, int first_line,
                     int last_line) {
  return fmt::format("{} lines {}-{} (years {}-{})", history, first_line, last_line, first_year,
                     last_year);
}

// A normal distribution truncated to a parameter's range, or the number when sd is 0.
std::string normal_toml(double mean, double sd, double min, double max, const std::string& source) {
  if (!(sd > 0.0)) {
    return fmt::format("{{ value = {}, source = {} }}", toml_number(mean), toml_string(source));
  }
  return fmt::format("{{ dist = \"normal\", mean = {}, sd = {}, min = {}, max = {}, source = {} }}",
                     toml_number(mean), toml_number(sd), toml_number(min), toml_number(max),
                     toml_string(source));
}

// The base's value of a key as JSON, or null when the base does not write it.
nlohmann::json base_value(const config::ScenarioDocument& base, const std::string& key) {
  try {
    return nlohmann::json::parse(base.get_json(key)).at("value");
  } catch (const io::UserError&) {
    return nullptr;
  }
}

// The start month: the month after the observations' month of `through`, as "YYYY" or "YYYY-MM".
std::string start_after(int through, int month) {
  return month == 12 ? fmt::format("{}", through + 1) : fmt::format("{}-{:02}", through, month + 1);
}

bool aligned(const std::string& start, const std::string& step) {
  if (start.size() == 4 || step == "month") return true;
  const int month = std::stoi(start.substr(5));
  return step == "quarter" && (month - 1) % 3 == 0;
}

}  // namespace

namespace {

// A balancing inflow needs a role whose candidates come from its own inflows alone.
void balance_problems(const models::Scenario& scenario, const CalibrationOptions& o,
                      std::vector<std::string>& problems) {
  if (o.balance != "switcher_inflow" && o.balance != "overseas_inflow") {
    problems.push_back(fmt::format(
        "--balance {}: expected switcher_inflow or overseas_inflow, the inflow that keeps the "
        "market at its start ratio",
        o.balance));
    return;
  }
  const auto role =
      static_cast<std::size_t>(std::find_if(scenario.roles.begin(), scenario.roles.end(),
                                            [&](const auto& r) { return r.name == o.role; }) -
                               scenario.roles.begin());
  bool fed = false;
  for (const auto& field : scenario.fields) {
    for (const auto& [r, share] : field.shares) fed = fed || r == role;
  }
  for (const auto& other : scenario.roles) {
    for (const auto& [r, rate] : other.mobility) fed = fed || r == role;
  }
  if (fed) {
    problems.push_back(fmt::format(
        "--balance {}: role '{}' also gets candidates from graduate fields or other roles, "
        "which the balance does not count; balance a role whose candidates come from its "
        "inflows alone",
        o.balance, o.role));
  }
}

// What calibrate checks before it estimates: every problem at once.
struct Checked {
  const config::HistoryRow* start = nullptr;
  double base_employed = 0.0;
  bool monthly_salary = false;
  std::string step;
  std::string title;
  std::optional<models::RoleSpec> role;  ///< the base's role, for the balancing inflow
};

// Appends every problem to `problems`; the result is whole only when none was found.
Checked check(const config::History& history, const config::ScenarioDocument& base,
              const CalibrationOptions& o, std::vector<std::string>& problems) {
  Checked c;
  const models::Scenario scenario = base.scenario();
  std::vector<std::string> roles;
  for (const auto& role : scenario.roles) roles.push_back(role.name);
  const bool has_role = std::find(roles.begin(), roles.end(), o.role) != roles.end();
  if (!has_role) {
    problems.push_back(fmt::format("--role {}: {} has no such role{} (its roles: {})", o.role,
                                   base.path().string(), io::did_you_mean(o.role, roles),
                                   fmt::format("{}", fmt::join(roles, ", "))));
  }
  const auto& rows = history.rows;
  c.start = history.find(o.through);
  if (c.start == nullptr) {
    problems.push_back(fmt::format("--through {}: {} has no row for {} (its years: {}-{})",
                                   o.through, history.file.string(), o.through, rows.front().year,
                                   rows.back().year));
  }
  if (o.since && *o.since >= o.through) {
    problems.push_back(
        fmt::format("--since {}: expected a year before --through ({})", *o.since, o.through));
  }
  for (const auto& b : o.breaks) {
    if (b.year == o.through && b.action == Action::skip) {
      problems.push_back(fmt::format(
          "--through {}: the year is skipped as a break; start from a year that is observed",
          o.through));
    }
  }
  if (has_role) {
    const std::string role = "roles." + o.role;
    for (const std::string& key : {role + ".salary_data", std::string("defaults.salary_data")}) {
      if (base_value(base, key).is_null()) continue;
      problems.push_back(fmt::format(
          "--base {}: {} fits the band of role '{}' to salary data, and calibrate sets its "
          "salary and band_sigma from the history; calibrate against a base that states them",
          base.path().string(), key, o.role));
    }
    const nlohmann::json employed = base_value(base, role + ".employed");
    if (employed.is_number()) {
      c.base_employed = employed.get<double>();
    } else if (employed.is_object() && employed.contains("value")) {
      c.base_employed = employed.at("value").get<double>();
    } else {
      problems.push_back(fmt::format(
          "--base {}: role '{}' must state `employed` as a number, the size its other headcounts "
          "are scaled from",
          base.path().string(), o.role));
    }
  }
  if (has_role && !o.balance.empty()) balance_problems(scenario, o, problems);
  c.monthly_salary = base_value(base, "salary_unit") == "month";
  c.step = base_value(base, "step").get<std::string>();
  c.title = scenario.title;
  for (const auto& role : scenario.roles) {
    if (role.name == o.role) c.role = role;
  }
  return c;
}

// The variant's first values: what it is, when it starts, and the start values.
void state_start(Calibration& cal, const Checked& c, const CalibrationOptions& o,
                 const std::string& name, double annual) {
  const std::string role = "roles." + o.role;
  auto& out = cal.settings;
  if (!c.title.empty()) {  // a variant may state a title; a document sets only what the base has
    out.emplace_back("title", toml_string(fmt::format("{}: {} calibrated to {} through {}", c.title,
                                                      o.role, name, o.through)));
  }
  out.emplace_back("start", toml_string(cal.start));
  if (!aligned(cal.start, c.step)) out.emplace_back("step", toml_string("month"));
  if (o.horizon_years) out.emplace_back("horizon_years", fmt::format("{}", *o.horizon_years));
  const auto basis = [](double raw, double used) {
    return std::abs(used / raw - 1.0) > 1e-12
               ? fmt::format(" ({} on the latest basis; observed {})", toml_number(used),
                             toml_number(raw))
               : std::string();
  };
  const std::string where = fmt::format("{} line {}", name, c.start->line);
  out.emplace_back(
      role + ".employed",
      fmt::format("{{ value = {}, source = {} }}", toml_number(cal.start_employment),
                  toml_string(fmt::format("history: employment in {}, {}{}", o.through, where,
                                          basis(c.start->employment, cal.start_employment)))));
  out.emplace_back(
      role + ".salary",
      fmt::format("{{ value = {}, source = {} }}", toml_number(cal.start_salary),
                  toml_string(fmt::format("history: median annual salary in {}{}, {}{}", o.through,
                                          c.monthly_salary ? " / 12" : "", where,
                                          basis(c.start->median, annual)))));
}

// The inflow that keeps the market at its start ratio as demand grows at the calibrated rate
// (eq. C10): hires replace leavers and follow demand, (a + sum M + g) E, and candidates who give
// up, q U, are replaced; less the role's other inflow.
std::string balancing_inflow(const Calibration& cal, const Checked& c, const CalibrationOptions& o,
                             double k) {
  using models::RoleParam;
  const models::RoleSpec& r = *c.role;
  const auto central = [&](RoleParam p) { return r[p] ? r[p]->median() : 0.0; };
  double leave = central(RoleParam::attrition);
  for (const auto& [to, rate] : r.mobility) leave += rate.median();
  const double openings = central(RoleParam::openings) * k;
  const double candidates = r[RoleParam::candidates] ? central(RoleParam::candidates) * k
                                                     : central(RoleParam::ratio) * openings;
  const double needed = (leave + cal.demand_growth.value) * cal.start_employment +
                        central(RoleParam::seeker_exit) * candidates;
  const RoleParam other =
      o.balance == "switcher_inflow" ? RoleParam::overseas_inflow : RoleParam::switcher_inflow;
  const double value = std::max(0.0, needed - central(other) * k);
  return fmt::format("{{ value = {}, source = {} }}", toml_number(value),
                     toml_string(fmt::format(
                         "calibrate: the balancing inflow (a + g) E + q U less the other "
                         "inflow, so the market holds its start ratio (eq. C10): a {}, g {}, "
                         "E {}, q {}, U {}",
                         toml_number(leave), toml_number(cal.demand_growth.value),
                         toml_number(cal.start_employment),
                         toml_number(central(RoleParam::seeker_exit)), toml_number(candidates))));
}

// The estimates, and the headcounts the history does not observe.
void state_estimates(Calibration& cal, const Checked& c, const CalibrationOptions& o,
                     const config::ScenarioDocument& base, const std::string& name) {
  const std::string role = "roles." + o.role;
  const std::string where = fmt::format("{} line {}", name, c.start->line);
  const DriftFit& e = cal.employment;
  const DriftFit& w = cal.median;
  auto& out = cal.settings;
  const std::string e_rows = lines_of(name, e.first_year, e.last_year, e.first_line, e.last_line);
  const std::string w_rows = lines_of(name, w.first_year, w.last_year, w.first_line, w.last_line);
  struct Stated {
    const char* param;
    Estimate estimate;
    double min, max;  // the parameter's range, where the normal is truncated
    std::string source;
  };
  const Stated stated[] = {
      {"demand_growth", cal.demand_growth, -1.0, 1.0,
       fmt::format("calibrate: mean log employment growth + vol^2/2 over {} changes, {}; sd its "
                   "standard error (eq. C7)",
                   e.changes, e_rows)},
      {"demand_vol", cal.demand_vol, 0.0, 2.0,
       fmt::format("calibrate: sd of log employment growth, {}; sd its standard error (eq. C2, "
                   "C8)",
                   e_rows)},
      {"wage_drift", cal.wage_drift, -1.0, 1.0,
       fmt::format("calibrate: mean log growth of the median salary over {} changes, {}; sd its "
                   "standard error (eq. C1, C3)",
                   w.changes, w_rows)},
      {"wage_vol", cal.wage_vol, 0.0, 2.0,
       fmt::format("calibrate: sd of log growth of the median salary, {}; sd its standard error "
                   "(eq. C2, C8)",
                   w_rows)}};
  for (const Stated& s : stated) {
    out.emplace_back(role + "." + s.param,
                     normal_toml(s.estimate.value, s.estimate.se, s.min, s.max, s.source));
  }
  if (cal.band) {
    out.emplace_back(role + ".band_sigma",
                     normal_toml(cal.band_sigma->value, cal.band_sigma->se, 0.01, 2.0,
                                 fmt::format("calibrate: least squares of ln(percentile / median) "
                                             "on the normal quantile, {} percentiles in {}, {}; "
                                             "sd its standard error (eq. C4, C5)",
                                             cal.band->percentiles, o.through, where)));
  }
  // The headcounts the history does not observe keep their proportion to employment.
  const double k = cal.start_employment / c.base_employed;
  for (const char* param : {"openings", "candidates", "switcher_inflow", "overseas_inflow"}) {
    if (param == o.balance) continue;
    const std::string key = role + "." + param;
    nlohmann::json value = base_value(base, key);  // the role's own, else its [defaults]'
    if (value.is_null()) value = base_value(base, std::string("defaults.") + param);
    if (value.is_null()) continue;
    out.emplace_back(
        key, moved_toml(value, Move::scale, k - 1.0,
                        fmt::format("calibrate: the base's {} times {} (employment "
                                    "{} / the base's {})",
                                    param, toml_number(k), toml_number(cal.start_employment),
                                    toml_number(c.base_employed))));
  }
  if (!o.balance.empty()) out.emplace_back(role + "." + o.balance, balancing_inflow(cal, c, o, k));
}

}  // namespace

Calibration calibrate(const config::History& history, const config::ScenarioDocument& base,
                      const CalibrationOptions& o) {
  std::vector<std::string> problems;
  const Checked c = check(history, base, o, problems);
  const std::string name =
      o.history_name.empty() ? history.file.filename().string() : o.history_name;
  const int since = o.since.value_or(history.rows.front().year);
  Calibration cal;
  std::array<LogSeries, 2> series;
  for (const Series which : {Series::employment, Series::median}) {
    LogSeries& s = series[which == Series::employment ? 0 : 1];
    s = window(log_series(history, which, o.breaks), since, o.through);
    const auto fit = fit_drift(s);
    if (!fit) {
      const auto changes = std::count(s.shift.begin(), s.shift.end(), false) -
                           (s.shift.empty() ? 0 : 1);  // shift[0] is no change
      problems.push_back(fmt::format(
          "--through {}: {} has {} year-to-year changes of {} from {} to {}{}; a fit needs at "
          "least {}",
          o.through, name, changes, series_name(which), since, o.through,
          changes + 1 < static_cast<long>(s.years.size()) ? " (changes of basis at breaks "
                                                            "left out)"
                                                          : "",
          kMinChanges));
      continue;
    }
    (which == Series::employment ? cal.employment : cal.median) = *fit;
  }
  if (!problems.empty()) throw io::UserError(problems);
  cal.band = fit_band_sigma(*c.start);
  const DriftFit& e = cal.employment;
  const DriftFit& w = cal.median;
  cal.demand_growth = {e.drift + 0.5 * e.vol * e.vol, e.drift_se};  // eq. C7
  cal.demand_vol = {e.vol, e.vol_se};
  cal.wage_drift = {w.drift, w.drift_se};
  cal.wage_vol = {w.vol, w.vol_se};
  if (cal.band) cal.band_sigma = Estimate{cal.band->sigma, cal.band->se};
  // The start values, on the history's latest basis (log_series moved them across breaks).
  const auto last = [](const LogSeries& s) {
    return s.moved.back() ? std::exp(s.logs.back()) : s.raw.back();
  };
  cal.start_employment = last(series[0]);
  const double annual = last(series[1]);
  cal.start_salary = c.monthly_salary ? annual / 12.0 : annual;
  cal.start = start_after(o.through, history.month);

  state_start(cal, c, o, name, annual);
  state_estimates(cal, c, o, base, name);
  return cal;
}

std::string calibration_variant(const Calibration& calibration, const std::string& extends,
                                const std::string& header) {
  std::string out = header + fmt::format("extends = {}\n", toml_string(extends));
  for (const auto& [key, value] : calibration.settings) {
    out += fmt::format("{} = {}\n", key, value);
  }
  return out;
}

}  // namespace talentcast::studies
