#pragma once
// Charts for `talentcast report`, `compare --report` and `sensitivity --charts` (docs/report.md),
// drawn once with Cairo onto two surfaces: SVG (inlined in a report and written beside it) and
// PNG at twice the size, for slides.

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace talentcast::cli::chart {

/// Logical size of every chart, in CSS pixels; the PNG is twice as wide and high. Text is 16 px
/// (the caption 14, the title 20), so that laid out at 560 px or more it reads at 11 px or more.
inline constexpr int kWidth = 800;
inline constexpr int kHeight = 500;

/// What every chart says besides its data: drawn into it, so that a chart copied alone keeps it.
struct Labels {
  std::string title;    ///< wrapped onto a second line when long
  std::string notice;   ///< a warning under the title (synthetic data, unreliable ranks), or ""
  std::string caption;  ///< where the chart comes from: scenario, paths, commit, date
};

/// A fan chart (central banks' style): the 90%, 80% and 50% bands of a forecast over periods
/// and its median line, or, with `line_only`, one line (a probability) on a 0-100% axis.
struct Fan : Labels {
  std::string y_label;
  std::vector<std::string> periods;
  std::vector<double> p05, p10, p25, p50, p75, p90, p95;  ///< empty but p50 with line_only
  std::optional<double> reference;                        ///< a dashed horizontal line
  std::string reference_label;                            ///< what it means, for the legend
  bool line_only = false;
  bool percent = false;  ///< y values are fractions shown as %

  /// Appends a period's 5th, 10th, 25th, 50th, 75th, 90th and 95th percentiles.
  void push(std::span<const double, 7> percentiles);
};

/// A salary band at a few periods: a box from the 25th to the 75th percentile, whiskers to the
/// 10th and 90th, and the median.
struct Bands : Labels {
  std::string y_label;
  std::vector<std::string> periods;
  std::vector<double> p10, p25, p50, p75, p90;
};

/// A tornado chart: per parameter, a bar from the output's mean where the parameter is low to
/// its mean where the parameter is high, around the mean over all points; widest bar on top.
struct Tornado : Labels {
  std::string x_label;
  std::vector<std::string> parameters;
  std::vector<double> low, high;  ///< per parameter, in the order of `parameters`
  double baseline = 0.0;
};

/// An estimate with the ends of its interval.
struct Interval {
  double value = 0.0, low = 0.0, high = 0.0;
};

/// Sobol indices: per parameter, the first-order and the total index, each a point with its
/// interval; parameters in the order given (the caller ranks them).
struct Sobol : Labels {
  std::vector<std::string> parameters;
  std::vector<Interval> first, total;
};

struct Rendered {
  std::string svg;  ///< a complete SVG document
  std::string png;  ///< PNG bytes, 2 x kWidth by 2 x kHeight
};

Rendered render(const Fan& fan);
Rendered render(const Bands& bands);
Rendered render(const Tornado& tornado);
Rendered render(const Sobol& sobol);

/// The SVG without its XML declaration, with every id (Cairo's glyphs, clips) prefixed, so that
/// several charts can be inlined in one HTML document.
std::string inline_svg(const std::string& svg, const std::string& prefix);

}  // namespace talentcast::cli::chart
