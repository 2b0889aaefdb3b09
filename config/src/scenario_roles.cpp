// The scenario's roles, validated in full (scenario_sections.cpp says how): each role's
// parameters, band, start values and levels, then the mobility between roles.

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "talentcast/core/engine.hpp"
#include "validator.hpp"

namespace talentcast::config {

using models::LevelSpec;
using models::Requirement;
using models::role_param_table;
using models::RoleParam;

namespace detail {

namespace {
std::vector<std::string> role_keys(bool defaults) {
  std::vector<std::string> keys;
  for (const auto& p : role_param_table()) keys.emplace_back(p.key);
  keys.insert(keys.end(), {"salary_data", "levels"});
  if (!defaults) keys.insert(keys.end(), {"title", "mobility"});
  return keys;
}
}  // namespace

// Roles in the order they were written (a base file's first): outputs and correlation matrices
// follow it. toml++ keeps tables sorted by key, so order by source position.
std::vector<std::pair<std::string, const toml::node*>> Validator::written_order(
    const toml::table& table) const {
  std::vector<std::pair<std::string, const toml::node*>> ordered;
  for (const auto& [name, node] : table) ordered.emplace_back(std::string(name.str()), &node);
  const auto position = [&](const toml::node* node) {
    const auto& source = node->source();
    const auto file =
        source.path ? std::find(files_.begin(), files_.end(), *source.path) : files_.end();
    return std::tuple(file - files_.begin(), source.begin.line, source.begin.column);
  };
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    return position(a.second) < position(b.second);
  });
  return ordered;
}

void Validator::roles(Scenario& s) {
  const auto* roles_node = root_.get("roles");
  if (!roles_node) {
    error(root_, "roles", "at least one [roles.<name>] table", "nothing");
    return;
  }
  const auto* roles_table = table_at(roles_node, "roles");
  if (!roles_table) return;
  if (roles_table->empty())
    error(*roles_node, "roles", "at least one [roles.<name>] table", "none");
  const auto ordered = written_order(*roles_table);
  // Role names first: every other table refers to them.
  for (const auto& [name, node] : ordered) {
    role_names_.push_back(name);
    check_name(*node, "roles." + name, name, "role");
  }
  const toml::table* defaults = table_at(root_.get("defaults"), "defaults");
  if (defaults) check_keys(*defaults, "defaults.", role_keys(true), "a role parameter");
  const auto allowed = role_keys(false);
  // A role that is not a table still takes its place: role indices stay aligned with
  // role_names_.
  for (const auto& [name, node] : ordered)
    s.roles.push_back(role(name, *node, defaults, allowed, s));
  mobility(*roles_table, s);
  salary_data(s);
}

RoleSpec Validator::role(const std::string& name, const toml::node& node,
                         const toml::table* defaults, const std::vector<std::string>& allowed,
                         Scenario& s) {
  const std::string prefix = "roles." + name + ".";
  RoleSpec role;
  role.name = name;
  const toml::table* table = table_at(&node, "roles." + name);
  if (!table) {
    level_nodes_.emplace_back();
    return role;
  }
  check_keys(*table, prefix, allowed, "a role parameter");
  if (const auto* title = table->get("title")) {
    role.title = string(*title, prefix + "title", "a string").value_or(name);
  } else {
    role.title = name;
  }
  const bool fitted = band_data(*table, defaults, prefix, s.roles.size(), role);
  role_parameters(*table, defaults, name, fitted, role);
  start_values(*table, defaults, prefix, fitted, role);
  using enum RoleParam;
  if (!role[wage_response_down] && role[wage_response]) {
    // The same Parameter, so the same draw: betaD is the role's own beta.
    role.params[static_cast<std::size_t>(wage_response_down)] = role[wage_response];
  }
  level_nodes_.emplace_back();
  if (const auto* own = table->get("levels")) {
    levels(*own, prefix + "levels", prefix + "levels", role);
  } else if (const auto* shared = defaults ? defaults->get("levels") : nullptr) {
    // Drawn separately for each role, as every [defaults] value is.
    levels(*shared, "defaults.levels", prefix + "levels", role);
  }
  return role;
}

