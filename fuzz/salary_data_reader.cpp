// Fuzz target: a salary_data file (scenario-format.md), read and fitted as `validate` does for a
// fixed scenario whose roles' bands come from it. Any input must end in a Scenario or a
// io::UserError whose problems in the data file show at most the offending field.

#include "data_messages.hpp"
#include "sandbox.hpp"
#include "talentcast/config/scenario_loader.hpp"

namespace {

// Two roles fitted to the input (one with levels, one pooled) and one with a given band.
constexpr const char* kScenario = R"(title = "salary data fuzz"
currency = "CNY"
salary_unit = "month"
start = "2024-Q1"
step = "quarter"
horizon_years = 1

[defaults]
attrition = 0.15
seeker_exit = 2.0
demand_growth = 0.1
matching_efficiency = 6.0
matching_elasticity = 0.5
neutral_ratio = 1.0
wage_response = 0.1
salary_data = "input.csv"

[roles.llm]
employed = 10000
openings = 3000
ratio = 0.17
levels = ["junior", "senior"]

[roles.nlp]
employed = 8000
openings = 2000
ratio = 0.66

[roles.cloud]
employed = 50000
openings = 8000
ratio = 0.27
salary = 40000
band_sigma = 0.3
levels = []
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  const auto& sandbox = fuzz::Sandbox::get();
  static const auto scenario = sandbox.write("salary-data-scenario.toml", kScenario);
  const auto csv = sandbox.write("input.csv", fuzz::as_text(data, size));
  try {
    const models::Scenario loaded = config::load_scenario(scenario);
    fuzz::check(loaded.roles[0].band && loaded.roles[1].band, "the fitted roles have bands");
  } catch (const io::UserError& error) {
    fuzz::check_data_messages(error, csv);
  }
  return 0;
}
