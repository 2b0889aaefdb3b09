#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "cli.hpp"

namespace talentcast::cli {

namespace {
const core::Summary* find(const std::vector<formats::ForecastRow>& rows, const std::string& role,
                          const std::string& period, std::string_view metric) {
  for (const auto& row : rows) {
    if (row.role == role && row.period == period && row.metric == metric) return &row.summary;
  }
  return nullptr;
}

// "0.27 [0.21, 0.34]": the median and the 80% interval (p10 to p90).
std::string band(const core::Summary* s, bool salary) {
  if (s == nullptr) return "-";
  const auto p = [&](std::size_t i) {
    return salary ? fmt::format("{:.0f}", s->percentiles[i])
                  : fmt::format("{:.2f}", s->percentiles[i]);
  };
  return fmt::format("{} [{}, {}]", p(3), p(1), p(5));
}
}  // namespace

std::string summary_table(const models::Scenario& scenario,
                          const std::vector<formats::ForecastRow>& rows) {
  const std::string first = scenario.period_label(0);
  const std::string last = scenario.period_label(scenario.periods() - 1);
  std::vector<std::string> roles;
  for (const auto& role : scenario.roles) roles.push_back(role.name);
  roles.push_back("total");
  std::size_t width = 4;
  for (const auto& r : roles) width = std::max(width, r.size());

  fmt::memory_buffer out;
  const auto line = [&](auto&&... parts) {
    fmt::format_to(std::back_inserter(out), "{:<{}}  {:<22}  {:<22}  {:<26}  {:<26}\n", parts...);
  };
  fmt::format_to(std::back_inserter(out),
                 "{}\nmedian [80% interval] over paths; ratio = candidates per opening; salary in "
                 "{} per {}\n\n",
                 scenario.title.empty() ? scenario.path.string() : scenario.title,
                 scenario.currency,
                 scenario.salary_unit == models::SalaryUnit::month ? "month" : "year");
  line("role", width, "ratio " + first, "ratio " + last, "salary " + first, "salary " + last);
  for (const auto& role : roles) {
    line(role, width, band(find(rows, role, first, "ratio"), false),
         band(find(rows, role, last, "ratio"), false),
         band(find(rows, role, first, "salary_median"), true),
         band(find(rows, role, last, "salary_median"), true));
  }
  // What is synthetic, as the report says it (docs/report.md): a number from made-up data is
  // never printed without saying so.
  if (!scenario.synthetic.empty()) {
    fmt::format_to(std::back_inserter(out), "\nSYNTHETIC: the scenario is marked synthetic ({})\n",
                   scenario.synthetic);
  } else {
    std::map<std::filesystem::path, std::vector<std::string>> by_file;
    for (const auto& role : scenario.roles) {
      if (!role.salary_data_synthetic.empty()) by_file[role.salary_data].push_back(role.name);
    }
    for (const auto& [file, names] : by_file) {
      const auto& role = scenario.roles[*scenario.role_index(names.front())];
      fmt::format_to(std::back_inserter(out),
                     "\nSYNTHETIC salaries: {} fitted to {}, marked synthetic ({})\n",
                     names.size() == scenario.roles.size()
                         ? std::string("every role's band is")
                         : fmt::format("the bands of {} are", fmt::join(names, ", ")),
                     file.string(), role.salary_data_synthetic);
    }
  }
  return fmt::to_string(out);
}

}  // namespace talentcast::cli
