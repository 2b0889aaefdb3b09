// Using talentcast as a library: load a scenario, change one parameter, run, read a quantile.
//
//   ./build/bin/what_if scenarios/china-ai-2024.toml llm_algorithm 0.35
//
// prints the median LLM-algorithm supply-demand ratio in the last period, with its 80% interval,
// as the scenario has it and with the role's demand growth set to 0.35 a year.
#include <fmt/core.h>

#include <cstdlib>
#include <exception>

#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/studies/forecast.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: what_if SCENARIO ROLE DEMAND_GROWTH\n");
    return 2;
  }
  // Each layer is a namespace: config reads files, models holds the model, studies runs it.
  using namespace talentcast;
  try {
    models::Scenario scenario = config::load_scenario(argv[1]);
    const auto role = scenario.role_index(argv[2]);
    if (!role) {
      fmt::print(stderr, "no role '{}' in {}\n", argv[2], argv[1]);
      return 2;
    }
    studies::ForecastSettings settings = studies::default_settings(scenario);
    settings.paths = 5000;
    const std::string last = scenario.period_label(scenario.periods() - 1);

    const auto report = [&](const char* label) {
      const auto& ratio = studies::run_forecast(scenario, settings).at(argv[2], last, "ratio");
      // percentiles[] holds p05, p10, p25, p50, p75, p90, p95.
      fmt::print("{:<28} ratio {} median {:.3f}  80% interval [{:.3f}, {:.3f}]\n", label, last,
                 ratio.percentiles[3], ratio.percentiles[1], ratio.percentiles[5]);
    };
    report("as in the scenario:");
    // Any parameter may be replaced, by a number or a distribution.
    scenario.roles[*role].params[static_cast<std::size_t>(models::RoleParam::demand_growth)] =
        models::Parameter(std::strtod(argv[3], nullptr));
    report(fmt::format("demand_growth = {}:", argv[3]).c_str());
  } catch (const io::UserError& error) {
    fmt::print(stderr, "{}", error.what());
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 1;
  }
  return 0;
}
