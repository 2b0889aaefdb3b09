// `talentcast report RUN_DIR`: one self-contained HTML file of a run's forecast, with fan
// charts, key numbers and how to cite and reproduce it (docs/report.md).

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "chart.hpp"
#include "cli.hpp"
#include "html.hpp"
#include "interrupt.hpp"
#include "number_text.hpp"
#include "outputs.hpp"
#include "report_context.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/io/input_file.hpp"
#include "talentcast/io/sha256.hpp"

namespace talentcast::cli {

namespace {

// forecast.csv's statistics of one output: mean, sd, p05 ... p95, mcse.
using Stats = std::array<double, 10>;
enum Column { kMean, kSd, kP05, kP10, kP25, kP50, kP75, kP90, kP95, kMcse };

struct RunData {
  nlohmann::json manifest;
  std::vector<std::string> series;   // in forecast.csv's order
  std::vector<std::string> periods;  // in order
  std::map<std::tuple<std::string, std::string, std::string>, Stats> stats;
  const Stats* find(const std::string& s, const std::string& p, const std::string& m) const {
    const auto it = stats.find({s, p, m});
    return it == stats.end() ? nullptr : &it->second;
  }
};

std::string read_text(const std::filesystem::path& path, std::uint64_t max_bytes) {
  try {
    return io::read_text_file(path, max_bytes);
  } catch (const io::InputFileError& e) {
    if (e.kind() != io::InputFileError::Kind::missing) throw;
    throw io::UserError(fmt::format(
        "{}: expected a file of a run (talentcast run --out DIR), found none", path.string()));
  }
}

RunData read_run(const std::filesystem::path& dir) {
  RunData run;
  const std::string manifest = read_text(dir / "manifest.json", io::kMaxJsonBytes);
  try {
    run.manifest = nlohmann::json::parse(manifest);
    switch (formats::check_seal(nlohmann::ordered_json::parse(manifest))) {
      case formats::SealState::intact:
        break;
      case formats::SealState::broken:
        throw io::UserError(formats::broken_seal_message((dir / "manifest.json").string()));
      case formats::SealState::missing:
        fmt::print(stderr, "talentcast: warning: {}\n",
                   formats::missing_seal_message((dir / "manifest.json").string()));
        break;
    }
  } catch (const nlohmann::json::exception& e) {
    throw io::UserError(fmt::format("{}: expected JSON, found an error: {}",
                                    (dir / "manifest.json").string(), e.what()));
  }
  const std::string csv = read_text(dir / "forecast.csv", io::kMaxCsvBytes);
  if (run.manifest.value("forecast_csv_sha256", "") != io::sha256_hex(csv)) {
    throw io::UserError(
        fmt::format("{}: expected the forecast.csv its manifest names (forecast_csv_sha256), found "
                    "another; run the scenario again",
                    (dir / "forecast.csv").string()));
  }
  std::set<std::string> seen_series, seen_periods;
  for (const formats::ForecastRow& row :
       formats::read_forecast_csv(csv, (dir / "forecast.csv").string())) {
    const core::Summary& summary = row.summary;
    Stats s{summary.mean, summary.sd};
    std::copy(summary.percentiles.begin(), summary.percentiles.end(), s.begin() + kP05);
    s[kMcse] = summary.mcse;
    if (seen_series.insert(row.role).second) run.series.push_back(row.role);
    if (seen_periods.insert(row.period).second) run.periods.push_back(row.period);
    run.stats[{row.role, row.period, row.metric}] = s;
  }
  return run;
}

// A median with its 80% interval; the interval kept on one line.
std::string interval(const Stats& s, const std::function<std::string(double)>& number) {
  return fmt::format("{} <span class=\"range\">[{}, {}]</span>", number(s[kP50]), number(s[kP10]),
                     number(s[kP90]));
}

// The mark beside a number from synthetic data, or "".
std::string mark(const std::string& why) {
  return why.empty() ? std::string() : html::synthetic_mark(why);
}

}  // namespace

namespace {

// The periods of the salary band charts: given, or the first, the middle and the last.
std::vector<std::string> band_periods_of(const ReportArgs& args, const RunData& run) {
  std::vector<std::string> band_periods = args.band_periods;
  if (band_periods.empty() && !run.periods.empty()) {
    band_periods = {run.periods.front(), run.periods[run.periods.size() / 2], run.periods.back()};
  }
  for (const auto& p : band_periods) {
    if (std::find(run.periods.begin(), run.periods.end(), p) == run.periods.end()) {
      throw io::UserError(
          fmt::format("--band-periods: expected periods of the run ({} to {}), found '{}'",
                      run.periods.front(), run.periods.back(), p));
    }
  }
  return band_periods;
}

// A series' metric over the run's periods as a fan; none when a period lacks it.
std::optional<chart::Fan> fan_of(const RunData& run, const std::string& s,
                                 const std::string& metric) {
  chart::Fan fan;
  fan.periods = run.periods;
  for (const auto& p : run.periods) {
    const Stats* st = run.find(s, p, metric);
    if (st == nullptr) return std::nullopt;
    fan.push(std::span<const double, 7>(st->data() + kP05, 7));
  }
  return fan;
}

void label(chart::Labels& chart, const RunContext& c, const std::string& title, bool salary,
           const std::string& s) {
  chart.title = title;
  chart.notice = c.notice(salary, s);
  chart.caption = c.caption();
}

// A role's charts: its ratio, its median salary, its probability of a shortage, its band.
std::string role_charts(const RunData& run, const RunContext& c, html::Figures& figures_out,
                        const std::string& s, const std::vector<std::string>& band_periods) {
  const std::string title = c.title(s);
  const std::string all = mark(c.synthetic());             // on every number
  const std::string salary = mark(c.salary_synthetic(s));  // on its salary numbers
  std::string figures;
  auto ratio = *fan_of(run, s, "ratio");
  label(ratio, c, fmt::format("{}: supply-demand ratio", title), false, s);
  ratio.y_label = "candidates per opening";
  ratio.reference = 1.0;
  ratio.reference_label = "1 = balance";
  figures += figures_out.add(chart::render(ratio), html::file_name(s) + "-ratio",
                             "Candidates per opening: median, 50%, 80% and 90% bands over "
                             "paths; the dashed line is 1, balance.",
                             all);
  if (auto pay = fan_of(run, s, "salary_median")) {
    label(*pay, c, fmt::format("{}: median salary", title), true, s);
    pay->y_label = c.unit();
    figures += figures_out.add(chart::render(*pay), html::file_name(s) + "-salary",
                               fmt::format("The market's median salary ({}): median, 50%, 80% "
                                           "and 90% bands over paths.",
                                           c.unit()),
                               salary);
  }
  chart::Fan shortage;
  shortage.periods = run.periods;
  for (const auto& p : run.periods) shortage.p50.push_back((*run.find(s, p, "shortage"))[kMean]);
  shortage.line_only = true;
  shortage.percent = true;
  label(shortage, c, fmt::format("{}: probability of a shortage", title), false, s);
  shortage.y_label = "% of paths with ratio < 1";
  figures +=
      figures_out.add(chart::render(shortage), html::file_name(s) + "-shortage",
                      "The share of paths on which candidates are fewer than openings.", all);
  if (run.find(s, run.periods.back(), "salary_p10") == nullptr) return figures;
  chart::Bands bands;
  bands.periods = band_periods;
  for (const auto& p : band_periods) {
    // Each band percentile at its median over paths.
    bands.p10.push_back((*run.find(s, p, "salary_p10"))[kP50]);
    bands.p25.push_back((*run.find(s, p, "salary_p25"))[kP50]);
    bands.p50.push_back((*run.find(s, p, "salary_median"))[kP50]);
    bands.p75.push_back((*run.find(s, p, "salary_p75"))[kP50]);
    bands.p90.push_back((*run.find(s, p, "salary_p90"))[kP50]);
  }
  label(bands, c, fmt::format("{}: salary band", title), true, s);
  bands.y_label = c.unit();
  figures += figures_out.add(chart::render(bands), html::file_name(s) + "-band",
                             fmt::format("The market's salary band ({}, 10th to 90th "
                                         "percentile of pay) at its median path.",
                                         c.unit()),
                             salary);
  return figures;
}

// The key numbers' header row.
std::string key_header(const std::string& first, const std::string& last, const RunContext& c) {
  return fmt::format(
      "<table class=\"key\"><tr><th>role</th><th>supply-demand ratio, {0}<br><span "
      "class=\"note\">candidates per opening</span></th><th>ratio, {1}</th><th>P(shortage), "
      "{1}<br><span class=\"note\">% of paths with ratio &lt; 1</span></th><th>median salary, "
      "{1}<br><span class=\"note\">{2}</span></th></tr>\n",
      first, last, html::escape(c.unit()));
}

// A role's row of the key numbers, from its statistics in the first and the last period.
std::string key_row(const RunContext& c, const std::string& s, const Stats& r0, const Stats& r1,
                    const Stats& sh, const Stats* w1) {
  const auto ratio_text = [](double v) { return fmt::format("{:.2f}", v); };
  const auto salary_text = [](double v) { return grouped(v); };
  const std::string title = c.title(s);
  const std::string all = mark(c.synthetic());
  const std::string salary = mark(c.salary_synthetic(s));
  const auto beside = [](const std::string& tag) { return tag.empty() ? tag : " " + tag; };
  return fmt::format(
      "<tr><td>{}{}</td><td class=\"n\">{}{}</td><td class=\"n\">{}{}</td><td "
      "class=\"n\">{:.0f}% <span class=\"range\">± {:.1f} pp</span>{}</td><td "
      "class=\"n\">{}</td></tr>\n",
      html::escape(title),
      title == s ? "" : fmt::format("<br><span class=\"id\">{}</span>", html::escape(s)),
      interval(r0, ratio_text), beside(all), interval(r1, ratio_text), beside(all), 100 * sh[kMean],
      100 * 1.96 * sh[kMcse], beside(all), w1 ? interval(*w1, salary_text) + beside(salary) : "");
}

// How to cite and reproduce the run.
std::string cite_html(const ReportArgs& args, const nlohmann::json& m, const RunContext& c) {
  const std::filesystem::path dir(args.run_dir);
  // `reproduce` reads seed, paths and --central from the manifest itself.
  const std::string reproduce =
      fmt::format("talentcast reproduce {} --out {}-reproduced", args.run_dir,
                  dir.filename().empty() ? dir.parent_path().string() : dir.string());
  return fmt::format(
      "<table>\n<tr><td>talentcast</td><td>{} (commit <code>{}</code>)</td></tr>\n"
      "<tr><td>scenario</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>seed, paths</td><td>{}, {}</td></tr>\n"
      "<tr><td>run</td><td>{}</td></tr>\n"
      "<tr><td>results digest</td><td>forecast.csv SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>command</td><td><code>{}</code></td></tr>\n</table>\n"
      "<p>To reproduce: this command rebuilds the run from its manifest.json (the scenario files "
      "it holds, the data files checked by their SHA-256), runs it with the same seed and paths "
      "and says whether forecast.csv has the SHA-256 above, as it does with the same talentcast "
      "build on any machine and any number of threads or MPI ranks:</p><pre>{}</pre>\n",
      html::escape(m.value("talentcast_version", "")), html::escape(m.value("git_commit", "")),
      html::escape(m.value("scenario_path", "")), html::escape(m.value("scenario_sha256", "")),
      m.value("seed", std::uint64_t{0}), m.value("paths", std::uint64_t{0}),
      html::escape(c.run_date()), html::escape(m.value("forecast_csv_sha256", "")),
      html::escape(m.value("command", "")), html::escape(reproduce));
}

int write_report(const ReportArgs& args) {
  InterruptGuard guard;
  const std::filesystem::path dir(args.run_dir);
  const RunData run = read_run(dir);
  const nlohmann::json& m = run.manifest;
  const RunContext c(m);
  const nlohmann::json& scenario = c.scenario();
  const std::filesystem::path out =
      args.out.empty() ? dir / "report.html" : std::filesystem::path(args.out);
  const std::filesystem::path charts = out.parent_path() / "charts";
  const std::vector<std::string> band_periods = band_periods_of(args, run);

  // Key numbers, then each role's charts (levels' rows are in forecast.csv).
  html::Figures figures_out(charts);
  const std::string first = run.periods.front(), last = run.periods.back();
  std::string key = key_header(first, last, c);
  std::string sections;
  const auto is_level = [&](const std::string& s) {
    const auto slash = s.rfind('/');
    return slash != std::string::npos &&
           std::find(run.series.begin(), run.series.end(), s.substr(0, slash)) != run.series.end();
  };
  for (const std::string& s : run.series) {
    if (guard.flag().load()) break;  // charts take the time: Ctrl-C is looked at between roles
    if (is_level(s)) continue;
    const Stats* r0 = run.find(s, first, "ratio");
    const Stats* r1 = run.find(s, last, "ratio");
    const Stats* sh = run.find(s, last, "shortage");
    if (r0 == nullptr || r1 == nullptr || sh == nullptr) continue;
    key += key_row(c, s, *r0, *r1, *sh, run.find(s, last, "salary_median"));
    const std::string title = c.title(s);
    sections += fmt::format(
        "<section class=\"role\" id=\"role-{}\"><h3>{}{}</h3>\n<div "
        "class=\"charts\">\n{}</div></section>\n",
        html::file_name(s), html::escape(title),
        title == s ? "" : fmt::format(" <span class=\"id\">{}</span>", html::escape(s)),
        role_charts(run, c, figures_out, s, band_periods));
  }
  key += "</table>\n";

  const std::string title = scenario.value("title", "talentcast forecast");
  const std::string body = fmt::format(
      "<h1>{}</h1>\n{}<p>{}</p>\n<p class=\"note\">Forecast from {} to {}, {} Run {}; salaries in "
      "{}.</p>\n"
      "<h2>Key numbers</h2>\n{}"
      "<h2>Forecasts by role</h2>\n{}"
      "<h2>Assumptions</h2>\n<p class=\"note\">Every value of the resolved scenario; "
      "distributions are drawn once per path. Printed, every section is shown.</p>\n{}"
      "<h2>How to cite and reproduce</h2>\n{}",
      html::escape(title), c.synthetic_banner(), html::escape(scenario.value("description", "")),
      first, last,
      m.value("central", false)
          ? "the central projection: one path with every distribution at its median, no "
            "shocks and no regime switches, so no ranges."
          : fmt::format("{} Monte Carlo paths. Ranges are over paths: the median with its 80% "
                        "interval (10th to 90th percentile); a probability with ± 1.96 Monte "
                        "Carlo standard errors, in percentage points (pp).",
                        grouped(m.value("paths", 0.0))),
      html::escape(c.run_date()), html::escape(c.unit()), key, sections, assumptions_html(scenario),
      cite_html(args, m, c));
  const std::string page = html::page(title, body);
  if (guard.flag().load()) throw Interrupted("interrupted; nothing was written");
  auto& files = figures_out.files();
  files.emplace_back(out, page);
  refuse_report_conflicts(files, out, out.string());
  write_outputs(files, guard.flag());
  if (!args.quiet) {
    fmt::print("wrote {} and {} charts (SVG and PNG) in {}\n", out.string(), figures_out.count(),
               charts.string());
  }
  return kExitOk;
}

}  // namespace

int report_command(const ReportArgs& args) {
  // Everything is read and drawn before anything is written, so a manifest field of another
  // kind than talentcast writes (a manifest edited by hand, its seal removed) stops the report
  // with nothing written.
  try {
    return write_report(args);
  } catch (const nlohmann::json::exception& e) {
    throw io::UserError(fmt::format(
        "{}: expected a manifest as talentcast writes it, found a field of another kind ({}); "
        "nothing was written",
        (std::filesystem::path(args.run_dir) / "manifest.json").string(), e.what()));
  }
}

}  // namespace talentcast::cli
