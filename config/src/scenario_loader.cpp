#include "talentcast/config/scenario_loader.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>

#include "validator.hpp"

namespace talentcast::config {

using models::DistributionKind;
using models::parse_distribution_kind;
using models::Scenario;
using models::SourceFile;

namespace detail {

bool is_identifier(std::string_view name) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || name.size() > kMaxNameLength || !letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || digit(c) || c == '_' || c == '-'; });
}

std::string describe_node(const toml::node& node) {
  // Only an integer node's value is taken: toml++'s value<int64_t>() of a float such as 1e308
  // converts it out of range first (undefined behaviour).
  if (node.is_integer()) return fmt::format("{}", node.as_integer()->get());
  if (node.is_floating_point()) return fmt::format("{}", node.as_floating_point()->get());
  if (node.is_string()) return fmt::format("the string \"{}\"", node.as_string()->get());
  if (node.is_boolean()) return node.as_boolean()->get() ? "true" : "false";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a date or time";
}

namespace {

// The keys a distribution of this kind requires, and those it allows besides (dist, source).
std::pair<std::vector<std::string>, std::vector<std::string>> distribution_keys(
    DistributionKind kind) {
  switch (kind) {
    case DistributionKind::normal:
      return {{"mean", "sd"}, {"min", "max"}};
    case DistributionKind::lognormal:
      return {{"median", "sigma"}, {"min", "max"}};
    case DistributionKind::uniform:
      return {{"low", "high"}, {}};
    case DistributionKind::triangular:
    case DistributionKind::pert:
      return {{"low", "mode", "high"}, {}};
    case DistributionKind::beta:
      return {{"alpha", "beta"}, {"low", "high"}};
    case DistributionKind::scaled_inv_chi:
      break;  // not a kind scenarios write: parse_distribution_kind never gives it
  }
  return {};
}

}  // namespace

std::optional<Distribution> Validator::distribution(const toml::table& table,
                                                    const std::string& key, const Range& range) {
  const auto name =
      string(*table.get("dist"), key + ".dist",
             "a distribution name: normal, lognormal, uniform, triangular, pert or beta");
  if (!name) return std::nullopt;
  const auto kind = parse_distribution_kind(*name);
  if (!kind || *kind == DistributionKind::scaled_inv_chi) {
    error(*table.get("dist"), key + ".dist",
          "a distribution name: normal, lognormal, uniform, triangular, pert or beta",
          fmt::format("'{}'", *name));
    return std::nullopt;
  }
  auto [required, optional] = distribution_keys(*kind);
  std::vector<std::string> allowed{"dist", "source"};
  allowed.insert(allowed.end(), optional.begin(), optional.end());
  allowed.insert(allowed.end(), required.begin(), required.end());
  const std::size_t before = diagnostics_.size();
  check_keys(table, key + ".", allowed, fmt::format("a key of a {} distribution", *name));
  std::map<std::string, double> values;
  const Range any{-kInf, kInf};
  for (const auto& field : allowed) {
    if (field == "dist" || field == "source") continue;
    if (const auto* node = table.get(field)) {
      if (auto v = number(*node, key + "." + field, any)) values[field] = *v;
    } else if (std::find(required.begin(), required.end(), field) != required.end()) {
      error(table, key + "." + field, fmt::format("the {} distribution's '{}'", *name, field),
            "nothing");
    }
  }
  if (diagnostics_.size() != before) return std::nullopt;
  auto d = distribution_of(*kind, values, table, key);
  if (!d || !computable(*d, table, key, range)) return std::nullopt;
  return d;
}

