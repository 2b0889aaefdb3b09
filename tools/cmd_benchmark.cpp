// `talentcast benchmark`: a salary or a payroll against the market bands of a run
// (docs/benchmarking.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "benchmark_parts.hpp"
#include "cli.hpp"
#include "interrupt.hpp"
#include "number_text.hpp"
#include "outputs.hpp"
#include "talentcast/config/data_file.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/studies/benchmark.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli::benchmark {

namespace {

// A salary as given: thousands grouped, cents kept when it has them (0.01 is not "0").
std::string grouped_salary(double salary) {
  const double cents = std::round(salary * 100.0);
  return grouped(salary, std::fmod(cents, 100.0) == 0.0 ? 0 : 2);
}

std::string names(const std::vector<std::string>& list) {
  return fmt::format("{}", fmt::join(list, ", "));
}

// The role and level names of a store, for messages.
std::vector<std::string> role_names(const formats::BandStore& store) {
  std::vector<std::string> roles;
  for (const auto& s : store.series) {
    if (s.level.empty()) roles.push_back(s.role);
  }
  return roles;
}

std::vector<std::string> level_names(const formats::BandStore& store, const std::string& role) {
  std::vector<std::string> levels;
  for (const auto& s : store.series) {
    if (s.role == role && !s.level.empty()) levels.push_back(s.level);
  }
  return levels;
}

std::string run_range(const formats::BandStore& store) {
  return fmt::format("a period of the run, {} to {}", store.periods.front(), store.periods.back());
}

}  // namespace

void print_columns(const std::vector<std::vector<std::string>>& table) {
  std::vector<std::size_t> widths(table.front().size(), 0);
  for (const auto& row : table) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : table) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += c + 1 < row.size() ? fmt::format("{:<{}}  ", row[c], widths[c]) : row[c];
    }
    fmt::print("{}\n", line);
  }
}

std::optional<std::size_t> period_of(const formats::BandStore& store, Problems& problems,
                                     const std::string& flag, const std::string& text) {
  auto t = studies::find_period(store, text);
  if (!t) problems.add(flag, run_range(store), fmt::format("'{}'", text));
  return t;
}

namespace {

// What the numbers of a table are, across how many paths.
std::string about_intervals(const formats::BandStore& store) {
  if (store.central) {
    return "the central projection (one path, every distribution at its median): no intervals";
  }
  return fmt::format(
      "percentile: the mean over {} sampled paths [80% interval across them]; market "
      "salaries: the market's percentile, paths pooled [80% interval across paths]",
      store.samples);
}

struct SalaryReport {
  std::size_t period;
  formats::Standing standing;
  std::vector<studies::MarketSalary> market;
};

int print_salary(const BenchmarkArgs& args, double salary, const formats::BandStore& store,
                 std::size_t series, const std::vector<std::size_t>& periods) {
  std::vector<SalaryReport> reports;
  for (std::size_t t : periods) {
    SalaryReport r{t, studies::standing(store, series, t, salary), {}};
    for (double q : studies::kMarketPercentiles) {
      r.market.push_back(studies::market_salary(store, series, t, q));
    }
    reports.push_back(std::move(r));
  }
  const auto& s = store.series[series];
  if (args.format == "csv") {
    fmt::print(
        "role,level,period,salary,percentile,percentile_p10,percentile_p90,percentile_mcse,"
        "market_p25,market_p25_p10,market_p25_p90,market_p50,market_p50_p10,market_p50_p90,"
        "market_p75,market_p75_p10,market_p75_p90,market_p90,market_p90_p10,market_p90_p90\n");
    for (const auto& r : reports) {
      fmt::print("{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f}", io::csv_field(s.role),
                 io::csv_field(s.level), store.periods[r.period], salary, r.standing.percentile,
                 r.standing.p10, r.standing.p90, r.standing.mcse);
      for (const auto& m : r.market) fmt::print(",{:.2f},{:.2f},{:.2f}", m.salary, m.p10, m.p90);
      fmt::print("\n");
    }
    return kExitOk;
  }
  if (args.format == "json") {
    nlohmann::ordered_json j;
    j["role"] = s.role;
    j["level"] = s.level.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.level);
    j["salary"] = salary;
    j["currency"] = store.currency;
    j["salary_unit"] = store.salary_unit;
    j["sampled_paths"] = store.samples;
    j["central"] = store.central;
    auto& list = j["periods"] = nlohmann::ordered_json::array();
    for (const auto& r : reports) {
      nlohmann::ordered_json p;
      p["period"] = store.periods[r.period];
      p["percentile"] = {{"mean", r.standing.percentile},
                         {"p10", r.standing.p10},
                         {"p90", r.standing.p90},
                         {"mcse", r.standing.mcse}};
      for (const auto& m : r.market) {
        p["market"][fmt::format("p{:.0f}", 100 * m.q)] = {
            {"salary", m.salary}, {"p10", m.p10}, {"p90", m.p90}};
      }
      list.push_back(std::move(p));
    }
    fmt::print("{}\n", j.dump(1));
    return kExitOk;
  }
  fmt::print("{} {} per {}: {}{}\n", grouped_salary(salary), store.currency, store.salary_unit,
             s.title == s.role ? s.role : fmt::format("{} ({})", s.title, s.role),
             s.level.empty() ? "" : fmt::format(", level {}", s.level));
  fmt::print("{}\n", about_intervals(store));
  if (const std::string why = store.synthetic_reason(series); !why.empty()) {
    fmt::print("SYNTHETIC: this market band comes from data marked synthetic ({})\n", why);
  }
  fmt::print("\n");
  // Cells first, then columns as wide as their widest cell.
  std::vector<std::vector<std::string>> table{
      {"period", "percentile", "market p25", "market p50", "market p75", "market p90"}};
  for (const auto& r : reports) {
    table.push_back(
        {store.periods[r.period], fmt::format("{:.1f} [{:.1f}, {:.1f}]", r.standing.percentile,
                                              r.standing.p10, r.standing.p90)});
    for (const auto& m : r.market) {
      table.back().push_back(
          fmt::format("{} [{}, {}]", grouped(m.salary), grouped(m.p10), grouped(m.p90)));
    }
  }
  print_columns(table);
  return kExitOk;
}

