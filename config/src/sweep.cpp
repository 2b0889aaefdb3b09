#include "talentcast/config/sweep.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

#include "talentcast/core/engine.hpp"
#include "toml_resolve.hpp"
#include "validator.hpp"

namespace talentcast::config {

using core::morris;
using models::info;
using models::kRoleParamCount;
using models::role_param_table;
using models::Scenario;
using models::Step;

namespace {

const std::vector<std::string> kSweepKeys{"scenario", "design", "points",    "levels",
                                          "paths",    "seed",   "parameters"};
const std::vector<std::string> kParameterKeys{"key", "low", "high", "levels"};
const std::vector<std::string> kDesigns{"grid", "latin_hypercube", "sobol", "morris", "saltelli"};

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// One step of a key path: a table key, optionally indexed ("events[2]").
struct Step {
  std::string key;
  std::optional<std::size_t> index;
};

std::optional<std::vector<Step>> split_path(const std::string& path) {
  std::vector<Step> steps;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    std::string part = path.substr(start, dot - start);
    Step step;
    if (const auto open = part.find('['); open != std::string::npos) {
      if (part.back() != ']' || open + 2 > part.size() - 1) return std::nullopt;
      const std::string digits = part.substr(open + 1, part.size() - open - 2);
      std::size_t index = 0;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), index);
      // Digits only, and few enough to be an index (std::stoul threw on more).
      if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
        return std::nullopt;
      }
      step.index = index;
      part = part.substr(0, open);
    }
    if (part.empty()) return std::nullopt;
    step.key = part;
    steps.push_back(step);
    start = dot + 1;
  }
  return steps;
}

// The node a key path names in table, or the reason it names none (with "did you mean").
// With `settable`, an absent role parameter of a role or [defaults] is found as its table, and
// *settable says so.
toml::node* find_path(toml::table& table, const std::vector<Step>& steps, std::string& why,
                      bool* settable = nullptr) {
  toml::node* node = &table;
  std::string walked;
  for (const Step& step : steps) {
    auto* current = node->as_table();
    if (!current) {
      why = fmt::format("'{}' is not a table", walked);
      return nullptr;
    }
    toml::node* next = current->get(step.key);
    if (!next) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : *current) keys.emplace_back(k.str());
      // In a role or [defaults], any role parameter may be set, written or not.
      const bool role_table = walked == "defaults" || (walked.starts_with("roles.") &&
                                                       walked.find('.', 6) == std::string::npos);
      if (role_table) {
        for (const auto& info : role_param_table()) keys.emplace_back(info.key);
        const bool parameter =
            std::find(keys.end() - kRoleParamCount, keys.end(), step.key) != keys.end();
        if (parameter && &step != &steps.back()) {
          why = fmt::format(
              "'{}' is not written in {} (it is inherited from [defaults]); name "
              "the table that writes it, or set {}.{} as a number",
              step.key, walked, walked, step.key);
          return nullptr;
        }
        if (settable && &step == &steps.back() &&
            std::find(keys.end() - kRoleParamCount, keys.end(), step.key) != keys.end()) {
          *settable = true;
          return current;
        }
      }
      why = fmt::format("no '{}' in {}{}", step.key, walked.empty() ? "the scenario" : walked,
                        io::did_you_mean(step.key, keys));
      return nullptr;
    }
    walked += (walked.empty() ? "" : ".") + step.key;
    if (step.index) {
      auto* array = next->as_array();
      if (!array || *step.index >= array->size()) {
        why = fmt::format("'{}' has no element {}", walked, *step.index);
        return nullptr;
      }
      next = array->get(*step.index);
      walked += fmt::format("[{}]", *step.index);
    }
    node = next;
  }
  return node;
}

bool is_parameter(const toml::node& node) {
  if (node.is_integer() || node.is_floating_point()) return true;
  // A distribution, or a number with its source ({ value = x, source = "..." }).
  const auto* table = node.as_table();
  return table && (table->get("dist") || table->get("value"));
}

