#pragma once
// Internal: the worker that simulates a block of paths of the labour-market model, one lane per
// path (Eigen arrays over the block). Its parameter draws and start state are in
// labour_market_setup.cpp; the monthly steps in labour_market.cpp; the reported metrics in
// labour_market_record.cpp.

#include <Eigen/Core>
#include <array>
#include <map>
#include <span>
#include <vector>

#include "talentcast/core/engine.hpp"
#include "talentcast/core/random.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::models::detail {

/// exp and log of every lane, in place, with core::vmath: vectorised for the processor, the
/// same bits on every one.
inline void exp_in_place(Eigen::ArrayXd& x) noexcept {
  const std::span<double> lanes(x.data(), static_cast<std::size_t>(x.size()));
  core::vmath::exp(lanes, lanes);
}

inline void log_in_place(Eigen::ArrayXd& x) noexcept {
  const std::span<double> lanes(x.data(), static_cast<std::size_t>(x.size()));
  core::vmath::log(lanes, lanes);
}

using Lanes = Eigen::ArrayXd;
constexpr double kDt = 1.0 / 12.0;
/// Blocks are simulated in a multiple of this many lanes, so every path goes through the same
/// vectorised code (no scalar remainder loop), whichever block it is in.
constexpr std::size_t kLaneMultiple = 8;

/// A band's percentiles over its median, per path: exp(z_b sigma) for each of
/// kBandPercentiles. A path's sigma is drawn once, so these are computed once per block rather
/// than at every reporting period.
using BandSpread = std::array<Lanes, kBandPercentiles.size()>;

// A level's band, per path: the log of its multiplier of the role median, and its log-sd.
struct LevelLanes {
  Lanes ln_multiplier, sigma;
  BandSpread spread;
};

// A role's per-path parameters and state, one lane per path of the block.
struct RoleLanes {
  std::array<Lanes, kRoleParamCount> param;
  std::vector<std::pair<std::size_t, Lanes>> move_fraction;  // f M[r][s] / h
  Lanes leave_fraction, layoff_fraction, seeker_keep, ln_w0, ln_neutral;
  Lanes demand_vol_correction, demand_vol_sqrt_dt,
      wage_vol_sqrt_dt;  // -sD^2 dt / 2, sD sqrt(dt), sW sqrt(dt)
  bool demand_reacts_to_wages = false;
  bool has_overseas = false, has_switchers = false;
  // State.
  Lanes demand, employed, candidates, ln_salary, smoothed_wage, smoothed_wage_prev;
  // This month.
  Lanes demand_before, left, moved_out, moved_in, layoffs, new_candidates, openings, ratio, hires;
  Lanes shock_demand, shock_wage;
  // Scratch, allocated once per block.
  Lanes log_change, ln_candidates, ln_openings, matchable, meetings;
  // Sums over the current reporting period.
  Lanes sum_candidates, sum_openings, sum_unfilled, sum_hires, sum_new_openings, sum_new_candidates;
  std::vector<LevelLanes> levels;
  BandSpread band_spread;  // of the role's own band

  const Lanes& operator[](RoleParam p) const { return param[static_cast<std::size_t>(p)]; }
};

struct FieldLanes {
  std::map<int, Lanes> series;
  Lanes base, growth, completion;
  std::vector<std::pair<std::size_t, Lanes>> shares;
  Lanes graduates_this_year;  // G(y) for the cached year
  int cached_year = -1;
};

struct EventLanes {
  std::vector<Lanes> growth_add, jump;  // per role it applies to (drawn for each role)
  bool has_growth_add = false, has_jump = false;
};

struct RegimeLanes {
  std::vector<std::pair<std::size_t, Lanes>> rates;
  Lanes total_rate;
  std::vector<Lanes> growth_add;  // per role
};

inline bool event_applies(const EventSpec& event, std::size_t role) {
  return event.roles.empty() ||
         std::find(event.roles.begin(), event.roles.end(), role) != event.roles.end();
}

class Worker final : public core::PathWorker {
 public:
  explicit Worker(const LabourMarketModel& model);
  using core::PathWorker::simulate;
  void simulate(std::uint64_t first_path, std::size_t count, core::RowSink& out) override;

 private:
  void draw(const Parameter& p, Lanes& out) const;
  void draw_parameters();
  void draw_role(std::size_t r);
  void draw_fields();
  void draw_events();
  void draw_regimes();
  /// A fitted band's per-path log-sd and log median (band_fit.hpp).
  void draw_band(const FittedBand& band, Lanes& sigma, Lanes& log_median);
  void draw_levels(const RoleSpec& spec, RoleLanes& role);
  void initialise_state();
  /// The band spreads of every role and level (their sigmas drawn).
  void compute_band_spreads();
  /// One month of the model (docs/model.md, "One month k"): its steps in order.
  void step_month(int month);
  void step_regimes(int month);
  void draw_shocks(int month);
  void step_demand(int month);
  void step_separations();
  void step_candidates(int month);
  void step_openings_and_ratio(RoleLanes& role);
  void step_matching(RoleLanes& role);
  void step_wage(RoleLanes& role, int month);
  void update_graduates(FieldLanes& field, int year);
  void record_period(int period, core::RowSink& out, std::size_t count);
  /// Where a period's rows go (labour_market_record.cpp).
  struct PeriodRows {
    core::RowSink& out;
    int period;
    std::size_t count;  // paths of the block
  };
  void put(const PeriodRows& rows, const OutputSeries& series, Metric metric, const Lanes& values);
  void put_band(const PeriodRows& rows, const OutputSeries& series, const Lanes& ln_median,
                const Lanes& sigma, const BandSpread& spread);
  void put_market(const PeriodRows& rows, const OutputSeries& series, const Lanes& candidates,
                  const Lanes& openings, const Lanes& sum_openings, const Lanes& hires,
                  const Lanes& neutral);
  void check_finite(int month, std::size_t r, std::size_t count) const;

  const LabourMarketModel& model_;
  const Scenario& scenario_;
  core::CounterRng rng_;
  bool central_;
  Eigen::MatrixXd chol_demand_, chol_wage_;
  bool demand_correlated_, wage_correlated_;
  std::array<double, kBandPercentiles.size()> band_z_{};

  std::uint64_t first_path_ = 0;
  Eigen::Index lanes_ = 0;
  std::vector<RoleLanes> roles_;
  std::vector<FieldLanes> fields_;
  std::vector<EventLanes> events_;
  std::vector<RegimeLanes> regimes_;
  std::vector<int> regime_;
  std::vector<std::uint64_t> role_addresses_;  // FNV-1a of each role's name
  std::vector<Lanes> eps_demand_, eps_wage_;
  Lanes uniform_radius_, uniform_angle_, scratch_;
  Eigen::Array<bool, Eigen::Dynamic, 1> no_market_;  // step 6's, for step 8
  Lanes median_, level_ln_median_;                   // record_period's scratch
};

}  // namespace talentcast::models::detail
