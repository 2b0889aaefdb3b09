// Reading a sweep file (sweep.hpp, load_sweep): its keys, its design, its base scenario and its
// parameters, every problem collected with its place before any is reported.
#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "sweep_paths.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "toml_resolve.hpp"
#include "validator.hpp"

namespace talentcast::config {

namespace {

const std::vector<std::string> kSweepKeys{"scenario", "design", "points",    "levels",
                                          "paths",    "seed",   "parameters"};
const std::vector<std::string> kParameterKeys{"key", "low", "high", "levels"};

// A sweep file being read: each part of it in turn adds to the sweep or to the problems.
class SweepReader {
 public:
  SweepReader(const std::filesystem::path& path, Sweep& sweep) : path_(path), sweep_(sweep) {}

  /// The file's table; throws io::UserError when it cannot be read or parsed.
  void read() {
    std::optional<toml::table> read =
        detail::read_toml_file(path_, "sweep file", diagnostics_, &sweep_.text);
    if (!read) throw io::UserError(std::move(diagnostics_));
    root_ = std::move(*read);
  }
  void unknown_keys();
  void design();
  void sizes();
  void base_scenario();
  void parameters();
  /// Throws io::UserError with every problem found, in the order of their places.
  void finish();

 private:
  void error(const toml::node& at, std::string key, std::string expected, std::string found) {
    io::Diagnostic d = detail::located(at, path_);
    d.key = std::move(key);
    d.expected = std::move(expected);
    d.found = std::move(found);
    diagnostics_.push_back(std::move(d));
  }
  std::optional<std::int64_t> positive_integer(const char* key, std::int64_t max);
  std::optional<double> number(const toml::node& n, const std::string& key);
  void parameter(const toml::table& table, const std::string& prefix);
  bool key_path_settable(const toml::node& key, const std::string& prefix, const std::string& path);

  const std::filesystem::path& path_;
  Sweep& sweep_;
  toml::table root_;
  std::vector<io::Diagnostic> diagnostics_;
};

void SweepReader::unknown_keys() {
  for (const auto& [key, node] : root_) {
    const std::string name(key.str());
    if (std::find(kSweepKeys.begin(), kSweepKeys.end(), name) == kSweepKeys.end()) {
      error(node, name, "a sweep key" + io::did_you_mean(name, kSweepKeys),
            fmt::format("unknown key '{}'", name));
    }
  }
}

std::optional<std::int64_t> SweepReader::positive_integer(const char* key, std::int64_t max) {
  const auto* node = root_.get(key);
  if (!node) return std::nullopt;
  if (!node->is_integer() || node->as_integer()->get() < 1 || node->as_integer()->get() > max) {
    error(*node, key, fmt::format("an integer in [1, {}]", max), detail::describe_node(*node));
    return std::nullopt;
  }
  return node->as_integer()->get();
}

void SweepReader::design() {
  const auto* node = root_.get("design");
  if (!node) {
    error(root_, "design", "the key 'design' (grid, latin_hypercube, sobol, morris, saltelli)",
          "nothing");
    return;
  }
  const auto* text = node->as_string();
  const auto& names = detail::kDesigns;
  const auto it = text ? std::find(names.begin(), names.end(), text->get()) : names.end();
  if (it == names.end()) {
    error(*node, "design",
          "one of grid, latin_hypercube, sobol, morris, saltelli" +
              (text ? io::did_you_mean(text->get(), names) : ""),
          detail::describe_node(*node));
  } else {
    sweep_.design = static_cast<DesignKind>(it - names.begin());
  }
}

// points, levels, paths and seed.
void SweepReader::sizes() {
  const bool grid = sweep_.design == DesignKind::grid;
  const bool morris = sweep_.design == DesignKind::morris;
  if (grid && root_.get("points")) {
    error(*root_.get("points"), "points",
          "no 'points' with a grid (its size is the product of the levels)", "'points'");
  } else if (auto n = positive_integer("points", 10000000)) {
    sweep_.points = static_cast<std::size_t>(*n);
    if (sweep_.design == DesignKind::saltelli && *n < 2) {
      error(*root_.get("points"), "points", "at least 2 base rows for a saltelli design",
            fmt::format("{}", *n));
    }
  } else if (!root_.get("points") && !grid) {
    error(root_, "points", "the key 'points' (the design's size)", "nothing");
  }
  if (root_.get("levels") && !grid && !morris) {
    error(*root_.get("levels"), "levels",
          "'levels' only with a grid or a morris design (values per parameter)", "'levels'");
  } else if (auto n = positive_integer("levels", 1000)) {
    if (morris) {
      if (*n % 2 != 0 || *n < 2) {
        error(*root_.get("levels"), "levels", "an even number of Morris grid levels",
              fmt::format("{}", *n));
      }
      sweep_.morris_levels = static_cast<std::size_t>(*n);
    } else {
      sweep_.grid_levels = static_cast<std::size_t>(*n);
    }
  }
  if (auto n = positive_integer("paths", static_cast<std::int64_t>(core::kMaxPaths))) {
    sweep_.paths = static_cast<std::uint64_t>(*n);
  }
  if (const auto* node = root_.get("seed")) {
    if (!node->is_integer() || node->as_integer()->get() < 0) {
      error(*node, "seed", "an integer >= 0", detail::describe_node(*node));
    } else {
      sweep_.seed = static_cast<std::uint64_t>(node->as_integer()->get());
    }
  }
}

// The base scenario, resolved once. A missing file is this sweep's problem, located at its
// key; the base scenario's own problems come with their own locations, alone.
void SweepReader::base_scenario() {
  const auto* scenario = root_.get("scenario");
  if (!scenario || !scenario->is_string()) {
    error(scenario ? *scenario : static_cast<const toml::node&>(root_), "scenario",
          "the path of the base scenario file, as a string",
          scenario ? detail::describe_node(*scenario) : "nothing");
    return;
  }
  sweep_.scenario_path = path_.parent_path() / scenario->as_string()->get();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sweep_.scenario_path, ec)) {
    error(*scenario, "scenario", "an existing scenario file (a path relative to the sweep file)",
          fmt::format("'{}', which {}", sweep_.scenario_path.string(),
                      std::filesystem::exists(sweep_.scenario_path, ec) ? "is not a regular file"
                                                                        : "does not exist"));
    return;
  }
  std::vector<std::string> files;
  std::vector<io::Diagnostic> base_diagnostics;
  auto table = detail::resolve_scenario_file(sweep_.scenario_path, base_diagnostics, files);
  if (!base_diagnostics.empty()) throw io::UserError(std::move(base_diagnostics));
  sweep_.base = std::make_shared<const ResolvedBase>(ResolvedBase{std::move(table)});
  sweep_.files = files;
  detail::validate(sweep_.base->table, sweep_.scenario_path, sweep_.files, *sweep_.tables);
}

