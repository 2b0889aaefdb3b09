// The labour-market model's monthly steps 1-9 (docs/reference-model.md, "One month, for every
// path, in this order"; the equations cited "eq. N" are docs/model.md's), over the lanes of a
// block; the set-up of a block is in labour_market_setup.cpp, the reported metrics in
// labour_market_record.cpp.
#include "talentcast/models/labour_market.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "labour_market_worker.hpp"
#include "talentcast/core/box_muller.hpp"
#include "talentcast/core/vector_math.hpp"

namespace talentcast::models {

namespace detail {

// 1. Regime (eqs. 7, 8): leave regime i with probability 1 - exp(-P_i dt), to j with
// P[i][j] / P_i. The initial regime holds in month 0.
void Worker::step_regimes(int month) {
  if (regimes_.empty() || central_ || month == 0) return;
  for (Eigen::Index i = 0; i < lanes_; ++i) {
    const RegimeLanes& current =
        regimes_[static_cast<std::size_t>(regime_[static_cast<std::size_t>(i)])];
    const double total = current.total_rate[i];
    if (total <= 0.0) continue;
    const auto u = rng_.uniforms(first_path_ + static_cast<std::uint64_t>(i),
                                 static_cast<std::uint32_t>(month), 0, core::Domain::regime);
    if (u[0] >= -std::expm1(-total * kDt)) continue;
    double target = u[1] * total;
    std::size_t next = current.rates.back().first;
    for (const auto& [j, rate] : current.rates) {
      if (target < rate[i]) {
        next = j;
        break;
      }
      target -= rate[i];
    }
    regime_[static_cast<std::size_t>(i)] = static_cast<int>(next);
  }
}

// Shocks (eq. 23): independent standard normals per (path, month, role), correlated across
// roles with the lower Cholesky factor of each correlation matrix.
void Worker::draw_shocks(int month) {
  const std::size_t R = roles_.size();
  // Box-Muller, vectorised over the paths.
  uniform_radius_.resize(lanes_);
  uniform_angle_.resize(lanes_);
  const auto lanes = static_cast<std::size_t>(lanes_);
  for (std::size_t r = 0; r < R; ++r) {
    // Addressed by the role's name, so adding a role leaves the others' shocks unchanged.
    const std::uint64_t address = role_addresses_[r];
    rng_.uniforms(first_path_, static_cast<std::uint32_t>(month),
                  static_cast<std::uint32_t>(address), core::Domain::shock,
                  static_cast<std::uint32_t>(address >> 40),
                  std::span<double>(uniform_radius_.data(), lanes),
                  std::span<double>(uniform_angle_.data(), lanes));
    core::box_muller(uniform_radius_, uniform_angle_, eps_demand_[r], eps_wage_[r]);
  }
  for (std::size_t r = 0; r < R; ++r) {
    RoleLanes& role = roles_[r];
    if (demand_correlated_) {
      role.shock_demand.setZero();
      for (std::size_t s = 0; s <= r; ++s) {
        role.shock_demand +=
            chol_demand_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) *
            eps_demand_[s];
      }
    } else {
      role.shock_demand = eps_demand_[r];
    }
    if (wage_correlated_) {
      role.shock_wage.setZero();
      for (std::size_t s = 0; s <= r; ++s) {
        role.shock_wage +=
            chol_wage_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) * eps_wage_[s];
      }
    } else {
      role.shock_wage = eps_wage_[r];
    }
  }
}

// 2. Demand (eqs. 9, 10):
// D <- D exp((g + g_events + g_regime - sD^2/2) dt + sD sqrt(dt) zD) (ws/ws_prev)^-eD.
void Worker::step_demand(int month) {
  const bool stochastic = !central_;
  const std::size_t R = roles_.size();
  for (std::size_t r = 0; r < R; ++r) {
    RoleLanes& role = roles_[r];
    Lanes& log_change = role.log_change;
    log_change = role[RoleParam::demand_growth];
    if (!regimes_.empty()) {
      for (Eigen::Index i = 0; i < lanes_; ++i) {
        log_change[i] += regimes_[static_cast<std::size_t>(regime_[static_cast<std::size_t>(i)])]
                             .growth_add[r][i];
      }
    }
    for (std::size_t e = 0; e < events_.size(); ++e) {
      const EventSpec& spec = scenario_.events[e];
      if (events_[e].has_growth_add && month >= spec.first_month && month <= spec.last_month &&
          event_applies(spec, r)) {
        log_change += events_[e].growth_add[r];
      }
    }
    log_change *= kDt;
    if (stochastic)
      log_change += role.demand_vol_correction + role.demand_vol_sqrt_dt * role.shock_demand;
    if (role.demand_reacts_to_wages) {
      // (ws / ws_prev)^(-eD): 1 in month 0, where ws = ws_prev = 1.
      scratch_ = role.smoothed_wage / role.smoothed_wage_prev;
      log_in_place(scratch_);
      log_change -= role[RoleParam::demand_elasticity] * scratch_;
    }
    role.demand_before = role.demand;
    exp_in_place(log_change);
    role.demand *= log_change;
    for (std::size_t e = 0; e < events_.size(); ++e) {
      if (events_[e].has_jump && month == scenario_.events[e].first_month &&
          event_applies(scenario_.events[e], r)) {
        role.demand *= events_[e].jump[r];
      }
    }
  }
}