// The band: the role's own salary_data, else salary and band_sigma (its own or [defaults]'),
// else [defaults]' salary_data. In one table, salary_data excludes the other two. Returns
// whether the band is fitted to data.
bool Validator::band_data(const toml::table& table, const toml::table* defaults,
                          const std::string& prefix, std::size_t index, RoleSpec& role) {
  const auto gives_band = [](const toml::table* t) {
    return t && (t->get("salary") || t->get("band_sigma"));
  };
  const toml::node* own_data = table.get("salary_data");
  const toml::node* defaults_data = defaults ? defaults->get("salary_data") : nullptr;
  for (auto [t, data, key] :
       {std::tuple(&table, &own_data, prefix + "salary_data"),
        std::tuple(defaults, &defaults_data, std::string("defaults.salary_data"))}) {
    if (*data && gives_band(t)) {
      error(**data, key, "either salary_data or salary and band_sigma (a band fitted or given)",
            "both");
      *data = nullptr;  // the given band stands, so that nothing else is reported twice
    }
  }
  const toml::node* data = own_data ? own_data : (gives_band(&table) ? nullptr : defaults_data);
  if (!data) return false;
  const std::string key = own_data ? prefix + "salary_data" : "defaults.salary_data";
  if (auto source = data_source(*data, key)) {
    source->role = index;
    role.salary_data = source->file;
    data_sources_.push_back(std::move(*source));
  }
  return true;
}

// Each role parameter: the role's own, else [defaults]', else required or zero.
void Validator::role_parameters(const toml::table& table, const toml::table* defaults,
                                const std::string& name, bool fitted, RoleSpec& role) {
  const std::string prefix = "roles." + name + ".";
  for (const auto& p : role_param_table()) {
    if (fitted && (p.param == RoleParam::salary || p.param == RoleParam::band_sigma)) continue;
    const toml::node* own = table.get(p.key);
    const toml::node* given = own ? own : (defaults ? defaults->get(p.key) : nullptr);
    const std::string key = own ? prefix + std::string(p.key) : "defaults." + std::string(p.key);
    auto& slot = role.params[static_cast<std::size_t>(p.param)];
    if (given) {
      slot = parameter(*given, key, p.range, prefix + std::string(p.key));
    } else if (p.requirement == Requirement::required) {
      error(table, prefix + std::string(p.key),
            fmt::format("'{}' ({}, {}) in [roles.{}] or [defaults]", p.key, p.meaning,
                        p.range.describe(), name),
            "nothing");
    } else if (p.requirement == Requirement::zero_default) {
      slot = Parameter(0.0);
    }
  }
}

// The start values: employed, openings and salary (unless fitted), and exactly one of
// candidates and ratio, the role's own winning over [defaults]'.
void Validator::start_values(const toml::table& table, const toml::table* defaults,
                             const std::string& prefix, bool fitted, RoleSpec& role) {
  using enum RoleParam;
  for (RoleParam start_value : {employed, openings, salary}) {
    if (start_value == salary && fitted) continue;
    if (!table.get(info(start_value).key) && !(defaults && defaults->get(info(start_value).key))) {
      error(table, prefix + std::string(info(start_value).key),
            fmt::format("the start value '{}' ({})", info(start_value).key,
                        info(start_value).meaning),
            "nothing");
    }
  }
  // Inside one table the two exclude each other.
  const toml::table* start_table =
      (table.get("candidates") || table.get("ratio")) ? &table : defaults;
  const bool has_candidates = start_table && start_table->get("candidates");
  const bool has_ratio = start_table && start_table->get("ratio");
  if (has_candidates == has_ratio) {
    error(has_candidates ? *start_table->get("ratio") : static_cast<const toml::node&>(table),
          prefix + (has_candidates ? "ratio" : "candidates"),
          "exactly one of 'candidates' or 'ratio' (candidates per opening)",
          has_candidates ? "both" : "neither");
  }
  if (start_table != defaults) {
    if (!table.get("candidates")) role.params[static_cast<std::size_t>(candidates)].reset();
    if (!table.get("ratio")) role.params[static_cast<std::size_t>(ratio)].reset();
  }
}

