#include "toml_resolve.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace talentcast::models::detail {

namespace {

// Moves the variant's nodes into base: toml++ keeps a node's source position when it is moved,
// not when it is copied, and diagnostics need the position in whichever file a value came from.
void merge_into(toml::table& base, toml::table&& variant) {
  // Keys that exclude each other: a variant giving one replaces the base's other.
  static const std::vector<std::vector<std::string_view>> kExclusive{
      {"candidates", "ratio"}, {"series", "base", "enrolment"}};
  for (const auto& group : kExclusive) {
    for (std::string_view key : group) {
      if (!variant.contains(key)) continue;
      for (std::string_view other : group) {
        if (other != key) base.erase(other);
      }
    }
  }
  // A value written as a table (a distribution, a number with its source, a salary_data file
  // with its marking) is one value: merged key by key, a base's source or synthetic marking
  // would stay beside the variant's new value.
  const auto is_value = [](const toml::table* t) {
    return t->contains("dist") || t->contains("value") || t->contains("file");
  };
  for (auto&& [key, node] : variant) {
    auto* existing = base.get(key);
    auto* variant_table = node.as_table();
    auto* base_table = existing ? existing->as_table() : nullptr;
    if (base_table && variant_table && !is_value(variant_table) && !is_value(base_table)) {
      merge_into(*base_table, std::move(*variant_table));
    } else if (key.str() == "events" && existing && existing->is_array() && node.is_array()) {
      for (auto&& event : *node.as_array()) existing->as_array()->push_back(std::move(event));
    } else {
      base.insert_or_assign(key, std::move(node));
    }
  }
}

toml::table resolve(const std::filesystem::path& path, std::vector<std::filesystem::path>& chain,
                    std::vector<Diagnostic>& diagnostics, std::vector<std::string>& files) {
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    diagnostics.push_back({path.string(), static_cast<int>(error.source().begin.line),
                           static_cast<int>(error.source().begin.column), "(syntax)", "valid TOML",
                           std::string(error.description())});
    return {};
  }
  const auto* extends = table.get("extends");
  if (!extends) {
    files.push_back(path.string());
    return table;
  }
  if (!extends->is_string()) {
    Diagnostic d = located(*extends, path);
    d.key = "extends";
    d.expected = "the path of a scenario file to extend, as a string";
    d.found = "a value that is not a string";
    diagnostics.push_back(d);
    return {};
  }
  const auto base_path = path.parent_path() / extends->as_string()->get();
  const auto canonical = std::filesystem::weakly_canonical(base_path);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::string cycle;
    for (const auto& p : chain) cycle += p.filename().string() + " -> ";
    Diagnostic d = located(*extends, path);
    d.key = "extends";
    d.expected = "a chain of scenario files without a cycle";
    d.found = cycle + canonical.filename().string();
    diagnostics.push_back(d);
    return {};
  }
  if (!std::filesystem::is_regular_file(base_path)) {
    Diagnostic d = located(*extends, path);
    d.key = "extends";
    d.expected = "an existing scenario file";
    d.found = fmt::format("'{}', which does not exist", base_path.string());
    diagnostics.push_back(d);
    return {};
  }
  chain.push_back(canonical);
  toml::table merged = resolve(base_path, chain, diagnostics, files);
  chain.pop_back();
  files.push_back(path.string());
  table.erase("extends");
  merge_into(merged, std::move(table));
  return merged;
}

}  // namespace

Diagnostic located(const toml::node& node, const std::filesystem::path& fallback_file) {
  Diagnostic d;
  const auto& source = node.source();
  d.file = source.path ? *source.path : fallback_file.string();
  d.line = static_cast<int>(source.begin.line);
  d.column = static_cast<int>(source.begin.column);
  return d;
}

toml::table resolve_scenario_file(const std::filesystem::path& path,
                                  std::vector<Diagnostic>& diagnostics,
                                  std::vector<std::string>& files) {
  if (!std::filesystem::is_regular_file(path)) {
    diagnostics.push_back(
        {path.string(), 0, 0, "(file)", "an existing scenario file", "no such file"});
    return {};
  }
  std::vector<std::filesystem::path> chain{std::filesystem::weakly_canonical(path)};
  const std::size_t before = diagnostics.size();
  toml::table table = resolve(path, chain, diagnostics, files);
  if (diagnostics.size() != before) return {};
  return table;
}

}  // namespace talentcast::models::detail
