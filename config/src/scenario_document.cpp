#include "talentcast/config/scenario_document.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <tuple>

#include "sweep_paths.hpp"
#include "toml_resolve.hpp"
#include "validator.hpp"

namespace talentcast::config {

namespace {

// Where a value set by key path says it comes from: toml++ locates every parsed node, and a
// message must not send the user to line 1 of a file that does not exist.
constexpr const char* kSetByKeyPath = "(set by key path)";

std::vector<detail::PathStep> steps_of(const std::string& key) {
  auto steps = detail::split_path(key);
  if (!steps) {
    throw io::UserError(std::vector<io::Diagnostic>{
        {.file = kSetByKeyPath,
         .key = key,
         .expected =
             "a key path such as \"roles.llm.attrition\" or \"events[0].demand_growth_add\"",
         .found = fmt::format("'{}'", io::printable(key))}});
  }
  return std::move(*steps);
}

// `value` parsed as one TOML value, the only key of its table: "value". None when it is not
// one value (it is told as such by the caller).
std::optional<toml::table> one_value(const std::string& value) {
  try {
    toml::table parsed = toml::parse("value = " + value, std::string_view(kSetByKeyPath));
    if (parsed.size() == 1 && parsed.get("value")) return parsed;
  } catch (const toml::parse_error&) {
    // Not a value.
  }
  return std::nullopt;
}

io::UserError no_such_key(const std::string& key, const std::string& why) {
  return io::UserError(std::vector<io::Diagnostic>{{.file = kSetByKeyPath,
                                                    .key = key,
                                                    .expected = "the key path of a value in the "
                                                                "scenario",
                                                    .found = why}});
}

// A value's node: a table with a `dist` (a distribution) or a `value` (a number with its
// source) is one value, as a sweep sets it.
bool is_leaf(const toml::node& node) {
  if (const auto* table = node.as_table()) return detail::is_parameter(node) && !table->empty();
  if (const auto* array = node.as_array()) {
    return std::none_of(array->begin(), array->end(),
                        [](const toml::node& element) { return element.is_table(); });
  }
  return true;
}

void collect_keys(const toml::node& node, const std::string& prefix,
                  std::vector<std::string>& keys) {
  if (!prefix.empty() && is_leaf(node)) {
    keys.push_back(prefix);
    return;
  }
  if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      collect_keys(*array->get(i), fmt::format("{}[{}]", prefix, i), keys);
    }
    return;
  }
  // A table's keys in the file's order (toml++ keeps them sorted by name).
  std::vector<std::pair<std::string, const toml::node*>> children;
  for (const auto& [key, child] : *node.as_table()) children.emplace_back(key.str(), &child);
  std::stable_sort(children.begin(), children.end(), [](const auto& a, const auto& b) {
    const auto& sa = a.second->source().begin;
    const auto& sb = b.second->source().begin;
    return std::tie(sa.line, sa.column) < std::tie(sb.line, sb.column);
  });
  for (const auto& [key, child] : children) {
    collect_keys(*child, prefix.empty() ? key : prefix + "." + key, keys);
  }
}

}  // namespace

struct ScenarioDocument::Resolved {
  toml::table table;
  std::vector<std::string> files;
  std::vector<models::SourceFile> sources;
};

ScenarioDocument::ScenarioDocument(const std::filesystem::path& path)
    : path_(path), resolved_(std::make_unique<Resolved>()) {
  std::vector<io::Diagnostic> diagnostics;
  resolved_->table =
      detail::resolve_scenario_file(path, diagnostics, resolved_->files, &resolved_->sources);
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
}

ScenarioDocument::~ScenarioDocument() = default;
ScenarioDocument::ScenarioDocument(ScenarioDocument&&) noexcept = default;

ScenarioDocument::ScenarioDocument(const ScenarioDocument& other) : ScenarioDocument(other.path_) {
  tables_ = other.tables_;
  // Read again, the files must be what the other read: a copy of a scenario is that scenario.
  const auto& mine = resolved_->sources;
  const auto& theirs = other.resolved_->sources;
  const bool same = std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end(),
                               [](const models::SourceFile& a, const models::SourceFile& b) {
                                 return a.path == b.path && a.text == b.text;
                               });
  if (!same) {
    throw io::UserError(fmt::format(
        "{}: expected the scenario's files as they were when it was loaded, found them changed "
        "on disk; load the scenario again",
        path_.string()));
  }
  for (const auto& [key, value] : other.changes_) set(key, value);
}

