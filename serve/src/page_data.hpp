#pragma once
// The JSON the page draws from (docs/serve.md, "API"): a scenario's levers, and a comparison's
// distributions per role and period.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "levers.hpp"
#include "request.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/compare.hpp"

namespace talentcast::serve {

/// A scenario's roles, periods, levers (with base values and sources) and events.
nlohmann::json levers_json(const std::string& id, const models::Scenario& scenario,
                           const std::vector<Lever>& levers);

/// Per series (each role, then `total`): for ratio and salary_median the percentiles (5, 10,
/// 25, 50, 75, 90, 95) of base, what-if and difference (and, for salaries, what-if over base)
/// in each period, and the shares of paths on which it rose (`up`) and fell (`down`); for
/// shortage the share of paths short (its mean) of each.
nlohmann::json comparison_json(const models::Scenario& base, const studies::Comparison& comparison);

/// The problems of a request, each where it belongs, and all of them as the command line would
/// tell them.
nlohmann::json problems_json(const std::vector<Problem>& problems);

}  // namespace talentcast::serve
