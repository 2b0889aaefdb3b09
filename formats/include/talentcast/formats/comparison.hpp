#pragma once
// A comparison's outputs (docs/compare.md): per series, period and metric, the base's, the
// what-if's and their difference's distributions across paths (and their ratio's, for salaries),
// as comparison.csv and comparison.json.

#include <string>
#include <string_view>
#include <vector>

#include "talentcast/core/accumulator.hpp"

namespace talentcast::formats {

/// What a comparison row summarises across paths.
enum class Quantity { base, whatif, difference, ratio };
std::string_view quantity_name(Quantity quantity);

struct ComparisonRow {
  std::string role;  ///< a role, `role/level` or `total`
  std::string period;
  std::string metric;
  Quantity quantity = Quantity::difference;
  core::Summary summary;
};

/// comparison.csv: forecast.csv's columns with `quantity` after `metric`.
std::string comparison_csv(const std::vector<ComparisonRow>& rows);
/// comparison.json: {"format", "paths", "comparison": {role: {period: {metric: {quantity:
/// {mean, sd, p05 ... p95, mcse}}}}}}.
std::string comparison_json(const std::vector<ComparisonRow>& rows);

}  // namespace talentcast::formats