// Sets the node at steps to value (the path was checked by load_sweep).
void set_path(toml::table& table, const std::vector<Step>& steps, double value) {
  std::string why;
  std::vector<Step> parent(steps.begin(), steps.end() - 1);
  toml::node* container = parent.empty() ? &table : find_path(table, parent, why);
  const Step& last = steps.back();
  auto* t = container->as_table();
  if (!last.index) {
    t->insert_or_assign(last.key, value);
    return;
  }
  auto* array = t->get(last.key)->as_array();
  array->replace(array->cbegin() + static_cast<std::ptrdiff_t>(*last.index), value);
}

}  // namespace

std::string_view design_name(DesignKind design) {
  return kDesigns[static_cast<std::size_t>(design)];
}

core::Design Sweep::design_points() const {
  const std::size_t d = parameters.size();
  switch (design) {
    case DesignKind::grid: {
      std::vector<std::size_t> levels;
      for (const auto& p : parameters)
        levels.push_back(p.levels.empty() ? grid_levels : p.levels.size());
      return core::full_factorial(levels);
    }
    case DesignKind::latin_hypercube:
      return core::latin_hypercube(points, d, seed);
    case DesignKind::sobol:
      return core::sobol(points, d, seed, true);
    case DesignKind::morris:
      return core::morris(points, d, morris_levels, seed);
    case DesignKind::saltelli:
      return core::saltelli(points, d, seed);
  }
  return {};
}

std::vector<double> Sweep::values(const core::Design& design_values, std::size_t point) const {
  std::vector<double> v;
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    const SweepParameter& p = parameters[j];
    const double u = design_values.at(point, j);
    if (p.levels.empty()) {
      v.push_back(p.low + u * (p.high - p.low));
      continue;
    }
    const auto L = static_cast<double>(p.levels.size());
    // A grid's u is k / (L - 1) exactly; other designs pick one of L equal strata.
    const double k = design == DesignKind::grid ? std::round(u * (L - 1.0))
                                                : std::min(std::floor(u * L), L - 1.0);
    v.push_back(p.levels[static_cast<std::size_t>(k)]);
  }
  return v;
}

double Sweep::design_size() const {
  const auto d = static_cast<double>(parameters.size());
  const auto n = static_cast<double>(points);
  switch (design) {
    case DesignKind::grid: {
      double size = 1.0;
      for (const auto& p : parameters) {
        size *= static_cast<double>(p.levels.empty() ? grid_levels : p.levels.size());
      }
      return size;
    }
    case DesignKind::morris:
      return n * (d + 1.0);
    case DesignKind::saltelli:
      return n * (d + 2.0);
    case DesignKind::latin_hypercube:
    case DesignKind::sobol:
      break;
  }
  return n;
}

std::uint64_t Sweep::point_seed(std::size_t point) const {
  return splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(point)));
}

namespace {
// The base scenario resolved afresh (toml++ copies drop the source positions that order roles
// and locate messages), with the parameters set.
Scenario resolve_with(const Sweep& sweep, const std::vector<std::pair<std::string, double>>& set) {
  std::vector<io::Diagnostic> diagnostics;
  std::vector<std::string> files;
  toml::table table = detail::resolve_scenario_file(sweep.scenario_path, diagnostics, files);
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  for (const auto& [key, value] : set) set_path(table, *split_path(key), value);
  return detail::validate(table, sweep.scenario_path, files, *sweep.tables);
}
}  // namespace

// The base scenario as read from its files, with its source positions (which copies lose).
struct PointScenarios::Base {
  toml::table table;
  std::vector<std::string> files;
};

PointScenarios::PointScenarios(const Sweep& sweep)
    : sweep_(sweep), base_(std::make_unique<Base>()) {
  std::vector<io::Diagnostic> diagnostics;
  base_->table = detail::resolve_scenario_file(sweep.scenario_path, diagnostics, base_->files);
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
}

