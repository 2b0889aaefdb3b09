#include "chart.hpp"

#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <regex>
#include <set>
#include <stdexcept>

namespace talentcast::cli::chart {

namespace {

struct Rgb {
  double r, g, b;
};
constexpr Rgb kBand90{0.85, 0.90, 0.96};
constexpr Rgb kBand80{0.66, 0.78, 0.91};
constexpr Rgb kBand50{0.40, 0.58, 0.82};
constexpr Rgb kMedian{0.05, 0.18, 0.42};
constexpr Rgb kReference{0.75, 0.15, 0.12};
constexpr Rgb kInk{0.15, 0.15, 0.15};
constexpr Rgb kGrid{0.88, 0.88, 0.88};

constexpr double kLeft = 78, kRight = 24, kTop = 46, kBottom = 52;

void set(cairo_t* cr, Rgb c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

// "Nice" ticks (1, 2 or 5 times a power of ten) covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  const double span = hi - lo;
  const double raw = span / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (span / step <= 6.0) break;
  }
  // Counted, not accumulated: a step below the spacing of doubles near t would never move t.
  std::vector<double> out;
  const double first = std::ceil(lo / step);
  for (int k = 0; k <= 12; ++k) {
    const double t = (first + k) * step;
    if (t > hi + 1e-9 * span) break;
    out.push_back(std::abs(t) < 1e-12 * span ? 0.0 : t);
  }
  return out;
}

std::string tick_label(double v, bool percent, double step) {
  if (percent) return fmt::format("{:.0f}%", 100 * v);
  if (std::abs(v) >= 10000) return fmt::format("{:.0f}", v);
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  return fmt::format("{:.{}f}", v, decimals);
}

// The frame shared by every chart: title, axes, grid and tick labels; returns the y mapping.
struct Frame {
  double lo, hi;
  std::size_t n;  // x slots
  bool slots;     // x positions at the middle of n slots (bands) or at n - 1 intervals (fans)
  double x(double i) const {
    const double w = kWidth - kLeft - kRight;
    if (slots) return kLeft + w * (i + 0.5) / static_cast<double>(n);
    return kLeft + (n > 1 ? w * i / static_cast<double>(n - 1) : w / 2);
  }
  double y(double v) const { return kTop + (kHeight - kTop - kBottom) * (hi - v) / (hi - lo); }
};

void text(cairo_t* cr, const std::string& s, double x, double y, double size, double align,
          bool bold = false) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y);
  cairo_show_text(cr, s.c_str());
}

Frame frame(cairo_t* cr, const std::string& title, const std::string& y_label,
            const std::vector<std::string>& periods, double lo, double hi, bool percent,
            bool slots) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    throw std::runtime_error(
        fmt::format("chart '{}': expected finite values, found {} to {}", title, lo, hi));
  }
  // A flat series, or one spanning only a few doubles, gets a range of 10% of its size.
  if (!(hi - lo > 1e-9 * std::max(std::abs(lo), std::abs(hi)))) {
    const double pad = std::max(1e-9, std::max(std::abs(lo), std::abs(hi)) * 0.05);
    lo -= pad;
    hi += pad;
  }
  const double pad = 0.04 * (hi - lo);
  Frame f{lo - pad, hi + pad, periods.size(), slots};
  set(cr, {1, 1, 1});
  cairo_paint(cr);
  set(cr, kInk);
  text(cr, title, kLeft, 26, 15, 0, true);
  const auto t = ticks(f.lo, f.hi);
  const double step = t.size() > 1 ? t[1] - t[0] : 1.0;
  cairo_set_line_width(cr, 1);
  for (double v : t) {
    set(cr, kGrid);
    cairo_move_to(cr, kLeft, f.y(v));
    cairo_line_to(cr, kWidth - kRight, f.y(v));
    cairo_stroke(cr);
    set(cr, kInk);
    text(cr, tick_label(v, percent, step), kLeft - 8, f.y(v) + 4, 11, 1);
  }
  // About eight period labels, evenly spaced, always the first and the last (which takes the
  // place of the one before it when that would be too close).
  const std::size_t every = std::max<std::size_t>(1, (periods.size() + 7) / 8);
  std::vector<std::size_t> labelled;
  for (std::size_t i = 0; i < periods.size(); i += every) labelled.push_back(i);
  if (labelled.back() + 1 != periods.size()) {
    if (labelled.size() > 1 && periods.size() - 1 - labelled.back() < every) labelled.pop_back();
    labelled.push_back(periods.size() - 1);
  }
  for (std::size_t i : labelled) {
    set(cr, kInk);
    // The last label of a fan ends at the axis' end rather than past it.
    const double align = !slots && i + 1 == periods.size() && i > 0 ? 1.0 : 0.5;
    text(cr, periods[i], f.x(static_cast<double>(i)), kHeight - kBottom + 18, 11, align);
  }
  cairo_save(cr);
  cairo_translate(cr, 18, kTop + (kHeight - kTop - kBottom) / 2);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, y_label, 0, 0, 12, 0.5);
  cairo_restore(cr);
  set(cr, kInk);
  cairo_move_to(cr, kLeft, kHeight - kBottom);
  cairo_line_to(cr, kWidth - kRight, kHeight - kBottom);
  cairo_stroke(cr);
  return f;
}