// 3. Separations (competing risks, eq. 11), then layoffs of employment above demand (eq. 12).
void Worker::step_separations() {
  for (RoleLanes& role : roles_) role.moved_in.setZero();
  for (RoleLanes& role : roles_) {
    role.left = role.employed * role.leave_fraction;
    role.moved_out.setZero();
    for (const auto& [target, fraction] : role.move_fraction) {
      scratch_ = role.employed * fraction;
      role.moved_out += scratch_;
      roles_[target].moved_in += scratch_;
    }
    role.employed -= role.left + role.moved_out;
    role.layoffs = (role.employed - role.demand).max(0.0) * role.layoff_fraction;
    role.employed -= role.layoffs;
  }
}

// 4. Candidates (eqs. 13, 14; graduates by eq. 6): graduates, overseas and switcher inflows
// at the current real salary w (eq. 2), moves from other roles and layoffs.
void Worker::step_candidates(int month) {
  const int calendar = scenario_.start.ordinal() + month;
  const int year = calendar / 12;
  const int month_of_year = calendar % 12 + 1;
  const double t = month / 12.0;
  for (FieldLanes& field : fields_) update_graduates(field, year);
  for (RoleLanes& role : roles_) role.new_candidates = role.moved_in + role.layoffs;
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    const auto& month_rule = scenario_.fields[f].graduation_month;
    if (month_rule && *month_rule != month_of_year) continue;
    const double fraction = month_rule ? 1.0 : 1.0 / 12.0;
    for (const auto& [r, share] : fields_[f].shares) {
      roles_[r].new_candidates += share * fields_[f].graduates_this_year * fraction;
    }
  }
  for (RoleLanes& role : roles_) {
    if (role.has_overseas || role.has_switchers) {
      scratch_ = role.ln_salary - role.ln_w0 - role[RoleParam::wage_drift] * t;  // ln w
    }
    if (role.has_overseas) {
      role.log_change = role[RoleParam::overseas_elasticity] * scratch_;
      exp_in_place(role.log_change);
      role.new_candidates += kDt * role[RoleParam::overseas_inflow] * role.log_change;
    }
    if (role.has_switchers) {
      role.log_change = role[RoleParam::switcher_elasticity] * scratch_;
      exp_in_place(role.log_change);
      role.new_candidates += kDt * role[RoleParam::switcher_inflow] * role.log_change;
    }
    role.candidates = role.candidates * role.seeker_keep + role.new_candidates;
  }
}

// 5. Openings (eq. 15) and 6. the ratio (eq. 16); no market (rho = rho*) when both sides are
// below one person.
void Worker::step_openings_and_ratio(RoleLanes& role) {
  role.openings = (role.demand - role.employed).max(0.0);
  no_market_ = (role.candidates < 1.0) && (role.openings < 1.0);
  role.ratio =
      no_market_.select(role[RoleParam::neutral_ratio], role.candidates / role.openings.max(1.0));
  role.sum_candidates += role.candidates;
  role.sum_openings += role.openings;
}

// 7. Matching (eqs. 17, 18): H = n (1 - exp(-mu U^alpha V^(1-alpha) dt / n)), n = min(U, V).
void Worker::step_matching(RoleLanes& role) {
  const Lanes& alpha = role[RoleParam::matching_elasticity];
  role.ln_candidates = role.candidates;
  log_in_place(role.ln_candidates);
  role.ln_openings = role.openings;
  log_in_place(role.ln_openings);
  role.matchable = role.candidates.min(role.openings);
  role.meetings = alpha * role.ln_candidates + (1.0 - alpha) * role.ln_openings;
  exp_in_place(role.meetings);
  role.meetings *= role[RoleParam::matching_efficiency];
  scratch_ = -role.meetings * kDt / role.matchable;  // not finite where nothing is matchable
  exp_in_place(scratch_);
  role.hires = (role.matchable > 0.0).select(role.matchable * (1.0 - scratch_), 0.0);
  role.employed += role.hires;
  role.candidates -= role.hires;
  role.sum_unfilled += role.openings - role.hires;
  role.sum_hires += role.hires;
  role.sum_new_openings += (role.demand - role.demand_before) + role.left + role.moved_out;
  role.sum_new_candidates += role.new_candidates;
}

