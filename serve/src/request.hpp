#pragma once
// A what-if as the page sends it (docs/serve.md, "API"), read and applied to a scenario: every
// problem found is kept, each beside the lever, value or event it belongs to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "levers.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::serve {

struct LeverMove {
  std::string key;
  double by = 0;
};
struct KeyValue {
  std::string key;
  std::string value;  ///< TOML, as a scenario file writes it
};
struct Event {
  std::vector<std::string> roles;  ///< empty: every role
  std::string from, to;
  double demand_growth_add = 0;
};

struct WhatIf {
  std::string scenario;  ///< the base's id
  std::optional<std::uint64_t> paths;
  std::vector<LeverMove> levers;
  std::vector<KeyValue> values;
  std::vector<Event> events;
};

/// A problem of the request, and where on the page it belongs.
struct Problem {
  std::string where;      ///< "request", "lever", "value", "event" or "scenario"
  std::size_t index = 0;  ///< of the lever, value or event
  std::string key;
  std::string message;
};

/// Reads the page's JSON. Problems of its shape are added to `problems`.
WhatIf read_whatif(const std::string& body, std::vector<Problem>& problems);

/// The event's keys and TOML values as a scenario file writes them; `number` names it
/// ("what-if event 3": the scenario's events and the page's, counted from 1).
std::vector<std::pair<std::string, std::string>> event_fields(const Event& event,
                                                              std::size_t number);
/// The same as one inline table.
std::string event_toml(const Event& event, std::size_t number);

/// Each change the what-if makes to its base, as (key path, TOML value), in order: the
/// what-if's title, the levers' moved values, the values, then the events
/// (config::ScenarioDocument::kAppendEvent).
std::vector<std::pair<std::string, std::string>> changes_of(const WhatIf& whatif,
                                                            const std::vector<Lever>& levers,
                                                            const models::Scenario& base,
                                                            std::vector<Problem>& problems);

/// Adds a problem for each value the exported variant could not state as it was set: an
/// event (the page adds events itself), a value inside one of the base's [[events]], `extends`,
/// or a part of a distribution.
void check_values(const WhatIf& whatif, const config::ScenarioDocument& base,
                  std::vector<Problem>& problems);

/// Applies the changes to a copy of the base's document and validates it; the problems of a
/// change are told beside it, added to those already in `problems`. `merged` gets the changes
/// as the document keeps them: a later change of a key replaces an earlier one. Empty when
/// there are problems.
std::optional<models::Scenario> apply(
    const config::ScenarioDocument& base_document, const models::Scenario& base,
    const WhatIf& whatif, const std::vector<std::pair<std::string, std::string>>& changes,
    std::vector<std::pair<std::string, std::string>>& merged, std::vector<Problem>& problems);

}  // namespace talentcast::serve
