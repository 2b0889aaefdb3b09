#pragma once
// The what-if page's levers (docs/serve.md, "Levers"): which values of a scenario a planner can
// move, and how a move becomes a new value in the scenario's own notation.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "talentcast/config/scenario_document.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/toml_values.hpp"

namespace talentcast::serve {

/// How a lever moves its value (studies::Move): `add` its amount to a growth rate, `scale` an
/// inflow or a response by 1 + amount.
using studies::Move;
using studies::toml_string;

struct Lever {
  std::string key;    ///< the key path set: "roles.nlp.demand_growth"
  std::string read;   ///< where its base value is written (the role's key, or [defaults]')
  std::string group;  ///< "Demand", "Graduates", "Inflows", "Wages"
  std::string label;  ///< "LLM algorithm engineer: demand growth"
  std::string role;   ///< the role it belongs to, or "" (a field's)
  Move move = Move::add;
  std::string unit;          ///< what its amount is in: "per year (log)", "% of the base"
  double low = 0, high = 0;  ///< the page's range of amounts
  double step = 0;
  nlohmann::json base;  ///< the base value as ScenarioDocument::get_json gives it
};

/// The levers of a scenario, in a fixed order: per role its demand growth, inflows and wage
/// response (where the scenario has them, in the role or in [defaults]), then each graduate
/// field's growth.
std::vector<Lever> levers_of(const config::ScenarioDocument& document,
                             const models::Scenario& scenario);

/// The base value moved by `amount`, as a TOML value ("{ dist = \"pert\", low = 0.05, ... }");
/// its `source` says what was moved. Numbers are written with 12 significant digits, so that
/// the page, its export and `talentcast compare` of the export read the same value. Throws
/// std::invalid_argument when the value is not one a lever can move.
std::string moved_value(const Lever& lever, double amount);

/// The `source` a value states, or "" (a plain number states none).
std::string source_of(const nlohmann::json& value);

/// A value of the scenario as a planner reads it: "pert(low 0.03, mode 0.14, high 0.3)", "0.05".
std::string value_text(const nlohmann::json& value);

}  // namespace talentcast::serve
