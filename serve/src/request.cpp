#include "request.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "talentcast/io/diagnostic.hpp"

namespace talentcast::serve {

namespace {

using nlohmann::json;

// How deeply the page's JSON may nest: it needs 3 levels; a deeper body is refused before it is
// parsed.
constexpr int kMaxDepth = 8;

bool too_deep(const std::string& body) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// Reads a field of an object, adding a problem when it has the wrong type.
template <typename T>
std::optional<T> field(const json& object, const char* name, const char* expected,
                       const std::string& where, std::size_t index,
                       std::vector<Problem>& problems) {
  if (!object.contains(name)) return std::nullopt;
  const json& value = object.at(name);
  const bool ok = std::is_same_v<T, double>        ? value.is_number()
                  : std::is_same_v<T, std::string> ? value.is_string()
                                                   : value.is_number_unsigned();
  if (!ok) {
    problems.push_back({where, index, name,
                        fmt::format("{}: expected {}, found {}", name, expected,
                                    io::printable(value.dump()).substr(0, 80))});
    return std::nullopt;
  }
  return value.get<T>();
}

// The elements of an array field (none when absent), or a problem.
std::vector<json> array_of(const json& object, const char* name, std::vector<Problem>& problems) {
  if (!object.contains(name)) return {};
  const json& value = object.at(name);
  if (!value.is_array()) {
    problems.push_back({"request", 0, name, fmt::format("{}: expected an array", name)});
    return {};
  }
  return std::vector<json>(value.begin(), value.end());
}

}  // namespace

WhatIf read_whatif(const std::string& body, std::vector<Problem>& problems) {
  WhatIf whatif;
  const json request =
      too_deep(body) ? json(json::value_t::discarded) : json::parse(body, nullptr, false);
  if (!request.is_object()) {
    problems.push_back({"request", 0, "", "expected a JSON object (docs/serve.md, \"API\")"});
    return whatif;
  }
  whatif.scenario =
      field<std::string>(request, "scenario", "a scenario's id", "request", 0, problems)
          .value_or("");
  whatif.paths = field<std::uint64_t>(request, "paths", "a whole number", "request", 0, problems);
  const auto levers = array_of(request, "levers", problems);
  for (std::size_t i = 0; i < levers.size(); ++i) {
    const auto key = field<std::string>(levers[i], "key", "a key path", "lever", i, problems);
    const auto by = field<double>(levers[i], "by", "a number", "lever", i, problems);
    if (key && by) whatif.levers.push_back({*key, *by});
  }
  const auto values = array_of(request, "values", problems);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto key = field<std::string>(values[i], "key", "a key path", "value", i, problems);
    const auto value = field<std::string>(values[i], "value", "a TOML value", "value", i, problems);
    if (key && value) whatif.values.push_back({*key, *value});
  }
  const auto events = array_of(request, "events", problems);
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event event;
    event.from = field<std::string>(events[i], "from", "a date", "event", i, problems).value_or("");
    event.to = field<std::string>(events[i], "to", "a date", "event", i, problems).value_or("");
    event.demand_growth_add =
        field<double>(events[i], "demand_growth_add", "a number", "event", i, problems)
            .value_or(0.0);
    for (const json& role : array_of(events[i], "roles", problems)) {
      if (role.is_string()) event.roles.push_back(role.get<std::string>());
    }
    whatif.events.push_back(std::move(event));
  }
  return whatif;
}

std::vector<std::pair<std::string, std::string>> event_fields(const Event& event,
                                                              std::size_t number) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("name", toml_string(fmt::format("what-if event {}", number)));
  fields.emplace_back("from", toml_string(event.from));
  if (!event.to.empty()) fields.emplace_back("to", toml_string(event.to));
  if (!event.roles.empty()) {
    std::vector<std::string> roles;
    for (const auto& role : event.roles) roles.push_back(toml_string(role));
    fields.emplace_back("roles", fmt::format("[{}]", fmt::join(roles, ", ")));
  }
  fields.emplace_back("demand_growth_add", fmt::format("{:.12g}", event.demand_growth_add));
  return fields;
}

