#include <fmt/core.h>

#include "cli.hpp"
#include "talentcast/models/scenario_loader.hpp"

namespace talentcast::cli {

std::optional<models::Scenario> load_scenario_or_report(const std::string& path) {
  try {
    auto scenario = models::load_scenario(path);
    for (const auto& warning : scenario.warnings) fmt::print(stderr, "talentcast: warning: {}\n", warning);
    return scenario;
  } catch (const models::ScenarioError& error) {
    for (const auto& d : error.diagnostics()) fmt::print(stderr, "{}\n", d.message());
    fmt::print(stderr, "{}: {} error{}; nothing was run or written\n", path,
               error.diagnostics().size(), error.diagnostics().size() == 1 ? "" : "s");
    return std::nullopt;
  }
}

int validate_command(const std::string& path) {
  const auto scenario = load_scenario_or_report(path);
  if (!scenario) return kExitBadInput;
  fmt::print("{}: valid: {} roles, {} fields, {} events, {} regimes; {} {}s from {} ({} months)\n",
             path, scenario->roles.size(), scenario->fields.size(), scenario->events.size(),
             scenario->regimes.size(), scenario->periods(), models::step_name(scenario->step),
             scenario->period_label(0), scenario->months());
  // Bands fitted to salary data: what each was estimated from, and how well it fits.
  const auto fit_line = [&](const std::string& name, const models::BandFit& fit) {
    fmt::print("  {:<28} {:>7} {:>12.0f} {:>10.4f} {:>8.3f} {:>7.3f} {:>8.2g}{}\n", name,
               fit.rows, fit.median(), fit.log_mean_se(), fit.log_sd, fit.ks_statistic,
               fit.ks_p_value, fit.poor() ? "  poor fit" : "");
  };
  bool header = false;
  for (const auto& role : scenario->roles) {
    if (!role.band) continue;
    if (!header) {
      fmt::print("bands fitted to salary data ({} per {}):\n  {:<28} {:>7} {:>12} {:>10} {:>8} "
                 "{:>7} {:>8}\n",
                 scenario->currency, scenario->salary_unit_name(), "role/level", "rows", "median",
                 "se(ln med)", "log-sd", "KS D", "p");
      header = true;
    }
    fit_line(role.name, role.band->fit);
    for (const auto& level : role.levels) {
      if (level.fitted) fit_line(role.name + "/" + level.name, level.fitted->fit);
    }
  }
  return kExitOk;
}

}  // namespace talentcast::cli
