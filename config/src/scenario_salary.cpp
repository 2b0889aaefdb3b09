// Bands from observed pay data: reading the salary_data files that roles name, and fitting each
// role's (and level's) lognormal band with its sampling uncertainty (band_fit.hpp).

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "talentcast/config/data_file.hpp"
#include "validator.hpp"

namespace talentcast::config::detail {

using io::did_you_mean;
using models::band_draws;
using models::BandFit;
using models::effective_sample_size;
using models::fit_band;
using models::FittedBand;
using models::LevelSpec;
using models::Parameter;
using models::RoleParam;
using models::RoleSpec;
using models::Scenario;

namespace {

// Fits rows into a band, or reports why it cannot be (too few, or all equal).
std::optional<FittedBand> fit_rows(const std::vector<double>& salaries,
                                   const std::vector<double>& weights, bool weighted,
                                   const std::string& draw_key, models::QuantileTables& tables,
                                   const std::function<void(std::string)>& too_few) {
  std::span<const double> w;
  if (weighted) w = weights;
  const double n_eff = weighted ? effective_sample_size(w) : static_cast<double>(salaries.size());
  if (n_eff < BandFit::kMinEffectiveN - 1e-9) {
    too_few(weighted && salaries.size() != 0
                ? fmt::format("{} rows, an effective sample size of {:.3g}", salaries.size(), n_eff)
                : fmt::format("{}", salaries.size()));
    return std::nullopt;
  }
  const auto [lo, hi] = std::minmax_element(salaries.begin(), salaries.end());
  if (*lo == *hi) {
    too_few(fmt::format("{} salaries all equal to {}", salaries.size(), *lo));
    return std::nullopt;
  }
  FittedBand band;
  band.fit = fit_band(salaries, w);
  band.draws = band_draws(band.fit, draw_key, tables);
  return band;
}

std::string describe_fit(const BandFit& fit) {
  return fmt::format("Kolmogorov-Smirnov D = {:.3f}, Lilliefors p = {:.2g}, n = {:.4g}",
                     fit.ks_statistic, fit.ks_p_value, fit.effective_n);
}
}  // namespace

void Validator::salary_data(Scenario& s) {
  // Files are read once, however many roles name them.
  std::map<std::filesystem::path, std::vector<const DataSource*>> by_file;
  for (const auto& source : data_sources_) by_file[source.file].push_back(&source);
  for (const auto& [file, sources] : by_file) salary_file(file, sources, s);
  unfitted_levels(s);
}

// One salary_data file, for the roles that name it: read, then each role's band (and its levels'
// bands) fitted to the role's rows.
void Validator::salary_file(const std::filesystem::path& file,
                            const std::vector<const DataSource*>& sources, Scenario& s) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    for (const DataSource* source : sources) {
      error(*source->node, source->key,
            "a CSV file of salaries (a path relative to the scenario file)",
            fmt::format("'{}', which {}", file.string(),
                        std::filesystem::exists(file, ec) ? "is not a file" : "does not exist"));
    }
    return;
  }
  const std::size_t before = diagnostics_.size();
  DataFile data(file, {"role", "salary"}, {"level", "weight"}, diagnostics_);
  if (!data.ok()) return;
  s.data_files.emplace_back(file, data.sha256());
  // Synthetic is a property of the file: marked where any role names it, it holds for all.
  for (const DataSource* source : sources) {
    if (source->synthetic.empty()) continue;
    s.synthetic_data_files.emplace(file, source->synthetic);
    for (const DataSource* user : sources) {
      s.roles[user->role].salary_data_synthetic = source->synthetic;
    }
    break;
  }
  const bool weighted = data.column("weight") >= 0;
  std::map<std::size_t, SalaryRows> rows = salary_rows(data, sources, s);
  if (diagnostics_.size() != before) return;  // fit only clean data
  for (const DataSource* source : sources) {
    fit_role_band(file, *source, rows[source->role], weighted, s);
  }
  for (const DataSource* source : sources) {
    fit_level_bands(file, *source, rows[source->role], weighted, s);
  }
}

