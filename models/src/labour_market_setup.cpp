// The labour-market worker's set-up for a block: parameter draws (once per path) and the start
// state (docs/reference-model.md, "Parameters of a role", "Uncertainty").

#include <Eigen/Cholesky>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "labour_market_worker.hpp"

namespace talentcast::models::detail {

Worker::Worker(const LabourMarketModel& model)
    : model_(model),
      scenario_(model.scenario()),
      rng_(model.options().seed),
      central_(model.options().central) {
  const auto R = scenario_.roles.size();
  chol_demand_ = scenario_.demand_correlation.llt().matrixL();
  chol_wage_ = scenario_.wage_correlation.llt().matrixL();
  demand_correlated_ = !scenario_.demand_correlation.isIdentity();
  wage_correlated_ = !scenario_.wage_correlation.isIdentity();
  for (std::size_t i = 0; i < kBandPercentiles.size(); ++i) {
    band_z_[i] = boost::math::quantile(boost::math::normal(), kBandPercentiles[i].first);
  }
  roles_.resize(R);
  fields_.resize(scenario_.fields.size());
  events_.resize(scenario_.events.size());
  regimes_.resize(scenario_.regimes.size());
  eps_demand_.resize(R);
  eps_wage_.resize(R);
  for (const RoleSpec& role : scenario_.roles) role_addresses_.push_back(core::fnv1a64(role.name));
}

void Worker::draw(const Parameter& p, Lanes& out) const {
  out.resize(lanes_);
  if (p.is_constant() || central_) {
    out.setConstant(p.median());
    return;
  }
  const auto address = p.address();
  for (Eigen::Index i = 0; i < lanes_; ++i) {
    const double u = rng_.uniforms(
        first_path_ + static_cast<std::uint64_t>(i), static_cast<std::uint32_t>(address),
        static_cast<std::uint32_t>(address >> 32), core::Domain::parameter)[0];
    out[i] = p.at(u);
  }
}

// Every parameter of the scenario, drawn for each path of the block (addressed streams: the
// order of the draws does not matter, and a path's draws are the same in any block).
void Worker::draw_parameters() {
  for (std::size_t r = 0; r < roles_.size(); ++r) draw_role(r);
  draw_fields();
  draw_events();
  draw_regimes();
}

// A role's parameters, its band, and what the steps derive from them once per block.
void Worker::draw_role(std::size_t r) {
  const RoleSpec& spec = scenario_.roles[r];
  RoleLanes& role = roles_[r];
  for (std::size_t p = 0; p < kRoleParamCount; ++p) {
    if (spec.params[p])
      draw(*spec.params[p], role.param[p]);
    else
      role.param[p] = Lanes::Zero(lanes_);
  }
  if (spec.band) {
    // A band fitted to salary_data: each path draws its own log-sd and start median.
    Lanes& salary = role.param[static_cast<std::size_t>(RoleParam::salary)];
    draw_band(*spec.band, role.param[static_cast<std::size_t>(RoleParam::band_sigma)], salary);
    salary = salary.exp();
  }
  // Step 3's competing risks: with h = a + sum_s M[r][s] and f = 1 - exp(-h dt), a fraction
  // f a / h leaves the market and f M[r][s] / h moves to s.
  Lanes hazard = role[RoleParam::attrition];
  role.move_fraction.resize(spec.mobility.size());
  for (std::size_t m = 0; m < spec.mobility.size(); ++m) {
    role.move_fraction[m].first = spec.mobility[m].first;
    draw(spec.mobility[m].second, role.move_fraction[m].second);
    hazard += role.move_fraction[m].second;
  }
  const Lanes f = -(-hazard * kDt).unaryExpr([](double x) { return std::expm1(x); });
  const Lanes per_hazard = (hazard > 0.0).select(f / hazard, 0.0);
  role.leave_fraction = per_hazard * role[RoleParam::attrition];
  for (auto& [target, fraction] : role.move_fraction) fraction *= per_hazard;
  role.layoff_fraction =
      (-role[RoleParam::layoff_rate] * kDt).unaryExpr([](double x) { return -std::expm1(x); });
  role.seeker_keep = (-role[RoleParam::seeker_exit] * kDt).exp();
  role.ln_w0 = role[RoleParam::salary].log();
  draw_levels(spec, role);
  role.ln_neutral = role[RoleParam::neutral_ratio].log();
  const double sqrt_dt = std::sqrt(kDt);
  role.demand_vol_correction = -0.5 * role[RoleParam::demand_vol].square() * kDt;
  role.demand_vol_sqrt_dt = role[RoleParam::demand_vol] * sqrt_dt;
  role.wage_vol_sqrt_dt = role[RoleParam::wage_vol] * sqrt_dt;
  role.demand_reacts_to_wages = (role[RoleParam::demand_elasticity] != 0.0).any();
  role.has_overseas = (role[RoleParam::overseas_inflow] != 0.0).any();
  role.has_switchers = (role[RoleParam::switcher_inflow] != 0.0).any();
  for (Lanes* scratch : {&role.log_change, &role.ln_candidates, &role.ln_openings, &role.matchable,
                         &role.meetings, &role.demand_before, &role.left, &role.moved_out,
                         &role.moved_in, &role.layoffs, &role.new_candidates, &role.openings,
                         &role.ratio, &role.hires, &role.shock_demand, &role.shock_wage}) {
    scratch->resize(lanes_);
  }
}

void Worker::draw_fields() {
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    const FieldSpec& spec = scenario_.fields[f];
    FieldLanes& field = fields_[f];
    field.series.clear();
    for (const auto& [year, value] : spec.series) draw(value, field.series[year]);
    draw(spec.base, field.base);
    draw(spec.growth, field.growth);
    draw(spec.completion, field.completion);
    field.shares.resize(spec.shares.size());
    for (std::size_t s = 0; s < spec.shares.size(); ++s) {
      field.shares[s].first = spec.shares[s].first;
      draw(spec.shares[s].second, field.shares[s].second);
    }
    field.cached_year = -1;
  }
}

