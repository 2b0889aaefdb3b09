#pragma once
// Internal: the scenario validator, which turns a resolved TOML table into a Scenario while
// collecting every problem as a Diagnostic. Split over scenario_loader.cpp (values,
// distributions and the entry points), scenario_sections.cpp (the header and calendar),
// scenario_roles.cpp (the roles), scenario_salary.cpp (salary_data) and scenario_tables.cpp
// (fields, events, regimes, correlations).

#include <toml++/toml.h>

#include <Eigen/Core>
#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "talentcast/config/scenario_loader.hpp"
#include "toml_resolve.hpp"

namespace talentcast::config {
class DataFile;  // data_file.hpp
}  // namespace talentcast::config

namespace talentcast::config::detail {

using io::did_you_mean;
using io::printable;
using models::Distribution;
using models::Parameter;
using models::Range;
using models::RoleSpec;
using models::Scenario;

inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline constexpr std::size_t kMaxNameLength = 64;
/// A name as scenario-format.md allows it: [A-Za-z][A-Za-z0-9_-]*, at most kMaxNameLength.
bool is_identifier(std::string_view name);
std::string describe_node(const toml::node& node);

// Collects diagnostics while turning the resolved table into a Scenario.
/// The salaries of one role in a salary_data file: all its rows, and per level the rows of that
/// level.
struct SalaryRows {
  std::vector<double> salaries, weights;
  std::vector<std::vector<double>> level_salaries, level_weights;
};

class Validator {
 public:
  /// files: the extends chain, base first, for ordering roles as they were written.
  /// tables: where the scenario's distributions take their quantile tables.
  Validator(const toml::table& root, std::filesystem::path path, std::vector<std::string> files,
            models::QuantileTables& tables)
      : root_(root), path_(std::move(path)), files_(std::move(files)), tables_(tables) {}

  Scenario build();

 private:
  void error(const toml::node& at, std::string key, std::string expected, std::string found) {
    io::Diagnostic d = located(at, path_);
    d.key = std::move(key);
    d.expected = std::move(expected);
    d.found = std::move(found);
    diagnostics_.push_back(std::move(d));
  }

  void check_keys(const toml::table& table, const std::string& prefix,
                  const std::vector<std::string>& allowed, std::string_view what) {
    for (const auto& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        error(node, prefix + name, fmt::format("{}{}", what, did_you_mean(name, allowed)),
              fmt::format("unknown key '{}'", name));
      }
    }
  }