std::optional<double> SweepReader::number(const toml::node& n, const std::string& key) {
  if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
  if (n.is_floating_point() && std::isfinite(n.as_floating_point()->get())) {
    return n.as_floating_point()->get();
  }
  error(n, key, "a finite number", detail::describe_node(n));
  return std::nullopt;
}

void SweepReader::parameters() {
  const toml::node* given = root_.get("parameters");
  const auto* list = given ? given->as_array() : nullptr;
  if (!list || list->empty()) {
    error(given ? *given : static_cast<const toml::node&>(root_), "parameters",
          "at least one [[parameters]] table (key, and low and high or levels)",
          given ? detail::describe_node(*given) : "nothing");
  }
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    const std::string prefix = fmt::format("parameters[{}]", i);
    if (const auto* table = list->get(i)->as_table()) {
      parameter(*table, prefix);
    } else {
      error(*list->get(i), prefix, "a table", detail::describe_node(*list->get(i)));
    }
  }
}

// Whether the key path names a number (or a distribution) of the resolved scenario.
bool SweepReader::key_path_settable(const toml::node& key, const std::string& prefix,
                                    const std::string& path) {
  const auto steps = detail::split_path(path);
  if (!steps) {
    error(key, prefix + ".key",
          "a key path such as \"roles.llm.attrition\" or \"events[0].demand_growth_add\"",
          fmt::format("'{}'", path));
    return false;
  }
  toml::table probe = sweep_.base->table;
  std::string why;
  bool settable = false;
  const toml::node* target = detail::find_path(probe, *steps, why, &settable);
  if (!target) {
    error(key, prefix + ".key", "the key path of a number in the scenario", why);
    return false;
  }
  if (!settable && !detail::is_parameter(*target)) {
    error(key, prefix + ".key", "the key path of a number (or a distribution) in the scenario",
          fmt::format("'{}', which is {}", path, detail::describe_node(*target)));
    return false;
  }
  return true;
}

