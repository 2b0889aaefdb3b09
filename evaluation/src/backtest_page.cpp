// The backtest's page (docs/backtest.md#the-page): self-contained HTML with its charts drawn as
// inline SVG.
#include "backtest_page.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "html.hpp"
#include "number_text.hpp"
#include "talentcast/version.hpp"

namespace talentcast::evaluation {

namespace html = cli::html;

namespace {

using Series = config::SeriesBreak::Series;
using studies::Method;

constexpr std::array<Series, 2> kSeries{Series::employment, Series::median};
constexpr double kW = 760, kH = 380, kLeft = 80, kRight = 20, kTop = 20, kBottom = 40;

const char* colour(Method m) {
  switch (m) {
    case Method::model:
      return "#1f4e9c";
    case Method::no_change:
      return "#7a7a7a";
    case Method::trend:
      return "#d9822b";
    case Method::random_walk:
      return "#3a8d3a";
  }
  return "#000";
}

const char* what(Series s) {
  return s == Series::employment ? "employment" : "median annual salary";
}

// Up to about six ticks, each 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi) {
  const double raw = (hi - lo) / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) out.push_back(t);
  return out;
}

// A plot frame: maps data to SVG coordinates and draws the axes.
struct Frame {
  double x0, x1, y0, y1;
  double x(double v) const { return kLeft + (v - x0) / (x1 - x0) * (kW - kLeft - kRight); }
  double y(double v) const { return kH - kBottom - (v - y0) / (y1 - y0) * (kH - kTop - kBottom); }
  std::string axes(const std::string& x_label, const std::string& y_label, bool percent,
                   bool years) const {
    std::string out;
    for (const double t : ticks(y0, y1)) {
      out += fmt::format(
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e3e3e3\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"12\">{}</text>\n",
          kLeft, kW - kRight, y(t), y(t), kLeft - 6, y(t) + 4,
          percent ? fmt::format("{:.0f}%", 100 * t) : cli::grouped(t));
    }
    for (const double t : ticks(x0, x1)) {
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
          x(t), kH - kBottom + 16,
          years ? fmt::format("{:.0f}", t) : fmt::format("{:.0f}%", 100 * t));
    }
    out += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#333\"/>"
        "<text x=\"{3:.1f}\" y=\"{4}\" text-anchor=\"middle\" font-size=\"13\">{5}</text>"
        "<text transform=\"translate(16 {6:.1f}) rotate(-90)\" text-anchor=\"middle\" "
        "font-size=\"13\">{7}</text>\n",
        kLeft, kW - kRight, kH - kBottom, (kLeft + kW - kRight) / 2, kH - 6, html::escape(x_label),
        (kTop + kH - kBottom) / 2, html::escape(y_label));
    return out;
  }
};

std::string svg(const std::string& label, const std::string& body) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\" style=\"max-width:{}px;width:100%\">\n{}</svg>\n",
      kW, kH, html::escape(label), kW, body);
}

std::string polygon(const Frame& f, const studies::OriginFan& fan, std::size_t lo, std::size_t hi,
                    const char* fill) {
  std::string points;
  for (std::size_t i = 0; i < fan.years.size(); ++i) {
    points += fmt::format("{:.1f},{:.1f} ", f.x(fan.years[i]), f.y(fan.percentiles[i][hi]));
  }
  for (std::size_t i = fan.years.size(); i-- > 0;) {
    points += fmt::format("{:.1f},{:.1f} ", f.x(fan.years[i]), f.y(fan.percentiles[i][lo]));
  }
  return fmt::format("<polygon points=\"{}\" fill=\"{}\"/>\n", points, fill);
}

// Every origin's fan (80% and 50% bands, median) over the actual series.
std::string fan_chart(const studies::BacktestResult& r, Series series) {
  const auto& actual = r.actual[series == Series::employment ? 0 : 1];
  double lo = 1e300, hi = -1e300;
  int first = actual.front().first, last = actual.back().first;
  for (const auto& [year, v] : actual) lo = std::min(lo, v), hi = std::max(hi, v);
  for (const auto& fan : r.fans) {
    if (fan.series != series) continue;
    last = std::max(last, fan.years.back());
    for (const auto& q : fan.percentiles) lo = std::min(lo, q[1]), hi = std::max(hi, q[5]);
  }
  const double pad = 0.04 * (hi - lo);
  const Frame f{double(first), double(last), lo - pad, hi + pad};
  std::string body = f.axes("year (each origin's forecast: 80% and 50% intervals, median)",
                            what(series), false, true);
  for (const auto& fan : r.fans) {
    if (fan.series != series) continue;
    body += polygon(f, fan, 1, 5, "rgba(31,78,156,0.10)");
    body += polygon(f, fan, 2, 4, "rgba(31,78,156,0.16)");
    std::string median;
    for (std::size_t i = 0; i < fan.years.size(); ++i) {
      median += fmt::format("{:.1f},{:.1f} ", f.x(fan.years[i]), f.y(fan.percentiles[i][3]));
    }
    body += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f4e9c\" stroke-width=\"1.2\"/>\n",
        median);
  }
  std::string line;
  for (const auto& [year, v] : actual) {
    line += fmt::format("{:.1f},{:.1f} ", f.x(year), f.y(v));
    body += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#111\"/>\n", f.x(year),
                        f.y(v));
  }
  body += fmt::format(
      "<polyline points=\"{}\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.5\"/>\n", line);
  return svg(fmt::format("Forecasts of {} from each origin, with the actual series", what(series)),
             body);
}

