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

// Reads the fields of one element of the request (the request itself, a lever, a value or an
// event), adding a problem for each one missing or of the wrong type.
class Fields {
 public:
  Fields(const json& object, std::string where, std::size_t index, std::vector<Problem>& problems)
      : object_(object), where_(std::move(where)), index_(index), problems_(problems) {
    if (!object.is_object()) add("", "expected a JSON object", object);
  }

  template <typename T>
  std::optional<T> get(const char* name, const char* expected, bool required) {
    if (!object_.is_object()) return std::nullopt;
    if (!object_.contains(name)) {
      if (required)
        problems_.push_back({where_, index_, name, fmt::format("expected {}", expected)});
      return std::nullopt;
    }
    const json& value = object_.at(name);
    const bool ok = std::is_same_v<T, double>        ? value.is_number()
                    : std::is_same_v<T, std::string> ? value.is_string()
                                                     : value.is_number_unsigned();
    if (!ok) {
      add(name, fmt::format("expected {}", expected), value);
      return std::nullopt;
    }
    return value.get<T>();
  }

  /// The elements of an array field: none when it is absent.
  std::vector<json> array(const char* name) {
    if (!object_.is_object() || !object_.contains(name)) return {};
    const json& value = object_.at(name);
    if (!value.is_array()) {
      add(name, "expected an array", value);
      return {};
    }
    return std::vector<json>(value.begin(), value.end());
  }

  /// A list of strings: none when it is absent.
  std::vector<std::string> strings(const char* name, const char* expected) {
    std::vector<std::string> out;
    for (const json& element : array(name)) {
      if (!element.is_string()) {
        add(name, fmt::format("expected a list of {}", expected), element);
        return {};
      }
      out.push_back(element.get<std::string>());
    }
    return out;
  }

 private:
  void add(const std::string& name, const std::string& expected, const json& found) {
    // printable() shows what it shows of the text whole: a cut would split a character.
    problems_.push_back(
        {where_, index_, name,
         fmt::format("{}, found {}", expected,
                     io::printable(found.dump(-1, ' ', false, json::error_handler_t::replace)))});
  }

  const json& object_;
  std::string where_;
  std::size_t index_;
  std::vector<Problem>& problems_;
};

}  // namespace

// An element with a problem is kept (with what could be read), so that the problems of the
// what-if that follow name the request's own indices.
WhatIf read_whatif(const std::string& body, std::vector<Problem>& problems) {
  WhatIf whatif;
  const json request =
      too_deep(body) ? json(json::value_t::discarded) : json::parse(body, nullptr, false);
  if (!request.is_object()) {
    problems.push_back({"request", 0, "", "expected a JSON object (docs/serve.md, \"API\")"});
    return whatif;
  }
  Fields fields(request, "request", 0, problems);
  whatif.scenario = fields.get<std::string>("scenario", "a scenario's id", true).value_or("");
  whatif.paths = fields.get<std::uint64_t>("paths", "a whole number of paths", false);
  const auto levers = fields.array("levers");
  for (std::size_t i = 0; i < levers.size(); ++i) {
    Fields lever(levers[i], "lever", i, problems);
    whatif.levers.push_back({lever.get<std::string>("key", "a lever's key path", true).value_or(""),
                             lever.get<double>("by", "a number", true).value_or(0.0)});
  }
  const auto values = fields.array("values");
  for (std::size_t i = 0; i < values.size(); ++i) {
    Fields value(values[i], "value", i, problems);
    whatif.values.push_back({value.get<std::string>("key", "a key path", true).value_or(""),
                             value.get<std::string>("value", "a TOML value", true).value_or("")});
  }
  const auto events = fields.array("events");
  for (std::size_t i = 0; i < events.size(); ++i) {
    Fields event(events[i], "event", i, problems);
    whatif.events.push_back(
        {event.strings("roles", "role names"),
         event.get<std::string>("from", "a date such as \"2026-Q1\"", true).value_or(""),
         event.get<std::string>("to", "a date such as \"2026-Q4\"", false).value_or(""),
         event.get<double>("demand_growth_add", "a number", true).value_or(0.0)});
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

void check_values(const WhatIf& whatif, const config::ScenarioDocument& base,
                  std::vector<Problem>& problems) {
  for (std::size_t i = 0; i < whatif.values.size(); ++i) {
    const std::string& key = whatif.values[i].key;
    if (key == config::ScenarioDocument::kAppendEvent) {
      problems.push_back({"value", i, key, "add an event with the page's hiring freeze or cut"});
    } else if (key.find("salary_data") != std::string::npos) {
      problems.push_back({"value", i, key,
                          "expected a value of the model: the page names no file for the server "
                          "to read (salary data come from the base)"});
    } else if (key == "seed" || key == "paths") {
      problems.push_back({"value", i, key,
                          "expected a value of the model: the page's seed and paths are the "
                          "server's (serve --seed, --paths)"});
    } else if (key == "extends" || key.find('[') != std::string::npos) {
      problems.push_back({"value", i, key,
                          "expected a key a variant can state: it adds its [[events]] to the "
                          "base's and cannot change one of them, nor what it extends"});
    }
    // Inside a distribution: the exported variant could state only the whole value.
    for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
      const std::string outer = key.substr(0, dot);
      try {
        const json value = json::parse(base.get_json(outer)).at("value");
        if (value.is_object() && (value.contains("dist") || value.contains("value"))) {
          problems.push_back({"value", i, key,
                              fmt::format("expected the key path of a whole value: set {} to a "
                                          "number or a whole distribution, such as {{ dist = "
                                          "\"pert\", low = 0.1, mode = 0.15, high = 0.2 }}",
                                          outer)});
          break;
        }
      } catch (const io::UserError&) {
        break;  // not in the base, nor anything under it: the key is checked when it is set
      }
    }
  }
}

std::optional<models::Scenario> apply(
    const config::ScenarioDocument& base_document, const models::Scenario& base,
    const WhatIf& whatif, const std::vector<std::pair<std::string, std::string>>& changes,
    std::vector<std::pair<std::string, std::string>>& merged, std::vector<Problem>& problems) {
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
  // A later change of a key replaces an earlier one (a value after a lever, the title).
  merged = document.changes();
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
