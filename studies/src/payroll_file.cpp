// Reading a payroll file for benchmarking (benchmark.hpp, read_payroll; docs/benchmarking.md).
#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "talentcast/config/data_file.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/benchmark.hpp"

namespace talentcast::studies {

using formats::BandStore;
using formats::Employee;
using formats::Payroll;

Payroll read_payroll(const std::filesystem::path& file, const BandStore& store) {
  std::vector<io::Diagnostic> diagnostics;
  Payroll payroll;
  payroll.file = file;
  {
    config::DataFile data(file, {"employee_id", "role", "salary"}, {"level"}, diagnostics);
    payroll.sha256 = data.sha256();
    const int id_column = data.column("employee_id"), role_column = data.column("role");
    const int salary_column = data.column("salary"), level_column = data.column("level");
    std::vector<std::string> roles;
    for (const auto& s : store.series) {
      if (s.level.empty()) roles.push_back(s.role);
    }
    // Bands by "role<US>level"; ids point into payroll.ids, which never reallocates.
    std::unordered_map<std::string, std::size_t> bands;
    for (std::size_t g = 0; g < store.series.size(); ++g) {
      bands.emplace(store.series[g].role + '\x1f' + store.series[g].level, g);
    }
    payroll.ids.reserve(data.size());
    std::unordered_set<std::string_view> ids;
    std::string key;
    bool any = false;
    while (data.next()) {
      any = true;
      const std::string_view id = data.field(id_column);
      const std::string_view role = data.field(role_column), level = data.field(level_column);
      const std::size_t id_offset = payroll.ids.size();
      payroll.ids += id;
      if (id.empty()) {
        data.error(id_column, "an employee id", "an empty field");
      } else if (!ids.insert(std::string_view(payroll.ids).substr(id_offset, id.size())).second) {
        data.error(id_column, "each employee id once", config::shown(id) + " again");
      }
      const auto salary = data.salary(salary_column);
      key.assign(role);
      key += '\x1f';
      key += level;
      const auto band = bands.find(key);
      if (band == bands.end()) {
        if (store.find(role, "") < 0) {
          data.error(role_column, fmt::format("a role of the run{}", io::did_you_mean(role, roles)),
                     config::shown(role));
        } else {
          std::vector<std::string> levels;
          for (const auto& s : store.series) {
            if (s.role == role && !s.level.empty()) levels.push_back(s.level);
          }
          data.error(level_column,
                     levels.empty()
                         ? fmt::format("an empty level (role '{}' has no levels in this run)", role)
                         : fmt::format("a level of role '{}' ({}) or none{}", role,
                                       fmt::join(levels, ", "), io::did_you_mean(level, levels)),
                     config::shown(level));
        }
      }
      if (!salary || band == bands.end()) continue;
      payroll.employees.push_back({id_offset, id.size(), band->second, *salary});
    }
    if (data.ok() && !any && diagnostics.empty()) data.no_rows("at least one employee", "none");
  }
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  return payroll;
}

}  // namespace talentcast::studies