// Observed against nominal coverage of central intervals, from the forecasts' PIT values.
std::string calibration_chart(const studies::BacktestResult& r, Series series) {
  const Frame f{0.0, 1.0, 0.0, 1.0};
  std::string body = f.axes("nominal coverage of the central interval",
                            "share of actual values inside", true, false);
  body += fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" "
      "stroke-dasharray=\"5 4\"/>\n",
      f.x(0), f.y(0), f.x(1), f.y(1));
  double legend_y = kTop + 14;
  for (const Method m : studies::kMethods) {
    std::string points;
    int n = 0;
    for (int level = 1; level <= 9; ++level) {
      const double l = level / 10.0;
      int inside = 0;
      n = 0;
      for (const auto& s : r.forecasts) {
        if (s.series != series || s.method != m) continue;
        ++n;
        inside += std::abs(s.pit - 0.5) <= l / 2;
      }
      if (n == 0) break;
      points += fmt::format("{:.1f},{:.1f} ", f.x(l), f.y(double(inside) / n));
    }
    if (n == 0) continue;
    body += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" fill=\"{}\">{}</text>\n",
        points, colour(m), m == Method::model ? 2.5 : 1.5, kLeft + 10, legend_y, colour(m),
        studies::method_name(m));
    legend_y += 15;
  }
  return svg(fmt::format("Calibration of the {} forecasts", what(series)), body);
}

}  // namespace

namespace {

// The pooled scores of one horizon (0: all) over all origins, or of one origin (horizon 0).
const studies::Pooled* find(const studies::BacktestResult& r, Series s, Method m, int h,
                            int origin = 0) {
  for (const auto& p : r.pooled) {
    if (p.series == s && p.method == m && p.horizon == h && p.origin == origin) return &p;
  }
  return nullptr;
}

// Per origin, the model's scores beside the random walk's.
std::string origin_table(const studies::BacktestResult& r) {
  std::string out =
      "<table>\n<tr><th>series</th><th>origin</th><th>n</th><th>model: 80% held</th>"
      "<th>model CRPS</th><th>random walk CRPS</th><th>model MdAPE</th></tr>\n";
  for (const Series s : kSeries) {
    for (const int origin : r.origins) {
      const auto* m = find(r, s, Method::model, 0, origin);
      const auto* w = find(r, s, Method::random_walk, 0, origin);
      if (!m || !w) continue;
      out += fmt::format(
          "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">"
          "{:.0f}%</td><td class=\"n\">{:.4f}</td><td class=\"n\">{:.4f}</td>"
          "<td class=\"n\">{:.1f}%</td></tr>\n",
          studies::series_name(s), origin, m->n, 100 * m->coverage[1], m->crps, w->crps,
          100 * m->mdape);
    }
  }
  return out + "</table>\n";
}

// The answer to the two questions a report asks of the model, per series.
std::string verdict(const studies::BacktestResult& r, Series s) {
  const auto* model = find(r, s, Method::model, 0);
  if (!model) return "";
  std::vector<std::string> beaten_by;
  for (const Method m : {Method::no_change, Method::trend, Method::random_walk}) {
    const auto* b = find(r, s, m, 0);
    if (b && b->crps <= model->crps) beaten_by.push_back(studies::method_name(m));
  }
  const double c80 = model->coverage[1];
  const char* width = c80 < 0.7 ? "too narrow" : c80 > 0.9 ? "too wide" : "about right";
  return fmt::format(
      "<li><b>{}</b>: the model's mean CRPS (of log values) is {:.4f} over {} forecasts; {}. Its "
      "80% intervals held {:.0f}% of the actual values ({} 70% to 90%): {}.</li>\n",
      what(s), model->crps, model->n,
      beaten_by.empty() ? "it beats every naive baseline"
                        : fmt::format("it does not beat {}", fmt::join(beaten_by, ", ")),
      100 * c80, c80 >= 0.7 && c80 <= 0.9 ? "within" : "outside", width);
}

std::string coverage_table(const studies::BacktestResult& r, int horizon) {
  std::string out =
      "<table>\n<tr><th>series</th><th>method</th><th>horizon</th><th>n</th><th>50%</th>"
      "<th>80%</th><th>90%</th><th>CRPS (log)</th><th>MdAPE</th><th>direction right</th></tr>\n";
  for (const Series s : kSeries) {
    for (int h = 0; h <= horizon; ++h) {
      for (const Method m : studies::kMethods) {
        const auto* p = find(r, s, m, h);
        if (!p) continue;
        out += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"n\">{:.0f}%</td><td class=\"n\">{:.0f}%</td><td class=\"n\">{:.0f}%</td>"
            "<td class=\"n\">{:.4f}</td><td class=\"n\">{:.1f}%</td><td class=\"n\">{}</td></tr>\n",
            studies::series_name(s), studies::method_name(m), h == 0 ? "all" : fmt::format("{}", h),
            p->n, 100 * p->coverage[0], 100 * p->coverage[1], 100 * p->coverage[2], p->crps,
            100 * p->mdape,
            p->directions > 0
                ? fmt::format("{:.0f}% of {}", 100 * p->direction_right, p->directions)
                : "-");
      }
    }
  }
  return out + "</table>\n";
}

