#pragma once
// Charts for `talentcast report` (docs/report.md), drawn once with Cairo onto two surfaces: SVG
// (inlined in the report and written beside it) and PNG at twice the size, for slides.

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace talentcast::cli::chart {

/// Logical size of every chart, in CSS pixels; the PNG is twice as wide and high.
inline constexpr int kWidth = 800;
inline constexpr int kHeight = 420;

/// A fan chart (central banks' style): the 90%, 80% and 50% bands of a forecast over periods
/// and its median line, or, with `line_only`, one line (a probability) on a 0-100% axis.
struct Fan {
  std::string title;
  std::string y_label;
  std::vector<std::string> periods;
  std::vector<double> p05, p10, p25, p50, p75, p90, p95;  ///< empty but p50 with line_only
  std::optional<double> reference;                        ///< a dashed horizontal line
  bool line_only = false;
  bool percent = false;  ///< y values are fractions shown as %

  /// Appends a period's 5th, 10th, 25th, 50th, 75th, 90th and 95th percentiles.
  void push(std::span<const double, 7> percentiles);
};

/// A salary band at a few periods: a box from the 25th to the 75th percentile, whiskers to the
/// 10th and 90th, and the median.
struct Bands {
  std::string title;
  std::string y_label;
  std::vector<std::string> periods;
  std::vector<double> p10, p25, p50, p75, p90;
};

struct Rendered {
  std::string svg;  ///< a complete SVG document
  std::string png;  ///< PNG bytes, 2 x kWidth by 2 x kHeight
};

Rendered render(const Fan& fan);
Rendered render(const Bands& bands);

/// The SVG without its XML declaration, with every id (Cairo's glyphs, clips) prefixed, so that
/// several charts can be inlined in one HTML document.
std::string inline_svg(const std::string& svg, const std::string& prefix);

}  // namespace talentcast::cli::chart