// Mobility refers to other roles, so it is read once every role exists.
void Validator::mobility(const toml::table& roles_table, Scenario& s) {
  for (std::size_t r = 0; r < s.roles.size(); ++r) {
    const toml::table* table = roles_table.get(role_names_[r])->as_table();
    if (!table || !table->get("mobility")) continue;
    const std::string key = "roles." + role_names_[r] + ".mobility";
    const toml::table* mobility = table_at(table->get("mobility"), key);
    if (!mobility) continue;
    for (const auto& [target, rate] : *mobility) {
      const std::string target_name(target.str());
      auto s_index = role_reference(rate, target_name, key + "." + target_name);
      if (!s_index) continue;
      if (*s_index == r) {
        error(rate, key + "." + target_name, "a rate to another role (no M[r][r])",
              "a rate to the role itself");
        continue;
      }
      if (auto p = parameter(rate, key + "." + target_name, {0, 1}, key + "." + target_name)) {
        s.roles[r].mobility.emplace_back(*s_index, *p);
      }
    }
    check_sum_at_most_one(*table->get("mobility"), key, s.roles[r].mobility);
  }
}

std::optional<Validator::DataSource> Validator::data_source(const toml::node& node,
                                                            const std::string& key) {
  constexpr const char* kExpected =
      "the path of a CSV file of salaries, as a string, or a table { file = \"...\", synthetic "
      "= \"why\" }";
  const toml::node* file = &node;
  std::string synthetic;
  if (const auto* table = node.as_table()) {
    check_keys(*table, key + ".", {"file", "synthetic"}, "'file' or 'synthetic'");
    if (const auto* reason = table->get("synthetic")) {
      synthetic = synthetic_reason(*reason, key + ".synthetic").value_or("");
    }
    file = table->get("file");
    if (!file) {
      error(node, key + ".file", "the path of a CSV file of salaries, as a string", "nothing");
      return std::nullopt;
    }
  }
  const auto path =
      string(*file, file == &node ? key : key + ".file",
             file == &node ? kExpected : "the path of a CSV file of salaries, as a string");
  if (!path) return std::nullopt;
  // Relative to the file that names it, which may be a base that a variant extends.
  const auto& source = file->source().path;
  const std::filesystem::path dir =
      source ? std::filesystem::path(*source).parent_path() : path_.parent_path();
  return DataSource{0, dir / *path, &node, key, synthetic};
}

void Validator::levels(const toml::node& node, const std::string& key, const std::string& address,
                       RoleSpec& role) {
  // Each level with the node it was written at, in the order written.
  std::vector<std::pair<std::string, const toml::node*>> written;
  if (const auto* names = node.as_array()) {
    for (const auto& name : *names) {
      if (!name.is_string()) {
        error(name, key, "level names as strings", describe_node(name));
        continue;
      }
      written.emplace_back(name.as_string()->get(), &name);
    }
  } else if (const auto* table = node.as_table()) {
    for (const auto& [name, level] : *table) written.emplace_back(std::string(name.str()), &level);
    std::stable_sort(written.begin(), written.end(), [](const auto& a, const auto& b) {
      const auto& x = a.second->source().begin;
      const auto& y = b.second->source().begin;
      return std::tie(x.line, x.column) < std::tie(y.line, y.column);
    });
  } else {
    error(node, key, "an array of level names, or a table of [levels.<name>] tables",
          describe_node(node));
    return;
  }
  // An empty array is no levels: how a role opts out of [defaults]' levels.
  for (const auto& [name, level_node] : written) {
    const std::string level_key = key + "." + name;
    if (!check_name(*level_node, level_key, name, "level")) continue;
    if (std::ranges::find(role.levels, name, &LevelSpec::name) != role.levels.end()) {
      error(*level_node, level_key, "each level once", fmt::format("'{}' again", name));
      continue;
    }
    LevelSpec level;
    level.name = name;
    const std::string level_address = address + "." + name;
    if (const auto* table = level_node->as_table()) {
      check_keys(*table, level_key + ".", {"multiplier", "band_sigma"}, "a level key");
      if (const auto* m = table->get("multiplier")) {
        level.multiplier =
            parameter(*m, level_key + ".multiplier", {0, 100, true}, level_address + ".multiplier");
      }
      if (const auto* b = table->get("band_sigma")) {
        level.band_sigma =
            parameter(*b, level_key + ".band_sigma", info(RoleParam::band_sigma).range,
                      level_address + ".band_sigma");
      }
    } else if (!level_node->is_string()) {
      error(*level_node, level_key, "a table with multiplier and band_sigma (each optional)",
            describe_node(*level_node));
    }
    role.levels.push_back(std::move(level));
    level_nodes_.back().push_back(level_node);
  }
}

}  // namespace detail
}  // namespace talentcast::config
