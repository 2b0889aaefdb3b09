#include "talentcast/studies/toml_values.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace talentcast::studies {

namespace {

// The parameters of each distribution that a move changes: its locations (moved by `add` and
// `scale`) and its spreads (moved by `scale` alone).
struct Moves {
  std::string_view dist;
  std::vector<std::string_view> locations;
  std::vector<std::string_view> spreads;
};

const std::array<Moves, 6>& moves() {
  static const std::array<Moves, 6> table{{
      {"normal", {"mean", "min", "max"}, {"sd"}},
      {"lognormal", {"median", "min", "max"}, {}},
      {"uniform", {"low", "high"}, {}},
      {"triangular", {"low", "mode", "high"}, {}},
      {"pert", {"low", "mode", "high"}, {}},
      {"beta", {"low", "high"}, {}},
  }};
  return table;
}

double moved(double x, Move move, double amount, bool spread) {
  if (move == Move::scale) return x * (1.0 + amount);
  return spread ? x : x + amount;
}

}  // namespace

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04X}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string toml_number(double x) {
  return fmt::format("{:.12g}", x);
}

std::string moved_toml(const nlohmann::json& base, Move move, double amount,
                       const std::string& source) {
  if (base.is_number()) {
    return fmt::format("{{ value = {}, source = {} }}",
                       toml_number(moved(base.get<double>(), move, amount, false)),
                       toml_string(source));
  }
  if (!base.is_object()) throw std::invalid_argument("not a number or a distribution");
  if (base.contains("value") && base.at("value").is_number()) {
    return fmt::format("{{ value = {}, source = {} }}",
                       toml_number(moved(base.at("value").get<double>(), move, amount, false)),
                       toml_string(source));
  }
  const std::string dist = base.value("dist", "");
  for (const Moves& m : moves()) {
    if (m.dist != dist) continue;
    std::string out = fmt::format("{{ dist = {}", toml_string(dist));
    for (const auto& [name, v] : base.items()) {
      if (name == "dist" || name == "source") continue;
      if (!v.is_number()) throw std::invalid_argument(fmt::format("{} is not a number", name));
      const bool location =
          std::find(m.locations.begin(), m.locations.end(), name) != m.locations.end();
      const bool spread = std::find(m.spreads.begin(), m.spreads.end(), name) != m.spreads.end();
      const double x = v.get<double>();
      out += fmt::format(", {} = {}", name,
                         toml_number(location || spread ? moved(x, move, amount, spread) : x));
    }
    return out + fmt::format(", source = {} }}", toml_string(source));
  }
  throw std::invalid_argument(fmt::format("a '{}' distribution cannot be moved", dist));
}

}  // namespace talentcast::studies
