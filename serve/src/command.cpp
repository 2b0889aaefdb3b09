// `talentcast serve [SCENARIO...]`: the what-if page (docs/serve.md).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli_commands.hpp"
#include "interrupt.hpp"
#include "server.hpp"
#include "talentcast/serve/serve.hpp"
#include "whatif.hpp"

namespace talentcast::serve {

namespace {

struct ServeArgs {
  std::vector<std::string> scenarios;
  ServerSettings server;
  std::uint64_t paths = 5000;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  bool quiet = false;
};

// The scenarios served when none is given: the flagship and its variants, as installed with
// talentcast, or in the source tree it was built from.
constexpr const char* kDefaultScenarios[] = {"china-ai-2024.toml", "china-ai-grad-expansion.toml",
                                             "china-ai-hiring-freeze.toml",
                                             "china-ai-boom-bust.toml"};

std::vector<std::filesystem::path> default_scenarios() {
  for (const char* folder : {TALENTCAST_INSTALLED_SCENARIOS, TALENTCAST_SOURCE_SCENARIOS}) {
    if (!std::filesystem::exists(std::filesystem::path(folder) / kDefaultScenarios[0])) continue;
    std::vector<std::filesystem::path> paths;
    for (const char* name : kDefaultScenarios)
      paths.push_back(std::filesystem::path(folder) / name);
    return paths;
  }
  throw io::UserError(fmt::format(
      "serve: no SCENARIO given, and the flagship is not where talentcast installs it ({}); "
      "name the scenario files to serve",
      TALENTCAST_INSTALLED_SCENARIOS));
}

int serve_command(const ServeArgs& args) {
  std::vector<std::filesystem::path> paths(args.scenarios.begin(), args.scenarios.end());
  if (paths.empty()) paths = default_scenarios();
  cli::InterruptGuard guard;
  WhatIfService service(paths, {args.paths, args.seed, args.threads, &guard.flag()});
  const auto log = [&args](const std::string& line) {
    if (!args.quiet) fmt::print(stderr, "talentcast serve: {}\n", line);
  };
  serve_page(
      service, args.server, guard.flag(),
      [&](const std::string& url) {
        fmt::print(
            "talentcast serve: the what-if page is at {} ({} scenario{}, {} paths per "
            "what-if); Ctrl-C stops it\n",
            url, paths.size(), paths.size() == 1 ? "" : "s", args.paths);
        std::fflush(stdout);
      },
      log);
  fmt::print("talentcast serve: stopped\n");
  return cli::kExitOk;
}

}  // namespace

cli::Subcommand subcommand() {
  return {[](CLI::App& app) -> std::pair<CLI::App*, std::function<int()>> {
    auto args = std::make_shared<ServeArgs>();
    auto* cmd = app.add_subcommand(
        "serve",
        "Serve the what-if page: pick a base scenario, move levers (demand growth, graduates, "
        "inflows, wage response, hiring freezes, any key path) and see at once how each role's "
        "supply-demand ratio, salary and shortage risk move, as distributions on common random "
        "numbers; export the what-if as a scenario file and its report (docs/serve.md)");
    cmd->add_option("scenarios", args->scenarios,
                    "Base scenarios to offer (default: the flagship and its three variants, as "
                    "installed in " TALENTCAST_INSTALLED_SCENARIOS
                    ", or else this build's "
                    "source tree's)");
    cmd->add_option("--host", args->server.host,
                    "Address to listen on; the default serves this machine alone")
        ->default_val("127.0.0.1");
    cmd->add_option("--port,-p", args->server.port, "Port to listen on; 0 picks a free one")
        ->default_val(8080)
        ->check(cli::integer_in(0, 65535));
    cmd->add_option("--paths,-n", args->paths,
                    "Paths per what-if (the base's are kept in memory: about 32 MB per 5,000 "
                    "paths for the flagship)")
        ->default_val(5000)
        ->check(cli::integer_in(100, 200000));
    cmd->add_option("--seed,-s", args->seed, "Random seed (default: each scenario's `seed`)")
        ->check(cli::integer_in(0, std::numeric_limits<std::uint64_t>::max()));
    cmd->add_option("--threads,-j", args->threads, "Worker threads; 0 uses every core")
        ->default_val(0)
        ->check(cli::integer_in(0, 1024));
    cmd->add_flag("--quiet,-q", args->quiet, "Do not log each what-if on standard error");
    cmd->footer(cli::examples(
        {"talentcast serve", "talentcast serve --port 0 --paths 20000",
         "talentcast serve scenarios/china-ai-2024.toml my-variant.toml --port 9000"},
        "Open the printed address in a browser. The page works with no network: its assets are "
        "part of the talentcast binary."));
    return {cmd, [args] { return serve_command(*args); }};
  }};
}

}  // namespace talentcast::serve
