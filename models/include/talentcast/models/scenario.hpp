#pragma once
// A scenario as the model uses it: resolved (after `extends` and `[defaults]`), validated, and
// with every name turned into an index. Built by load_scenario() (scenario_loader.hpp).

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "talentcast/models/band_fit.hpp"
#include "talentcast/models/calendar.hpp"
#include "talentcast/models/parameter.hpp"

namespace talentcast::models {

/// The numeric parameters of a role, in the order of docs/reference-model.md's tables.
enum class RoleParam : std::size_t {
  employed,
  openings,
  candidates,
  ratio,
  salary,
  attrition,
  seeker_exit,
  demand_growth,
  matching_efficiency,
  matching_elasticity,
  neutral_ratio,
  wage_response,
  wage_response_down,
  band_sigma,
  layoff_rate,
  demand_vol,
  demand_elasticity,
  wage_drift,
  wage_vol,
  overseas_inflow,
  overseas_elasticity,
  switcher_inflow,
  switcher_elasticity,
};
inline constexpr std::size_t kRoleParamCount = 23;

/// How a role parameter is given: required, optional with default 0, or special (start values
/// with their own rules, and wage_response_down defaulting to the role's own wage_response).
enum class Requirement { required, zero_default, special };

/// The valid range of a parameter: [min, max], with either end open.
struct Range {
  double min;
  double max;
  bool min_open = false;
  bool max_open = false;
  bool contains(double x) const {
    return (min_open ? x > min : x >= min) && (max_open ? x < max : x <= max);
  }
  std::string describe() const;
};

struct RoleParamInfo {
  RoleParam param;
  std::string_view key;
  Range range;
  Requirement requirement;
  std::string_view unit;
  std::string_view meaning;
};

/// One entry per RoleParam, in order: key, valid range, unit and meaning (docs/model.md).
const std::array<RoleParamInfo, kRoleParamCount>& role_param_table();
inline const RoleParamInfo& info(RoleParam p) {
  return role_param_table()[static_cast<std::size_t>(p)];
}

/// A band fitted to a role's (or a level's) rows of salary_data, and its per-path draws.
struct FittedBand {
  BandFit fit;
  BandDraws draws;
};

/// A level of a role (e.g. junior, senior): its median is the role's times `multiplier`, its
/// band has its own log-sd. Each is given, or fitted to the level's rows of salary_data.
struct LevelSpec {
  std::string name;
  std::optional<Parameter> multiplier;
  std::optional<Parameter> band_sigma;
  std::optional<FittedBand> fitted;  ///< present when the multiplier or band_sigma is fitted
};

struct RoleSpec {
  std::string name;
  std::string title;
  /// With salary_data, `salary` and `band_sigma` hold the fit's point estimates and every path
  /// draws its own from `band` instead.
  std::array<std::optional<Parameter>, kRoleParamCount> params;
  /// Annual rates M[r][s] at which people employed here become candidates for role s.
  std::vector<std::pair<std::size_t, Parameter>> mobility;
  std::filesystem::path salary_data;  ///< empty: salary and band_sigma are given
  /// Why salary_data is synthetic (made up, not observed pay); empty when it is observed.
  std::string salary_data_synthetic;
  std::optional<FittedBand> band;
  std::vector<LevelSpec> levels;

  const std::optional<Parameter>& operator[](RoleParam p) const {
    return params[static_cast<std::size_t>(p)];
  }
};

/// A source of graduates: G(y) people per calendar year y, from a series, a base or enrolment.
struct FieldSpec {
  enum class Form { series, base, enrolment };
  std::string name;
  Form form = Form::base;
  std::map<int, Parameter> series;  ///< graduates (series) or enrolment (enrolment) by year
  Parameter base{0.0};
  Parameter growth{0.0};
  int lag = 0;
  Parameter completion{1.0};
  std::optional<int> graduation_month;  ///< 1..12; absent: graduates arrive evenly
  /// Shares A[r][f] of the field's graduates joining the candidates of role r.
  std::vector<std::pair<std::size_t, Parameter>> shares;
};

/// A hiring scenario event over the months [first_month, last_month] since the start.
struct EventSpec {
  std::string name;
  int first_month = 0;
  int last_month = 0;
  std::vector<std::size_t> roles;  ///< empty: every role
  std::optional<Parameter> demand_growth_add;
  std::optional<Parameter> demand_jump;
};

struct RegimeSpec {
  std::string name;
  std::vector<std::pair<std::size_t, Parameter>> rates;  ///< annual rates P[i][j] to regime j
  /// growth_add per role (the same Parameter for every role when given as one value).
  std::vector<Parameter> growth_add;
};

enum class SalaryUnit { month, year };

/// A scenario file as it was read: its path (as given, or as the `extends` chain named it) and
/// its text, so that a run's manifest can hold what was run (`talentcast reproduce`).
struct SourceFile {
  std::filesystem::path path;
  std::string text;
};

struct Scenario {
  std::filesystem::path path;
  std::string title;
  std::string description;
  /// Why the whole scenario is synthetic (illustrative, not calibrated); empty when it is not.
  std::string synthetic;
  std::string currency;
  SalaryUnit salary_unit = SalaryUnit::month;
  Date start;
  Step step = Step::quarter;
  int horizon_months = 12;  // horizon_years x 12
  std::uint64_t seed = 1;
  std::uint64_t paths = 1000;

  std::vector<RoleSpec> roles;
  std::vector<FieldSpec> fields;
  std::vector<EventSpec> events;
  std::vector<RegimeSpec> regimes;  ///< empty: no regimes
  std::size_t initial_regime = 0;
  /// Correlations of demand and wage shocks across roles (identity when absent).
  Eigen::MatrixXd demand_correlation;
  Eigen::MatrixXd wage_correlation;

  /// The resolved scenario (after `extends`) as TOML text: what the manifest records and hashes.
  std::string resolved_toml;
  /// The scenario files read: the file given first, then the files it extends, in order.
  std::vector<SourceFile> source_files;
  /// Values set by key path after the files were read (config::ScenarioDocument, the Python
  /// package's Scenario), in order, as (key path, TOML value): a manifest records them, and
  /// `reproduce` sets them again.
  std::vector<std::pair<std::string, std::string>> changes;
  /// Data files read (salary_data), with the SHA-256 of their contents, for the manifest.
  std::vector<std::pair<std::filesystem::path, std::string>> data_files;
  /// The data files marked synthetic, with why (a file marked anywhere is synthetic everywhere).
  std::map<std::filesystem::path, std::string> synthetic_data_files;
  /// Problems that do not stop a run (a poor lognormal fit), printed by the command line.
  std::vector<std::string> warnings;

  int months() const { return horizon_months; }
  int months_per_period() const { return static_cast<int>(step); }
  int periods() const { return months() / months_per_period(); }
  std::string period_label(int period) const;
  std::optional<std::size_t> role_index(std::string_view name) const;
  /// The unit salaries are given in, "month" or "year".
  std::string_view salary_unit_name() const {
    return salary_unit == SalaryUnit::month ? "month" : "year";
  }
};

}  // namespace talentcast::models