std::string ScenarioDocument::get_json(const std::string& key) const {
  const auto steps = steps_of(key);
  std::string why;
  const toml::node* node = detail::find_path(resolved_->table, steps, why);
  if (!node) throw no_such_key(key, why);
  // A number that is not finite as JSON's extensions that Python's json reads (toml++'s
  // formatter writes them as strings).
  if (const auto* number = node->as_floating_point(); number && !std::isfinite(number->get())) {
    const double x = number->get();
    return std::isnan(x) ? R"({"value": NaN})"
                         : (x > 0 ? R"({"value": Infinity})" : R"({"value": -Infinity})");
  }
  // Through toml++'s own JSON formatter, which formats tables: the value under one key.
  toml::table holder;
  holder.insert("value", *node);
  std::ostringstream json;
  json << toml::json_formatter{holder};
  return json.str();
}

void ScenarioDocument::set(const std::string& key, const std::string& value) {
  if (key == kAppendEvent) return append_event(value);
  const auto steps = steps_of(key);
  std::optional<toml::table> parsed = one_value(value);
  if (!parsed) {
    throw io::UserError(std::vector<io::Diagnostic>{
        {.file = kSetByKeyPath,
         .key = key,
         .expected = "one TOML value (a number, a string, a boolean, an array or an inline "
                     "table such as { dist = \"normal\", mean = 0.3, sd = 0.05 })",
         .found = fmt::format("'{}'", io::printable(value))}});
  }
  std::string why;
  bool settable = false;
  toml::node* target = detail::find_path(resolved_->table, steps, why, &settable);
  if (!target) throw no_such_key(key, why);
  toml::table* old_table = settable ? nullptr : target->as_table();
  if (toml::table* new_table = parsed->get("value")->as_table(); old_table && new_table) {
    // A table in place of a table keeps its place: a role's table orders the roles.
    old_table->clear();
    for (auto&& [name, child] : *new_table) old_table->insert(name, std::move(child));
  } else {
    detail::set_path(resolved_->table, steps, std::move(*parsed->get("value")));
  }
  // The change replaces earlier ones of this key and of the keys inside it.
  std::erase_if(changes_, [&key](const auto& change) {
    const std::string& earlier = change.first;
    return earlier == key || (earlier.size() > key.size() && earlier.starts_with(key) &&
                              (earlier[key.size()] == '.' || earlier[key.size()] == '['));
  });
  changes_.emplace_back(key, value);
}

// An event added after the scenario's own, as a variant's [[events]] are (docs/serve.md).
void ScenarioDocument::append_event(const std::string& value) {
  std::optional<toml::table> parsed = one_value(value);
  toml::table* event = parsed ? parsed->get("value")->as_table() : nullptr;
  if (!event) {
    throw io::UserError(std::vector<io::Diagnostic>{
        {.file = kSetByKeyPath,
         .key = kAppendEvent,
         .expected = "an event as an inline table, such as { from = \"2026\", "
                     "demand_growth_add = -0.2 }",
         .found = fmt::format("'{}'", io::printable(value))}});
  }
  toml::node* events = resolved_->table.get("events");
  if (!events) {
    resolved_->table.insert("events", toml::array{});
    events = resolved_->table.get("events");
  }
  toml::array* array = events->as_array();
  if (!array) throw no_such_key(kAppendEvent, "'events' is not an array of tables");
  array->push_back(std::move(*event));
  changes_.emplace_back(kAppendEvent, value);
}

std::vector<std::string> ScenarioDocument::keys() const {
  std::vector<std::string> keys;
  collect_keys(resolved_->table, "", keys);
  return keys;
}

models::Scenario ScenarioDocument::scenario() const {
  try {
    models::Scenario scenario =
        detail::validate(resolved_->table, path_, resolved_->files, *tables_);
    scenario.source_files = resolved_->sources;
    scenario.changes = changes_;
    return scenario;
  } catch (const io::UserError& error) {
    // A value set by key path has no line in a file: its messages name the key path alone.
    std::vector<io::Diagnostic> diagnostics = error.diagnostics();
    for (auto& d : diagnostics) {
      if (d.file == kSetByKeyPath) d.line = d.column = 0;
    }
    if (error.problems().empty()) throw io::UserError(std::move(diagnostics));
    io::UserError located(error.problems());
    located.add(std::move(diagnostics));
    throw located;
  }
}

}  // namespace talentcast::config
