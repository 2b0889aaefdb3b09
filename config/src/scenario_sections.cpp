// The scenario's header, validated in full: every problem becomes a Diagnostic and validation
// goes on, so that the user sees all of them at once. The roles are in scenario_roles.cpp, the
// other tables in scenario_tables.cpp.

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "talentcast/core/engine.hpp"
#include "validator.hpp"

namespace talentcast::config {

using models::parse_date;
using models::parse_step;
using models::SalaryUnit;

namespace detail {

namespace {
const std::vector<std::string> kTopKeys{
    "title",  "description",   "synthetic", "currency",       "salary_unit", "start",
    "step",   "horizon_years", "seed",      "paths",          "defaults",    "roles",
    "fields", "events",        "regimes",   "initial_regime", "correlation"};
}  // namespace

// The calendar: the reporting step, the start (the first month of a period) and the horizon (a
// whole number of periods); each checked against the others only when they are valid.
void Validator::calendar(Scenario& s) {
  const auto required = [&](const char* key) -> const toml::node* {
    const auto* node = root_.get(key);
    if (!node) error(root_, key, fmt::format("the top-level key '{}'", key), "nothing");
    return node;
  };
  bool calendar_ok = true;
  if (const auto* n = required("step")) {
    auto text = string(*n, "step", "\"month\", \"quarter\" or \"year\"");
    auto step = text ? parse_step(*text) : std::nullopt;
    if (text && !step) error(*n, "step", "\"month\", \"quarter\" or \"year\"", describe_node(*n));
    if (step)
      s.step = *step;
    else
      calendar_ok = false;
  } else {
    calendar_ok = false;
  }
  if (const auto* n = required("start")) {
    auto text = string(*n, "start", "a date such as \"2024\", \"2024-Q3\" or \"2024-07\"");
    auto date = text ? parse_date(*text) : std::nullopt;
    if (text && !date) {
      error(*n, "start", "a date such as \"2024\", \"2024-Q3\" or \"2024-07\"", describe_node(*n));
    }
    if (date) {
      s.start = *date;
      if (calendar_ok && (date->month - 1) % s.months_per_period() != 0) {
        error(*n, "start", fmt::format("the first month of a {}", step_name(s.step)),
              describe_node(*n));
      }
    } else {
      calendar_ok = false;
    }
  } else {
    calendar_ok = false;
  }
  if (const auto* n = required("horizon_years")) {
    auto years = number(*n, "horizon_years", {0, 100, true});
    if (years) {
      const double months = *years * 12.0;
      const double whole = std::round(months);
      if (std::abs(months - whole) > 1e-9 ||
          (calendar_ok && static_cast<int>(whole) % s.months_per_period() != 0)) {
        error(*n, "horizon_years",
              fmt::format("a whole number of reporting periods ({}s)", step_name(s.step)),
              describe_node(*n));
      } else {
        s.horizon_months = static_cast<int>(whole);
      }
    }
  }
}

void Validator::header(Scenario& s) {
  check_keys(root_, "", kTopKeys, "a top-level scenario key");
  table_at(root_.get("defaults"), "defaults");  // reported even when [roles] is unusable
  const auto required = [&](const char* key) -> const toml::node* {
    const auto* node = root_.get(key);
    if (!node) error(root_, key, fmt::format("the top-level key '{}'", key), "nothing");
    return node;
  };
  if (const auto* n = root_.get("title")) s.title = string(*n, "title", "a string").value_or("");
  if (const auto* n = root_.get("description")) {
    s.description = string(*n, "description", "a string").value_or("");
  }
  if (const auto* n = root_.get("synthetic")) {
    s.synthetic = synthetic_reason(*n, "synthetic").value_or("");
  }
  if (const auto* n = required("currency")) {
    s.currency = string(*n, "currency", "a currency code such as \"CNY\"").value_or("");
  }
  if (const auto* n = required("salary_unit")) {
    if (auto unit = string(*n, "salary_unit", "\"month\" or \"year\"")) {
      if (*unit == "month")
        s.salary_unit = SalaryUnit::month;
      else if (*unit == "year")
        s.salary_unit = SalaryUnit::year;
      else
        error(*n, "salary_unit", "\"month\" or \"year\"", describe_node(*n));
    }
  }
  calendar(s);
  if (const auto* n = root_.get("seed")) {
    if (auto seed = integer(*n, "seed", 0, std::numeric_limits<std::int64_t>::max())) {
      s.seed = static_cast<std::uint64_t>(*seed);
    }
  }
  if (const auto* n = root_.get("paths")) {
    if (auto paths = integer(*n, "paths", 1, static_cast<std::int64_t>(core::kMaxPaths))) {
      s.paths = static_cast<std::uint64_t>(*paths);
    }
  }
}

void Validator::check_sum_at_most_one(
    const toml::node& at, const std::string& key,
    const std::vector<std::pair<std::size_t, Parameter>>& entries) {
  double sum = 0.0;
  for (const auto& [index, p] : entries) {
    sum += p.is_constant() ? p.median() : p.distribution()->support_max();
  }
  if (sum > 1.0 + 1e-12) {
    error(at, key, "rates (or their distributions' maxima) that sum to at most 1",
          fmt::format("a sum of {}", sum));
  }
}

}  // namespace detail
}  // namespace talentcast::config