void area(cairo_t* cr, const Frame& f, const std::vector<double>& lo, const std::vector<double>& hi,
          Rgb colour) {
  cairo_new_path(cr);
  for (std::size_t i = 0; i < lo.size(); ++i) cairo_line_to(cr, f.x(double(i)), f.y(hi[i]));
  for (std::size_t i = lo.size(); i-- > 0;) cairo_line_to(cr, f.x(double(i)), f.y(lo[i]));
  cairo_close_path(cr);
  set(cr, colour);
  cairo_fill(cr);
}

void line(cairo_t* cr, const Frame& f, const std::vector<double>& v, Rgb colour, double width) {
  cairo_new_path(cr);
  for (std::size_t i = 0; i < v.size(); ++i) cairo_line_to(cr, f.x(double(i)), f.y(v[i]));
  set(cr, colour);
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
}

void legend(cairo_t* cr, const std::vector<std::pair<Rgb, std::string>>& items, bool last_line) {
  double x = kWidth - kRight;
  for (std::size_t k = items.size(); k-- > 0;) {
    const auto& [colour, label] = items[k];
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    cairo_text_extents_t e;
    cairo_text_extents(cr, label.c_str(), &e);
    x -= e.x_advance;
    set(cr, kInk);
    cairo_move_to(cr, x, 26);
    cairo_show_text(cr, label.c_str());
    x -= 18;
    set(cr, colour);
    if (last_line && k + 1 == items.size()) {
      cairo_set_line_width(cr, 2.5);
      cairo_move_to(cr, x, 22);
      cairo_line_to(cr, x + 14, 22);
      cairo_stroke(cr);
    } else {
      cairo_rectangle(cr, x, 16, 14, 12);
      cairo_fill(cr);
    }
    x -= 12;
  }
}

