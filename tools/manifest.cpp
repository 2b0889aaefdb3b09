#include <fmt/chrono.h>
#include <toml++/toml.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/io/sha256.hpp"
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
  // When it ran, for a reader citing it; not part of what a reproduction must match.
  manifest["created_utc"] = fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::time_point_cast<std::chrono::seconds>(info.created));
  manifest["scenario_path"] = scenario.path.string();
  manifest["scenario_sha256"] = io::sha256_hex(scenario.resolved_toml);
  const auto reason = [](const std::string& why) {
    return why.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(why);
  };
  manifest["synthetic"] = reason(scenario.synthetic);
  manifest["seed"] = info.seed;
  manifest["paths"] = info.paths;
  manifest["central"] = info.central;
  manifest["start"] = scenario.period_label(0);
  manifest["step"] = std::string(models::step_name(scenario.step));
  manifest["steps"] = scenario.periods();
  manifest["months"] = scenario.months();
  manifest["block_paths"] = core::kBlockPaths;
  manifest["chunk_blocks"] = core::kChunkBlocks;
  manifest["forecast_csv_sha256"] = info.forecast_csv_sha256;
  if (!info.bands_bin_sha256.empty()) {
    manifest["band_store"] = {{"samples", info.band_samples},
                              {"bands_bin_sha256", info.bands_bin_sha256},
                              {"bands_json_sha256", info.bands_json_sha256}};
  }
  // The data the scenario read, and the bands fitted to it.
  auto& files = manifest["data_files"] = nlohmann::ordered_json::array();
  for (const auto& [path, sha256] : scenario.data_files) {
    const auto marked = scenario.synthetic_data_files.find(path);
    files.push_back(
        {{"path", path.string()},
         {"sha256", sha256},
         {"synthetic",
          reason(marked == scenario.synthetic_data_files.end() ? std::string() : marked->second)}});
  }
  auto& fits = manifest["band_fits"] = nlohmann::ordered_json::array();
  const auto fit_json = [&](const std::string& name, const models::BandFit& fit,
                            const models::RoleSpec& role) {
    nlohmann::ordered_json f;
    f["series"] = name;
    f["data_file"] = role.salary_data.string();
    f["synthetic"] = reason(role.salary_data_synthetic);
    f["rows"] = fit.rows;
    f["effective_n"] = fit.effective_n;
    f["median"] = fit.median();
    f["log_median"] = fit.log_mean;
    f["log_median_se"] = fit.log_mean_se();
    f["log_sd"] = fit.log_sd;
    f["log_sd_degrees_of_freedom"] = fit.effective_n - 1.0;
    f["ks_statistic"] = fit.ks_statistic;
    f["ks_p_value"] = fit.ks_p_value;
    f["poor_fit"] = fit.poor();
    fits.push_back(std::move(f));
  };
  for (const auto& role : scenario.roles) {
    if (role.band) fit_json(role.name, role.band->fit, role);
    for (const auto& level : role.levels) {
      if (level.fitted) fit_json(role.name + "/" + level.name, level.fitted->fit, role);
    }
  }
  manifest["warnings"] = scenario.warnings;
  manifest["wall_time_seconds"] = info.wall_seconds;
  manifest["threads"] =
      info.threads > 0 ? info.threads : static_cast<int>(std::thread::hardware_concurrency());
  manifest["mpi_ranks"] = info.mpi_ranks;
  // Which instruction set's loops ran the vector maths: informational, as no bit depends on it.
  manifest["vector_kernel"] = core::vmath::kernel_name(core::vmath::active_kernel());
  // Which of glibc's maths variants ran the parameter draws: they may differ in last bits
  // (core/libm.hpp); --portable-math runs the baseline ones on every x86-64 machine.
  manifest["libm"] = core::libm_variant();
  if (info.precision != nullptr) {
    manifest["target_mcse"] = {{"target", info.precision->target},
                               {"reached", info.precision->reached},
                               {"worst", info.precision->worst},
                               {"met", info.precision->met},
                               {"max_paths", info.max_paths}};
  }
  manifest["scenario"] = nlohmann::ordered_json::parse(resolved_json.str());
  manifest["scenario_toml"] = scenario.resolved_toml;
  // The files as they were read (the file run first, then the files it extends): what
  // `talentcast reproduce` lays out again. scenario_toml is their merged result, whose order of
  // keys is not theirs (roles are ordered by name), so it cannot stand in for them.
  nlohmann::ordered_json scenario_files = nlohmann::ordered_json::array();
  for (const auto& file : scenario.source_files) {
    scenario_files.push_back(
        {{"path", file.path.string()}, {"sha256", io::sha256_hex(file.text)}, {"text", file.text}});
  }
  manifest["scenario_files"] = std::move(scenario_files);
  if (const auto& r = info.reproduces) {
    manifest["reproduces"] = {{"manifest", r->manifest},
                              {"reproducible_sha256", r->reproducible_sha256},
                              {"forecast_csv_sha256", r->forecast_csv_sha256},
                              {"matches", r->matches}};
  }
  formats::seal(manifest);
  return manifest.dump(1) + "\n";
}

}  // namespace talentcast::cli
