#include "talentcast/models/scenario.hpp"

#include <fmt/core.h>

#include <cmath>

#include "talentcast/models/metrics.hpp"

namespace talentcast::models {

std::string Range::describe() const {
  const auto bound = [](double x) {
    if (std::isinf(x)) return std::string("inf");
    if (x >= 1e6 && std::log10(x) == std::round(std::log10(x)))
      return fmt::format("1e{}", std::lround(std::log10(x)));
    return fmt::format("{}", x);
  };
  return fmt::format("{}{}, {}{}", min_open ? '(' : '[', bound(min), bound(max),
                     max_open ? ')' : ']');
}

const std::array<RoleParamInfo, kRoleParamCount>& role_param_table() {
  using enum RoleParam;
  using enum Requirement;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr Range kHeadcount{0, 1e10};
  constexpr Range kRate{0, 1};
  constexpr Range kGrowth{-1, 1};
  constexpr Range kElasticity{0, 10};
  static const std::array<RoleParamInfo, kRoleParamCount> table{{
      {employed, "employed", kHeadcount, special, "persons",
       "people employed in the role at the start (E)"},
      {openings, "openings", kHeadcount, special, "positions", "open positions at the start (V)"},
      {candidates, "candidates", kHeadcount, special, "persons",
       "active qualified job seekers at the start (U); give this or ratio"},
      {ratio,
       "ratio",
       {0, kInf},
       special,
       "candidates per opening",
       "start candidates as a multiple of openings; give this or candidates"},
      {salary,
       "salary",
       {0, 1e9, true},
       special,
       "currency per salary_unit",
       "market median salary at the start (W0)"},
      {attrition, "attrition", kRate, required, "1/year", "rate of leaving this labour market (a)"},
      {seeker_exit,
       "seeker_exit",
       {0, 12},
       required,
       "1/year",
       "rate at which unmatched candidates give up (q)"},
      {demand_growth, "demand_growth", kGrowth, required, "1/year",
       "annual log growth of expected demand (g)"},
      {matching_efficiency,
       "matching_efficiency",
       {0, 1e3, true},
       required,
       "1/year",
       "matching efficiency (mu)"},
      {matching_elasticity,
       "matching_elasticity",
       {0, 1, true, true},
       required,
       "-",
       "elasticity of hires to candidates (alpha)"},
      {neutral_ratio,
       "neutral_ratio",
       {0.01, 100},
       required,
       "candidates per opening",
       "ratio at which real wages are flat (rho*)"},
      {wage_response, "wage_response", kRate, required, "1/year",
       "wage response to tightness when rho < rho* (beta)"},
      {wage_response_down, "wage_response_down", kRate, special, "1/year",
       "wage response when rho >= rho* (betaD); defaults to wage_response"},
      {band_sigma,
       "band_sigma",
       {0, 2, true},
       required,
       "log units",
       "log-sd of individual salaries around the median (sB)"},
      {layoff_rate, "layoff_rate", kRate, zero_default, "1/year",
       "rate at which employment above demand is cut (l)"},
      {demand_vol,
       "demand_vol",
       {0, 2},
       zero_default,
       "1/sqrt(year)",
       "volatility of demand shocks (sD)"},
      {demand_elasticity, "demand_elasticity", kElasticity, zero_default, "-",
       "elasticity of demand to the smoothed real salary (eD)"},
      {wage_drift, "wage_drift", kGrowth, zero_default, "1/year",
       "annual nominal wage drift, e.g. inflation (pi)"},
      {wage_vol,
       "wage_vol",
       {0, 2},
       zero_default,
       "1/sqrt(year)",
       "volatility of wage shocks (sW)"},
      {overseas_inflow, "overseas_inflow", kHeadcount, zero_default, "persons/year",
       "overseas candidates per year at the start's real salary (I0)"},
      {overseas_elasticity, "overseas_elasticity", kElasticity, zero_default, "-",
       "elasticity of overseas inflow to real salary (eI)"},
      {switcher_inflow, "switcher_inflow", kHeadcount, zero_default, "persons/year",
       "career switchers per year at the start's real salary (C0)"},
      {switcher_elasticity, "switcher_elasticity", kElasticity, zero_default, "-",
       "elasticity of switcher inflow to real salary (eC)"},
  }};
  return table;
}

std::string Scenario::period_label(int period) const {
  return models::period_label(start.ordinal() + period * months_per_period(), step);
}

std::optional<std::size_t> Scenario::role_index(std::string_view name) const {
  for (std::size_t r = 0; r < roles.size(); ++r) {
    if (roles[r].name == name) return r;
  }
  return std::nullopt;
}

OutputLayout::OutputLayout(const Scenario& scenario)
    : periods_(static_cast<std::size_t>(scenario.periods())) {
  const auto add = [&](std::string name, std::size_t role, std::optional<std::size_t> level,
                       std::size_t first, std::size_t count) {
    series_.push_back({std::move(name), role, level, first, count, size_});
    size_ += periods_ * count;
  };
  const auto salary = static_cast<std::size_t>(Metric::salary_median);
  for (std::size_t r = 0; r < scenario.roles.size(); ++r) {
    const RoleSpec& role = scenario.roles[r];
    role_series_.push_back(series_.size());
    add(role.name, r, std::nullopt, 0, kMetricCount);
    for (std::size_t l = 0; l < role.levels.size(); ++l) {
      add(role.name + "/" + role.levels[l].name, r, l, salary, kLevelMetricCount);
    }
  }
  add("total", scenario.roles.size(), std::nullopt, 0, kTotalMetricCount);
}

}  // namespace talentcast::models
