#include <toml++/toml.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/core/sha256.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

std::string manifest_json(const ManifestInfo& info) {
  const models::Scenario& scenario = *info.scenario;
  // The resolved scenario as JSON, through toml++'s own JSON formatter.
  std::ostringstream resolved_json;
  resolved_json << toml::json_formatter{toml::parse(scenario.resolved_toml)};

  nlohmann::ordered_json manifest;
  manifest["format"] = "talentcast-manifest-1";
  manifest["talentcast_version"] = kVersion;
  manifest["git_commit"] = kGitCommit;
  manifest["command"] = info.command_line;
  manifest["scenario_path"] = scenario.path.string();
  manifest["scenario_sha256"] = core::sha256_hex(scenario.resolved_toml);
  manifest["seed"] = info.seed;
  manifest["paths"] = info.paths;
  manifest["central"] = info.central;
  manifest["start"] = scenario.period_label(0);
  manifest["step"] = std::string(models::step_name(scenario.step));
  manifest["steps"] = scenario.periods();
  manifest["months"] = scenario.months();
  manifest["block_paths"] = core::kBlockPaths;
  manifest["forecast_csv_sha256"] = info.forecast_csv_sha256;
  manifest["wall_time_seconds"] = info.wall_seconds;
  manifest["threads"] =
      info.threads > 0 ? info.threads : static_cast<int>(std::thread::hardware_concurrency());
  manifest["scenario"] = nlohmann::ordered_json::parse(resolved_json.str());
  manifest["scenario_toml"] = scenario.resolved_toml;
  return manifest.dump(1) + "\n";
}

}  // namespace talentcast::cli