// A distribution of its kind from its values, when they make one.
std::optional<Distribution> Validator::distribution_of(DistributionKind kind,
                                                       std::map<std::string, double>& values,
                                                       const toml::table& table,
                                                       const std::string& key) {
  const auto positive = [&](const char* field) {
    if (values[field] <= 0.0) {
      error(*table.get(field), key + "." + field, "a number > 0", fmt::format("{}", values[field]));
      return false;
    }
    return true;
  };
  Distribution d;
  d.kind = kind;
  bool ok = true;
  switch (kind) {
    case DistributionKind::normal:
    case DistributionKind::lognormal: {
      const bool normal = kind == DistributionKind::normal;
      d.a = normal ? values["mean"] : values["median"];
      d.b = normal ? values["sd"] : values["sigma"];
      ok = positive(normal ? "sd" : "sigma");
      if (!normal && d.a <= 0.0) {
        error(*table.get("median"), key + ".median", "a number > 0", fmt::format("{}", d.a));
        ok = false;
      }
      d.low = values.count("min") ? values["min"] : (normal ? -kInf : 0.0);
      d.high = values.count("max") ? values["max"] : kInf;
      if (ok && !(d.low < d.high)) {
        error(table, key, "min < max", fmt::format("min = {}, max = {}", d.low, d.high));
        ok = false;
      }
      break;
    }
    case DistributionKind::uniform:
    case DistributionKind::triangular:
    case DistributionKind::pert:
      d.low = values["low"];
      d.high = values["high"];
      d.a = values.count("mode") ? values["mode"] : 0.0;
      if (!(d.low < d.high)) {
        error(table, key, "low < high", fmt::format("low = {}, high = {}", d.low, d.high));
        ok = false;
      } else if (kind != DistributionKind::uniform && !(d.low <= d.a && d.a <= d.high)) {
        error(*table.get("mode"), key + ".mode", fmt::format("a mode in [{}, {}]", d.low, d.high),
              fmt::format("{}", d.a));
        ok = false;
      }
      break;
    case DistributionKind::beta:
      d.a = values["alpha"];
      d.b = values["beta"];
      // Both are checked, so that both are reported.
      ok = positive("alpha");
      ok = positive("beta") && ok;
      d.low = values.count("low") ? values["low"] : 0.0;
      d.high = values.count("high") ? values["high"] : 1.0;
      if (ok && !(d.low < d.high)) {
        error(table, key, "low < high", fmt::format("low = {}, high = {}", d.low, d.high));
        ok = false;
      }
      break;
    case DistributionKind::scaled_inv_chi:
      return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return d;
}

// Whether every draw of the distribution lies in the parameter's range and can be computed.
bool Validator::computable(const Distribution& d, const toml::table& table, const std::string& key,
                           const Range& range) {
  // The support must lie inside the parameter's range; truncation is never done by clamping.
  const double lo = d.support_min();
  const double hi = d.support_max();
  // At an open end the support must stay strictly inside; a lognormal never reaches 0.
  const bool lognormal_at_zero = d.kind == DistributionKind::lognormal && lo == 0.0;
  const bool lo_ok = range.min_open ? (lo > range.min || (lognormal_at_zero && range.min == 0.0))
                                    : lo >= range.min;
  const bool hi_ok = range.max_open ? hi < range.max : hi <= range.max;
  if (!lo_ok || !hi_ok) {
    error(table, key,
          fmt::format("a distribution whose support lies in {} (add min/max to truncate a normal "
                      "or lognormal)",
                      range.describe()),
          fmt::format("{} with support [{}, {}]", d.describe(), lo, hi));
    return false;
  }
  // A truncation far in a tail, or an extreme beta, can defeat the quantile functions even when
  // the parameters are in range.
  for (double u : {1e-12, 0.001, 0.5, 0.999, 1.0 - 1e-12}) {
    double x = 0.0;
    try {
      x = d.exact_quantile(u);
    } catch (const std::exception&) {
      x = std::numeric_limits<double>::quiet_NaN();
    }
    if (!std::isfinite(x) || x < lo || x > hi) {
      error(table, key,
            "a distribution whose quantiles can be computed (a truncation interval "
            "with a representable probability)",
            fmt::format("{}, whose {} quantile is {}", d.describe(), u, x));
      return false;
    }
  }
  return true;
}

std::optional<Parameter> Validator::parameter(const toml::node& node, const std::string& key,
                                              const Range& range, const std::string& address) {
  if (const auto* table = node.as_table(); table && !table->contains("value")) {
    if (!table->contains("dist")) {
      error(node, key,
            fmt::format("a number in {} or a distribution table with 'dist'", range.describe()),
            "a table without 'dist'");
      return std::nullopt;
    }
    source(*table, key);
    auto d = distribution(*table, key, range);
    if (!d) return std::nullopt;
    return Parameter(*d, address, tables_);
  }
  auto v = number(node, key, range);
  if (!v) return std::nullopt;
  return Parameter(*v);
}

Scenario Validator::build() {
  Scenario s;
  s.path = path_;
  header(s);
  roles(s);
  fields(s);
  events(s);
  regimes(s);
  if (role_names_.size() == s.roles.size()) correlations(s);
  std::ostringstream resolved;
  resolved << root_;
  s.resolved_toml = resolved.str();
  return s;
}

Scenario validate(const toml::table& resolved, const std::filesystem::path& path,
                  std::vector<std::string> files, models::QuantileTables& tables) {
  Validator validator(resolved, path, std::move(files), tables);
  Scenario scenario = validator.build();
  auto diagnostics = validator.take_diagnostics();
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  return scenario;
}

}  // namespace detail

std::string resolved_json(const Scenario& scenario) {
  // Through toml++'s own JSON formatter.
  std::ostringstream json;
  json << toml::json_formatter{toml::parse(scenario.resolved_toml)};
  return json.str();
}

Scenario load_scenario(const std::filesystem::path& path) {
  std::vector<io::Diagnostic> diagnostics;
  std::vector<std::string> files;
  std::vector<SourceFile> sources;
  toml::table resolved = detail::resolve_scenario_file(path, diagnostics, files, &sources);
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  models::QuantileTables tables;
  Scenario scenario = detail::validate(resolved, path, std::move(files), tables);
  scenario.source_files = std::move(sources);
  return scenario;
}

}  // namespace talentcast::config
