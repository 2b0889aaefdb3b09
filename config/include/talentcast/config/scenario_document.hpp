#pragma once
// A scenario file resolved and open to change by key path, the way a sweep sets its parameters
// ("roles.llm_algorithm.demand_growth", "events[0].demand_growth_add"): what the Python
// package's Scenario holds (docs/python.md). Values cross in TOML's own notation, so that any
// value a scenario file may hold (a number, a string, a distribution table) can be set.

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "talentcast/models/scenario.hpp"

namespace talentcast::config {

class ScenarioDocument {
 public:
  /// Reads the file and its `extends` chain. Throws io::UserError (a file that cannot be read
  /// or parsed); the values are validated by scenario().
  explicit ScenarioDocument(const std::filesystem::path& path);
  ~ScenarioDocument();
  /// A copy reads the files again and sets the same values: toml++'s own copies lose the
  /// source positions that order the roles and locate messages.
  ScenarioDocument(const ScenarioDocument& other);
  ScenarioDocument& operator=(const ScenarioDocument&) = delete;
  ScenarioDocument(ScenarioDocument&&) noexcept;
  ScenarioDocument& operator=(ScenarioDocument&&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// The value at a key path as JSON: {"value": ...}, the value a number, a string, a boolean,
  /// an array or a table (a distribution: {"dist": "normal", ...}). Throws io::UserError when the
  /// path names nothing (with "did you mean").
  std::string get_json(const std::string& key) const;

  /// Sets the value at a key path to `value`, a TOML value as a scenario file writes it
  /// ("0.35", "{ dist = \"normal\", mean = 0.3, sd = 0.05 }"). The path must name a value of the
  /// resolved scenario, or a role parameter of a role or of [defaults] not written there. Throws
  /// io::UserError (its key is the path) when it names neither or value is not a TOML value.
  void set(const std::string& key, const std::string& value);

  /// The key path that adds an event after the scenario's own, as a variant's [[events]] are:
  /// set("events[+]", "{ from = \"2026\", demand_growth_add = -0.2 }"). Each such change is
  /// kept, in order.
  static constexpr const char* kAppendEvent = "events[+]";

  /// The values set so far, in order, as (key path, TOML value); a later one of the same key
  /// replaces its earlier one (but events added are all kept).
  const std::vector<std::pair<std::string, std::string>>& changes() const { return changes_; }

  /// Every key path of a value in the resolved scenario, in the file's order: tables' keys
  /// joined by '.', arrays' elements as [i], a distribution as one value.
  std::vector<std::string> keys() const;

  /// The scenario as it stands, validated as `talentcast validate` validates a file. Throws
  /// io::UserError with every problem. Its `changes` are changes(): a run's manifest records
  /// them after the files, and `talentcast reproduce` sets them again.
  models::Scenario scenario() const;

 private:
  void append_event(const std::string& value);
  struct Resolved;
  std::filesystem::path path_;
  std::unique_ptr<Resolved> resolved_;
  std::vector<std::pair<std::string, std::string>> changes_;
  /// The distributions' quantile tables, built once and shared by copies (and their threads),
  /// as a sweep's points share theirs.
  std::shared_ptr<models::QuantileTables> tables_ = std::make_shared<models::QuantileTables>();
};

}  // namespace talentcast::config