std::string event_toml(const Event& event, std::size_t number) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : event_fields(event, number)) {
    parts.push_back(fmt::format("{} = {}", key, value));
  }
  return fmt::format("{{ {} }}", fmt::join(parts, ", "));
}

std::vector<std::pair<std::string, std::string>> changes_of(const WhatIf& whatif,
                                                            const std::vector<Lever>& levers,
                                                            const models::Scenario& base,
                                                            std::vector<Problem>& problems) {
  std::vector<std::pair<std::string, std::string>> changes;
  changes.emplace_back("title", toml_string(fmt::format("What-if of {}", base.title)));
  for (std::size_t i = 0; i < whatif.levers.size(); ++i) {
    const LeverMove& move = whatif.levers[i];
    const auto lever = std::find_if(levers.begin(), levers.end(),
                                    [&](const Lever& l) { return l.key == move.key; });
    if (lever == levers.end()) {
      problems.push_back({"lever", i, move.key, "no lever of this scenario has this key"});
    } else if (!std::isfinite(move.by) || move.by < lever->low || move.by > lever->high) {
      problems.push_back({"lever", i, move.key,
                          fmt::format("expected an amount in [{}, {}], found {}", lever->low,
                                      lever->high, move.by)});
    } else if (move.by != 0.0) {
      try {
        changes.emplace_back(move.key, moved_value(*lever, move.by));
      } catch (const std::invalid_argument& e) {
        problems.push_back({"lever", i, move.key, e.what()});
      }
    }
  }
  for (const KeyValue& value : whatif.values) changes.emplace_back(value.key, value.value);
  for (std::size_t i = 0; i < whatif.events.size(); ++i) {
    changes.emplace_back(config::ScenarioDocument::kAppendEvent,
                         event_toml(whatif.events[i], base.events.size() + i + 1));
  }
  return changes;
}

namespace {

// Where on the page a problem at `key` belongs: the lever, value or event that set it.
Problem placed(const std::string& key, const std::string& message, const WhatIf& whatif,
               std::size_t base_events) {
  const auto under = [&key](const std::string& set) {
    return key == set ||
           (key.starts_with(set) && (key[set.size()] == '.' || key[set.size()] == '['));
  };
  for (std::size_t i = 0; i < whatif.levers.size(); ++i) {
    if (under(whatif.levers[i].key)) return {"lever", i, key, message};
  }
  for (std::size_t i = 0; i < whatif.values.size(); ++i) {
    if (under(whatif.values[i].key)) return {"value", i, key, message};
  }
  for (std::size_t i = 0; i < whatif.events.size(); ++i) {
    if (under(fmt::format("events[{}]", base_events + i))) return {"event", i, key, message};
  }
  return {"scenario", 0, key, message};
}

}  // namespace

std::optional<models::Scenario> apply(
    const config::ScenarioDocument& base_document, const models::Scenario& base,
    const WhatIf& whatif, const std::vector<std::pair<std::string, std::string>>& changes,
    std::vector<Problem>& problems) {
  config::ScenarioDocument document(base_document);
  std::size_t event = 0;
  for (const auto& [key, value] : changes) {
    try {
      document.set(key, value);
    } catch (const io::UserError& error) {
      for (const io::Diagnostic& d : error.diagnostics()) {
        const std::string message = fmt::format("expected {}, found {}", d.expected, d.found);
        problems.push_back(key == config::ScenarioDocument::kAppendEvent
                               ? Problem{"event", event, key, message}
                               : placed(key, message, whatif, base.events.size()));
      }
    }
    if (key == config::ScenarioDocument::kAppendEvent) ++event;
  }
  // Validated even when a change was refused, so that every problem is told at once.
  try {
    models::Scenario scenario = document.scenario();
    if (problems.empty()) return scenario;
    return std::nullopt;
  } catch (const io::UserError& error) {
    for (const io::Diagnostic& d : error.diagnostics()) {
      problems.push_back(placed(d.key, fmt::format("expected {}, found {}", d.expected, d.found),
                                whatif, base.events.size()));
    }
    for (const std::string& problem : error.problems()) {
      problems.push_back({"scenario", 0, "", problem});
    }
    return std::nullopt;
  }
}

}  // namespace talentcast::serve
