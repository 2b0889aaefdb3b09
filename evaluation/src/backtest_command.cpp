// `talentcast backtest` (docs/backtest.md): rolling-origin hindcasts of a role against its
// history, scored beside naive baselines; forecasts.csv, scores.csv, backtest.html, manifest.json.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "backtest_page.hpp"
#include "cli_commands.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "outputs.hpp"
#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/evaluation/commands.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/studies/backtest.hpp"
#include "test_hooks.hpp"

namespace talentcast::evaluation {

namespace {

constexpr const char* kFormat = "talentcast-backtest-1";
const std::vector<std::string> kOutputs{"forecasts.csv", "scores.csv", "backtest.html",
                                        "manifest.json"};

struct BacktestArgs {
  std::string spec;
  std::string out;
  std::optional<std::uint64_t> paths;
  int threads = 0;
  bool quiet = false;
};

std::string command_of(const BacktestArgs& a, const std::filesystem::path& out) {
  std::string command = fmt::format("talentcast backtest {} --out {}", a.spec, out.string());
  if (a.paths) command += fmt::format(" --paths {}", *a.paths);
  return command;
}

std::string manifest(const config::BacktestSpec& spec, const studies::BacktestResult& r,
                     const std::string& command, const std::string& base_sha256,
                     const std::vector<std::pair<std::string, std::string>>& files) {
  formats::ManifestBuilder m(kFormat, cli::provenance(command));
  m["spec"] = {{"file", spec.file.string()}, {"sha256", io::sha256_hex(spec.text)}};
  m["history"] = {{"file", studies::spec_path(spec, spec.history).string()},
                  {"sha256", r.history_sha256}};
  m["base"] = {{"file", studies::spec_path(spec, spec.base).string()},
               {"resolved_sha256", base_sha256}};
  m["role"] = spec.role;
  m["origins"] = r.origins;
  m["origins_left_out"] = r.origins_left;
  m["horizon_years"] = spec.horizon;
  m["seed"] = spec.seed;
  m["paths"] = spec.paths;
  auto& outputs = m["outputs"];
  for (const auto& [name, text] : files) outputs[name] = {{"sha256", io::sha256_hex(text)}};
  return std::move(m).text();
}

void print_summary(const studies::BacktestResult& r, const std::filesystem::path& out) {
  fmt::print("{}: {} origins, {} forecasts scored\n", out.string(), r.origins.size(),
             r.forecasts.size());
  fmt::print("  {:<11} {:<12} {:>4} {:>6} {:>6} {:>6} {:>10} {:>7} {:>10}\n", "series", "method",
             "n", "50%", "80%", "90%", "CRPS(log)", "MdAPE", "direction");
  for (const auto& p : r.pooled) {
    if (p.horizon != 0 || p.origin != 0) continue;
    fmt::print("  {:<11} {:<12} {:>4} {:>5.0f}% {:>5.0f}% {:>5.0f}% {:>10.4f} {:>6.1f}% {:>10}\n",
               studies::series_name(p.series), studies::method_name(p.method), p.n,
               100 * p.coverage[0], 100 * p.coverage[1], 100 * p.coverage[2], p.crps, 100 * p.mdape,
               p.directions > 0 ? fmt::format("{:.0f}%", 100 * p.direction_right) : "-");
  }
  for (const auto& left : r.origins_left) fmt::print("  origin left out: {}\n", left);
}

int run(const BacktestArgs& a) {
  config::BacktestSpec spec;
  try {
    spec = config::load_backtest_spec(a.spec);
  } catch (io::UserError& error) {
    throw cli::count_errors(error, a.spec);
  }
  if (a.paths) spec.paths = *a.paths;
  const std::filesystem::path out =
      a.out.empty() ? std::filesystem::path("out") / std::filesystem::path(a.spec).stem()
                    : std::filesystem::path(a.out);
  if (const auto found = cli::foreign_directory(out, kFormat, "a backtest's", kOutputs)) {
    throw io::UserError(fmt::format(
        "--out {}: expected a new or empty directory, or an earlier backtest's, found a "
        "directory {}",
        out.string(), *found));
  }
  cli::InterruptGuard guard;
  studies::BacktestSettings settings;
  settings.threads = a.threads;
  settings.stop = &guard.flag();
  core::ProgressBar progress(static_cast<std::uint64_t>(spec.last_origin - spec.first_origin + 1),
                             "origins", !a.quiet);
  settings.on_progress = [&](std::size_t done, std::size_t) {
    progress.update(done);
    cli::test_event("backtest-origin");
  };
  studies::BacktestResult result;
  try {
    result = studies::run_backtest(spec, settings);
  } catch (io::UserError& error) {
    throw cli::count_errors(error, a.spec);
  }
  if (result.interrupted) {
    throw cli::Interrupted(fmt::format("interrupted after {} of {} origins; nothing was written",
                                       result.origins.size() + result.origins_left.size(),
                                       spec.last_origin - spec.first_origin + 1));
  }
  progress.finish();
  const std::string command = command_of(a, out);
  const std::string base_sha =
      io::sha256_hex(config::load_scenario(studies::spec_path(spec, spec.base)).resolved_toml);
  std::vector<std::pair<std::string, std::string>> files{
      {"forecasts.csv", studies::forecasts_csv(result)},
      {"scores.csv", studies::scores_csv(result)}};
  files.emplace_back("backtest.html", backtest_page(spec, result,
                                                    {command, io::sha256_hex(spec.text), base_sha,
                                                     io::sha256_hex(files[0].second)}));
  files.emplace_back("manifest.json", manifest(spec, result, command, base_sha, files));
  cli::OutputFiles outputs;
  for (auto& [name, text] : files) outputs.emplace_back(out / name, std::move(text));
  cli::write_outputs(outputs, guard.flag());
  if (!a.quiet) print_summary(result, out);
  return cli::kExitOk;
}

}  // namespace

cli::Subcommand backtest_subcommand() {
  return {[](CLI::App& app) -> std::pair<CLI::App*, std::function<int()>> {
    auto a = std::make_shared<BacktestArgs>();
    auto* cmd = app.add_subcommand(
        "backtest",
        "Rolling-origin hindcasts: for each origin year, calibrate a role on its history through "
        "it, forecast 1 to H years ahead, and score the forecasts against what happened "
        "(coverage of the 50/80/90% intervals, CRPS, MdAPE, direction of change) beside naive "
        "baselines; writes forecasts.csv, scores.csv, backtest.html and manifest.json "
        "(docs/backtest.md)");
    cmd->add_option("spec", a->spec, "Backtest spec (TOML; docs/backtest.md#the-spec)")->required();
    cmd->add_option("--out,-o", a->out,
                    "Output directory: new, empty, or an earlier backtest's (default: "
                    "out/<spec name>)");
    cmd->add_option("--paths,-n", a->paths, "Monte Carlo paths per origin (default: the spec's)")
        ->check(cli::integer_in(2, 1000000));
    cmd->add_option("--threads,-j", a->threads, "Worker threads; 0 uses every core")
        ->default_val(0)
        ->check(cli::integer_in(0, 1024));
    cmd->add_flag("--quiet,-q", a->quiet, "No progress bar and no summary");
    cmd->footer(cli::examples(
        {"talentcast backtest scenarios/backtest-us-15-0000.toml",
         "talentcast backtest scenarios/backtest-us-15-0000.toml --out out/bt --paths 4000"},
        "The same spec, seed and paths give byte-identical files for any thread count."));
    return {cmd, [a] { return run(*a); }};
  }};
}

}  // namespace talentcast::evaluation