void Worker::draw_events() {
  for (std::size_t e = 0; e < events_.size(); ++e) {
    const EventSpec& spec = scenario_.events[e];
    events_[e].has_growth_add = spec.demand_growth_add.has_value();
    events_[e].has_jump = spec.demand_jump.has_value();
    events_[e].growth_add.resize(roles_.size());
    events_[e].jump.resize(roles_.size());
    for (std::size_t r = 0; r < roles_.size(); ++r) {
      if (!event_applies(spec, r)) continue;
      const std::string& role = scenario_.roles[r].name;
      if (spec.demand_growth_add)
        draw(spec.demand_growth_add->for_role(role), events_[e].growth_add[r]);
      if (spec.demand_jump) draw(spec.demand_jump->for_role(role), events_[e].jump[r]);
    }
  }
}

void Worker::draw_regimes() {
  for (std::size_t i = 0; i < regimes_.size(); ++i) {
    const RegimeSpec& spec = scenario_.regimes[i];
    RegimeLanes& regime = regimes_[i];
    regime.rates.resize(spec.rates.size());
    regime.total_rate = Lanes::Zero(lanes_);
    for (std::size_t j = 0; j < spec.rates.size(); ++j) {
      regime.rates[j].first = spec.rates[j].first;
      draw(spec.rates[j].second, regime.rates[j].second);
      regime.total_rate += regime.rates[j].second;
    }
    regime.growth_add.resize(roles_.size());
    for (std::size_t r = 0; r < roles_.size(); ++r) draw(spec.growth_add[r], regime.growth_add[r]);
  }
}

void Worker::draw_band(const FittedBand& band, Lanes& sigma, Lanes& log_median) {
  draw(band.draws.sigma, sigma);
  draw(band.draws.z, log_median);
  log_median = band.draws.log_mean + sigma * log_median / band.draws.sqrt_n;
}

void Worker::draw_levels(const RoleSpec& spec, RoleLanes& role) {
  role.levels.resize(spec.levels.size());
  for (std::size_t l = 0; l < spec.levels.size(); ++l) {
    const LevelSpec& level = spec.levels[l];
    LevelLanes& lanes = role.levels[l];
    Lanes fitted_sigma, fitted_log_median;
    if (level.fitted) draw_band(*level.fitted, fitted_sigma, fitted_log_median);
    if (level.band_sigma)
      draw(*level.band_sigma, lanes.sigma);
    else
      lanes.sigma = fitted_sigma;
    if (level.multiplier) {
      draw(*level.multiplier, lanes.ln_multiplier);
      lanes.ln_multiplier = lanes.ln_multiplier.log();
    } else {
      // A fitted level median over this path's fitted role median.
      lanes.ln_multiplier = fitted_log_median - role.ln_w0;
    }
  }
}

void Worker::initialise_state() {
  for (RoleLanes& role : roles_) {
    role.employed = role[RoleParam::employed];
    const Lanes& openings = role[RoleParam::openings];
    role.demand = role.employed + openings;
    const bool by_ratio =
        scenario_.roles[static_cast<std::size_t>(&role - roles_.data())][RoleParam::ratio]
            .has_value();
    role.candidates =
        by_ratio ? Lanes(role[RoleParam::ratio] * openings) : role[RoleParam::candidates];
    role.ln_salary = role.ln_w0;
    role.smoothed_wage = Lanes::Ones(lanes_);
    role.smoothed_wage_prev = Lanes::Ones(lanes_);
    for (Lanes* sum : {&role.sum_candidates, &role.sum_openings, &role.sum_unfilled,
                       &role.sum_hires, &role.sum_new_openings, &role.sum_new_candidates}) {
      *sum = Lanes::Zero(lanes_);
    }
  }
  regime_.assign(static_cast<std::size_t>(lanes_), static_cast<int>(scenario_.initial_regime));
}

// G(y) for calendar year y (docs/reference-model.md, "Graduation"; docs/model.md eqs. 3-5).
void Worker::update_graduates(FieldLanes& field, int year) {
  if (field.cached_year == year) return;
  field.cached_year = year;
  const FieldSpec& spec = scenario_.fields[static_cast<std::size_t>(&field - fields_.data())];
  // The series rule: S[yl] exp(growth (y - yl)) with yl the last given year <= y; before the
  // first given year, its value.
  const auto by_series = [&](int y) -> Lanes {
    auto next = field.series.upper_bound(y);
    if (next == field.series.begin()) return next->second;
    const auto& [last_year, value] = *std::prev(next);
    return value * (field.growth * static_cast<double>(y - last_year)).exp();
  };
  switch (spec.form) {
    case FieldSpec::Form::series:
      field.graduates_this_year = by_series(year);
      break;
    case FieldSpec::Form::base:
      field.graduates_this_year =
          field.base * (field.growth * static_cast<double>(year - scenario_.start.year)).exp();
      break;
    case FieldSpec::Form::enrolment:
      field.graduates_this_year = field.completion * by_series(year - spec.lag);
      break;
  }
}

}  // namespace talentcast::models::detail
