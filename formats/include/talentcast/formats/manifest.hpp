#pragma once
// Manifests (docs/output-formats.md): what a set of outputs is, who made it and from what. The
// files (a run's, a payroll benchmark's, a chart set's) are written by one builder; a sweep
// point's, a compact line in the sweep database, beside them from the same provenance. Readers
// check them through manifest_seal.hpp.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/formats/band_store.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::formats {

/// Who made a set of outputs: recorded in every manifest.
struct Provenance {
  std::string version;                 ///< talentcast's
  std::string git_commit;              ///< the build's
  std::optional<std::string> command;  ///< the command line; none: not recorded
};

/// The one manifest builder: `format` and the provenance first, then the fields its writer
/// adds, in order; text() seals it (manifest_seal.hpp) and writes it as every manifest file is.
/// A chart set's manifest is not sealed: nothing reads its fields but its format.
class ManifestBuilder {
 public:
  ManifestBuilder(std::string_view format, const Provenance& by);
  nlohmann::ordered_json& operator[](const std::string& key) { return json_[key]; }
  /// Indented by one space, with a newline at the end; sealed unless told otherwise.
  enum class Seal { yes, no };
  std::string text(Seal seal = Seal::yes) &&;

 private:
  nlohmann::ordered_json json_;
};

/// A run that `reproduce` rebuilt from another run's manifest: recorded as `reproduces`.
struct Reproduction {
  std::string manifest;             ///< the manifest reproduced, as given
  std::string reproducible_sha256;  ///< its seal ("" when it had none)
  std::string forecast_csv_sha256;  ///< the digest it recorded
  bool matches = false;             ///< this run's forecast.csv has that digest
};

/// The precision a `--target-mcse` run reached: recorded as `target_mcse`.
struct PrecisionRecord {
  double target = 0.0;
  double reached = 0.0;
  std::string worst;
  bool met = false;
  std::uint64_t max_paths = 0;
};

/// What a run's manifest (talentcast-manifest-1) records.
struct RunRecord {
  const models::Scenario* scenario = nullptr;
  std::string scenario_json;  ///< the resolved scenario as JSON (config::resolved_json)
  std::uint64_t seed = 0;
  std::uint64_t paths = 0;
  bool central = false;
  int threads = 0;  ///< as asked (0: every core)
  int mpi_ranks = 1;
  double wall_seconds = 0.0;
  std::chrono::system_clock::time_point created;  ///< when the run was made, for created_utc
  std::string forecast_csv_sha256;
  std::string bands_bin_sha256;  ///< empty: no band store
  std::string bands_json_sha256;
  std::uint64_t band_samples = 0;
  std::optional<PrecisionRecord> precision;  ///< adaptive runs
  std::optional<Reproduction> reproduces;
};
inline constexpr std::string_view kRunManifestFormat = "talentcast-manifest-1";
std::string run_manifest(const RunRecord& run, const Provenance& by);

/// What a payroll benchmark's manifest (talentcast-payroll-benchmark-1) records.
struct PayrollRecord {
  std::string run_dir;  ///< the run whose band store was read, as given
  const BandStore* store = nullptr;
  const Payroll* payroll = nullptr;
  std::size_t now = 0, horizon = 0;                      ///< periods of the store
  std::string employees_csv_sha256, summary_csv_sha256;  ///< of the files written
};
std::string payroll_manifest(const PayrollRecord& benchmark, const Provenance& by);

/// A chart set's manifest (talentcast-sensitivity-charts-1): the database and outputs charted,
/// and the files; it marks the directory as a chart set's.
inline constexpr std::string_view kChartSetFormat = "talentcast-sensitivity-charts-1";
std::string chart_set_manifest(const std::string& database, const std::vector<std::string>& outputs,
                               const std::vector<std::string>& files, const Provenance& by);

/// A sweep point's manifest, stored in the database's `point` table: compact JSON, not sealed
/// (the database is the record).
struct PointRecord {
  std::size_t point = 0;
  std::uint64_t seed = 0, paths = 0;
  std::vector<std::pair<std::string, double>> values;  ///< key path, value
  std::string scenario_sha256, forecast_csv_sha256;
};
std::string point_manifest(const PointRecord& point, const Provenance& by);

}  // namespace talentcast::formats
