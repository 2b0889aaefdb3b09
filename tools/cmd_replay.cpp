#include <fmt/core.h>

#include "cli.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::cli {

int replay_command(const ReplayArgs& args) {
  const auto scenario = load_scenario_or_report(args.scenario);
  if (!scenario) return kExitBadInput;
  const models::LabourMarketModel model(*scenario,
                                        {args.seed.value_or(scenario->seed), args.central});
  std::vector<double> values;
  try {
    values = model.replay(args.central ? 0 : args.path);
  } catch (const models::ModelError& error) {
    fmt::print(stderr, "talentcast: {}\n", error.what());
    return kExitBadInput;
  }
  const models::OutputLayout& layout = model.layout();
  fmt::print("role,period,metric,value\n");
  for (std::size_t role = 0; role <= layout.roles(); ++role) {
    const std::string name = role == layout.roles() ? "total" : scenario->roles[role].name;
    for (std::size_t period = 0; period < layout.periods(); ++period) {
      const std::string label = scenario->period_label(static_cast<int>(period));
      for (std::size_t metric = 0; metric < layout.metrics(role); ++metric) {
        fmt::print("{},{},{},{}\n", name, label, models::metric_name(metric),
                   values[layout.index(role, period, static_cast<models::Metric>(metric))]);
      }
    }
  }
  return kExitOk;
}

}  // namespace talentcast::cli
