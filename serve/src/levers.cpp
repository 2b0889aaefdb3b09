#include "levers.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/toml_values.hpp"

namespace talentcast::serve {

namespace {

// The base value of key, or of its [defaults] when the role does not write it; none when
// neither has one.
std::optional<std::pair<std::string, nlohmann::json>> base_value(
    const config::ScenarioDocument& document, const std::string& key,
    const std::string& defaults_key) {
  for (const std::string& where : {key, defaults_key}) {
    if (where.empty()) continue;
    try {
      return std::pair{where, nlohmann::json::parse(document.get_json(where)).at("value")};
    } catch (const io::UserError&) {
      // Not written there.
    }
  }
  return std::nullopt;
}

std::string describe(Move move, double amount) {
  return move == Move::add ? fmt::format("plus {}", studies::toml_number(amount))
                           : fmt::format("times {}", studies::toml_number(1.0 + amount));
}

}  // namespace

std::string source_of(const nlohmann::json& value) {
  return value.is_object() && value.contains("source") && value.at("source").is_string()
             ? value.at("source").get<std::string>()
             : std::string();
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_number()) return studies::toml_number(value.get<double>());
  if (!value.is_object()) return value.dump();
  if (value.contains("value") && value.at("value").is_number()) {
    return studies::toml_number(value.at("value").get<double>());
  }
  if (!value.contains("dist") || !value.at("dist").is_string()) return value.dump();
  std::string params;
  for (const char* name :
       {"mean", "sd", "median", "sigma", "low", "mode", "high", "alpha", "beta", "min", "max"}) {
    if (!value.contains(name) || !value.at(name).is_number()) continue;
    params += fmt::format("{}{} {}", params.empty() ? "" : ", ", name,
                          studies::toml_number(value.at(name).get<double>()));
  }
  return fmt::format("{}({})", value.at("dist").get<std::string>(), params);
}

std::vector<Lever> levers_of(const config::ScenarioDocument& document,
                             const models::Scenario& scenario) {
  struct Kind {
    std::string_view param, group, what;
    Move move;
    std::string_view unit;
    double low, high, step;
  };
  static constexpr std::array<Kind, 4> kinds{{
      {"demand_growth", "Demand", "demand growth", Move::add, "per year (log)", -0.3, 0.3, 0.01},
      {"switcher_inflow", "Inflows", "career switchers", Move::scale, "x base - 1", -0.9, 2.0,
       0.05},
      {"overseas_inflow", "Inflows", "overseas inflow", Move::scale, "x base - 1", -0.9, 2.0, 0.05},
      {"wage_response", "Wages", "wage response to shortage", Move::scale, "x base - 1", -0.9, 2.0,
       0.05},
  }};
  std::vector<Lever> levers;
  for (const models::RoleSpec& role : scenario.roles) {
    for (const Kind& kind : kinds) {
      const std::string key = fmt::format("roles.{}.{}", role.name, kind.param);
      const auto base = base_value(document, key, fmt::format("defaults.{}", kind.param));
      if (!base) continue;
      levers.push_back({key, base->first, std::string(kind.group),
                        fmt::format("{}: {}", role.title, kind.what), role.name, kind.move,
                        std::string(kind.unit), kind.low, kind.high, kind.step, base->second});
    }
  }
  for (const models::FieldSpec& field : scenario.fields) {
    const std::string key = fmt::format("fields.{}.growth", field.name);
    const auto base = base_value(document, key, "");
    if (!base) continue;
    levers.push_back({key, key, "Graduates", fmt::format("{} graduates: growth", field.name), "",
                      Move::add, "per year (log)", -0.3, 0.3, 0.01, base->second});
  }
  return levers;
}

std::string moved_value(const Lever& lever, double amount) {
  const std::string base_source = source_of(lever.base);
  const std::string source =
      fmt::format("what-if page: the base's {}{}", describe(lever.move, amount),
                  base_source.empty() ? std::string() : fmt::format(" (base: {})", base_source));
  return studies::moved_toml(lever.base, lever.move, amount, source);
}

}  // namespace talentcast::serve
