#include "talentcast/formats/manifest.hpp"

#include <fmt/chrono.h>

#include <thread>

#include "talentcast/core/engine.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/io/sha256.hpp"

namespace talentcast::formats {

namespace {

using Json = nlohmann::ordered_json;

// A reason, or null when there is none.
Json reason(const std::string& why) {
  return why.empty() ? Json() : Json(why);
}

// The fit of a series' salary band to its data (a scenario's `salary_data`).
Json band_fit(const std::string& series, const models::BandFit& fit, const models::RoleSpec& role) {
  Json f;
  f["series"] = series;
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
  return f;
}

// The data the scenario read, and the bands fitted to it.
void data_and_fits(const models::Scenario& scenario, ManifestBuilder& manifest) {
  Json& files = manifest["data_files"] = Json::array();
  for (const auto& [path, sha256] : scenario.data_files) {
    const auto marked = scenario.synthetic_data_files.find(path);
    files.push_back(
        {{"path", path.string()},
         {"sha256", sha256},
         {"synthetic",
          reason(marked == scenario.synthetic_data_files.end() ? std::string() : marked->second)}});
  }
  Json& fits = manifest["band_fits"] = Json::array();
  for (const auto& role : scenario.roles) {
    if (role.band) fits.push_back(band_fit(role.name, role.band->fit, role));
    for (const auto& level : role.levels) {
      if (level.fitted)
        fits.push_back(band_fit(role.name + "/" + level.name, level.fitted->fit, role));
    }
  }
}

// The files as they were read (the file run first, then the files it extends): what
// `talentcast reproduce` lays out again. scenario_toml is their merged result, whose order of
// keys is not theirs (roles are ordered by name), so it cannot stand in for them.
Json scenario_files(const models::Scenario& scenario) {
  Json files = Json::array();
  for (const auto& file : scenario.source_files) {
    files.push_back(
        {{"path", file.path.string()}, {"sha256", io::sha256_hex(file.text)}, {"text", file.text}});
  }
  return files;
}

}  // namespace

ManifestBuilder::ManifestBuilder(std::string_view format, const Provenance& by) {
  json_["format"] = format;
  json_["talentcast_version"] = by.version;
  json_["git_commit"] = by.git_commit;
  if (by.command) json_["command"] = *by.command;
}

std::string ManifestBuilder::text(Seal sealed) && {
  if (sealed == Seal::yes) seal(json_);
  return json_.dump(1) + "\n";
}

std::string run_manifest(const RunRecord& run, const Provenance& by) {
  const models::Scenario& scenario = *run.scenario;
  ManifestBuilder manifest(kRunManifestFormat, by);
  // When it ran, for a reader citing it; not part of what a reproduction must match.
  manifest["created_utc"] = fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::time_point_cast<std::chrono::seconds>(run.created));
  manifest["scenario_path"] = scenario.path.string();
  manifest["scenario_sha256"] = io::sha256_hex(scenario.resolved_toml);
  manifest["synthetic"] = reason(scenario.synthetic);
  manifest["seed"] = run.seed;
  manifest["paths"] = run.paths;
  manifest["central"] = run.central;
  manifest["start"] = scenario.period_label(0);
  manifest["step"] = std::string(models::step_name(scenario.step));
  manifest["steps"] = scenario.periods();
  manifest["months"] = scenario.months();
  manifest["block_paths"] = core::kBlockPaths;
  manifest["chunk_blocks"] = core::kChunkBlocks;
  manifest["forecast_csv_sha256"] = run.forecast_csv_sha256;
  if (!run.bands_bin_sha256.empty()) {
    manifest["band_store"] = {{"samples", run.band_samples},
                              {"bands_bin_sha256", run.bands_bin_sha256},
                              {"bands_json_sha256", run.bands_json_sha256}};
  }
  data_and_fits(scenario, manifest);
  manifest["warnings"] = scenario.warnings;
  manifest["wall_time_seconds"] = run.wall_seconds;
  manifest["threads"] =
      run.threads > 0 ? run.threads : static_cast<int>(std::thread::hardware_concurrency());
  manifest["mpi_ranks"] = run.mpi_ranks;
  // Which instruction set's loops ran the vector maths: informational, as no bit depends on it.
  manifest["vector_kernel"] = core::vmath::kernel_name(core::vmath::active_kernel());
  // Which of glibc's maths variants ran the parameter draws: they may differ in last bits
  // (core/libm.hpp); --portable-math runs the baseline ones on every x86-64 machine.
  manifest["libm"] = core::libm_variant();
  if (const auto& p = run.precision) {
    manifest["target_mcse"] = {{"target", p->target},
                               {"reached", p->reached},
                               {"worst", p->worst},
                               {"met", p->met},
                               {"max_paths", p->max_paths}};
  }
  manifest["scenario"] = Json::parse(run.scenario_json);
  manifest["scenario_toml"] = scenario.resolved_toml;
  manifest["scenario_files"] = scenario_files(scenario);
  if (!scenario.changes.empty()) {
    Json changes = Json::array();
    for (const auto& [key, value] : scenario.changes) {
      changes.push_back({{"key", key}, {"value", value}});
    }
    manifest["scenario_changes"] = std::move(changes);
  }
  if (const auto& r = run.reproduces) {
    manifest["reproduces"] = {{"manifest", r->manifest},
                              {"reproducible_sha256", r->reproducible_sha256},
                              {"forecast_csv_sha256", r->forecast_csv_sha256},
                              {"matches", r->matches}};
  }
  return std::move(manifest).text();
}

std::string payroll_manifest(const PayrollRecord& benchmark, const Provenance& by) {
  const BandStore& store = *benchmark.store;
  const Payroll& payroll = *benchmark.payroll;
  ManifestBuilder manifest("talentcast-payroll-benchmark-1", by);
  manifest["run_dir"] = benchmark.run_dir;
  manifest["scenario"] = store.scenario;
  manifest["seed"] = store.seed;
  manifest["paths"] = store.paths;
  manifest["sampled_paths"] = store.samples;
  manifest["payroll"] = payroll.file.string();
  manifest["payroll_sha256"] = payroll.sha256;
  manifest["employees"] = payroll.employees.size();
  manifest["now"] = store.periods[benchmark.now];
  manifest["horizon"] = store.periods[benchmark.horizon];
  manifest["currency"] = store.currency;
  manifest["salary_unit"] = store.salary_unit;
  manifest["employees_csv_sha256"] = benchmark.employees_csv_sha256;
  manifest["summary_csv_sha256"] = benchmark.summary_csv_sha256;
  return std::move(manifest).text();
}

std::string chart_set_manifest(const std::string& database, const std::vector<std::string>& outputs,
                               const std::vector<std::string>& files, const Provenance& by) {
  ManifestBuilder manifest(kChartSetFormat, by);
  manifest["database"] = database;
  manifest["outputs"] = outputs;
  manifest["files"] = files;
  return std::move(manifest).text(ManifestBuilder::Seal::no);
}

std::string point_manifest(const PointRecord& point, const Provenance& by) {
  Json manifest;
  manifest["point"] = point.point;
  manifest["seed"] = point.seed;
  manifest["paths"] = point.paths;
  for (const auto& [key, value] : point.values) manifest["values"][key] = value;
  manifest["scenario_sha256"] = point.scenario_sha256;
  manifest["forecast_csv_sha256"] = point.forecast_csv_sha256;
  manifest["talentcast_version"] = by.version;
  manifest["git_commit"] = by.git_commit;
  manifest["libm"] = core::libm_variant();
  return manifest.dump();
}

}  // namespace talentcast::formats
