#pragma once
// The band store of a run: what salary benchmarking needs (docs/output-formats.md). For each
// band series (a role, or "role/level") and reporting period, the band's log median and log-sd
// on each of the first `samples` paths: a fixed-size sample of the paths, so its size does not
// grow with the number of paths. Written as bands.json (what it holds) and bands.bin (the
// numbers, float32 little-endian).

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "talentcast/io/diagnostic.hpp"
#include "talentcast/models/calendar.hpp"

namespace talentcast::models {
struct Scenario;
class OutputLayout;
}  // namespace talentcast::models

namespace talentcast::formats {

struct BandSeries {
  std::string name;   ///< "llm" or "llm/senior"
  std::string role;   ///< role name
  std::string level;  ///< empty for the role's own band
  std::string title;  ///< the role's title
};

/// A band store that cannot be read: missing, or inconsistent with its description.
class BandStoreError : public io::UserError {
 public:
  using UserError::UserError;
};

struct BandStore {
  std::string scenario;  ///< the scenario file of the run
  std::string currency;
  std::string salary_unit;  ///< "month" or "year"
  models::Date start;       ///< the first month of the run
  models::Step step = models::Step::quarter;
  std::uint64_t seed = 0;
  std::uint64_t paths = 0;  ///< paths of the run
  bool central = false;     ///< the central projection: one path, no uncertainty
  std::uint64_t samples = 0;
  std::vector<std::string> periods;
  std::vector<BandSeries> series;
  /// [series][period][sample]
  std::vector<float> ln_median, log_sd;
  /// The run's manifest carries an intact seal (manifest_seal.hpp); false for one written
  /// before seals. A broken seal is refused by read().
  bool manifest_sealed = false;
  /// What the run's manifest marks synthetic (docs/report.md): the whole scenario's reason, or
  /// "", and per role whose band was fitted to a file marked synthetic, the file's reason.
  std::string synthetic;
  std::map<std::string, std::string> synthetic_roles;
  /// Why a series' numbers come from synthetic data, or "" (levels share their role's).
  std::string synthetic_reason(std::size_t series_index) const;

  std::span<const float> ln_medians(std::size_t series_index, std::size_t period) const;
  std::span<const float> log_sds(std::size_t series_index, std::size_t period) const;
  /// The series' index, or -1.
  int find(std::string_view role, std::string_view level) const;

  /// Builds a store from the retained values of a run (labour_market.hpp, band_store option).
  static BandStore from_run(const models::Scenario& scenario, const models::OutputLayout& layout,
                            std::span<const double> retained, std::uint64_t samples,
                            std::uint64_t seed, std::uint64_t paths, bool central);
  std::string binary() const;
  /// bands.json; names the SHA-256 of the binary part.
  std::string json(const std::string& binary_sha256) const;
  /// Reads DIR/bands.json and DIR/bands.bin. Throws BandStoreError.
  static BandStore read(const std::filesystem::path& run_dir);
};

}  // namespace talentcast::formats