// The rows of the roles that use the file (by role index), each row checked.
std::map<std::size_t, SalaryRows> Validator::salary_rows(
    DataFile& data, const std::vector<const DataSource*>& sources, const Scenario& s) {
  const int role_column = data.column("role"), salary_column = data.column("salary");
  const int level_column = data.column("level"), weight_column = data.column("weight");
  std::map<std::size_t, SalaryRows> rows;
  for (const DataSource* source : sources) {
    rows[source->role].level_salaries.resize(s.roles[source->role].levels.size());
    rows[source->role].level_weights.resize(s.roles[source->role].levels.size());
  }
  while (data.next()) {
    const std::string_view role_name = data.field(role_column);
    const auto role = s.role_index(role_name);
    if (!role) {
      data.error(role_column,
                 fmt::format("a role of the scenario{}", did_you_mean(role_name, role_names_)),
                 shown(role_name));
    }
    const auto salary = data.salary(salary_column);
    std::optional<double> weight = 1.0;
    if (weight_column >= 0) weight = data.positive_number(weight_column, "a weight");
    if (!role) continue;
    const auto found = rows.find(*role);
    if (found == rows.end()) continue;  // a role that takes its band from elsewhere
    const RoleSpec& spec = s.roles[*role];
    std::optional<std::size_t> level;
    const std::string_view level_name = data.field(level_column);
    if (!spec.levels.empty() && !level_name.empty()) {
      const auto it = std::find_if(spec.levels.begin(), spec.levels.end(),
                                   [&](const LevelSpec& l) { return l.name == level_name; });
      if (it == spec.levels.end()) {
        std::vector<std::string> names;
        for (const auto& l : spec.levels) names.push_back(l.name);
        data.error(
            level_column,
            fmt::format("a level of role '{}'{}", spec.name, did_you_mean(level_name, names)),
            shown(level_name));
        continue;
      }
      level = static_cast<std::size_t>(it - spec.levels.begin());
    }
    if (!salary || !weight) continue;
    SalaryRows& r = found->second;
    r.salaries.push_back(*salary);
    r.weights.push_back(*weight);
    if (level) {
      r.level_salaries[*level].push_back(*salary);
      r.level_weights[*level].push_back(*weight);
    }
  }
  return rows;
}

void Validator::fit_role_band(const std::filesystem::path& file, const DataSource& source,
                              const SalaryRows& r, bool weighted, Scenario& s) {
  RoleSpec& role = s.roles[source.role];
  const std::string key = "roles." + role.name;
  role.band =
      fit_rows(r.salaries, r.weights, weighted, key + ".salary_data", tables_, [&](auto found) {
        error(*source.node, source.key,
              fmt::format("at least {} salaries of role '{}' in {} (its effective sample size)",
                          BandFit::kMinEffectiveN, role.name, file.string()),
              found);
      });
  if (!role.band) return;
  // The point estimates stand in for salary and band_sigma wherever one value is wanted.
  role.params[static_cast<std::size_t>(RoleParam::salary)] = Parameter(role.band->fit.median());
  role.params[static_cast<std::size_t>(RoleParam::band_sigma)] = Parameter(role.band->fit.log_sd);
  if (role.band->fit.poor()) {
    s.warnings.push_back(fmt::format(
        "{}: the lognormal band of role '{}' fits its salaries poorly ({}); its percentiles "
        "may be misleading",
        file.string(), role.name, describe_fit(role.band->fit)));
  }
}

// Levels whose multiplier or band_sigma is not given are fitted to their own rows.
void Validator::fit_level_bands(const std::filesystem::path& file, const DataSource& source,
                                const SalaryRows& r, bool weighted, Scenario& s) {
  RoleSpec& role = s.roles[source.role];
  if (!role.band) return;
  for (std::size_t l = 0; l < role.levels.size(); ++l) {
    LevelSpec& level = role.levels[l];
    const toml::node& node = *level_nodes_[source.role][l];
    const auto* table = node.as_table();
    if (table && table->get("multiplier") && table->get("band_sigma")) continue;
    const std::string key = "roles." + role.name + ".levels." + level.name;
    level.fitted =
        fit_rows(r.level_salaries[l], r.level_weights[l], weighted, key, tables_, [&](auto found) {
          error(node, key,
                fmt::format("at least {} salaries of level '{}' in {} (or "
                            "its multiplier and band_sigma)",
                            BandFit::kMinEffectiveN, level.name, file.string()),
                found);
        });
    if (level.fitted && level.fitted->fit.poor()) {
      s.warnings.push_back(fmt::format(
          "{}: the lognormal band of role '{}', level '{}', fits its salaries poorly ({}); "
          "its percentiles may be misleading",
          file.string(), role.name, level.name, describe_fit(level.fitted->fit)));
    }
  }
}

// Levels that need a fit but whose role has no salary_data.
void Validator::unfitted_levels(const Scenario& s) {
  for (std::size_t r = 0; r < s.roles.size(); ++r) {
    const RoleSpec& role = s.roles[r];
    if (!role.salary_data.empty()) continue;
    for (std::size_t l = 0; l < role.levels.size(); ++l) {
      const auto* table = level_nodes_[r][l]->as_table();
      for (const char* key : {"multiplier", "band_sigma"}) {
        if (table && table->get(key)) continue;
        error(*level_nodes_[r][l],
              "roles." + role.name + ".levels." + role.levels[l].name + "." + key,
              fmt::format("the level's {} (or salary_data for role '{}' to fit it from)", key,
                          role.name),
              "nothing");
      }
    }
  }
}

}  // namespace talentcast::config::detail
