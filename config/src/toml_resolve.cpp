#include "toml_resolve.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <system_error>

#include "talentcast/io/input_file.hpp"

namespace talentcast::config::detail {

using models::SourceFile;

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
                    std::vector<io::Diagnostic>& diagnostics, std::vector<std::string>& files,
                    std::vector<SourceFile>* sources) {
  std::string text;
  std::optional<toml::table> read =
      read_toml_file(path, "scenario file", diagnostics, sources ? &text : nullptr);
  if (!read) return {};
  if (sources) sources->push_back({path, std::move(text)});
  toml::table table = std::move(*read);
  const auto* extends = table.get("extends");
  if (!extends) {
    files.push_back(path.string());
    return table;
  }
  // A problem with `extends`: where it is written, what was expected, what was found.
  const auto refuse = [&](std::string expected, std::string found) {
    io::Diagnostic d = located(*extends, path);
    d.key = "extends";
    d.expected = std::move(expected);
    d.found = std::move(found);
    diagnostics.push_back(std::move(d));
    return toml::table{};
  };
  if (!extends->is_string()) {
    return refuse("the path of a scenario file to extend, as a string",
                  "a value that is not a string");
  }
  const std::string& name = extends->as_string()->get();
  if (name.find('\0') != std::string::npos) {
    return refuse("the path of a scenario file to extend", "a string with a NUL character");
  }
  const auto base_path = path.parent_path() / name;
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(base_path, ec);
  if (ec) {
    return refuse("an existing scenario file", fmt::format("'{}', which cannot be resolved ({})",
                                                           base_path.string(), ec.message()));
  }
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::string cycle;
    for (const auto& p : chain) cycle += p.filename().string() + " -> ";
    return refuse("a chain of scenario files without a cycle",
                  cycle + canonical.filename().string());
  }
  if (!std::filesystem::exists(base_path, ec)) {
    return refuse("an existing scenario file",
                  fmt::format("'{}', which does not exist", base_path.string()));
  }
  chain.push_back(canonical);
  toml::table merged = resolve(base_path, chain, diagnostics, files, sources);
  chain.pop_back();
  files.push_back(path.string());
  table.erase("extends");
  merge_into(merged, std::move(table));
  return merged;
}

}  // namespace

std::optional<toml::table> read_toml_file(const std::filesystem::path& path, std::string_view what,
                                          std::vector<io::Diagnostic>& diagnostics,
                                          std::string* text) {
  std::string bytes;
  try {
    bytes = io::read_text_file(path, io::kMaxTomlBytes);
  } catch (const io::InputFileError& error) {
    const bool missing = error.kind() == io::InputFileError::Kind::missing;
    diagnostics.push_back({path.string(), error.line(), error.column(), "(file)",
                           missing ? fmt::format("an existing {}", what) : error.expected(),
                           error.found()});
    return std::nullopt;
  }
  try {
    toml::table table = toml::parse(bytes, path.string());
    if (text) *text = std::move(bytes);
    return table;
  } catch (const toml::parse_error& error) {
    diagnostics.push_back({path.string(), static_cast<int>(error.source().begin.line),
                           static_cast<int>(error.source().begin.column), "(syntax)", "valid TOML",
                           std::string(error.description())});
    return std::nullopt;
  }
}

io::Diagnostic located(const toml::node& node, const std::filesystem::path& fallback_file) {
  io::Diagnostic d;
  const auto& source = node.source();
  d.file = source.path ? *source.path : fallback_file.string();
  d.line = static_cast<int>(source.begin.line);
  d.column = static_cast<int>(source.begin.column);
  return d;
}

toml::table resolve_scenario_file(const std::filesystem::path& path,
                                  std::vector<io::Diagnostic>& diagnostics,
                                  std::vector<std::string>& files,
                                  std::vector<SourceFile>* sources) {
  // A path that cannot be resolved is kept as given: reading it then says why.
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  std::vector<std::filesystem::path> chain{ec ? path : canonical};
  const std::size_t before = diagnostics.size();
  toml::table table = resolve(path, chain, diagnostics, files, sources);
  if (diagnostics.size() != before) return {};
  return table;
}

}  // namespace talentcast::config::detail
