// Salary benchmarks against a run's band store: an offer (a salary of a role or level in some
// periods) and a payroll, as `talentcast benchmark` computes them (docs/benchmarking.md).
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>

#include "bindings.hpp"
#include "talentcast/config/data_file.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/studies/benchmark.hpp"

namespace talentcast::python {

namespace {

// The columns of an offer's row, after its period: the CLI's csv columns.
constexpr std::size_t kOfferColumns = 4 + 3 * std::size(studies::kMarketPercentiles);

std::vector<std::string> roles_of(const formats::BandStore& store) {
  std::vector<std::string> roles;
  for (const auto& s : store.series) {
    if (s.level.empty()) roles.push_back(s.role);
  }
  return roles;
}

// The series of role and level, or a problem.
std::optional<std::size_t> series_of(const formats::BandStore& store, const std::string& role,
                                     const std::string& level, std::vector<std::string>& problems) {
  if (store.find(role, "") < 0) {
    problems.push_back(fmt::format("role: expected a role of the run ({}), found '{}'",
                                   fmt::join(roles_of(store), ", "), io::printable(role)));
    return std::nullopt;
  }
  const int g = store.find(role, level);
  if (g < 0) {
    std::vector<std::string> levels;
    for (const auto& s : store.series) {
      if (s.role == role && !s.level.empty()) levels.push_back(s.level);
    }
    problems.push_back(
        levels.empty() ? fmt::format("level: expected none (role '{}' has no levels), found '{}'",
                                     role, io::printable(level))
                       : fmt::format("level: expected a level of role '{}' ({}), found '{}'", role,
                                     fmt::join(levels, ", "), io::printable(level)));
    return std::nullopt;
  }
  return static_cast<std::size_t>(g);
}

std::optional<std::size_t> period_of(const formats::BandStore& store, const std::string& name,
                                     const std::string& text, std::vector<std::string>& problems) {
  if (auto t = studies::find_period(store, text)) return t;
  problems.push_back(fmt::format(
      "{}: expected a period of the run ({} to {}, or a year or month within it), found '{}'", name,
      store.periods.front(), store.periods.back(), io::printable(text)));
  return std::nullopt;
}

py::dict offer(const formats::BandStore& store, const std::string& role, const std::string& level,
               const std::string& salary_text, const std::vector<std::string>& period_texts) {
  std::vector<std::string> problems;
  const auto series = series_of(store, role, level, problems);
  const std::optional<double> salary = config::parse_salary(salary_text);
  if (!salary) {
    problems.push_back(fmt::format("salary: expected {}, found '{}'", config::kSalaryRule,
                                   io::printable(salary_text)));
  }
  std::vector<std::size_t> periods;
  for (const auto& text : period_texts) {
    if (text == "all") {
      for (std::size_t t = 0; t < store.periods.size(); ++t) periods.push_back(t);
    } else if (auto t = period_of(store, "periods", text, problems)) {
      periods.push_back(*t);
    }
  }
  if (period_texts.empty()) periods.push_back(0);
  if (!problems.empty()) throw io::UserError(std::move(problems));

  py::array_t<double> values(
      {static_cast<py::ssize_t>(periods.size()), static_cast<py::ssize_t>(kOfferColumns)});
  std::vector<std::string> labels;
  {
    py::gil_scoped_release release;
    double* out = values.mutable_data();
    for (const std::size_t t : periods) {
      labels.push_back(store.periods[t]);
      const formats::Standing s = studies::standing(store, *series, t, *salary);
      for (const double v : {s.percentile, s.p10, s.p90, s.mcse}) *out++ = v;
      for (const double q : studies::kMarketPercentiles) {
        const studies::MarketSalary m = studies::market_salary(store, *series, t, q);
        for (const double v : {m.salary, m.p10, m.p90}) *out++ = v;
      }
    }
  }
  py::dict result;
  result["salary"] = *salary;
  result["periods"] = labels;
  result["values"] = values;
  return result;
}

py::tuple payroll(const formats::BandStore& store, const std::filesystem::path& file,
                  const std::string& now_text, const std::string& horizon_text, int threads) {
  std::vector<std::string> problems;
  const auto now = now_text.empty() ? std::optional<std::size_t>(0)
                                    : period_of(store, "now", now_text, problems);
  std::optional<std::size_t> horizon;
  if (!horizon_text.empty()) {
    horizon = period_of(store, "horizon", horizon_text, problems);
    if (now && horizon && *horizon < *now) {
      problems.push_back(fmt::format("horizon: expected a period at or after now ({}), found '{}'",
                                     store.periods[*now], horizon_text));
    }
  } else if (now) {
    const std::size_t per_year = 12 / static_cast<std::size_t>(store.step);
    horizon = std::min(*now + per_year, store.periods.size() - 1);
  }
  std::optional<formats::Payroll> employees;
  std::vector<io::Diagnostic> diagnostics;
  try {
    employees = studies::read_payroll(file, store);
  } catch (const io::UserError& error) {
    diagnostics = error.diagnostics();
    problems.insert(problems.end(), error.problems().begin(), error.problems().end());
  }
  if (!problems.empty() || !diagnostics.empty()) {
    io::UserError error(std::move(problems));
    error.add(std::move(diagnostics));
    throw error;
  }
  std::string employees_csv, summary_csv;
  {
    py::gil_scoped_release release;
    const formats::PayrollResult result =
        studies::benchmark_payroll(store, *employees, *now, *horizon, threads);
    employees_csv = formats::employees_csv(store, *employees, result, threads);
    summary_csv = formats::summary_csv(result);
  }
  return py::make_tuple(store.periods[*now], store.periods[*horizon], employees_csv, summary_csv);
}

}  // namespace

void bind_benchmark(py::module_& m) {
  py::class_<Bands>(m, "Bands")
      .def_property_readonly("periods", [](const Bands& b) { return b.store->periods; })
      .def_property_readonly("samples", [](const Bands& b) { return b.store->samples; })
      .def_property_readonly("currency", [](const Bands& b) { return b.store->currency; })
      .def_property_readonly("salary_unit", [](const Bands& b) { return b.store->salary_unit; })
      .def("offer",
           [](const Bands& b, const std::string& role, const std::string& level,
              const std::string& salary, const std::vector<std::string>& periods) {
             return offer(*b.store, role, level, salary, periods);
           })
      .def("payroll", [](const Bands& b, const std::filesystem::path& file, const std::string& now,
                         const std::string& horizon,
                         int threads) { return payroll(*b.store, file, now, horizon, threads); });
  m.def("read_bands", [](const std::filesystem::path& run_dir) {
    py::gil_scoped_release release;
    return Bands{std::make_shared<const formats::BandStore>(formats::BandStore::read(run_dir))};
  });
}

}  // namespace talentcast::python