// A salary against a role's (or level's) market band in some periods.
int salary_mode(const BenchmarkArgs& args, const formats::BandStore& store, Problems& problems) {
  std::optional<std::size_t> series;
  const auto roles = role_names(store);
  if (args.role.empty()) {
    problems.add("--role", fmt::format("a role of the run ({})", names(roles)), "nothing");
  } else if (store.find(args.role, "") < 0) {
    problems.add("--role", fmt::format("a role of the run ({})", names(roles)),
                 fmt::format("'{}'", args.role));
  } else if (const int g = store.find(args.role, args.level); g < 0) {
    const auto levels = level_names(store, args.role);
    problems.add("--level",
                 levels.empty()
                     ? fmt::format("no --level (role '{}' has no levels)", args.role)
                     : fmt::format("a level of role '{}' ({})", args.role, names(levels)),
                 fmt::format("'{}'", args.level));
  } else {
    series = static_cast<std::size_t>(g);
  }
  const std::optional<double> salary =
      args.salary ? config::parse_salary(*args.salary) : std::nullopt;
  if (args.salary && !salary) {
    problems.add("--salary", config::kSalaryRule, fmt::format("'{}'", *args.salary));
  }
  std::vector<std::size_t> periods;
  for (const auto& text : args.periods) {
    if (text == "all") {
      for (std::size_t t = 0; t < store.periods.size(); ++t) periods.push_back(t);
    } else if (auto t = period_of(store, problems, "--period", text)) {
      periods.push_back(*t);
    }
  }
  if (args.periods.empty()) periods.push_back(0);
  for (const char* flag : {"--now", "--horizon", "--out"}) {
    const std::string& value = std::string(flag) == "--now"       ? args.now
                               : std::string(flag) == "--horizon" ? args.horizon
                                                                  : args.out;
    if (!value.empty()) problems.add(flag, "it only with --payroll", fmt::format("'{}'", value));
  }
  if (!problems.errors.empty() || !series) throw io::UserError(std::move(problems.errors));
  return print_salary(args, *salary, store, *series, periods);
}

}  // namespace

}  // namespace talentcast::cli::benchmark

namespace talentcast::cli {

int benchmark_command(const BenchmarkArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  benchmark::Problems problems;
  const bool payroll_mode = !args.payroll.empty();
  if (payroll_mode && args.salary) {
    problems.add("--salary", "either --salary or --payroll", "both");
  } else if (!payroll_mode && !args.salary) {
    problems.add("--salary", "a salary to benchmark (with --role), or --payroll FILE", "neither");
  }
  formats::BandStore store;
  try {
    store = formats::BandStore::read(args.run_dir);
  } catch (const formats::BandStoreError& e) {
    problems.errors.insert(problems.errors.begin(), e.what());
    throw io::UserError(std::move(problems.errors));
  }
  if (!store.manifest_sealed) {
    const auto manifest = std::filesystem::path(args.run_dir) / "manifest.json";
    fmt::print(stderr, "talentcast: warning: {}\n",
               formats::missing_seal_message(manifest.string()));
  }
  return payroll_mode ? benchmark::payroll_mode(args, store, problems, started)
                      : benchmark::salary_mode(args, store, problems);
}

}  // namespace talentcast::cli
