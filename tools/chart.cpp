#include "chart.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "chart_canvas.hpp"

namespace talentcast::cli::chart {

using namespace detail;

namespace {

// A plot of values over periods: y the value axis, x the periods, either at n - 1 intervals
// (fans) or in the middle of n slots (bands).
struct Plot {
  Box box;
  Axis y;
  std::size_t n;
  bool slots;
  double x(double i) const {
    const double w = box.right - box.left;
    if (slots) return box.left + w * (i + 0.5) / static_cast<double>(n);
    return box.left + (n > 1 ? w * i / static_cast<double>(n - 1) : w / 2);
  }
  double at(double v) const {
    return box.top + (box.bottom - box.top) * (y.hi - v) / (y.hi - y.lo);
  }
};

// Draws the axes, grid and labels of a plot over periods inside `area`.
Plot periods_plot(cairo_t* cr, const Box& area, const std::string& y_label,
                  const std::vector<std::string>& periods, const Axis& y, bool slots) {
  double widest = 0;
  for (double t : y.ticks) widest = std::max(widest, text_width(cr, y.label(t), kTextSize));
  const double left = area.left + kTextSize * 1.4 + widest + 8;
  Plot p{{left, area.right - 6, area.top, area.bottom - kTextSize * 1.7}, y, periods.size(), slots};
  cairo_set_line_width(cr, 1);
  for (double v : y.ticks) {
    set(cr, kGrid);
    cairo_move_to(cr, p.box.left, p.at(v));
    cairo_line_to(cr, p.box.right, p.at(v));
    cairo_stroke(cr);
    set(cr, kInk);
    text(cr, y.label(v), p.box.left - 8, p.at(v) + 0.36 * kTextSize, kTextSize, 1);
  }
  // Period labels, evenly spaced (every 1, 2, 3, 4, 6, 8, 12, ... periods: whole years of
  // months and quarters), as many as fit with a gap between them; always the first and the last,
  // which takes the place of a neighbour too close to it. A fan's last label ends at the axis'
  // end, and its first starts at the axis' start when centred it would leave the chart.
  const std::size_t n = periods.size();
  const auto align = [&](std::size_t i) {
    if (slots || n == 1) return 0.5;
    if (i + 1 == n) return 1.0;
    const double half = text_width(cr, periods[i], kTextSize) / 2;
    return i == 0 && p.x(0) - half < area.left ? 0.0 : 0.5;
  };
  const auto extent = [&](std::size_t i) {
    const double width = text_width(cr, periods[i], kTextSize);
    const double start = p.x(static_cast<double>(i)) - align(i) * width;
    return std::pair{start, start + width};
  };
  constexpr double kGap = 16;
  std::vector<std::size_t> labelled;
  std::vector<std::size_t> steps{1, 2, 3, 4, 6, 8, 12};
  while (steps.back() < n) steps.push_back(2 * steps.back());
  for (std::size_t every : steps) {
    labelled.clear();
    for (std::size_t i = 0; i < n; i += every) labelled.push_back(i);
    if (labelled.back() != n - 1) {
      while (labelled.size() > 1 && extent(labelled.back()).second + kGap > extent(n - 1).first) {
        labelled.pop_back();
      }
      labelled.push_back(n - 1);
    }
    bool apart = true;
    for (std::size_t k = 1; k < labelled.size(); ++k) {
      apart = apart && extent(labelled[k - 1]).second + kGap <= extent(labelled[k]).first;
    }
    if (apart) break;
  }
  set(cr, kInk);
  for (std::size_t i : labelled) {
    text(cr, periods[i], p.x(static_cast<double>(i)), area.bottom - 4, kTextSize, align(i));
  }
  cairo_save(cr);
  cairo_translate(cr, area.left + kTextSize, (p.box.top + p.box.bottom) / 2);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, y_label, 0, 0, kTextSize, 0.5);
  cairo_restore(cr);
  set(cr, kInk);
  cairo_move_to(cr, p.box.left, p.box.bottom);
  cairo_line_to(cr, p.box.right, p.box.bottom);
  cairo_stroke(cr);
  return p;
}

void area(cairo_t* cr, const Plot& p, const std::vector<double>& lo, const std::vector<double>& hi,
          Rgb colour) {
  cairo_new_path(cr);
  for (std::size_t i = 0; i < lo.size(); ++i) cairo_line_to(cr, p.x(double(i)), p.at(hi[i]));
  for (std::size_t i = lo.size(); i-- > 0;) cairo_line_to(cr, p.x(double(i)), p.at(lo[i]));
  cairo_close_path(cr);
  set(cr, colour);
  cairo_fill(cr);
}

void line(cairo_t* cr, const Plot& p, const std::vector<double>& v, Rgb colour, double width) {
  cairo_new_path(cr);
  for (std::size_t i = 0; i < v.size(); ++i) cairo_line_to(cr, p.x(double(i)), p.at(v[i]));
  set(cr, colour);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
}

Axis value_axis(const Labels& labels, double lo, double hi, bool percent) {
  try {
    return axis(lo, hi, percent);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("chart '{}': {}", labels.title, e.what()));
  }
}

}  // namespace

void Fan::push(std::span<const double, 7> p) {
  for (auto [band, value] : {std::pair{&p05, p[0]},
                             {&p10, p[1]},
                             {&p25, p[2]},
                             {&p50, p[3]},
                             {&p75, p[4]},
                             {&p90, p[5]},
                             {&p95, p[6]}}) {
    band->push_back(value);
  }
}

