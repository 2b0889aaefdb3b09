#include "report_context.hpp"

#include <fmt/core.h>

#include "html.hpp"
#include "number_text.hpp"

namespace talentcast::cli {

namespace {
// A manifest's reason for a marking: a string, or null when not marked.
std::string reason(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
}  // namespace

RunContext::RunContext(const nlohmann::json& manifest)
    : manifest_(manifest), scenario_(manifest.value("scenario", nlohmann::json::object())) {
  unit_ =
      fmt::format("{} per {}", scenario_.value("currency", ""), scenario_.value("salary_unit", ""));
  synthetic_ = reason(manifest, "synthetic");
  for (const auto& fit : manifest.value("band_fits", nlohmann::json::array())) {
    const std::string series = fit.value("series", "");
    // A role's levels are fitted to the role's file: the role's marking covers them.
    if (!reason(fit, "synthetic").empty() && series.find('/') == std::string::npos) {
      synthetic_salaries_[series] = reason(fit, "synthetic");
    }
  }
}

std::string RunContext::title(const std::string& series) const {
  if (series == "total") return "All roles (total)";
  const auto roles = scenario_.value("roles", nlohmann::json::object());
  if (roles.contains(series) && roles[series].contains("title")) {
    return roles[series]["title"].get<std::string>();
  }
  return series;
}

std::string RunContext::salary_synthetic(const std::string& role) const {
  if (!synthetic_.empty()) return synthetic_;
  const auto it = synthetic_salaries_.find(role);
  return it == synthetic_salaries_.end() ? std::string() : it->second;
}

std::string RunContext::notice(bool salary, const std::string& role) const {
  if (!synthetic_.empty()) return "SYNTHETIC SCENARIO: illustrative numbers, not a forecast";
  if (salary && synthetic_salaries_.count(role) != 0) {
    return "SYNTHETIC DATA: salaries fitted to a synthetic sample, not observed pay";
  }
  return "";
}

std::string RunContext::caption() const {
  const bool central = manifest_.value("central", false);
  return fmt::format("{} ({}). {}. talentcast {}, commit {}. Run {}.", scenario_.value("title", ""),
                     manifest_.value("scenario_path", ""),
                     central
                         ? "Central projection"
                         : fmt::format("{} paths, seed {}", grouped(manifest_.value("paths", 0.0)),
                                       manifest_.value("seed", std::uint64_t{0})),
                     manifest_.value("talentcast_version", ""),
                     html::short_commit(manifest_.value("git_commit", "")), run_date());
}

std::string RunContext::run_date() const {
  // 2025-03-14T09:26:53Z -> 2025-03-14 09:26 UTC
  const std::string utc = manifest_.value("created_utc", "");
  return utc.size() >= 16 ? fmt::format("{} {} UTC", utc.substr(0, 10), utc.substr(11, 5))
                          : "at a date not recorded";
}

std::string RunContext::synthetic_banner() const {
  if (!synthetic_.empty()) {
    return fmt::format(
        "<div class=\"banner\" id=\"synthetic\"><b>This scenario is marked synthetic:</b> {}. "
        "Every number and chart on this page is illustrative, and marked {}.</div>\n",
        html::escape(synthetic_), html::synthetic_mark(synthetic_));
  }
  if (synthetic_salaries_.empty()) return "";
  std::string files;
  for (const auto& file : manifest_.value("data_files", nlohmann::json::array())) {
    if (!reason(file, "synthetic").empty()) {
      files += fmt::format("<code>{}</code>: {}. ", html::escape(file.value("path", "")),
                           html::escape(reason(file, "synthetic")));
    }
  }
  return fmt::format(
      "<div class=\"banner\" id=\"synthetic\"><b>Salaries come from synthetic data, not observed "
      "pay.</b> The salary bands of {} of the scenario's {} roles are fitted to data marked "
      "synthetic: {}Every salary number and salary chart from them is marked {}. The "
      "supply-demand ratios and shortage probabilities do not depend on the salary level (the "
      "model uses salaries relative to their start).</div>\n",
      synthetic_salaries_.size(), scenario_.value("roles", nlohmann::json::object()).size(), files,
      html::synthetic_mark("fitted to synthetic data"));
}

namespace {

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

}  // namespace

// Assumptions: every parameter of the resolved scenario, a table a part.
std::string assumptions_html(const nlohmann::json& scenario) {
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
      // A long key path may break after its dots, on a narrow page.
      std::string key_path = html::escape(row.key);
      for (std::size_t at = key_path.find('.'); at != std::string::npos;
           at = key_path.find('.', at + 6)) {
        key_path.insert(at + 1, "<wbr>");
      }
      assumptions += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                                 key_path, html::escape(row.value), html::escape(row.source));
    }
    assumptions += "</table></details>\n";
  }
  return assumptions;
}

}  // namespace talentcast::cli