  std::optional<double> number(const toml::node& node, const std::string& key, const Range& range) {
    // A number may carry its source: { value = 0.17, source = "Maimai, 2024" }.
    if (const auto* table = node.as_table(); table && table->contains("value")) {
      check_keys(*table, key + ".", {"value", "source"}, "'value' or 'source'");
      source(*table, key);
      return number(*table->get("value"), key, range);
    }
    std::optional<double> value;
    if (node.is_integer()) value = static_cast<double>(node.as_integer()->get());
    if (node.is_floating_point()) value = node.as_floating_point()->get();
    if (!value) {
      error(node, key, fmt::format("a number in {}", range.describe()), describe_node(node));
      return std::nullopt;
    }
    if (!std::isfinite(*value)) {
      error(node, key, fmt::format("a finite number in {}", range.describe()), describe_node(node));
      return std::nullopt;
    }
    if (!range.contains(*value)) {
      error(node, key, fmt::format("a number in {}", range.describe()), describe_node(node));
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::int64_t> integer(const toml::node& node, const std::string& key,
                                      std::int64_t min, std::int64_t max) {
    if (!node.is_integer() || node.as_integer()->get() < min || node.as_integer()->get() > max) {
      error(node, key, fmt::format("an integer in [{}, {}]", min, max), describe_node(node));
      return std::nullopt;
    }
    return node.as_integer()->get();
  }

  std::optional<std::string> string(const toml::node& node, const std::string& key,
                                    std::string_view expected) {
    if (!node.is_string()) {
      error(node, key, std::string(expected), describe_node(node));
      return std::nullopt;
    }
    return node.as_string()->get();
  }

  /// Why something is synthetic (`synthetic = "..."`): a string that says something.
  std::optional<std::string> synthetic_reason(const toml::node& node, const std::string& key) {
    const char* expected = "a string saying why the data are synthetic (made up, not observed)";
    auto text = string(node, key, expected);
    if (text && text->find_first_not_of(" \t\r\n") == std::string::npos) {
      error(node, key, expected, "an empty string");
      return std::nullopt;
    }
    return text;
  }

  /// A table's optional `source`: a string, for the report.
  void source(const toml::table& table, const std::string& key) {
    if (const auto* node = table.get("source")) {
      string(*node, key + ".source", "a string naming where the value comes from");
    }
  }

  std::optional<Parameter> parameter(const toml::node& node, const std::string& key,
                                     const Range& range, const std::string& address);
  std::optional<Distribution> distribution(const toml::table& table, const std::string& key,
                                           const Range& range);
  std::optional<Distribution> distribution_of(models::DistributionKind kind,
                                              std::map<std::string, double>& values,
                                              const toml::table& table, const std::string& key);
  bool computable(const Distribution& d, const toml::table& table, const std::string& key,
                  const Range& range);

  const toml::table* table_at(const toml::node* node, const std::string& key) {
    if (!node) return nullptr;
    if (!node->is_table()) {
      error(*node, key, "a table", describe_node(*node));
      return nullptr;
    }
    return node->as_table();
  }

  /// Names of roles, levels, fields and regimes become CSV fields, JSON keys, chart file names,
  /// HTML ids and sweep key paths (roles.<name>.demand_growth), and a level is addressed as
  /// role/level: so a name is an identifier (docs/scenario-format.md, "Names").
  bool check_name(const toml::node& at, const std::string& key, std::string_view name,
                  std::string_view what) {
    if (name == "total" || name == "all") {
      error(at, key,
            fmt::format("a {} name other than 'total' and 'all' (the sums over roles)", what),
            fmt::format("'{}'", name));
      return false;
    }
    if (!is_identifier(name)) {
      error(at, key,
            fmt::format("a {} name of letters, digits, '_' and '-', starting with a letter, at "
                        "most {} characters",
                        what, kMaxNameLength),
            name.empty() ? std::string("an empty name") : fmt::format("'{}'", printable(name)));
      return false;
    }
    return true;
  }

  std::optional<std::size_t> role_reference(const toml::node& at, std::string_view name,
                                            const std::string& key) {
    for (std::size_t r = 0; r < role_names_.size(); ++r) {
      if (role_names_[r] == name) return r;
    }
    error(at, key, fmt::format("a role of [roles]{}", did_you_mean(name, role_names_)),
          fmt::format("unknown role '{}'", name));
    return std::nullopt;
  }

  void header(Scenario& s);
  void calendar(Scenario& s);
  void roles(Scenario& s);
  /// A table's entries in the order they were written, files in extends order.
  std::vector<std::pair<std::string, const toml::node*>> written_order(
      const toml::table& table) const;
  /// One role (without its mobility, read once every role exists).
  RoleSpec role(const std::string& name, const toml::node& node, const toml::table* defaults,
                const std::vector<std::string>& allowed, Scenario& s);
  bool band_data(const toml::table& table, const toml::table* defaults, const std::string& prefix,
                 std::size_t index, RoleSpec& role);
  void role_parameters(const toml::table& table, const toml::table* defaults,
                       const std::string& name, bool fitted, RoleSpec& role);
  void start_values(const toml::table& table, const toml::table* defaults,
                    const std::string& prefix, bool fitted, RoleSpec& role);
  void mobility(const toml::table& roles_table, Scenario& s);
  /// A role's `levels`: an array of names, or a table of level tables. key names it in
  /// messages; address prefixes its parameters' stream addresses (always the role's).
  void levels(const toml::node& node, const std::string& key, const std::string& address,
              RoleSpec& role);
  // A role's salary_data: the file (relative to the scenario file that names it) and the key.
  struct DataSource {
    std::size_t role;
    std::filesystem::path file;
    const toml::node* node;
    std::string key;
    std::string synthetic;  ///< why the file is synthetic; empty when not marked here
  };
  /// A salary_data value: a path, or { file = path, synthetic = "why" }.
  std::optional<DataSource> data_source(const toml::node& node, const std::string& key);
  /// Reads the salary_data files the roles name and fits their bands (scenario_salary.cpp).
  void salary_data(Scenario& s);
  void salary_file(const std::filesystem::path& file, const std::vector<const DataSource*>& sources,
                   Scenario& s);
  std::map<std::size_t, SalaryRows> salary_rows(DataFile& data,
                                                const std::vector<const DataSource*>& sources,
                                                const Scenario& s);
  void fit_role_band(const std::filesystem::path& file, const DataSource& source,
                     const SalaryRows& rows, bool weighted, Scenario& s);
  void fit_level_bands(const std::filesystem::path& file, const DataSource& source,
                       const SalaryRows& rows, bool weighted, Scenario& s);
  void unfitted_levels(const Scenario& s);
  void fields(Scenario& s);
  void field_series(const toml::table& table, const std::string& prefix, models::FieldSpec& field);
  void events(Scenario& s);
  std::optional<models::Date> event_window(const toml::table& table, const std::string& prefix,
                                           const Scenario& s, models::EventSpec& event);
  void event_roles(const toml::node& roles_node, const std::string& prefix,
                   models::EventSpec& event);
  void regimes(Scenario& s);
  void correlations(Scenario& s);
  Eigen::MatrixXd correlation(const toml::node& node, const std::string& key, std::size_t n);
  /// A table of name -> rate whose rates (their supports' maxima) must sum to at most 1.
  void check_sum_at_most_one(const toml::node& at, const std::string& key,
                             const std::vector<std::pair<std::size_t, Parameter>>& entries);

  const toml::table& root_;
  std::filesystem::path path_;
  std::vector<io::Diagnostic> diagnostics_;
  std::vector<std::string> files_;
  models::QuantileTables& tables_;
  std::vector<std::string> role_names_;
  std::vector<DataSource> data_sources_;
  std::vector<std::vector<const toml::node*>> level_nodes_;  // per role, per level

 public:
  /// The diagnostics, each once (a bad [defaults] value is found again by every role).
  std::vector<io::Diagnostic> take_diagnostics() {
    // A set of the messages seen: thousands of problems (a table of unknown keys) must not take
    // a quadratic number of comparisons.
    std::vector<io::Diagnostic> unique;
    std::unordered_set<std::string> seen;
    for (auto& d : diagnostics_) {
      if (seen.insert(d.message()).second) unique.push_back(std::move(d));
    }
    // In reading order: by file, then position.
    std::stable_sort(
        unique.begin(), unique.end(), [](const io::Diagnostic& a, const io::Diagnostic& b) {
          return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
        });
    return unique;
  }
};

/// Validates a resolved table; files is the extends chain, base first; the distributions take
/// their quantile tables from tables. Throws io::UserError.
Scenario validate(const toml::table& resolved, const std::filesystem::path& path,
                  std::vector<std::string> files, models::QuantileTables& tables);

}  // namespace talentcast::config::detail
