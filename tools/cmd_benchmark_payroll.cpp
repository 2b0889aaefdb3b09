// `talentcast benchmark --payroll`: a payroll against the market bands of a run, its outputs
// and its summary (docs/benchmarking.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "benchmark_parts.hpp"
#include "cli.hpp"
#include "interrupt.hpp"
#include "number_text.hpp"
#include "outputs.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/studies/benchmark.hpp"

namespace talentcast::cli::benchmark {

namespace {

// What a payroll benchmark writes into its directory (docs/output-formats.md).
const std::vector<std::string> kPayrollOutputs{"employees.csv", "summary.csv", "manifest.json"};

// The summary as JSON (--format json).
void print_json(const formats::BandStore& store, const formats::PayrollResult& result,
                std::size_t now, std::size_t horizon) {
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
}

// The summary as a table, with what its numbers are and which bands are synthetic.
void print_table(const formats::BandStore& store, const formats::Payroll& payroll,
                 const formats::PayrollResult& result, std::size_t now, std::size_t horizon) {
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
  record.employees_csv_sha256 = io::sha256_hex(employees);
  record.summary_csv_sha256 = io::sha256_hex(summary);
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
    print_json(store, result, now, horizon);
    return kExitOk;
  }
  print_table(store, payroll, result, now, horizon);
  fmt::print("\n{} employees in {:.2f} s; wrote {}/employees.csv, summary.csv, manifest.json\n",
             payroll.employees.size(), seconds, out.string());
  return kExitOk;
}

}  // namespace

int payroll_mode(const BenchmarkArgs& args, const formats::BandStore& store, Problems& problems,
                 std::chrono::steady_clock::time_point started) {
  for (const auto& [flag, value] :
       {std::pair<const char*, std::string>{"--role", args.role},
        {"--level", args.level},
        {"--period", fmt::format("{}", fmt::join(args.periods, " "))}}) {
    if (!value.empty()) {
      problems.add(
          flag,
          "nothing with --payroll (each row names its role and level; --now and --horizon its "
          "periods)",
          fmt::format("'{}'", value));
    }
  }
  const auto now = args.now.empty() ? std::optional<std::size_t>(0)
                                    : period_of(store, problems, "--now", args.now);
  std::optional<std::size_t> horizon;
  if (!args.horizon.empty()) {
    horizon = period_of(store, problems, "--horizon", args.horizon);
    if (now && horizon && *horizon < *now) {
      problems.add("--horizon", fmt::format("a period at or after --now ({})", store.periods[*now]),
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
      problems.add("--out", "a directory whose outputs would not replace the payroll file",
                   fmt::format("'{}', which holds it", out.string()));
    }
  }
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_directory(out, ec)) {
    problems.add("--out", "a directory", fmt::format("the file '{}'", out.string()));
  } else if (const auto found = foreign_directory(out, "talentcast-payroll-benchmark-1",
                                                  "a payroll benchmark's", kPayrollOutputs)) {
    problems.add("--out", "a new or empty directory, or an earlier payroll benchmark's",
                 fmt::format("'{}', a directory {}", out.string(), *found));
  }
  std::optional<formats::Payroll> payroll;
  std::vector<io::Diagnostic> diagnostics;
  try {
    payroll = studies::read_payroll(args.payroll, store);
  } catch (const io::UserError& e) {
    diagnostics = e.diagnostics();
  }
  if (!problems.errors.empty() || !diagnostics.empty()) {
    const std::size_t n = problems.errors.size() + diagnostics.size();
    io::UserError refusal(std::move(problems.errors));
    refusal.add(std::move(diagnostics));
    refusal.summarize(
        fmt::format("talentcast: {} error{}; nothing was written", n, n == 1 ? "" : "s"));
    throw refusal;
  }
  return run_payroll(args, store, *payroll, *now, *horizon, out, started);
}

}  // namespace talentcast::cli::benchmark
