#include <fmt/core.h>

#include "cli.hpp"
#include "talentcast/config/scenario_loader.hpp"

namespace talentcast::cli {

io::UserError& count_errors(io::UserError& error, const std::string& path) {
  const std::size_t n = error.diagnostics().size() + error.problems().size();
  return error.summarize(
      fmt::format("{}: {} error{}; nothing was run or written", path, n, n == 1 ? "" : "s"));
}

models::Scenario load_scenario_for_command(const std::string& path) {
  try {
    auto scenario = config::load_scenario(path);
    for (const auto& warning : scenario.warnings)
      fmt::print(stderr, "talentcast: warning: {}\n", warning);
    return scenario;
  } catch (io::UserError& error) {
    count_errors(error, path);
    throw;
  }
}

int validate_command(const std::string& path) {
  const models::Scenario scenario = load_scenario_for_command(path);
  fmt::print("{}: valid: {} roles, {} fields, {} events, {} regimes; {} {}s from {} ({} months)\n",
             path, scenario.roles.size(), scenario.fields.size(), scenario.events.size(),
             scenario.regimes.size(), scenario.periods(), models::step_name(scenario.step),
             scenario.period_label(0), scenario.months());
  // Bands fitted to salary data: what each was estimated from, and how well it fits.
  std::vector<std::pair<std::string, const models::BandFit*>> fits;
  for (const auto& role : scenario.roles) {
    if (role.band) fits.emplace_back(role.name, &role.band->fit);
    for (const auto& level : role.levels) {
      if (level.fitted) fits.emplace_back(role.name + "/" + level.name, &level.fitted->fit);
    }
  }
  if (fits.empty()) return kExitOk;
  std::size_t width = 10;
  for (const auto& [name, fit] : fits) width = std::max(width, name.size());
  fmt::print(
      "bands fitted to salary data ({} per {}):\n  {:<{}}  {:>6}  {:>10}  {:>10}  {:>6}  "
      "{:>6}  {:>7}\n",
      scenario.currency, scenario.salary_unit_name(), "role/level", width, "rows", "median",
      "se(ln med)", "log-sd", "KS D", "p");
  for (const auto& [name, fit] : fits) {
    fmt::print("  {:<{}}  {:>6}  {:>10.0f}  {:>10.4f}  {:>6.3f}  {:>6.3f}  {:>7.2g}{}\n", name,
               width, fit->rows, fit->median(), fit->log_mean_se(), fit->log_sd, fit->ks_statistic,
               fit->ks_p_value, fit->poor() ? "  poor fit" : "");
  }
  return kExitOk;
}

}  // namespace talentcast::cli