// One [[parameters]] table: its key path, and its range or levels, each a valid value there.
void SweepReader::parameter(const toml::table& table, const std::string& prefix) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (std::find(kParameterKeys.begin(), kParameterKeys.end(), name) == kParameterKeys.end()) {
      error(node, prefix + "." + name,
            "key, low, high or levels" + io::did_you_mean(name, kParameterKeys),
            fmt::format("unknown key '{}'", name));
    }
  }
  SweepParameter p;
  const auto* key = table.get("key");
  if (!key || !key->is_string()) {
    error(key ? *key : static_cast<const toml::node&>(table), prefix + ".key",
          "the key path of a scenario parameter, such as \"roles.llm.attrition\"",
          key ? detail::describe_node(*key) : "nothing");
    return;
  }
  p.key = key->as_string()->get();
  const auto* levels = table.get("levels");
  const auto* low = table.get("low");
  const auto* high = table.get("high");
  if (levels && (low || high)) {
    error(*levels, prefix + ".levels", "either levels or low and high", "both");
    return;
  }
  std::vector<std::pair<const toml::node*, std::string>> value_nodes;
  if (levels) {
    const auto* array = levels->as_array();
    if (!array || array->size() < 2) {
      error(*levels, prefix + ".levels", "an array of at least two numbers",
            array ? fmt::format("{} value{}", array->size(), array->size() == 1 ? "" : "s")
                  : detail::describe_node(*levels));
      return;
    }
    for (std::size_t k = 0; k < array->size(); ++k) {
      const std::string where = fmt::format("{}.levels[{}]", prefix, k);
      if (auto v = number(*array->get(k), where)) {
        p.levels.push_back(*v);
        value_nodes.emplace_back(array->get(k), where);
      }
    }
  } else if (low && high) {
    auto lo = number(*low, prefix + ".low");
    auto hi = number(*high, prefix + ".high");
    if (!lo || !hi) return;
    if (!(*lo < *hi)) {
      error(table, prefix, "low < high", fmt::format("low = {}, high = {}", *lo, *hi));
      return;
    }
    p.low = *lo;
    p.high = *hi;
    value_nodes = {{low, prefix + ".low"}, {high, prefix + ".high"}};
  } else {
    error(table, prefix, "low and high, or levels", "neither");
    return;
  }
  if (sweep_.design == DesignKind::grid && p.levels.empty() && sweep_.grid_levels == 0) {
    error(root_, "levels", "the number of grid values per ranged parameter ('levels')", "nothing");
  }
  if (!sweep_.base || !key_path_settable(*key, prefix, p.key)) return;
  // Each end (or level) must be a valid value of the parameter.
  for (const auto& [node, where] : value_nodes) {
    const double v = *number(*node, where);
    try {
      detail::resolve_with(sweep_, {{p.key, v}});
    } catch (const io::UserError& e) {
      error(*node, where, e.diagnostics().front().expected, fmt::format("{}", v));
    }
  }
  const bool duplicate =
      std::any_of(sweep_.parameters.begin(), sweep_.parameters.end(),
                  [&](const SweepParameter& other) { return other.key == p.key; });
  if (duplicate) {
    error(*key, prefix + ".key", "each key path once", fmt::format("'{}' again", p.key));
    return;
  }
  sweep_.parameters.push_back(std::move(p));
}

void SweepReader::finish() {
  // The design's size bounds the memory its points take (8 bytes per point and parameter, and
  // 8 per point) and the time their check takes before the first runs.
  if (diagnostics_.empty()) {
    const double size = sweep_.design_size();
    const bool morris = sweep_.design == DesignKind::morris;
    if (sweep_.design == DesignKind::grid && size > kMaxDesignPoints) {
      error(root_, "levels", "a grid of at most 10,000,000 points",
            fmt::format("{:.4g} points", size));
    } else if (size > kMaxDesignPoints) {
      error(*root_.get("points"), "points", "a design of at most 10,000,000 points",
            fmt::format("{:.4g} points ({} {} of {} points)", size, sweep_.points,
                        morris ? "trajectories" : "base rows",
                        sweep_.parameters.size() + (morris ? 1 : 2)));
    }
  }
  if (!diagnostics_.empty()) {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    throw io::UserError(std::move(diagnostics_));
  }
}

}  // namespace

Sweep load_sweep(const std::filesystem::path& path) {
  Sweep sweep;
  sweep.path = path;
  SweepReader reader(path, sweep);
  reader.read();
  reader.unknown_keys();
  reader.design();
  reader.sizes();
  reader.base_scenario();
  reader.parameters();
  reader.finish();
  return sweep;
}

}  // namespace talentcast::config
