#include "talentcast/formats/payroll.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>

#include "talentcast/io/csv.hpp"

namespace talentcast::formats {

namespace {
using io::append_csv_field;
using io::csv_field;

// Appends x >= 0 with `decimals` (2 or 4) decimals, rounded half away from zero: integer
// formatting, several times faster than a floating-point format for a million rows.
void append_fixed(std::string& out, double x, int decimals) {
  if (!(x >= 0.0 && x < 1e14)) {  // beyond what the integer path holds exactly
    out += fmt::format("{:.{}f}", x, decimals);
    return;
  }
  const std::uint64_t scale = decimals == 2 ? 100 : 10000;
  const auto n = static_cast<std::uint64_t>(std::llround(x * static_cast<double>(scale)));
  out += fmt::format_int(n / scale).str();
  out += '.';
  const std::string fraction = fmt::format_int(n % scale + scale).str();  // "1xx" or "1xxxx"
  out.append(fraction, 1, std::string::npos);
}
}  // namespace

std::string employees_csv(const BandStore& store, const Payroll& payroll,
                          const PayrollResult& result, int threads) {
  const std::size_t n = payroll.employees.size();
  constexpr std::size_t kChunk = 16384;
  std::vector<std::string> chunks((n + kChunk - 1) / kChunk);
  // Rows are formatted in parallel chunks and joined in order: the bytes do not depend on it.
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, chunks.size(), [&](std::size_t c) {
      std::string& out = chunks[c];
      out.reserve(kChunk * 120);
      for (std::size_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        const Employee& e = payroll.employees[i];
        const EmployeeResult& r = result.employees[i];
        const BandSeries& band = store.series[e.series];
        append_csv_field(out, payroll.id(i));
        out += ',';
        append_csv_field(out, band.role);
        out += ',';
        append_csv_field(out, band.level);
        out += ',';
        out += fmt::format("{}", e.salary);
        for (double p : {r.now.percentile, r.now.p10, r.now.p90, r.horizon.percentile,
                         r.horizon.p10, r.horizon.p90}) {
          out += ',';
          append_fixed(out, p, 2);
        }
        for (double ratio : {r.compa_ratio_now, r.compa_ratio_horizon}) {
          out += ',';
          append_fixed(out, ratio, 4);
        }
        out += r.now.percentile < 25.0 ? ",1" : ",0";
        out += r.horizon.percentile < 25.0 ? ",1\n" : ",0\n";
      }
    });
  });
  std::string csv =
      "employee_id,role,level,salary,percentile_now,percentile_now_p10,percentile_now_p90,"
      "percentile_horizon,percentile_horizon_p10,percentile_horizon_p90,compa_ratio_now,"
      "compa_ratio_horizon,below_p25_now,below_p25_horizon\n";
  std::size_t size = csv.size();
  for (const auto& c : chunks) size += c.size();
  csv.reserve(size);
  for (const auto& c : chunks) csv += c;
  return csv;
}

std::string summary_csv(const PayrollResult& result) {
  std::string csv =
      "role,level,headcount,below_p25_now,below_p25_horizon,"
      "cost_to_p25_now,cost_to_p25_now_p10,cost_to_p25_now_p90,"
      "cost_to_p50_now,cost_to_p50_now_p10,cost_to_p50_now_p90,"
      "cost_to_p25_horizon,cost_to_p25_horizon_p10,cost_to_p25_horizon_p90,"
      "cost_to_p50_horizon,cost_to_p50_horizon_p10,cost_to_p50_horizon_p90\n";
  for (const auto& s : result.summary) {
    csv += fmt::format("{},{},{},{},{}", csv_field(s.role), csv_field(s.level), s.headcount,
                       s.below_p25_now, s.below_p25_horizon);
    for (const Cost* c : {&s.to_p25_now, &s.to_p50_now, &s.to_p25_horizon, &s.to_p50_horizon}) {
      csv += fmt::format(",{:.0f},{:.0f},{:.0f}", c->mean, c->p10, c->p90);
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace talentcast::formats
