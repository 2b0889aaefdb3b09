#pragma once
// Sweep files (docs/sweeps.md): a base scenario, the parameters to vary by their key path with
// a range or a list of levels, and a design. load_sweep validates all of it as strictly as a
// scenario; sweep_point builds the scenario of one point of the design.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/design.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::config {

enum class DesignKind { grid, latin_hypercube, sobol, morris, saltelli };

/// The most points a design may have (docs/sweeps.md).
inline constexpr double kMaxDesignPoints = 10'000'000;

struct SweepParameter {
  std::string key;  ///< key path in the resolved scenario: "roles.llm.attrition"
  double low = 0.0, high = 0.0;
  std::vector<double> levels;  ///< when given, the values (a grid uses each; others pick one)
};

/// The base scenario resolved, as TOML (config/src/toml_resolve.hpp): toml++ stays in config.
struct ResolvedBase;

struct Sweep {
  std::filesystem::path path;
  std::string text;  ///< the sweep file's bytes
  std::filesystem::path scenario_path;
  DesignKind design = DesignKind::latin_hypercube;
  std::size_t points = 0;       ///< design size: points (lhs, sobol), trajectories (morris),
                                ///< base rows (saltelli); unused for a grid
  std::size_t grid_levels = 0;  ///< grid: values per ranged parameter
  std::size_t morris_levels = 4;
  std::uint64_t paths = 1000;  ///< paths per point
  std::uint64_t seed = 1;
  std::vector<SweepParameter> parameters;

  /// The resolved base scenario and its extends chain, for building points.
  std::shared_ptr<const ResolvedBase> base;
  std::vector<std::string> files;
  /// The quantile tables of the points' distributions: built once, shared by every point and
  /// thread that builds this sweep's scenarios, freed with the sweep.
  std::shared_ptr<models::QuantileTables> tables = std::make_shared<models::QuantileTables>();

  /// The design in the unit cube, one coordinate per parameter.
  core::Design design_points() const;
  /// Its number of points, without making them (a double: a grid's product can overflow).
  double design_size() const;
  /// The parameter values of a point.
  std::vector<double> values(const core::Design& design, std::size_t point) const;
  /// The seed of a point's run: a hash of (sweep seed, point index).
  std::uint64_t point_seed(std::size_t point) const;
};

/// Reads and validates a sweep file and its scenario. Throws io::UserError listing every
/// problem (an unknown key path names it, with "did you mean").
Sweep load_sweep(const std::filesystem::path& path);

/// The name of a design, as sweep files write it.
std::string_view design_name(DesignKind design);

/// The base scenario as the sweep file names it, no parameter set.
models::Scenario base_scenario(const Sweep& sweep);

/// The base scenario with the parameters set to values (one per parameter). Throws
/// io::UserError when a value is outside its parameter's range.
models::Scenario sweep_scenario(const Sweep& sweep, const std::vector<double>& values);

/// The scenarios of points one after another, for one thread (checking a design's points): the
/// same as sweep_scenario's, but the base scenario is read and parsed once, and each point only
/// sets its values in it. Every point sets the same keys, so nothing of the one before remains.
/// That halves the cost of a point of a small scenario, where reading and parsing the files
/// is most of it.
class PointScenarios {
 public:
  explicit PointScenarios(const Sweep& sweep);
  ~PointScenarios();
  PointScenarios(PointScenarios&&) noexcept;
  PointScenarios(const PointScenarios&) = delete;
  PointScenarios& operator=(const PointScenarios&) = delete;
  PointScenarios& operator=(PointScenarios&&) = delete;

  /// Throws io::UserError as sweep_scenario does.
  models::Scenario operator()(const std::vector<double>& values);

 private:
  struct Base;
  const Sweep& sweep_;
  std::unique_ptr<Base> base_;
};

}  // namespace talentcast::config
