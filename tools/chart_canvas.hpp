#pragma once
// Internal to the charts (chart.hpp): what every chart shares. Colours, text that is measured
// before it is placed, the chart's surround (title, legend, notice, caption), axes with nice
// ticks, and drawing once onto an SVG and a PNG surface.

#include <cairo.h>

#include <functional>
#include <string>
#include <vector>

#include "chart.hpp"

namespace talentcast::cli::chart::detail {

struct Rgb {
  double r, g, b;
};
inline constexpr Rgb kBand90{0.85, 0.90, 0.96};
inline constexpr Rgb kBand80{0.66, 0.78, 0.91};
inline constexpr Rgb kBand50{0.40, 0.58, 0.82};
inline constexpr Rgb kMedian{0.05, 0.18, 0.42};
inline constexpr Rgb kReference{0.75, 0.15, 0.12};
inline constexpr Rgb kHighSide{0.90, 0.55, 0.15};
inline constexpr Rgb kInk{0.15, 0.15, 0.15};
inline constexpr Rgb kMuted{0.35, 0.35, 0.35};
inline constexpr Rgb kWarning{0.70, 0.10, 0.05};
inline constexpr Rgb kGrid{0.88, 0.88, 0.88};

inline constexpr double kTitleSize = 20;
inline constexpr double kTextSize = 16;
inline constexpr double kCaptionSize = 14;
inline constexpr double kMargin = 14;

void set(cairo_t* cr, Rgb c, double alpha = 1.0);
/// The advance width of s in DejaVu Sans at `size`.
double text_width(cairo_t* cr, const std::string& s, double size, bool bold = false);
/// Draws s with its baseline at y; align 0 puts its start at x, 0.5 its middle, 1 its end.
void text(cairo_t* cr, const std::string& s, double x, double y, double size, double align,
          bool bold = false);
/// s in lines no wider than width, broken at spaces; past max_lines the last ends with "...".
std::vector<std::string> wrap(cairo_t* cr, const std::string& s, double width, double size,
                              bool bold, std::size_t max_lines);

struct LegendItem {
  enum class Swatch { box, line, dashed, dot };
  Rgb colour;
  std::string label;
  Swatch swatch = Swatch::box;
};

/// An ARGB32 image surface as a PNG file's bytes: 8-bit RGB when every pixel is opaque (a chart
/// always is), else RGBA with the colours un-premultiplied. No row filter and deflate level 3:
/// charts are flat colour, which that keeps within about 10% of the size of Cairo's own writer
/// (adaptive filters, level 6) in less than a third of its time.
std::string png(cairo_surface_t* image);
inline constexpr int kPngDeflateLevel = 3;

/// The area left for the plot, in chart coordinates.
struct Box {
  double left, right, top, bottom;
};

/// Paints the background, then the title, the legend row and the notice from the top, and the
/// caption from the bottom; returns what is left between them.
Box surround(cairo_t* cr, const Labels& labels, const std::vector<LegendItem>& legend);

/// A linear axis over [lo, hi] (padded, and widened when flat) with "nice" ticks.
struct Axis {
  double lo, hi;
  std::vector<double> ticks;
  bool percent = false;
  /// A tick's label: thousands separators; percentages of fractions when `percent`.
  std::string label(double v) const;
};
/// At most max_ticks ticks, each 1, 2 or 5 times a power of ten.
Axis axis(double lo, double hi, bool percent, std::size_t max_ticks = 6);

/// Draws with `draw` on an SVG surface and on a PNG surface at twice the size. The SVG also
/// carries the labels as text (its <title> and <desc>), for screen readers and search.
Rendered both(const Labels& labels, const std::function<void(cairo_t*)>& draw);

}  // namespace talentcast::cli::chart::detail
