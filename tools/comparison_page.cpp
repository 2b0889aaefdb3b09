// The comparison's HTML report (`compare --report`, docs/compare.md).

#include "comparison_page.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <tuple>

#include "chart.hpp"
#include "html.hpp"
#include "number_text.hpp"
#include "talentcast/formats/comparison.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

namespace {

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

}  // namespace

OutputFiles comparison_page(const CompareArgs& args, const models::Scenario& base,
                            const models::Scenario& whatif, const studies::Comparison& comparison,
                            std::uint64_t seed, const std::string& period) {
  return ComparisonPage(args, base, whatif, comparison, seed, period).files();
}

}  // namespace talentcast::cli
