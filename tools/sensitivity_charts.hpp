#pragma once
// What `talentcast sensitivity` adds to its numbers (docs/sweeps.md): a warning where the Sobol
// indices' intervals are too wide to rank the parameters, and, with --charts, a tornado chart
// and a Sobol chart per output.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "talentcast/core/sensitivity.hpp"

namespace talentcast::io {
class Database;
}

namespace talentcast::cli {

/// One output's sensitivity to the swept parameters, as `sensitivity` computed it.
struct OutputSensitivity {
  std::string output;  ///< metric:role:period:statistic
  std::vector<std::string> parameters;
  std::vector<double> low_tenth, high_tenth;  ///< the tornado: mean output at each end
  double mean = 0.0;                          ///< over every point
  std::optional<core::SobolIndices> sobol;    ///< saltelli designs
};

/// The rule by which the warnings below rank parameters, as printed (core::rank_by).
extern const char* const kRankingRule;

/// One warning per output and index whose intervals do not support ranking the parameters by
/// it, naming the neighbours whose intervals overlap.
std::vector<std::string> ranking_warnings(const std::vector<OutputSensitivity>& outputs);

/// Where a sweep's charts come from, drawn into each: the sweep, its scenario and design, the
/// talentcast that ran it, and when the charts were made.
std::string sweep_caption(io::Database& db);

/// Every output's tornado chart, and its Sobol chart when it has indices, as SVG and PNG files
/// to write into dir: OUTPUT-tornado.svg, OUTPUT-sobol.png, ... with OUTPUT the output's name
/// with its colons as dashes.
std::vector<std::pair<std::filesystem::path, std::string>> sensitivity_charts(
    const std::vector<OutputSensitivity>& outputs, const std::filesystem::path& dir,
    const std::string& caption);

}  // namespace talentcast::cli
