// Reading a backtest spec (backtest_spec.hpp): every problem collected with its place.
#include "talentcast/config/backtest_spec.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>

#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "toml_resolve.hpp"
#include "validator.hpp"

namespace talentcast::config {

namespace {

const std::vector<std::string> kKeys{"title",   "history", "base",  "role",
                                     "origins", "horizon", "since", "trend_years",
                                     "balance", "paths",   "seed",  "breaks"};
const std::vector<std::string> kBreakKeys{"year", "series", "action"};

class SpecReader {
 public:
  SpecReader(const toml::table& root, BacktestSpec& spec) : root_(root), spec_(spec) {}

  void read() {
    for (const auto& [key, node] : root_) {
      const std::string name(key.str());
      if (std::find(kKeys.begin(), kKeys.end(), name) == kKeys.end()) {
        error(node, name, "a backtest key" + io::did_you_mean(name, kKeys),
              fmt::format("unknown key '{}'", name));
      }
    }
    if (const auto* t = text("title", false)) spec_.title = *t;
    if (const auto* t = text("history", true)) spec_.history = *t;
    if (const auto* t = text("base", true)) spec_.base = *t;
    if (const auto* t = text("role", true)) spec_.role = *t;
    if (root_.get("balance")) {
      if (const auto b = choice(root_, "balance", "", {"switcher_inflow", "overseas_inflow"})) {
        spec_.balance = *b == 0 ? "switcher_inflow" : "overseas_inflow";
      }
    }
    origins();
    if (auto h = integer(root_, "horizon", "horizon", 1, 30, true)) spec_.horizon = int(*h);
    if (auto s = integer(root_, "since", "since", 1900, 2200, false)) spec_.since = int(*s);
    if (auto k = integer(root_, "trend_years", "trend_years", 1, 50, false)) {
      spec_.trend_years = int(*k);
    }
    if (auto p = integer(root_, "paths", "paths", 2, 1000000, false)) spec_.paths = *p;
    if (auto s =
            integer(root_, "seed", "seed", 0, std::numeric_limits<std::int64_t>::max(), false)) {
      spec_.seed = static_cast<std::uint64_t>(*s);
    }
    breaks();
  }
  std::vector<io::Diagnostic>& diagnostics() { return diagnostics_; }

 private:
  void error(const toml::node& at, std::string key, std::string expected, std::string found) {
    io::Diagnostic d = detail::located(at, spec_.file);
    d.key = std::move(key);
    d.expected = std::move(expected);
    d.found = std::move(found);
    diagnostics_.push_back(std::move(d));
  }

  const std::string* text(const char* key, bool required) {
    const auto* node = root_.get(key);
    if (!node) {
      if (required) error(root_, key, fmt::format("the key '{}' (a string)", key), "nothing");
      return nullptr;
    }
    if (!node->is_string() || node->as_string()->get().empty()) {
      error(*node, key, "a non-empty string", detail::describe_node(*node));
      return nullptr;
    }
    return &node->as_string()->get();
  }

  std::optional<std::int64_t> integer(const toml::table& table, const char* key,
                                      const std::string& path, std::int64_t min, std::int64_t max,
                                      bool required) {
    const auto* node = table.get(key);
    if (!node) {
      if (required) {
        error(table, path, fmt::format("the key '{}' (an integer in [{}, {}])", key, min, max),
              "nothing");
      }
      return std::nullopt;
    }
    if (!node->is_integer() || node->as_integer()->get() < min || node->as_integer()->get() > max) {
      error(*node, path, fmt::format("an integer in [{}, {}]", min, max),
            detail::describe_node(*node));
      return std::nullopt;
    }
    return node->as_integer()->get();
  }

