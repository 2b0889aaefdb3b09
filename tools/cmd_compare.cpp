// `talentcast compare BASE WHATIF`: a what-if against its base on common random numbers
// (docs/compare.md).

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <tuple>

#include "chart.hpp"
#include "cli.hpp"
#include "html.hpp"
#include "interrupt.hpp"
#include "number_text.hpp"
#include "outputs.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/formats/comparison.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/compare.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

namespace {

// Whether a file's first bytes are those of comparison.csv or .json (docs/compare.md), which
// --out may replace.
bool is_comparison(std::string_view head) {
  return head.starts_with("role,period,metric,quantity,") ||
         head.starts_with("{\n \"format\": \"talentcast-comparison-1\",");
}

// The key outputs of one period: each role's ratio and median salary, and the total ratio.
std::string comparison_table(const models::Scenario& base, const models::Scenario& whatif,
                             const studies::Comparison& comparison, const std::string& period,
                             std::uint64_t seed) {
  std::string out = fmt::format(
      "{}\nagainst {}\n{} paths on common random numbers (seed {}); difference = what-if minus "
      "base, path by path;\nmedian [80% interval] over paths. gain: how many times more paths "
      "two separate runs would need\nfor the same standard error of the mean difference, "
      "(sd_base^2 + sd_whatif^2) / sd_difference^2\n\nperiod {}{}; ratio = candidates per "
      "opening; salary in {} per {}\n\n",
      whatif.title, base.title, comparison.paths_done, seed, period,
      period == base.period_label(base.periods() - 1) ? " (the last; --period for another)" : "",
      base.currency, base.salary_unit_name());
  const auto* rows = &comparison.rows;
  std::size_t width = 6;
  for (const auto& row : *rows) {
    if (row.role.find('/') == std::string::npos) width = std::max(width, row.role.size() + 2);
  }
  out += fmt::format("{:<{}}{:<15}{:>12}{:>12}   {:<34}{:>10}\n", "role", width, "metric", "base",
                     "what-if", "difference", "gain");
  for (std::size_t i = 0; i + 2 < rows->size(); ++i) {
    const auto& b = (*rows)[i];
    if (b.quantity != formats::Quantity::base || b.period != period) continue;
    if (b.role.find('/') != std::string::npos) continue;  // levels: in the csv
    if (b.metric != "ratio" && b.metric != "salary_median") continue;
    const auto& w = (*rows)[i + 1];
    const auto& d = (*rows)[i + 2];
    const auto& ds = d.summary;
    const double separate = b.summary.sd * b.summary.sd + w.summary.sd * w.summary.sd;
    // A difference whose spread is rounding alone is exact.
    const std::string gain = ds.sd > 1e-9 * std::sqrt(separate)
                                 ? fmt::format("{:.0f}x", separate / (ds.sd * ds.sd))
                             : separate > 0.0 ? "exact"
                                              : "-";
    const bool salary = b.metric == "salary_median";
    const auto number = [&](double v, bool sign) {
      const std::string text = salary ? fmt::format("{:.0f}", v) : fmt::format("{:.3f}", v);
      return sign && v >= 0.0 ? "+" + text : text;
    };
    out += fmt::format(
        "{:<{}}{:<15}{:>12}{:>12}   {:<34}{:>10}\n", b.role, width, b.metric,
        number(b.summary.percentiles[3], false), number(w.summary.percentiles[3], false),
        fmt::format("{} [{}, {}]", number(ds.percentiles[3], true), number(ds.percentiles[1], true),
                    number(ds.percentiles[5], true)),
        gain);
  }
  return out;
}

// Why a comparison's numbers are synthetic: a scenario marked so; for salaries, also a band
// fitted to synthetic data in either scenario. Empty when they are not.
std::string synthetic_reason(const models::Scenario& base, const models::Scenario& whatif,
                             std::optional<std::size_t> salary_of_role) {
  for (const auto* s : {&base, &whatif}) {
    if (!s->synthetic.empty()) return s->synthetic;
  }
  if (salary_of_role) {
    for (const auto* s : {&base, &whatif}) {
      const auto& why = s->roles[*salary_of_role].salary_data_synthetic;
      if (!why.empty()) return why;
    }
  }
  return "";
}

// What is synthetic, said at the top of the page.
std::string synthetic_banner(const models::Scenario& base, const models::Scenario& whatif) {
  const std::string whole = synthetic_reason(base, whatif, std::nullopt);
  if (!whole.empty()) {
    return fmt::format(
        "<div class=\"banner\" id=\"synthetic\"><b>A scenario compared here is marked "
        "synthetic:</b> {}. Every number and chart on this page is illustrative, and marked "
        "{}.</div>\n",
        html::escape(whole), html::synthetic_mark(whole));
  }
  std::map<std::filesystem::path, std::string> files;  // path -> why, from either scenario
  for (const auto* s : {&base, &whatif})
    files.insert(s->synthetic_data_files.begin(), s->synthetic_data_files.end());
  if (files.empty()) return "";
  std::string reasons;
  for (const auto& [path, why] : files) {
    reasons += fmt::format("<code>{}</code>: {}. ", html::escape(path.string()), html::escape(why));
  }
  return fmt::format(
      "<div class=\"banner\" id=\"synthetic\"><b>Salaries come from synthetic data, not observed "
      "pay.</b> Salary bands are fitted to data marked synthetic: {}Every salary number and "
      "salary chart from them is marked {}.</div>\n",
      reasons, html::synthetic_mark("fitted to synthetic data"));
}

// The comparison's own HTML report: per role, the fan of the ratio's change and of the median
// salary's what-if-over-base ratio, key numbers, and how to reproduce it.
class ComparisonPage {
 public:
  ComparisonPage(const CompareArgs& args, const models::Scenario& base,
                 const models::Scenario& whatif, const studies::Comparison& comparison,
                 std::uint64_t seed, const std::string& period)
      : args_(args),
        base_(base),
        whatif_(whatif),
        comparison_(comparison),
        seed_(seed),
        period_(period),
        figures_(std::filesystem::path(args.report).parent_path() / "charts") {
    for (const auto& row : comparison.rows) {
      at_[{row.role, row.period, row.metric, row.quantity}] = &row.summary;
      if (series_.empty() || series_.back() != row.role) series_.push_back(row.role);
      if (std::find(periods_.begin(), periods_.end(), row.period) == periods_.end()) {
        periods_.push_back(row.period);
      }
    }
    compared_ = fmt::format(
        "{:%Y-%m-%d %H:%M} UTC",
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    // Drawn into every chart, so that a chart copied alone still says where it comes from.
    caption_ = fmt::format(
        "What-if {} against {}: {} paths on common random numbers, seed {}. talentcast {}, "
        "commit {}. Compared {}.",
        args.whatif, args.base, grouped(static_cast<double>(comparison.paths_done)), seed, kVersion,
        html::short_commit(kGitCommit), compared_);
  }

  /// The page and its charts.
  std::vector<std::pair<std::filesystem::path, std::string>> files() {
    std::string key = fmt::format(
        "<table class=\"key\"><tr><th>role</th><th>ratio, base<br><span "
        "class=\"note\">candidates per opening</span></th><th>ratio, what-if</th><th>change in "
        "ratio<br><span class=\"note\">what-if minus base</span></th><th>median salary<br><span "
        "class=\"note\">what-if / base</span></th></tr>\n");
    std::string sections;
    for (const std::string& s : series_) {
      if (s.find('/') != std::string::npos) continue;
      key += key_row(s);
      sections += section(s);
    }
    key += "</table>\n";
    const std::string title = fmt::format("What-if: {}", whatif_.title);
    const std::string body = fmt::format(
        "<h1>{}</h1>\n<p>against <b>{}</b>.</p>\n{}<p>{}</p>\n<p class=\"note\">Both scenarios "
        "ran on the same {} paths with the same random numbers (seed {}), so each path's "
        "difference is the effect of what the what-if changes alone (docs/compare.md). Ranges "
        "are over paths: the median with its 80% interval. Compared {}.</p>\n<h2>Key numbers, "
        "{}</h2>\n{}<h2>By role</h2>\n{}<h2>How to cite and reproduce</h2>\n{}",
        html::escape(title), html::escape(base_.title), synthetic_banner(base_, whatif_),
        html::escape(whatif_.description), grouped(static_cast<double>(comparison_.paths_done)),
        seed_, compared_, period_, key, sections, cite());
    auto files = std::move(figures_.files());
    files.emplace_back(args_.report, html::page(title, body));
    return files;
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string, formats::Quantity>;

  static std::string mark(const std::string& why) {
    return why.empty() ? why : html::synthetic_mark(why);
  }
  static std::string beside(const std::string& m) { return m.empty() ? m : " " + m; }
  std::string title(const std::string& s) const {
    const auto role = base_.role_index(s);
    return role ? base_.roles[*role].title : "All roles (total)";
  }
  std::string id(const std::string& s) const {
    return title(s) == s ? "" : fmt::format("<span class=\"id\">{}</span>", html::escape(s));
  }
  std::string all_mark() const { return mark(synthetic_reason(base_, whatif_, std::nullopt)); }
  std::string pay_mark(const std::string& s) const {
    const auto role = base_.role_index(s);
    return role ? mark(synthetic_reason(base_, whatif_, *role)) : std::string();
  }
  chart::Fan fan(const std::string& s, const std::string& metric, formats::Quantity q) const {
    chart::Fan f;
    f.periods = periods_;
    for (const auto& p : periods_) f.push(at_.at({s, p, metric, q})->percentiles);
    return f;
  }

  // A role's row of the key numbers, at the period compared.
  std::string key_row(const std::string& s) const {
    const std::string all = all_mark();
    const auto* b = at_.at({s, period_, "ratio", formats::Quantity::base});
    const auto* w = at_.at({s, period_, "ratio", formats::Quantity::whatif});
    const auto* d = at_.at({s, period_, "ratio", formats::Quantity::difference});
    const auto salary = at_.find({s, period_, "salary_median", formats::Quantity::ratio});
    return fmt::format(
        "<tr><td>{}{}</td><td class=\"n\">{:.3f}{}</td><td class=\"n\">{:.3f}{}</td><td "
        "class=\"n\">{:+.3f} <span class=\"range\">[{:+.3f}, {:+.3f}]</span>{}</td><td "
        "class=\"n\">{}</td></tr>\n",
        html::escape(title(s)), id(s).empty() ? "" : "<br>" + id(s), b->percentiles[3], beside(all),
        w->percentiles[3], beside(all), d->percentiles[3], d->percentiles[1], d->percentiles[5],
        beside(all),
        salary == at_.end()
            ? std::string()
            : fmt::format("{:.3f} <span class=\"range\">[{:.3f}, {:.3f}]</span>{}",
                          salary->second->percentiles[3], salary->second->percentiles[1],
                          salary->second->percentiles[5], beside(pay_mark(s))));
  }

  // A role's section: the change in its ratio, and its median salary's ratio.
  std::string section(const std::string& s) {
    const std::string all = all_mark();
    std::string charts;
    auto change = fan(s, "ratio", formats::Quantity::difference);
    change.title = fmt::format("{}: change in the supply-demand ratio", title(s));
    change.notice = all.empty() ? "" : "SYNTHETIC SCENARIO: illustrative numbers, not a forecast";
    change.caption = caption_;
    change.y_label = "what-if minus base";
    change.reference = 0.0;
    change.reference_label = "no change";
    charts += figures_.add(chart::render(change), html::file_name(s) + "-ratio-change",
                           "The per-path difference of candidates per opening: median, 50%, 80% "
                           "and 90% bands over paths; the dashed line is no change.",
                           all);
    if (at_.count({s, period_, "salary_median", formats::Quantity::ratio})) {
      auto pay = fan(s, "salary_median", formats::Quantity::ratio);
      pay.title = fmt::format("{}: median salary, what-if over base", title(s));
      pay.notice = !all.empty()          ? change.notice
                   : pay_mark(s).empty() ? ""
                                         : "SYNTHETIC DATA: salaries fitted to a synthetic "
                                           "sample, not observed pay";
      pay.caption = caption_;
      pay.y_label = "what-if / base";
      pay.reference = 1.0;
      pay.reference_label = "no change";
      charts += figures_.add(chart::render(pay), html::file_name(s) + "-salary-ratio",
                             "The per-path ratio of the median salaries: median and bands over "
                             "paths; the dashed line is no change.",
                             pay_mark(s));
    }
    return fmt::format(
        "<section class=\"role\"><h3>{}{}</h3>\n<div class=\"charts\">\n{}</div></section>\n",
        html::escape(title(s)), id(s).empty() ? "" : " " + id(s), charts);
  }

  // How to cite and reproduce the comparison.
  std::string cite() const {
    const std::string csv = formats::comparison_csv(comparison_.rows);
    return fmt::format(
        "<table>\n<tr><td>talentcast</td><td>{} (commit <code>{}</code>)</td></tr>\n"
        "<tr><td>base</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
        "<tr><td>what-if</td><td><code>{}</code>, SHA-256 <code>{}</code></td></tr>\n"
        "<tr><td>seed, paths</td><td>{}, {} (common to both)</td></tr>\n"
        "<tr><td>compared</td><td>{}</td></tr>\n"
        "<tr><td>results digest</td><td>comparison.csv (<code>--format csv</code>) SHA-256 "
        "<code>{}</code></td></tr>\n<tr><td>command</td><td><code>{}</code></td></tr>\n"
        "</table>\n",
        html::escape(kVersion), html::escape(kGitCommit), html::escape(args_.base),
        io::sha256_hex(base_.resolved_toml), html::escape(args_.whatif),
        io::sha256_hex(whatif_.resolved_toml), seed_, comparison_.paths_done, compared_,
        io::sha256_hex(csv), html::escape(args_.command_line));
  }

  const CompareArgs& args_;
  const models::Scenario &base_, &whatif_;
  const studies::Comparison& comparison_;
  std::uint64_t seed_;
  std::string period_;
  html::Figures figures_;
  std::map<Key, const core::Summary*> at_;
  std::vector<std::string> series_, periods_;
  std::string compared_, caption_;
};

// Loads both scenarios; when both are bad, the base's problems are told before the what-if's.
std::pair<models::Scenario, models::Scenario> load_both(const CompareArgs& args) {
  std::optional<models::Scenario> base, whatif;
  std::exception_ptr base_error;
  try {
    base = load_scenario_for_command(args.base);
  } catch (const io::UserError&) {
    base_error = std::current_exception();
  }
  try {
    whatif = load_scenario_for_command(args.whatif);
  } catch (const io::UserError&) {
    if (base_error) report_error(base_error);
    throw;
  }
  if (base_error) std::rethrow_exception(base_error);
  return {std::move(*base), std::move(*whatif)};
}

// Every problem of the flags against the scenarios, at once; the period compared.
std::string checked_period(const CompareArgs& args, const models::Scenario& base,
                           const models::Scenario& whatif) {
  std::vector<std::string> problems;
  for (const std::string& problem : studies::comparison_problems(base, whatif)) {
    problems.push_back(fmt::format("{}: {}", args.whatif, problem));
  }
  std::string period = args.period;
  if (period.empty()) period = base.period_label(base.periods() - 1);
  bool known = false;
  for (int t = 0; t < base.periods(); ++t) known = known || base.period_label(t) == period;
  if (!known) {
    problems.push_back(
        fmt::format("--period: expected a period label of the base ({} to {}), found '{}'",
                    base.period_label(0), base.period_label(base.periods() - 1), period));
  }
  if (!args.out.empty() && args.format == "table") {
    problems.emplace_back("--out: expected --format csv or json with it, found table");
  }
  if (const auto found = args.out.empty() ? std::nullopt : foreign_file(args.out, is_comparison)) {
    problems.push_back(fmt::format(
        "--out {}: expected a new file or a comparison talentcast wrote (csv or json), found {}",
        args.out, *found));
  }
  if (const auto found =
          args.report.empty() ? std::nullopt : foreign_file(args.report, is_talentcast_page)) {
    problems.push_back(
        fmt::format("--report {}: expected a new file or a report talentcast wrote, found {}",
                    args.report, *found));
  }
  if (!problems.empty()) throw io::UserError(std::move(problems));
  return period;
}

// What was written: after the table on standard output, or on standard error when standard
// output carries the csv or json.
void tell_written(const CompareArgs& args, const OutputFiles& files) {
  std::vector<std::string> names;
  std::size_t charts = 0;
  for (const auto& [path, contents] : files) {
    if (path.parent_path().filename() == "charts") {
      charts += path.extension() == ".png" ? 1 : 0;  // each chart is an SVG and a PNG
    } else {
      names.push_back(path.string());
    }
  }
  if (charts > 0) {
    names.push_back(
        fmt::format("{} charts (SVG and PNG) in {}", charts,
                    (std::filesystem::path(args.report).parent_path() / "charts").string()));
  }
  fmt::print(args.format == "table" ? stdout : stderr, "{}wrote {}\n",
             args.format == "table" ? "\n" : "", fmt::join(names, ", "));
}

}  // namespace

int compare_command(const CompareArgs& args) {
  const auto [base, whatif] = load_both(args);
  const std::string period = checked_period(args, base, whatif);

  studies::ForecastSettings settings = studies::default_settings(base);
  if (args.paths) settings.paths = *args.paths;
  if (args.seed) settings.seed = *args.seed;
  settings.threads = args.threads;
  InterruptGuard guard;
  settings.stop = &guard.flag();
  core::ProgressBar progress(settings.paths, "paths", !args.quiet);
  settings.on_progress = [&](std::uint64_t done) { progress.update(done); };
  studies::Comparison comparison;
  simulate(progress, [&] { comparison = studies::run_comparison(base, whatif, settings); });
  if (comparison.interrupted) {
    throw Interrupted(fmt::format("interrupted after {} of {} paths; nothing was written",
                                  comparison.paths_done, settings.paths));
  }
  // The report and --out are written together, atomically: both or neither.
  OutputFiles files;
  const std::string text = args.format == "csv"    ? formats::comparison_csv(comparison.rows)
                           : args.format == "json" ? formats::comparison_json(comparison.rows)
                                                   : std::string();
  if (!args.report.empty()) {
    files = ComparisonPage(args, base, whatif, comparison, settings.seed, period).files();
    refuse_report_conflicts(files, args.report, "--report " + args.report);
  }
  if (!args.out.empty()) files.emplace_back(args.out, text);
  if (!files.empty()) write_outputs(files, guard.flag());
  if (args.format == "table") {
    fmt::print("{}", comparison_table(base, whatif, comparison, period, settings.seed));
  } else if (args.out.empty()) {
    fmt::print("{}", text);
  }
  if (!files.empty()) tell_written(args, files);
  return kExitOk;
}

}  // namespace talentcast::cli
