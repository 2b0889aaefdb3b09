#include <fmt/core.h>

#include "cli.hpp"
#include "talentcast/models/scenario_loader.hpp"

namespace talentcast::cli {

std::optional<models::Scenario> load_scenario_or_report(const std::string& path) {
  try {
    return models::load_scenario(path);
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
  return kExitOk;
}

}  // namespace talentcast::cli
