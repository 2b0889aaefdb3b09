// `talentcast benchmark`: a salary or a payroll against the market bands of a run
// (docs/benchmarking.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

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

namespace talentcast::cli {

namespace {

// What a payroll benchmark writes into its directory (docs/output-formats.md).
const std::vector<std::string> kPayrollOutputs{"employees.csv", "summary.csv", "manifest.json"};

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

// Prints rows of cells in columns as wide as their widest cell, two spaces apart.
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

int run_payroll(const BenchmarkArgs& args, const formats::BandStore& store,
                const formats::Payroll& payroll, std::size_t now, std::size_t horizon,
                const std::filesystem::path& out, std::chrono::steady_clock::time_point started) {
  // Ctrl-C is looked at between the steps (each takes a fraction of a second for a payroll of a
  // million rows) and before the files are renamed into place.
  InterruptGuard guard;
  const auto stop_if_interrupted = [&] {
    if (guard.flag().load()) throw Interrupted("interrupted; nothing was written");
  };
  const formats::PayrollResult result =
      studies::benchmark_payroll(store, payroll, now, horizon, args.threads);
  stop_if_interrupted();
  const std::string employees = formats::employees_csv(store, payroll, result, args.threads);
  const std::string summary = formats::summary_csv(result);
  stop_if_interrupted();

  formats::PayrollRecord record;
  record.run_dir = args.run_dir;
  record.store = &store;
  record.payroll = &payroll;
  record.now = now;
  record.horizon = horizon;
  record.employees_csv = employees;
  record.summary_csv = summary;
  write_outputs(
      {{out / "employees.csv", employees},
       {out / "summary.csv", summary},
       {out / "manifest.json", formats::payroll_manifest(record, provenance(args.command_line))}},
      guard.flag());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (args.format == "csv") {
    fmt::print("{}", summary);
    return kExitOk;
  }
  if (args.format == "json") {
    nlohmann::ordered_json j;
    j["now"] = store.periods[now];
    j["horizon"] = store.periods[horizon];
    j["currency"] = store.currency;
    j["cost_unit"] = "per year";
    auto& rows = j["summary"] = nlohmann::ordered_json::array();
    for (const auto& s : result.summary) {
      nlohmann::ordered_json row;
      row["role"] = s.role;
      row["level"] = s.level.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.level);
      row["headcount"] = s.headcount;
      row["below_p25_now"] = s.below_p25_now;
      row["below_p25_horizon"] = s.below_p25_horizon;
      const auto cost = [](const formats::Cost& c) {
        return nlohmann::ordered_json{{"mean", c.mean}, {"p10", c.p10}, {"p90", c.p90}};
      };
      row["cost_to_p25_now"] = cost(s.to_p25_now);
      row["cost_to_p50_now"] = cost(s.to_p50_now);
      row["cost_to_p25_horizon"] = cost(s.to_p25_horizon);
      row["cost_to_p50_horizon"] = cost(s.to_p50_horizon);
      rows.push_back(std::move(row));
    }
    fmt::print("{}\n", j.dump(1));
    return kExitOk;
  }
  fmt::print(
      "Payroll {}: {} employees against the market bands of {} (now {}, horizon {}, pay as it "
      "is)\n<p25: employees below the market's 25th percentile; to p25, to p50: annual cost in {} "
      "of raising them to the 25th, 50th percentile, {}\n\n",
      payroll.file.string(), payroll.employees.size(), store.scenario, store.periods[now],
      store.periods[horizon], store.currency,
      store.central ? "on the central projection (no intervals)"
                    : fmt::format("mean [80% interval] across {} sampled paths", store.samples));
  {
    // Which of the bands the payroll meets come from data marked synthetic.
    std::map<std::string, std::vector<std::string>> synthetic;  // reason -> roles
    for (const auto& s : result.summary) {
      const int g = store.find(s.role, s.level);
      if (g < 0) continue;  // the `all` row
      const std::string why = store.synthetic_reason(static_cast<std::size_t>(g));
      auto& roles = synthetic[why];
      if (!why.empty() && std::find(roles.begin(), roles.end(), s.role) == roles.end()) {
        roles.push_back(s.role);
      }
    }
    synthetic.erase("");
    for (const auto& [why, roles] : synthetic) {
      fmt::print("SYNTHETIC: the market bands of {} come from data marked synthetic ({})\n",
                 fmt::join(roles, ", "), why);
    }
    if (!synthetic.empty()) fmt::print("\n");
  }
  std::vector<std::vector<std::string>> table{
      {"role/level", "headcount", "<p25 now", "<p25 " + store.periods[horizon],
       "to p25 " + store.periods[horizon], "to p50 " + store.periods[horizon]}};
  for (const auto& s : result.summary) {
    const auto cost = [](const formats::Cost& c) {
      return fmt::format("{} [{}, {}]", grouped(c.mean), grouped(c.p10), grouped(c.p90));
    };
    table.push_back({s.level.empty() ? s.role : s.role + "/" + s.level,
                     fmt::format("{}", s.headcount), fmt::format("{}", s.below_p25_now),
                     fmt::format("{}", s.below_p25_horizon), cost(s.to_p25_horizon),
                     cost(s.to_p50_horizon)});
  }
  print_columns(table);
  fmt::print("\n{} employees in {:.2f} s; wrote {}/employees.csv, summary.csv, manifest.json\n",
             payroll.employees.size(), seconds, out.string());
  return kExitOk;
}

}  // namespace

