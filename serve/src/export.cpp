#include "export.hpp"

#include <fmt/core.h>

#include "levers.hpp"
#include "talentcast/config/scenario_document.hpp"

namespace talentcast::serve {

namespace {

// A key path as a TOML dotted key: each part bare when it can be, quoted when it cannot.
std::string dotted_key(const std::string& key) {
  std::string out, part;
  const auto flush = [&] {
    const bool bare = !part.empty() && part.find_first_not_of(
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789_-") == std::string::npos;
    if (!out.empty()) out += '.';
    out += bare ? part : toml_string(part);
    part.clear();
  };
  for (const char c : key) {
    if (c == '.') {
      flush();
    } else {
      part += c;
    }
  }
  flush();
  return out;
}

}  // namespace

std::string base_reference(const std::filesystem::path& base) {
  return std::filesystem::absolute(base).lexically_normal().string();
}

std::string variant_toml(const std::filesystem::path& base_path,
                         const std::vector<std::pair<std::string, std::string>>& changes,
                         const WhatIf& whatif, std::size_t base_events, std::uint64_t paths,
                         std::uint64_t seed, std::vector<Problem>& problems) {
  const std::string base = base_reference(base_path);
  std::string out = fmt::format(
      "# A what-if made on talentcast's what-if page (`talentcast serve`, docs/serve.md).\n"
      "# It states only what it changes; everything else comes from the base it extends.\n"
      "# Check it, then reproduce the page's numbers (seed and paths as on the page):\n"
      "#   talentcast validate whatif.toml\n"
      "#   talentcast compare {} whatif.toml --paths {} --seed {}\n\n"
      "extends = {}\n",
      base, paths, seed, toml_string(base));
  for (const auto& [key, toml] : changes) {
    if (key == config::ScenarioDocument::kAppendEvent) continue;  // below, as [[events]]
    if (key == "extends" || key.find('[') != std::string::npos) {
      std::size_t value = 0;
      while (value < whatif.values.size() && whatif.values[value].key != key) ++value;
      problems.push_back(
          {value < whatif.values.size() ? "value" : "scenario", value, key,
           "a variant cannot state this change: it adds its [[events]] to the base's and cannot "
           "change one of them, nor what it extends; change it in a copy of the base instead"});
      continue;
    }
    out += fmt::format("{} = {}\n", dotted_key(key), toml);
  }
  // `events = [...]` would replace the base's events: a variant's [[events]] are added to them.
  for (std::size_t i = 0; i < whatif.events.size(); ++i) {
    out += "\n[[events]]\n";
    for (const auto& [key, value] : event_fields(whatif.events[i], base_events + i + 1)) {
      out += fmt::format("{} = {}\n", key, value);
    }
  }
  return out;
}

}  // namespace talentcast::serve
