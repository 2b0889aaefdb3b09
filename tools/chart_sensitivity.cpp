// The charts of `talentcast sensitivity --charts` (docs/sweeps.md): a tornado of conditional
// means, and Sobol indices with their intervals. Parameters are rows, values run across.

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "chart.hpp"
#include "chart_canvas.hpp"

namespace talentcast::cli::chart {

using namespace detail;

namespace {

// One row per parameter, values on a horizontal axis.
struct Rows {
  Box box;
  Axis x;
  std::size_t n;
  double row(std::size_t i) const {
    return box.top + (box.bottom - box.top) * (static_cast<double>(i) + 0.5) / double(n);
  }
  double height() const { return (box.bottom - box.top) / double(n); }
  double at(double v) const {
    return box.left + (box.right - box.left) * (v - x.lo) / (x.hi - x.lo);
  }
};

// Draws the rows' names, the value axis with as many ticks as fit, and its label.
Rows rows_plot(cairo_t* cr, const Box& area, const std::string& x_label,
               const std::vector<std::string>& names, double lo, double hi) {
  // Names take at most 45% of the width; a longer one ends with "...".
  const double name_room = 0.45 * (area.right - area.left);
  std::vector<std::string> shown;
  double widest = 0;
  for (const auto& name : names) {
    shown.push_back(wrap(cr, name, name_room, kTextSize, false, 1).front());
    widest = std::max(widest, text_width(cr, shown.back(), kTextSize));
  }
  const double bottom = area.bottom - kTextSize * 1.7 - (x_label.empty() ? 0 : kTextSize * 1.5);
  Rows r{{area.left + widest + 14, area.right - 10, area.top, bottom}, {}, names.size()};
  // The most ticks whose labels keep a gap between them.
  for (std::size_t most = 7; most >= 2; --most) {
    r.x = axis(lo, hi, false, most);
    double label_width = 0;
    for (double t : r.x.ticks)
      label_width = std::max(label_width, text_width(cr, r.x.label(t), kTextSize));
    const double gap = r.x.ticks.size() > 1 ? r.at(r.x.ticks[1]) - r.at(r.x.ticks[0]) : 1e9;
    if (gap >= label_width + 16) break;
  }
  cairo_set_line_width(cr, 1);
  for (double t : r.x.ticks) {
    set(cr, kGrid);
    cairo_move_to(cr, r.at(t), r.box.top);
    cairo_line_to(cr, r.at(t), r.box.bottom);
    cairo_stroke(cr);
    set(cr, kInk);
    text(cr, r.x.label(t), r.at(t), r.box.bottom + kTextSize * 1.3, kTextSize, 0.5);
  }
  set(cr, kInk);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    text(cr, shown[i], r.box.left - 10, r.row(i) + 0.36 * kTextSize, kTextSize, 1);
  }
  if (!x_label.empty()) {
    text(cr, x_label, (r.box.left + r.box.right) / 2, area.bottom - 4, kTextSize, 0.5);
  }
  cairo_move_to(cr, r.box.left, r.box.top);
  cairo_line_to(cr, r.box.left, r.box.bottom);
  cairo_stroke(cr);
  return r;
}

void require_finite(const Labels& labels, std::initializer_list<const std::vector<double>*> all) {
  for (const auto* values : all) {
    for (double v : *values) {
      if (!std::isfinite(v)) {
        throw std::runtime_error(
            fmt::format("chart '{}': expected finite values, found {}", labels.title, v));
      }
    }
  }
}

}  // namespace

Rendered render(const Tornado& tornado) {
  require_finite(tornado, {&tornado.low, &tornado.high});
  // The widest swing on top.
  std::vector<std::size_t> order(tornado.parameters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(tornado.high[a] - tornado.low[a]) > std::abs(tornado.high[b] - tornado.low[b]);
  });
  std::vector<std::string> names;
  double lo = tornado.baseline, hi = tornado.baseline;
  for (std::size_t j : order) {
    names.push_back(tornado.parameters[j]);
    lo = std::min({lo, tornado.low[j], tornado.high[j]});
    hi = std::max({hi, tornado.low[j], tornado.high[j]});
  }
  const std::vector<LegendItem> legend{
      {kBand50, "parameter in its lowest tenth"},
      {kHighSide, "in its highest tenth"},
      {kReference, "mean over all points", LegendItem::Swatch::dashed}};
  return both(tornado, [&](cairo_t* cr) {
    const Rows r = rows_plot(cr, surround(cr, tornado, legend), tornado.x_label, names, lo, hi);
    // Each end its own bar from the mean, the low end above the high end, so that two ends on
    // the same side of the mean do not hide each other.
    const double bar = std::min(16.0, 0.32 * r.height());
    for (std::size_t i = 0; i < order.size(); ++i) {
      for (auto [end, colour, top] : {std::tuple{tornado.low[order[i]], kBand50, r.row(i) - bar},
                                      std::tuple{tornado.high[order[i]], kHighSide, r.row(i)}}) {
        const double from = r.at(tornado.baseline), to = r.at(end);
        cairo_rectangle(cr, std::min(from, to), top, std::abs(to - from), bar);
        set(cr, colour);
        cairo_fill(cr);
      }
    }
    const double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    set(cr, kReference);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, r.at(tornado.baseline), r.box.top);
    cairo_line_to(cr, r.at(tornado.baseline), r.box.bottom);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  });
}

Rendered render(const Sobol& sobol) {
  std::vector<double> ends;
  for (const auto* indices : {&sobol.first, &sobol.total}) {
    for (const auto& e : *indices) ends.insert(ends.end(), {e.value, e.low, e.high});
  }
  require_finite(sobol, {&ends});
  // Indices are shares of variance: the axis shows 0 to 1 at least, and what noise puts outside.
  const double lo = std::min(0.0, *std::min_element(ends.begin(), ends.end()));
  const double hi = std::max(1.0, *std::max_element(ends.begin(), ends.end()));
  const std::vector<LegendItem> legend{{kBand50, "first-order index", LegendItem::Swatch::dot},
                                       {kMedian, "total index", LegendItem::Swatch::box},
                                       {kInk, "95% bootstrap interval", LegendItem::Swatch::line}};
  return both(sobol, [&](cairo_t* cr) {
    const Rows r = rows_plot(cr, surround(cr, sobol, legend), "share of the output's variance",
                             sobol.parameters, lo, hi);
    const double offset = std::min(12.0, 0.2 * r.height());
    for (std::size_t i = 0; i < sobol.parameters.size(); ++i) {
      for (auto [index, y, colour, square] :
           {std::tuple{sobol.first[i], r.row(i) - offset, kBand50, false},
            std::tuple{sobol.total[i], r.row(i) + offset, kMedian, true}}) {
        set(cr, kInk);
        cairo_set_line_width(cr, 1.5);
        cairo_move_to(cr, r.at(index.low), y);
        cairo_line_to(cr, r.at(index.high), y);
        for (double end : {index.low, index.high}) {
          cairo_move_to(cr, r.at(end), y - 5);
          cairo_line_to(cr, r.at(end), y + 5);
        }
        cairo_stroke(cr);
        set(cr, colour);
        if (square) {
          cairo_rectangle(cr, r.at(index.value) - 5, y - 5, 10, 10);
        } else {
          cairo_arc(cr, r.at(index.value), y, 5.5, 0, 2 * M_PI);
        }
        cairo_fill(cr);
      }
    }
  });
}

}  // namespace talentcast::cli::chart
