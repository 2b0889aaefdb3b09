#pragma once
// What `talentcast report` says about a run besides its numbers, read from its manifest: the
// roles' titles, the salary unit, what is synthetic and why, and the caption drawn into every
// chart (docs/report.md).

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace talentcast::cli {

class RunContext {
 public:
  explicit RunContext(const nlohmann::json& manifest);

  const nlohmann::json& scenario() const { return scenario_; }
  /// "CNY per month"
  const std::string& unit() const { return unit_; }
  /// A series' title: the role's `title`, else its name; "All roles (total)" for total.
  std::string title(const std::string& series) const;
  /// Why every number is synthetic (the scenario is marked), or "".
  const std::string& synthetic() const { return synthetic_; }
  /// Why a role's salary numbers are synthetic (the scenario's reason first), or "".
  std::string salary_synthetic(const std::string& role) const;
  /// The warning drawn into a chart of the role (a salary chart or not), or "".
  std::string notice(bool salary, const std::string& role) const;
  /// The caption drawn into every chart: scenario, paths and seed, version, commit and date.
  std::string caption() const;
  /// When the run was made, "2025-03-14 09:26 UTC".
  std::string run_date() const;
  /// The box at the top of the page that says what is synthetic and why, or "".
  std::string synthetic_banner() const;

 private:
  const nlohmann::json& manifest_;
  nlohmann::json scenario_;
  std::string unit_;
  std::string synthetic_;
  std::map<std::string, std::string> synthetic_salaries_;  // role -> why its band is synthetic
};

/// The report's assumptions: every parameter of the resolved scenario (its JSON, as a run's
/// manifest records it), a table a part, with its value or distribution and its source.
std::string assumptions_html(const nlohmann::json& scenario);

}  // namespace talentcast::cli
