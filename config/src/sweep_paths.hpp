#pragma once
// Internal to config's sweeps (sweep.cpp, sweep_file.cpp): key paths into the resolved base
// scenario ("roles.llm.attrition", "events[0].demand_growth_add"), and scenarios built with
// values set at them.

#include <toml++/toml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "talentcast/config/sweep.hpp"

namespace talentcast::config::detail {

/// The designs' names, in DesignKind's order.
inline const std::vector<std::string> kDesigns{"grid", "latin_hypercube", "sobol", "morris",
                                               "saltelli"};

/// One step of a key path: a table key, optionally indexed ("events[2]").
struct PathStep {
  std::string key;
  std::optional<std::size_t> index;
};

/// A key path's steps; nothing when it is not one.
std::optional<std::vector<PathStep>> split_path(const std::string& path);

/// The node a key path names in table, or the reason it names none (with "did you mean").
/// With `settable`, an absent role parameter of a role or [defaults] is found as its table, and
/// *settable says so.
toml::node* find_path(toml::table& table, const std::vector<PathStep>& steps, std::string& why,
                      bool* settable = nullptr);

/// Whether a node holds a parameter's value: a number, a distribution, or a number with its
/// source ({ value = x, source = "..." }).
bool is_parameter(const toml::node& node);

/// Sets the node at steps to value (the path was checked by load_sweep).
void set_path(toml::table& table, const std::vector<PathStep>& steps, double value);
/// The same with any value (config::ScenarioDocument::set); the path was checked by find_path.
void set_path(toml::table& table, const std::vector<PathStep>& steps, toml::node&& value);

/// The base scenario resolved afresh (toml++ copies drop the source positions that order roles
/// and locate messages), with the parameters set. Throws io::UserError.
models::Scenario resolve_with(const Sweep& sweep,
                              const std::vector<std::pair<std::string, double>>& set);

}  // namespace talentcast::config::detail