// 8. Wage (eq. 19): ln W += (pi + b ln(rho* / clamp(rho, 1e-3, 1e3))) dt + sW sqrt(dt) zW, with
// ln rho = ln U - ln max(V, 1) from step 7's logarithms (and ln rho* - ln rho = 0 when there is
// no market, as step 6 found); then the smoothed real salary (eq. 20).
void Worker::step_wage(RoleLanes& role, int month) {
  const double ln_min = std::log(1e-3), ln_max = std::log(1e3);
  scratch_ = no_market_.select(
      0.0,
      role.ln_neutral - (role.ln_candidates - role.ln_openings.max(0.0)).max(ln_min).min(ln_max));
  role.ln_salary +=
      (role[RoleParam::wage_drift] +
       (role.ratio < role[RoleParam::neutral_ratio])
               .select(role[RoleParam::wage_response], role[RoleParam::wage_response_down]) *
           scratch_) *
      kDt;
  if (!central_) role.ln_salary += role.wage_vol_sqrt_dt * role.shock_wage;
  // With the real salary after this month (t = (k + 1) / 12).
  scratch_ = role.ln_salary - role.ln_w0 - role[RoleParam::wage_drift] * ((month + 1) / 12.0);
  exp_in_place(scratch_);
  role.smoothed_wage_prev = role.smoothed_wage;
  role.smoothed_wage += (scratch_ - role.smoothed_wage) * (-std::expm1(-kDt));
}

// A month is the model's steps in their order (docs/model.md), each for every path of the block.
void Worker::step_month(int month) {
  step_regimes(month);
  if (!central_) draw_shocks(month);
  step_demand(month);
  step_separations();
  step_candidates(month);
  // Steps 5 to 8 take one role at a time: a role's market uses only its own state.
  for (RoleLanes& role : roles_) {
    step_openings_and_ratio(role);
    step_matching(role);
    step_wage(role, month);
  }
}

// exp(sB Phi^-1(p)) for each reported band percentile p (eq. 21), once a block.
void Worker::compute_band_spreads() {
  const auto spread = [&](const Lanes& sigma, BandSpread& out) {
    for (std::size_t b = 0; b < kBandPercentiles.size(); ++b) {
      out[b] = band_z_[b] * sigma;
      exp_in_place(out[b]);
    }
  };
  for (RoleLanes& role : roles_) {
    spread(role[RoleParam::band_sigma], role.band_spread);
    for (LevelLanes& level : role.levels) spread(level.sigma, level.spread);
  }
}

void Worker::simulate(std::uint64_t first_path, std::size_t count, core::RowSink& out) {
  first_path_ = first_path;
  lanes_ = static_cast<Eigen::Index>((count + kLaneMultiple - 1) / kLaneMultiple * kLaneMultiple);
  draw_parameters();
  initialise_state();
  compute_band_spreads();
  const int months_per_period = scenario_.months_per_period();
  for (int month = 0; month < scenario_.months(); ++month) {
    step_month(month);
    for (std::size_t r = 0; r < roles_.size(); ++r) check_finite(month, r, count);
    if ((month + 1) % months_per_period == 0) {
      record_period(month / months_per_period, out, count);
      out.flush();  // the totals' rows
    }
  }
}

}  // namespace detail

LabourMarketModel::LabourMarketModel(const Scenario& scenario, ModelOptions options)
    : scenario_(scenario), options_(options), layout_(scenario) {}

LabourMarketModel::~LabourMarketModel() = default;

std::unique_ptr<core::PathWorker> LabourMarketModel::make_worker() const {
  return std::make_unique<detail::Worker>(*this);
}

std::vector<double> LabourMarketModel::replay(std::uint64_t path) const {
  std::vector<double> block((layout_.size() + retained_per_path()) * core::kBlockPaths);
  detail::Worker(*this).simulate(path, 1, block);
  std::vector<double> values(layout_.size());
  for (std::size_t v = 0; v < values.size(); ++v) values[v] = block[v * core::kBlockPaths];
  return values;
}

std::string_view metric_name(Metric metric) {
  static constexpr std::array<std::string_view, kMetricCount> names{
      "demand",     "employed",   "candidates", "openings",     "unfilled",       "ratio",
      "shortage",   "hires",      "fill_rate",  "new_openings", "new_candidates", "salary_median",
      "salary_p10", "salary_p25", "salary_p75", "salary_p90"};
  return names[static_cast<std::size_t>(metric)];
}

}  // namespace talentcast::models