Rendered render(const Fan& fan) {
  const auto& outer_lo = fan.line_only ? fan.p50 : fan.p05;
  const auto& outer_hi = fan.line_only ? fan.p50 : fan.p95;
  double lo = *std::min_element(outer_lo.begin(), outer_lo.end());
  double hi = *std::max_element(outer_hi.begin(), outer_hi.end());
  if (fan.reference) {
    lo = std::min(lo, *fan.reference);
    hi = std::max(hi, *fan.reference);
  }
  if (fan.percent) {
    lo = 0.0;
    hi = std::max(hi, 0.05);
  }
  const Axis y = value_axis(fan, lo, hi, fan.percent);
  std::vector<LegendItem> legend;
  if (!fan.line_only) {
    legend = {{kBand90, "90%"},
              {kBand80, "80%"},
              {kBand50, "50%"},
              {kMedian, "median", LegendItem::Swatch::line}};
  }
  if (fan.reference && !fan.reference_label.empty()) {
    legend.push_back({kReference, fan.reference_label, LegendItem::Swatch::dashed});
  }
  return both(fan, [&](cairo_t* cr) {
    const Plot p = periods_plot(cr, surround(cr, fan, legend), fan.y_label, fan.periods, y, false);
    if (!fan.line_only) {
      area(cr, p, fan.p05, fan.p95, kBand90);
      area(cr, p, fan.p10, fan.p90, kBand80);
      area(cr, p, fan.p25, fan.p75, kBand50);
    }
    if (fan.reference) {
      const double dash[] = {6, 4};
      cairo_set_dash(cr, dash, 2, 0);
      set(cr, kReference);
      cairo_set_line_width(cr, 1.5);
      cairo_move_to(cr, p.box.left, p.at(*fan.reference));
      cairo_line_to(cr, p.box.right, p.at(*fan.reference));
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    line(cr, p, fan.p50, kMedian, 2.5);
  });
}

Rendered render(const Bands& bands) {
  const double lo = *std::min_element(bands.p10.begin(), bands.p10.end());
  const double hi = *std::max_element(bands.p90.begin(), bands.p90.end());
  const Axis y = value_axis(bands, lo, hi, false);
  const std::vector<LegendItem> legend{
      {kBand50, "25th-75th percentile"},
      {kMedian, "10th-90th percentile, median", LegendItem::Swatch::line}};
  return both(bands, [&](cairo_t* cr) {
    const Plot p =
        periods_plot(cr, surround(cr, bands, legend), bands.y_label, bands.periods, y, true);
    const double half = std::min(
        40.0, 0.3 * (p.box.right - p.box.left) / static_cast<double>(bands.periods.size()));
    for (std::size_t i = 0; i < bands.periods.size(); ++i) {
      const double x = p.x(static_cast<double>(i));
      set(cr, kMedian);
      cairo_set_line_width(cr, 1.5);
      cairo_move_to(cr, x, p.at(bands.p10[i]));
      cairo_line_to(cr, x, p.at(bands.p90[i]));
      cairo_stroke(cr);
      for (double v : {bands.p10[i], bands.p90[i]}) {
        cairo_move_to(cr, x - half / 2, p.at(v));
        cairo_line_to(cr, x + half / 2, p.at(v));
        cairo_stroke(cr);
      }
      cairo_rectangle(cr, x - half, p.at(bands.p75[i]), 2 * half,
                      p.at(bands.p25[i]) - p.at(bands.p75[i]));
      set(cr, kBand50);
      cairo_fill_preserve(cr);
      set(cr, kMedian);
      cairo_stroke(cr);
      cairo_set_line_width(cr, 3);
      cairo_move_to(cr, x - half, p.at(bands.p50[i]));
      cairo_line_to(cr, x + half, p.at(bands.p50[i]));
      cairo_stroke(cr);
    }
  });
}

std::string inline_svg(const std::string& svg, const std::string& prefix) {
  const std::string_view in = std::string_view(svg).substr(std::min(svg.size(), svg.find("<svg")));
  // The ids the SVG defines: a whitespace, then id="...", each match read past its quote.
  std::set<std::string, std::less<>> ids;
  const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  for (std::size_t at = 0; at + 5 < in.size(); ++at) {
    if (!space(in[at]) || in.compare(at + 1, 4, "id=\"") != 0) continue;
    const std::size_t close = in.find('"', at + 5);
    if (close == std::string_view::npos) break;
    if (close > at + 5) ids.emplace(in.substr(at + 5, close - at - 5));
    at = close;
  }
  // One pass: each definition ( id="name") and each reference (#name followed by a quote or a
  // parenthesis) gets the prefix; a longer id that starts the same way is its own name.
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (std::size_t at = 0; at < in.size();) {
    std::size_t name = std::string_view::npos, close = std::string_view::npos;
    if (space(in[at]) && in.compare(at + 1, 4, "id=\"") == 0) {
      name = at + 5;
      close = in.find('"', name);
    } else if (in[at] == '#') {
      name = at + 1;
      close = in.find_first_of("\")", name);
    }
    if (close != std::string_view::npos && ids.contains(in.substr(name, close - name))) {
      out.append(in.substr(at, name - at)).append(prefix).append(in.substr(name, close + 1 - name));
      at = close + 1;
    } else {
      out += in[at++];
    }
  }
  return out;
}

}  // namespace talentcast::cli::chart