PointScenarios::~PointScenarios() = default;
PointScenarios::PointScenarios(PointScenarios&&) noexcept = default;

Scenario PointScenarios::operator()(const std::vector<double>& values) {
  for (std::size_t j = 0; j < values.size(); ++j) {
    set_path(base_->table, *split_path(sweep_.parameters[j].key), values[j]);
  }
  return detail::validate(base_->table, sweep_.scenario_path, base_->files, *sweep_.tables);
}

Scenario base_scenario(const Sweep& sweep) {
  return resolve_with(sweep, {});
}

Scenario sweep_scenario(const Sweep& sweep, const std::vector<double>& values) {
  std::vector<std::pair<std::string, double>> set;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    set.emplace_back(sweep.parameters[j].key, values[j]);
  }
  return resolve_with(sweep, set);
}

Sweep load_sweep(const std::filesystem::path& path) {
  std::vector<io::Diagnostic> diagnostics;
  const auto error = [&](const toml::node& at, std::string key, std::string expected,
                         std::string found) {
    io::Diagnostic d = detail::located(at, path);
    d.key = std::move(key);
    d.expected = std::move(expected);
    d.found = std::move(found);
    diagnostics.push_back(std::move(d));
  };
  Sweep sweep;
  sweep.path = path;
  std::optional<toml::table> read =
      detail::read_toml_file(path, "sweep file", diagnostics, &sweep.text);
  if (!read) throw io::UserError(std::move(diagnostics));
  const toml::table root = std::move(*read);
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    if (std::find(kSweepKeys.begin(), kSweepKeys.end(), name) == kSweepKeys.end()) {
      error(node, name, "a sweep key" + io::did_you_mean(name, kSweepKeys),
            fmt::format("unknown key '{}'", name));
    }
  }
  const auto positive_integer = [&](const char* key,
                                    std::int64_t max) -> std::optional<std::int64_t> {
    const auto* node = root.get(key);
    if (!node) return std::nullopt;
    if (!node->is_integer() || node->as_integer()->get() < 1 || node->as_integer()->get() > max) {
      error(*node, key, fmt::format("an integer in [1, {}]", max), detail::describe_node(*node));
      return std::nullopt;
    }
    return node->as_integer()->get();
  };
  // The design.
  if (const auto* node = root.get("design")) {
    const auto* text = node->as_string();
    const auto it =
        text ? std::find(kDesigns.begin(), kDesigns.end(), text->get()) : kDesigns.end();
    if (it == kDesigns.end()) {
      error(*node, "design",
            "one of grid, latin_hypercube, sobol, morris, saltelli" +
                (text ? io::did_you_mean(text->get(), kDesigns) : ""),
            detail::describe_node(*node));
    } else {
      sweep.design = static_cast<DesignKind>(it - kDesigns.begin());
    }
  } else {
    error(root, "design", "the key 'design' (grid, latin_hypercube, sobol, morris, saltelli)",
          "nothing");
  }
  const bool grid = sweep.design == DesignKind::grid;
  if (grid && root.get("points")) {
    error(*root.get("points"), "points",
          "no 'points' with a grid (its size is the product of the levels)", "'points'");
  } else if (auto n = positive_integer("points", 10000000)) {
    sweep.points = static_cast<std::size_t>(*n);
    if (sweep.design == DesignKind::saltelli && *n < 2) {
      error(*root.get("points"), "points", "at least 2 base rows for a saltelli design",
            fmt::format("{}", *n));
    }
  } else if (!root.get("points") && !grid) {
    error(root, "points", "the key 'points' (the design's size)", "nothing");
  }
  if (root.get("levels") && !grid && sweep.design != DesignKind::morris) {
    error(*root.get("levels"), "levels",
          "'levels' only with a grid or a morris design (values per parameter)", "'levels'");
  } else if (auto n = positive_integer("levels", 1000)) {
    if (sweep.design == DesignKind::morris) {
      if (*n % 2 != 0 || *n < 2) {
        error(*root.get("levels"), "levels", "an even number of Morris grid levels",
              fmt::format("{}", *n));
      }
      sweep.morris_levels = static_cast<std::size_t>(*n);
    } else {
      sweep.grid_levels = static_cast<std::size_t>(*n);
    }
  }
  if (auto n = positive_integer("paths", static_cast<std::int64_t>(core::kMaxPaths))) {
    sweep.paths = static_cast<std::uint64_t>(*n);
  }
  if (const auto* node = root.get("seed")) {
    if (!node->is_integer() || node->as_integer()->get() < 0) {
      error(*node, "seed", "an integer >= 0", detail::describe_node(*node));
    } else {
      sweep.seed = static_cast<std::uint64_t>(node->as_integer()->get());
    }
  }
  // The base scenario, resolved once. A missing file is this sweep's problem, located at its
  // key; the base scenario's own problems come with their own locations, alone.
  std::vector<std::string> files;
  const auto* scenario = root.get("scenario");
  if (scenario && scenario->is_string()) {
    sweep.scenario_path = path.parent_path() / scenario->as_string()->get();
    std::error_code ec;
    if (std::filesystem::is_regular_file(sweep.scenario_path, ec)) {
      std::vector<io::Diagnostic> base_diagnostics;
      auto table = detail::resolve_scenario_file(sweep.scenario_path, base_diagnostics, files);
      if (!base_diagnostics.empty()) throw io::UserError(std::move(base_diagnostics));
      sweep.base = std::make_shared<const ResolvedBase>(ResolvedBase{std::move(table)});
      sweep.files = files;
      detail::validate(sweep.base->table, sweep.scenario_path, sweep.files, *sweep.tables);
    } else {
      error(*scenario, "scenario", "an existing scenario file (a path relative to the sweep file)",
            fmt::format("'{}', which {}", sweep.scenario_path.string(),
                        std::filesystem::exists(sweep.scenario_path, ec) ? "is not a regular file"
                                                                         : "does not exist"));
    }
  } else {
    error(scenario ? *scenario : static_cast<const toml::node&>(root), "scenario",
          "the path of the base scenario file, as a string",
          scenario ? detail::describe_node(*scenario) : "nothing");
  }
  // The parameters.
  const auto* list = root.get("parameters") ? root.get("parameters")->as_array() : nullptr;
  if (!list || list->empty()) {
    error(root.get("parameters") ? *root.get("parameters") : static_cast<const toml::node&>(root),
          "parameters", "at least one [[parameters]] table (key, and low and high or levels)",
          root.get("parameters") ? detail::describe_node(*root.get("parameters")) : "nothing");
  }
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    const std::string prefix = fmt::format("parameters[{}]", i);
    const auto* table = list->get(i)->as_table();
    if (!table) {
      error(*list->get(i), prefix, "a table", detail::describe_node(*list->get(i)));
      continue;
    }
    for (const auto& [key, node] : *table) {
      const std::string name(key.str());
      if (std::find(kParameterKeys.begin(), kParameterKeys.end(), name) == kParameterKeys.end()) {
        error(node, prefix + "." + name,
              "key, low, high or levels" + io::did_you_mean(name, kParameterKeys),
              fmt::format("unknown key '{}'", name));
      }
    }
    SweepParameter p;
    const auto* key = table->get("key");
    if (!key || !key->is_string()) {
      error(key ? *key : static_cast<const toml::node&>(*table), prefix + ".key",
            "the key path of a scenario parameter, such as \"roles.llm.attrition\"",
            key ? detail::describe_node(*key) : "nothing");
      continue;
    }
    p.key = key->as_string()->get();
    const auto number = [&](const toml::node& n, const std::string& k) -> std::optional<double> {
      if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
      if (n.is_floating_point() && std::isfinite(n.as_floating_point()->get())) {
        return n.as_floating_point()->get();
      }
      error(n, k, "a finite number", detail::describe_node(n));
      return std::nullopt;
    };
    const auto* levels = table->get("levels");
    const auto* low = table->get("low");
    const auto* high = table->get("high");
    if (levels && (low || high)) {
      error(*levels, prefix + ".levels", "either levels or low and high", "both");
      continue;
    }
    std::vector<std::pair<const toml::node*, std::string>> value_nodes;
    if (levels) {
      const auto* array = levels->as_array();
      if (!array || array->size() < 2) {
        error(*levels, prefix + ".levels", "an array of at least two numbers",
              array ? fmt::format("{} value{}", array->size(), array->size() == 1 ? "" : "s")
                    : detail::describe_node(*levels));
        continue;
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
      if (!lo || !hi) continue;
      if (!(*lo < *hi)) {
        error(*table, prefix, "low < high", fmt::format("low = {}, high = {}", *lo, *hi));
        continue;
      }
      p.low = *lo;
      p.high = *hi;
      value_nodes = {{low, prefix + ".low"}, {high, prefix + ".high"}};
    } else {
      error(*table, prefix, "low and high, or levels", "neither");
      continue;
    }
    if (sweep.design == DesignKind::grid && p.levels.empty() && sweep.grid_levels == 0) {
      error(root, "levels", "the number of grid values per ranged parameter ('levels')", "nothing");
    }
    // The key path must name a number (or a distribution) of the resolved scenario.
    if (!sweep.base) continue;
    const auto steps = split_path(p.key);
    if (!steps) {
      error(*key, prefix + ".key",
            "a key path such as \"roles.llm.attrition\" or \"events[0].demand_growth_add\"",
            fmt::format("'{}'", p.key));
      continue;
    }
    toml::table probe = sweep.base->table;
    std::string why;
    bool settable = false;
    const toml::node* target = find_path(probe, *steps, why, &settable);
    if (!target) {
      error(*key, prefix + ".key", "the key path of a number in the scenario", why);
      continue;
    }
    if (!settable && !is_parameter(*target)) {
      error(*key, prefix + ".key", "the key path of a number (or a distribution) in the scenario",
            fmt::format("'{}', which is {}", p.key, detail::describe_node(*target)));
      continue;
    }
    // Each end (or level) must be a valid value of the parameter.
    for (const auto& [node, where] : value_nodes) {
      const double v = *number(*node, where);
      try {
        resolve_with(sweep, {{p.key, v}});
      } catch (const io::UserError& e) {
        error(*node, where, e.diagnostics().front().expected, fmt::format("{}", v));
      }
    }
    const bool duplicate =
        std::any_of(sweep.parameters.begin(), sweep.parameters.end(),
                    [&](const SweepParameter& other) { return other.key == p.key; });
    if (duplicate) {
      error(*key, prefix + ".key", "each key path once", fmt::format("'{}' again", p.key));
      continue;
    }
    sweep.parameters.push_back(std::move(p));
  }
  // The design's size bounds the memory its points take (8 bytes per point and parameter, and
  // 8 per point) and the time their check takes before the first runs.
  if (diagnostics.empty()) {
    const double size = sweep.design_size();
    if (grid && size > kMaxDesignPoints) {
      error(root, "levels", "a grid of at most 10,000,000 points",
            fmt::format("{:.4g} points", size));
    } else if (size > kMaxDesignPoints) {
      const bool morris = sweep.design == DesignKind::morris;
      error(*root.get("points"), "points", "a design of at most 10,000,000 points",
            fmt::format("{:.4g} points ({} {} of {} points)", size, sweep.points,
                        morris ? "trajectories" : "base rows",
                        sweep.parameters.size() + (morris ? 1 : 2)));
    }
  }
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    throw io::UserError(std::move(diagnostics));
  }
  return sweep;
}

}  // namespace talentcast::config