// Draws with `draw` on an SVG surface and on a PNG surface at twice the size.
Rendered both(const std::function<void(cairo_t*)>& draw) {
  Rendered out;
  const auto append = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* svg = cairo_svg_surface_create_for_stream(append, &out.svg, kWidth, kHeight);
  cairo_svg_surface_set_document_unit(svg, CAIRO_SVG_UNIT_PX);
  cairo_t* cr = cairo_create(svg);
  draw(cr);
  cairo_destroy(cr);
  cairo_surface_finish(svg);
  const cairo_status_t svg_status = cairo_surface_status(svg);
  cairo_surface_destroy(svg);

  cairo_surface_t* png = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 2 * kWidth, 2 * kHeight);
  cr = cairo_create(png);
  cairo_scale(cr, 2, 2);
  draw(cr);
  cairo_destroy(cr);
  const cairo_status_t png_status = cairo_surface_write_to_png_stream(png, append, &out.png);
  cairo_surface_destroy(png);
  if (svg_status != CAIRO_STATUS_SUCCESS || png_status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(fmt::format(
        "Cairo could not draw a chart: {}",
        cairo_status_to_string(svg_status != CAIRO_STATUS_SUCCESS ? svg_status : png_status)));
  }
  return out;
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
  return both([&](cairo_t* cr) {
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
    const Frame f = frame(cr, fan.title, fan.y_label, fan.periods, lo, hi, fan.percent, false);
    if (!fan.line_only) {
      area(cr, f, fan.p05, fan.p95, kBand90);
      area(cr, f, fan.p10, fan.p90, kBand80);
      area(cr, f, fan.p25, fan.p75, kBand50);
    }
    if (fan.reference) {
      const double dash[] = {6, 4};
      cairo_set_dash(cr, dash, 2, 0);
      set(cr, kReference);
      cairo_set_line_width(cr, 1.5);
      cairo_move_to(cr, kLeft, f.y(*fan.reference));
      cairo_line_to(cr, kWidth - kRight, f.y(*fan.reference));
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    line(cr, f, fan.p50, kMedian, 2.5);
    if (!fan.line_only) {
      legend(cr, {{kBand90, "90%"}, {kBand80, "80%"}, {kBand50, "50%"}, {kMedian, "median"}}, true);
    }
  });
}

Rendered render(const Bands& bands) {
  return both([&](cairo_t* cr) {
    const double lo = *std::min_element(bands.p10.begin(), bands.p10.end());
    const double hi = *std::max_element(bands.p90.begin(), bands.p90.end());
    const Frame f = frame(cr, bands.title, bands.y_label, bands.periods, lo, hi, false, true);
    const double half =
        std::min(40.0, 0.3 * (kWidth - kLeft - kRight) / static_cast<double>(bands.periods.size()));
    for (std::size_t i = 0; i < bands.periods.size(); ++i) {
      const double x = f.x(static_cast<double>(i));
      set(cr, kMedian);
      cairo_set_line_width(cr, 1.5);
      cairo_move_to(cr, x, f.y(bands.p10[i]));
      cairo_line_to(cr, x, f.y(bands.p90[i]));
      cairo_stroke(cr);
      for (double v : {bands.p10[i], bands.p90[i]}) {
        cairo_move_to(cr, x - half / 2, f.y(v));
        cairo_line_to(cr, x + half / 2, f.y(v));
        cairo_stroke(cr);
      }
      cairo_rectangle(cr, x - half, f.y(bands.p75[i]), 2 * half,
                      f.y(bands.p25[i]) - f.y(bands.p75[i]));
      set(cr, kBand50);
      cairo_fill_preserve(cr);
      set(cr, kMedian);
      cairo_stroke(cr);
      cairo_set_line_width(cr, 3);
      cairo_move_to(cr, x - half, f.y(bands.p50[i]));
      cairo_line_to(cr, x + half, f.y(bands.p50[i]));
      cairo_stroke(cr);
    }
    legend(cr, {{kBand50, "25th-75th"}, {kMedian, "10th-90th percentile, median"}}, true);
  });
}

std::string inline_svg(const std::string& svg, const std::string& prefix) {
  std::string out = svg.substr(std::min(svg.size(), svg.find("<svg")));
  std::set<std::string> ids;
  static const std::regex id(R"re(\sid="([^"]+)")re");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), id); it != std::sregex_iterator();
       ++it) {
    ids.insert((*it)[1]);
  }
  // Every reference to an id ends with a quote or a parenthesis: replacing "#id" + that end
  // cannot touch a longer id that starts the same way.
  for (const std::string& name : ids) {
    for (const auto& [from, to] :
         {std::pair{" id=\"" + name + "\"", " id=\"" + prefix + name + "\""},
          std::pair{"#" + name + "\"", "#" + prefix + name + "\""},
          std::pair{"#" + name + ")", "#" + prefix + name + ")"}}) {
      for (std::size_t at = out.find(from); at != std::string::npos;
           at = out.find(from, at + to.size())) {
        out.replace(at, from.size(), to);
      }
    }
  }
  return out;
}

}  // namespace talentcast::cli::chart
