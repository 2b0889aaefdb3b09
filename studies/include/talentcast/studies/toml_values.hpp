#pragma once
// Values written in a scenario's own notation (TOML), for the programs that write variants of a
// scenario: the what-if page's levers and exports (serve/), `talentcast calibrate`.

#include <nlohmann/json.hpp>
#include <string>

namespace talentcast::studies {

/// A TOML basic string: quoted, with backslash, quote and control characters escaped.
std::string toml_string(const std::string& text);

/// A number as a variant writes it: 12 significant digits, so that a file written and read back
/// holds the value a program used (to 1e-12 relative).
std::string toml_number(double x);

/// How a value is moved: `add` adds an amount to every location of the distribution (a growth
/// rate: +0.02 a year); `scale` multiplies every location and spread by 1 + amount (an inflow:
/// +0.2 is 20% more).
enum class Move { add, scale };

/// `base` (a value as config::ScenarioDocument::get_json gives it: a number, `{ value, source }`
/// or a distribution table) moved by `amount`, as a TOML value with `source`. Missing optional
/// bounds stay missing. Throws std::invalid_argument when the value is not one that can be moved.
std::string moved_toml(const nlohmann::json& base, Move move, double amount,
                       const std::string& source);

}  // namespace talentcast::studies
