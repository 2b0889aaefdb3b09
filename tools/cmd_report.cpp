// `talentcast report RUN_DIR`: one self-contained HTML file of a run's forecast, with fan
// charts, key numbers and how to cite and reproduce it (docs/report.md).

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "chart.hpp"
#include "cli.hpp"
#include "html.hpp"
#include "talentcast/core/atomic_file.hpp"
#include "talentcast/core/csv.hpp"
#include "talentcast/core/input_file.hpp"
#include "talentcast/core/sha256.hpp"

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
    return core::read_text_file(path, max_bytes);
  } catch (const core::InputFileError& e) {
    if (e.kind() != core::InputFileError::Kind::missing) throw;
    throw std::runtime_error(fmt::format(
        "{}: expected a file of a run (talentcast run --out DIR), found none", path.string()));
  }
}

RunData read_run(const std::filesystem::path& dir) {
  RunData run;
  const std::string manifest = read_text(dir / "manifest.json", core::kMaxJsonBytes);
  try {
    run.manifest = nlohmann::json::parse(manifest);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: expected JSON, found an error: {}",
                                         (dir / "manifest.json").string(), e.what()));
  }
  const std::string csv = read_text(dir / "forecast.csv", core::kMaxCsvBytes);
  if (run.manifest.value("forecast_csv_sha256", "") != core::sha256_hex(csv)) {
    throw std::runtime_error(
        fmt::format("{}: expected the forecast.csv its manifest names (forecast_csv_sha256), found "
                    "another; run the scenario again",
                    (dir / "forecast.csv").string()));
  }
  core::CsvReader reader(csv);
  core::CsvRecord record;
  reader.next(record);  // the header, checked with the digest
  std::set<std::string> seen_series, seen_periods;
  while (reader.next(record)) {
    const auto& f = record.fields;
    const std::string series(f[0].text), period(f[1].text), metric(f[2].text);
    Stats s{};
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = std::stod(std::string(f[3 + i].text));
    if (seen_series.insert(series).second) run.series.push_back(series);
    if (seen_periods.insert(period).second) run.periods.push_back(period);
    run.stats[{series, period, metric}] = s;
  }
  return run;
}

// A parameter's value as a reader would write it: a number, or a distribution with its
// arguments.
std::string value_text(const nlohmann::json& v) {
  if (v.is_object() && v.contains("dist")) {
    std::string args;
    for (const auto& [key, arg] : v.items()) {
      if (key == "dist" || key == "source") continue;
      args += fmt::format("{}{} = {}", args.empty() ? "" : ", ", key, value_text(arg));
    }
    return fmt::format("{}({})", v["dist"].get<std::string>(), args);
  }
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Every parameter of a section of the resolved scenario, as (key path, value, source) rows.
struct Assumption {
  std::string key, value, source;
};
void flatten(const nlohmann::json& v, const std::string& key, std::vector<Assumption>& rows) {
  const bool leaf = v.is_object() && (v.contains("dist") || v.contains("value"));
  if (v.is_object() && !leaf) {
    for (const auto& [k, child] : v.items()) flatten(child, key.empty() ? k : key + "." + k, rows);
  } else if (v.is_array() && !v.empty() && v.front().is_object()) {
    for (std::size_t i = 0; i < v.size(); ++i) flatten(v[i], fmt::format("{}[{}]", key, i), rows);
  } else if (leaf) {
    rows.push_back(
        {key, value_text(v.contains("value") ? v["value"] : v), v.value("source", std::string())});
  } else {
    rows.push_back({key, value_text(v), ""});
  }
}

std::string interval(const Stats& s, const char* format) {
  return fmt::format("{} [{}, {}]", fmt::format(fmt::runtime(format), s[kP50]),
                     fmt::format(fmt::runtime(format), s[kP10]),
                     fmt::format(fmt::runtime(format), s[kP90]));
}

}  // namespace

