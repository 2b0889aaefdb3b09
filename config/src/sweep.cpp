#include "talentcast/config/sweep.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

#include "sweep_paths.hpp"
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

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

namespace detail {

std::optional<std::vector<PathStep>> split_path(const std::string& path) {
  std::vector<PathStep> steps;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    std::string part = path.substr(start, dot - start);
    PathStep step;
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

toml::node* find_path(toml::table& table, const std::vector<PathStep>& steps, std::string& why,
                      bool* settable) {
  toml::node* node = &table;
  std::string walked;
  for (const PathStep& step : steps) {
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

namespace {

// Puts value (a number, or any node moved in) where steps lead.
template <typename Value>
void place(toml::table& table, const std::vector<PathStep>& steps, Value&& value) {
  std::string why;
  std::vector<PathStep> parent(steps.begin(), steps.end() - 1);
  toml::node* container = parent.empty() ? &table : find_path(table, parent, why);
  const PathStep& last = steps.back();
  auto* t = container->as_table();
  if (!last.index) {
    t->insert_or_assign(last.key, std::forward<Value>(value));
    return;
  }
  auto* array = t->get(last.key)->as_array();
  array->replace(array->cbegin() + static_cast<std::ptrdiff_t>(*last.index),
                 std::forward<Value>(value));
}

}  // namespace

void set_path(toml::table& table, const std::vector<PathStep>& steps, double value) {
  place(table, steps, value);
}

void set_path(toml::table& table, const std::vector<PathStep>& steps, toml::node&& value) {
  std::move(value).visit([&](auto&& concrete) { place(table, steps, std::move(concrete)); });
}

}  // namespace detail

std::string_view design_name(DesignKind design) {
  return detail::kDesigns[static_cast<std::size_t>(design)];
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

namespace detail {

Scenario resolve_with(const Sweep& sweep, const std::vector<std::pair<std::string, double>>& set) {
  std::vector<io::Diagnostic> diagnostics;
  std::vector<std::string> files;
  toml::table table = detail::resolve_scenario_file(sweep.scenario_path, diagnostics, files);
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  for (const auto& [key, value] : set) set_path(table, *split_path(key), value);
  return validate(table, sweep.scenario_path, files, *sweep.tables);
}

}  // namespace detail

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
    detail::set_path(base_->table, *detail::split_path(sweep_.parameters[j].key), values[j]);
  }
  return detail::validate(base_->table, sweep_.scenario_path, base_->files, *sweep_.tables);
}

Scenario base_scenario(const Sweep& sweep) {
  return detail::resolve_with(sweep, {});
}

Scenario sweep_scenario(const Sweep& sweep, const std::vector<double>& values) {
  std::vector<std::pair<std::string, double>> set;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    set.emplace_back(sweep.parameters[j].key, values[j]);
  }
  return detail::resolve_with(sweep, set);
}

}  // namespace talentcast::config