  void origins() {
    const auto* node = root_.get("origins");
    const auto* table = node ? node->as_table() : nullptr;
    if (!table) {
      error(node ? *node : static_cast<const toml::node&>(root_), "origins",
            "a table { from = YEAR, to = YEAR }", node ? detail::describe_node(*node) : "nothing");
      return;
    }
    for (const auto& [key, value] : *table) {
      if (key.str() != "from" && key.str() != "to") {
        error(value, fmt::format("origins.{}", key.str()), "'from' or 'to'",
              fmt::format("unknown key '{}'", key.str()));
      }
    }
    const auto from = integer(*table, "from", "origins.from", 1900, 2200, true);
    const auto to = integer(*table, "to", "origins.to", 1900, 2200, true);
    if (from && to && *to < *from) {
      error(*table->get("to"), "origins.to", fmt::format("a year from {} on", *from),
            fmt::format("{}", *to));
    }
    if (from) spec_.first_origin = int(*from);
    if (to) spec_.last_origin = int(*to);
  }

  void breaks() {
    const auto* node = root_.get("breaks");
    if (!node) return;
    const auto* array = node->as_array();
    if (!array) {
      error(*node, "breaks", "an array of tables ([[breaks]])", detail::describe_node(*node));
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string at = fmt::format("breaks[{}]", i);
      const auto* table = (*array)[i].as_table();
      if (!table) {
        error((*array)[i], at, "a table { year, series, action }",
              detail::describe_node((*array)[i]));
        continue;
      }
      for (const auto& [key, value] : *table) {
        const std::string name(key.str());
        if (std::find(kBreakKeys.begin(), kBreakKeys.end(), name) == kBreakKeys.end()) {
          error(value, fmt::format("{}.{}", at, name),
                "year, series or action" + io::did_you_mean(name, kBreakKeys),
                fmt::format("unknown key '{}'", name));
        }
      }
      SeriesBreak b;
      const auto year = integer(*table, "year", at + ".year", 1900, 2200, true);
      const auto series = choice(*table, "series", at, {"employment", "median", "both"});
      const auto action = choice(*table, "action", at, {"skip", "adjust"});
      if (!year || !series || !action) continue;
      b.year = int(*year);
      b.series = static_cast<SeriesBreak::Series>(*series);
      b.action = static_cast<SeriesBreak::Action>(*action);
      spec_.breaks.push_back(b);
    }
  }

  std::optional<std::size_t> choice(const toml::table& table, const char* key,
                                    const std::string& at, const std::vector<std::string>& names) {
    const auto* node = table.get(key);
    const std::string path = at.empty() ? std::string(key) : fmt::format("{}.{}", at, key);
    const std::string expected = fmt::format("one of {}", fmt::join(names, ", "));
    if (!node) {
      error(table, path, expected, "nothing");
      return std::nullopt;
    }
    const auto* text = node->as_string();
    const auto it = text ? std::find(names.begin(), names.end(), text->get()) : names.end();
    if (it == names.end()) {
      error(*node, path, expected + (text ? io::did_you_mean(text->get(), names) : ""),
            detail::describe_node(*node));
      return std::nullopt;
    }
    return static_cast<std::size_t>(it - names.begin());
  }

  const toml::table& root_;
  BacktestSpec& spec_;
  std::vector<io::Diagnostic> diagnostics_;
};

}  // namespace

BacktestSpec load_backtest_spec(const std::filesystem::path& file) {
  BacktestSpec spec;
  spec.file = file;
  std::vector<io::Diagnostic> diagnostics;
  const auto root = detail::read_toml_file(file, "backtest spec", diagnostics, &spec.text);
  if (!root) throw io::UserError(std::move(diagnostics));
  SpecReader reader(*root, spec);
  reader.read();
  if (reader.diagnostics().empty()) return spec;
  // The files the spec names well are read too, so that their problems are told with its own.
  io::UserError error(std::move(reader.diagnostics()));
  const auto named = [&](const std::filesystem::path& p) {
    return p.is_absolute() ? p : file.parent_path() / p;
  };
  if (!spec.history.empty()) {
    try {
      (void)load_history(named(spec.history));
    } catch (const io::UserError& e) {
      error.add(e.diagnostics());
    }
  }
  if (!spec.base.empty()) {
    try {
      (void)load_scenario(named(spec.base));
    } catch (const io::UserError& e) {
      error.add(e.diagnostics());
    }
  }
  throw error;
}

}  // namespace talentcast::config