int report_command(const ReportArgs& args) {
  const std::filesystem::path dir(args.run_dir);
  RunData run;
  try {
    run = read_run(dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitBadInput;
  }
  const nlohmann::json& m = run.manifest;
  const nlohmann::json scenario = m.value("scenario", nlohmann::json::object());
  const std::string unit =
      fmt::format("{} per {}", scenario.value("currency", ""), scenario.value("salary_unit", ""));
  const std::filesystem::path out =
      args.out.empty() ? dir / "report.html" : std::filesystem::path(args.out);
  const std::filesystem::path charts = out.parent_path() / "charts";

  // The band periods: given, or the first, the middle and the last.
  std::vector<std::string> band_periods = args.band_periods;
  if (band_periods.empty() && !run.periods.empty()) {
    band_periods = {run.periods.front(), run.periods[run.periods.size() / 2], run.periods.back()};
  }
  for (const auto& p : band_periods) {
    if (std::find(run.periods.begin(), run.periods.end(), p) == run.periods.end()) {
      fmt::print(stderr,
                 "talentcast: --band-periods: expected periods of the run ({} to {}), "
                 "found '{}'\n",
                 run.periods.front(), run.periods.back(), p);
      return kExitBadInput;
    }
  }

  html::Figures figures_out(charts);
  const auto figure = [&](const chart::Rendered& r, const std::string& name,
                          const std::string& caption) { return figures_out.add(r, name, caption); };
  const auto series_of = [&](const std::string& s, const std::string& metric) {
    chart::Fan fan;
    fan.periods = run.periods;
    for (const auto& p : run.periods) {
      const Stats* st = run.find(s, p, metric);
      if (st == nullptr) return std::optional<chart::Fan>{};
      fan.push(std::span<const double, 7>(st->data() + kP05, 7));
    }
    return std::optional<chart::Fan>{fan};
  };

  // Key numbers, then each role's charts (levels' rows are in forecast.csv).
  const std::string first = run.periods.front(), last = run.periods.back();
  std::string key = fmt::format(
      "<table><tr><th>role</th><th>ratio {0}</th><th>ratio {1}</th><th>P(shortage) {1}</th>"
      "<th>median salary {1}</th></tr>\n",
      first, last);
  std::string sections;
  try {
    const auto is_level = [&](const std::string& s) {
      const auto slash = s.rfind('/');
      return slash != std::string::npos && std::find(run.series.begin(), run.series.end(),
                                                     s.substr(0, slash)) != run.series.end();
    };
    for (const std::string& s : run.series) {
      if (is_level(s)) continue;
      const Stats* r0 = run.find(s, first, "ratio");
      const Stats* r1 = run.find(s, last, "ratio");
      const Stats* sh = run.find(s, last, "shortage");
      const Stats* w1 = run.find(s, last, "salary_median");
      if (r0 == nullptr || r1 == nullptr || sh == nullptr) continue;
      key += fmt::format(
          "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0f}% "
          "± {:.1f}</td><td class=\"n\">{}</td></tr>\n",
          html::escape(s), interval(*r0, "{:.2f}"), interval(*r1, "{:.2f}"), 100 * (*sh)[kMean],
          100 * 1.96 * (*sh)[kMcse], w1 ? interval(*w1, "{:.0f}") : "");
      std::string figures;
      auto ratio = *series_of(s, "ratio");
      ratio.title = fmt::format("{}: supply-demand ratio", s);
      ratio.y_label = "candidates per opening";
      ratio.reference = 1.0;
      figures += figure(chart::render(ratio), html::file_name(s) + "-ratio",
                        "Candidates per opening: median, 50%, 80% and 90% bands over paths; "
                        "the dashed line is 1, balance.");
      if (auto salary = series_of(s, "salary_median")) {
        salary->title = fmt::format("{}: median salary", s);
        salary->y_label = unit;
        figures += figure(chart::render(*salary), html::file_name(s) + "-salary",
                          "The market's median salary: median, 50%, 80% and 90% bands over "
                          "paths.");
      }
      chart::Fan shortage;
      shortage.periods = run.periods;
      for (const auto& p : run.periods)
        shortage.p50.push_back((*run.find(s, p, "shortage"))[kMean]);
      shortage.line_only = true;
      shortage.percent = true;
      shortage.title = fmt::format("{}: probability of a shortage", s);
      shortage.y_label = "share of paths with ratio < 1";
      figures += figure(chart::render(shortage), html::file_name(s) + "-shortage",
                        "The share of paths on which candidates are fewer than openings.");
      if (run.find(s, last, "salary_p10") != nullptr) {
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
        bands.title = fmt::format("{}: salary band", s);
        bands.y_label = unit;
        figures += figure(chart::render(bands), html::file_name(s) + "-band",
                          "The market's salary band (10th to 90th percentile of pay) at its "
                          "median path.");
      }
      sections += fmt::format(
          "<section class=\"role\" id=\"role-{}\"><h3>{}</h3>\n<div "
          "class=\"charts\">\n{}</div></section>\n",
          html::file_name(s), html::escape(s), figures);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitInternal;
  }
  key += "</table>\n";

  // Assumptions: every parameter of the resolved scenario.
  std::string assumptions;
  for (const char* part : {"defaults", "roles", "fields", "events", "regimes", "correlation"}) {
    if (!scenario.contains(part)) continue;
    std::vector<Assumption> rows;
    flatten(scenario[part], part, rows);
    if (rows.empty()) continue;
    assumptions += fmt::format(
        "<details><summary>{} ({} values)</summary><table>\n<tr><th>parameter</th><th>value or "
        "distribution</th><th>source</th></tr>\n",
        part, rows.size());
    for (const auto& row : rows) {
      assumptions +=
          fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                      html::escape(row.key), html::escape(row.value), html::escape(row.source));
    }
    assumptions += "</table></details>\n";
  }

  const std::string command = m.value("command", "");
  const bool central = m.value("central", false);
  const std::string reproduce =
      central ? "--central"
              : fmt::format("--seed {} --paths {}", m.value("seed", std::uint64_t{0}),
                            m.value("paths", std::uint64_t{0}));
  const std::string cite = fmt::format(
      "<table>\n<tr><td>talentcast</td><td>{} (commit <code>{}</code>)</td></tr>\n"
      "<tr><td>scenario</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>seed, paths</td><td>{}, {}</td></tr>\n"
      "<tr><td>results digest</td><td>forecast.csv SHA-256 <code>{}</code></td></tr>\n"
      "<tr><td>command</td><td><code>{}</code></td></tr>\n</table>\n"
      "<p>To reproduce: save <code>scenario_toml</code> from this run's manifest.json (with its "
      "<code>data_files</code> beside it), then run</p><pre>talentcast run scenario.toml {}</pre>"
      "<p>forecast.csv then has the SHA-256 above, on any machine and any number of threads or "
      "MPI ranks.</p>\n",
      html::escape(m.value("talentcast_version", "")), html::escape(m.value("git_commit", "")),
      html::escape(m.value("scenario_path", "")), html::escape(m.value("scenario_sha256", "")),
      m.value("seed", std::uint64_t{0}), m.value("paths", std::uint64_t{0}),
      html::escape(m.value("forecast_csv_sha256", "")), html::escape(command), reproduce);

  const std::string title = scenario.value("title", "talentcast forecast");
  const std::string body = fmt::format(
      "<h1>{}</h1>\n<p>{}</p>\n<p class=\"note\">Forecast from {} to {}, {}</p>\n"
      "<h2>Key numbers</h2>\n{}"
      "<h2>Forecasts by role</h2>\n{}"
      "<h2>Assumptions</h2>\n<p class=\"note\">Every value of the resolved scenario; "
      "distributions are drawn once per path.</p>\n{}"
      "<h2>How to cite and reproduce</h2>\n{}",
      html::escape(title), html::escape(scenario.value("description", "")), first, last,
      central ? "the central projection: one path with every distribution at its median, no "
                "shocks and no regime switches, so no ranges."
              : fmt::format("{} Monte Carlo paths. Ranges are over paths: the median with its 80% "
                            "interval (10th to 90th percentile); a probability with ± 1.96 Monte "
                            "Carlo standard errors.",
                            m.value("paths", std::uint64_t{0})),
      key, sections, assumptions, cite);
  const std::string page = html::page(title, body);
  auto& files = figures_out.files();
  files.emplace_back(out, page);
  try {
    std::filesystem::create_directories(charts);
    core::write_files_atomically(files);
  } catch (const std::exception& e) {
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitBadInput;
  }
  if (!args.quiet) {
    fmt::print("wrote {} and {} charts (SVG and PNG) in {}\n", out.string(), figures_out.count(),
               charts.string());
  }
  return kExitOk;
}

}  // namespace talentcast::cli