int benchmark_command(const BenchmarkArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  const auto error = [&](std::string flag, std::string expected, std::string found) {
    errors.push_back(fmt::format("{}: expected {}, found {}", flag, expected, found));
  };
  const bool payroll_mode = !args.payroll.empty();
  if (payroll_mode && args.salary) {
    error("--salary", "either --salary or --payroll", "both");
  } else if (!payroll_mode && !args.salary) {
    error("--salary", "a salary to benchmark (with --role), or --payroll FILE", "neither");
  }
  formats::BandStore store;
  try {
    store = formats::BandStore::read(args.run_dir);
  } catch (const formats::BandStoreError& e) {
    errors.insert(errors.begin(), e.what());
    throw io::UserError(std::move(errors));
  }
  if (!store.manifest_sealed) {
    const auto manifest = std::filesystem::path(args.run_dir) / "manifest.json";
    fmt::print(stderr, "talentcast: warning: {}\n",
               formats::missing_seal_message(manifest.string()));
  }
  const auto period = [&](const std::string& flag,
                          const std::string& text) -> std::optional<std::size_t> {
    auto t = studies::find_period(store, text);
    if (!t) error(flag, run_range(store), fmt::format("'{}'", text));
    return t;
  };

  if (!payroll_mode) {
    std::optional<std::size_t> series;
    const auto roles = role_names(store);
    if (args.role.empty()) {
      error("--role", fmt::format("a role of the run ({})", names(roles)), "nothing");
    } else if (store.find(args.role, "") < 0) {
      error("--role", fmt::format("a role of the run ({})", names(roles)),
            fmt::format("'{}'", args.role));
    } else if (const int g = store.find(args.role, args.level); g < 0) {
      const auto levels = level_names(store, args.role);
      error("--level",
            levels.empty() ? fmt::format("no --level (role '{}' has no levels)", args.role)
                           : fmt::format("a level of role '{}' ({})", args.role, names(levels)),
            fmt::format("'{}'", args.level));
    } else {
      series = static_cast<std::size_t>(g);
    }
    const std::optional<double> salary =
        args.salary ? config::parse_salary(*args.salary) : std::nullopt;
    if (args.salary && !salary) {
      error("--salary", config::kSalaryRule, fmt::format("'{}'", *args.salary));
    }
    std::vector<std::size_t> periods;
    for (const auto& text : args.periods) {
      if (text == "all") {
        for (std::size_t t = 0; t < store.periods.size(); ++t) periods.push_back(t);
      } else if (auto t = period("--period", text)) {
        periods.push_back(*t);
      }
    }
    if (args.periods.empty()) periods.push_back(0);
    for (const char* flag : {"--now", "--horizon", "--out"}) {
      const std::string& value = std::string(flag) == "--now"       ? args.now
                                 : std::string(flag) == "--horizon" ? args.horizon
                                                                    : args.out;
      if (!value.empty()) error(flag, "it only with --payroll", fmt::format("'{}'", value));
    }
    if (!errors.empty() || !series) throw io::UserError(std::move(errors));
    return print_salary(args, *salary, store, *series, periods);
  }

  // A payroll.
  for (const auto& [flag, value] :
       {std::pair<const char*, std::string>{"--role", args.role},
        {"--level", args.level},
        {"--period", fmt::format("{}", fmt::join(args.periods, " "))}}) {
    if (!value.empty()) {
      error(flag,
            "nothing with --payroll (each row names its role and level; --now and --horizon its "
            "periods)",
            fmt::format("'{}'", value));
    }
  }
  const auto now = args.now.empty() ? std::optional<std::size_t>(0) : period("--now", args.now);
  std::optional<std::size_t> horizon;
  if (!args.horizon.empty()) {
    horizon = period("--horizon", args.horizon);
    if (now && horizon && *horizon < *now) {
      error("--horizon", fmt::format("a period at or after --now ({})", store.periods[*now]),
            fmt::format("'{}' ({})", args.horizon, store.periods[*horizon]));
    }
  } else if (now) {
    const std::size_t per_year = 12 / static_cast<std::size_t>(store.step);
    horizon = std::min(*now + per_year, store.periods.size() - 1);
  }
  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path("out") /
                             ("benchmark-" + std::filesystem::path(args.payroll).stem().string())
                       : std::filesystem::path(args.out);
  std::error_code ec;
  for (const std::string& name : kPayrollOutputs) {
    if (std::filesystem::equivalent(out / name, args.payroll, ec)) {
      error("--out", "a directory whose outputs would not replace the payroll file",
            fmt::format("'{}', which holds it", out.string()));
    }
  }
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_directory(out, ec)) {
    error("--out", "a directory", fmt::format("the file '{}'", out.string()));
  } else if (const auto found = foreign_directory(out, "talentcast-payroll-benchmark-1",
                                                  "a payroll benchmark's", kPayrollOutputs)) {
    error("--out", "a new or empty directory, or an earlier payroll benchmark's",
          fmt::format("'{}', a directory {}", out.string(), *found));
  }
  std::optional<formats::Payroll> payroll;
  std::vector<io::Diagnostic> diagnostics;
  try {
    payroll = studies::read_payroll(args.payroll, store);
  } catch (const io::UserError& e) {
    diagnostics = e.diagnostics();
  }
  if (!errors.empty() || !diagnostics.empty()) {
    const std::size_t n = errors.size() + diagnostics.size();
    io::UserError refusal(std::move(errors));
    refusal.add(std::move(diagnostics));
    refusal.summarize(
        fmt::format("talentcast: {} error{}; nothing was written", n, n == 1 ? "" : "s"));
    throw refusal;
  }
  return run_payroll(args, store, *payroll, *now, *horizon, out, started);
}

}  // namespace talentcast::cli