std::string provenance_table(const config::BacktestSpec& spec, const studies::BacktestResult& r,
                             const PageProvenance& p) {
  std::string breaks;
  for (const auto& b : spec.breaks) {
    breaks +=
        fmt::format("{}{} {} ({})", breaks.empty() ? "" : "; ", b.year,
                    b.action == config::SeriesBreak::Action::skip ? "skipped" : "adjusted",
                    b.series == Series::both ? "both series" : studies::series_name(b.series));
  }
  std::string left;
  for (const auto& o : r.origins_left) {
    if (!left.empty()) left += "; ";
    left += o;
  }
  return fmt::format(
      "<table>\n<tr><td>talentcast</td><td>{} (commit <code>{}</code>)</td></tr>\n"
      "<tr><td>spec</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>history</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>base</td><td><code>{}</code> (role <code>{}</code>), resolved SHA-256 "
      "<code>{}</code></td></tr>\n"
      "<tr><td>origins, horizon</td><td>{}-{}, 1 to {} years{}</td></tr>\n"
      "<tr><td>breaks</td><td>{}</td></tr>\n"
      "<tr><td>seed, paths</td><td>{}, {} per origin</td></tr>\n"
      "<tr><td>results digest</td><td>forecasts.csv SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>command</td><td><code>{}</code></td></tr>\n</table>\n",
      html::escape(kVersion), html::escape(kGitCommit), html::escape(spec.file.string()),
      p.spec_sha256, html::escape(spec.history.string()), r.history_sha256,
      html::escape(spec.base.string()), html::escape(spec.role), p.base_sha256, spec.first_origin,
      spec.last_origin, spec.horizon,
      left.empty() ? "" : html::escape(fmt::format(" (left out: {})", left)),
      breaks.empty() ? "none" : html::escape(breaks), spec.seed, spec.paths, p.forecasts_sha256,
      html::escape(p.command));
}

}  // namespace

std::string backtest_page(const config::BacktestSpec& spec, const studies::BacktestResult& r,
                          const PageProvenance& p) {
  const std::string title = spec.title.empty() ? "Backtest of " + spec.role : spec.title;
  std::string body = fmt::format(
      "<h1>{}</h1>\n<p>Rolling-origin hindcasts: for each origin year from {} to {}, talentcast "
      "calibrated role <code>{}</code> to its history through that year, forecast 1 to {} years "
      "ahead ({} paths), and scored the forecasts against what happened, beside three naive "
      "baselines scored the same way (docs/backtest.md).</p>\n<ul>\n{}{}</ul>\n",
      html::escape(title), spec.first_origin, spec.last_origin, html::escape(spec.role),
      spec.horizon, spec.paths, verdict(r, Series::employment), verdict(r, Series::median));
  for (const Series s : kSeries) {
    body += fmt::format("<h2>Forecasts of {} and what happened</h2>\n<figure>{}</figure>\n",
                        what(s), fan_chart(r, s));
  }
  body +=
      "<h2>Calibration</h2>\n<p>The share of actual values inside each forecast's central "
      "interval, against the interval's nominal coverage, pooled over origins and horizons. "
      "A calibrated forecast follows the dashed diagonal; below it, intervals are too "
      "narrow; above it, too wide. Forecasts from overlapping origins are not independent, "
      "so the shares vary more than a binomial count would.</p>\n";
  for (const Series s : kSeries) {
    body += fmt::format("<figure>{}<figcaption>{}</figcaption></figure>\n", calibration_chart(r, s),
                        what(s));
  }
  body +=
      "<h2>Coverage and scores</h2>\n<p>Coverage of the 50%, 80% and 90% central intervals; "
      "the mean continuous ranked probability score of the log value (lower is better; "
      "about the relative error); the median absolute percentage error of the median; and "
      "how often the median's direction of change from the origin was right.</p>\n" +
      coverage_table(r, spec.horizon);
  body +=
      "<h2>By origin</h2>\n<p>Each origin's forecasts over all horizons: the share of the "
      "model's 80% intervals that held, and the mean CRPS of the model and of the random "
      "walk with drift.</p>\n" +
      origin_table(r);
  body += "<h2>Provenance</h2>\n" + provenance_table(spec, r, p);
  return html::page(title, body);
}

}  // namespace talentcast::evaluation
