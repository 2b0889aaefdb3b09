#pragma once
// A sweep's results database (docs/sweeps.md, "The results database"): written by one sweep at
// a time, read by sensitivity and export, and checked for damaged pages before either.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/sqlite.hpp"

namespace talentcast::formats {

/// The statistics stored for each output, as the stat table's columns (those of forecast.csv).
inline constexpr std::array<std::string_view, 10> kStoredStatistics{
    "mean", "sd", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "mcse"};

/// A database that cannot serve as a sweep's store: another sweep is writing it, it is damaged
/// or unreadable, it belongs to another program or it holds another sweep. The message starts
/// with the database's path and says what to do.
class SweepStoreError : public io::UserError {
 public:
  using UserError::UserError;
};

/// Opens the store to write it, creating it with its schema when absent, as the only writer:
/// a database another sweep is writing, a damaged one (PRAGMA quick_check) and another
/// program's database are refused with SweepStoreError.
io::Database open_store_to_write(const std::filesystem::path& database);

/// Indexes a complete sweep's statistics by output (series, period, metric, point), for
/// sensitivity's queries of one output across the points. The index is built once the last
/// point is in: kept up to date point by point, it would rewrite a page of it for every output
/// at each commit (docs/sweeps.md, "The results database"). When stop becomes true the build is
/// abandoned (nothing of it written) and false returned.
bool index_store(io::Database& db, const std::atomic<bool>* stop = nullptr);

/// Drops that index, so that points added to the store again do not keep it up to date.
void unindex_store(io::Database& db);

/// Whether the store has it.
bool store_indexed(io::Database& db);

/// Opens the store only to read it, from read-only media too (io::Access::read_only). A
/// database that cannot be read, is damaged (PRAGMA quick_check) or holds no sweep is refused
/// with SweepStoreError.
io::Database open_store_to_read(const std::filesystem::path& database);

// Reading a store: the queries of `sensitivity` and `export`, beside the schema they read
// (src/sweep_queries.cpp).

/// The sweep a store holds (its sweep table's row).
struct StoredSweep {
  std::string sweep_file, scenario_file, design;
  std::size_t points = 0;  ///< in the design
  std::uint64_t paths = 0, seed = 0;
  std::string talentcast_version, git_commit;
};
/// Throws io::SqliteError when the store holds no sweep.
StoredSweep read_sweep(io::Database& db);

/// A swept parameter: a range, or levels.
struct StoredParameter {
  std::string key;
  std::optional<double> low, high;
  std::vector<double> levels;
};
/// The parameters, in the design's order.
std::vector<StoredParameter> read_parameters(io::Database& db);

/// Each stored point's parameter values, in the parameters' order, by point.
std::map<std::size_t, std::vector<double>> read_point_values(io::Database& db,
                                                             std::size_t parameters);

/// How many points the store holds.
std::size_t stored_points(io::Database& db);

/// The names the store holds, in the order of their ids: roles (and role/level series, and
/// total), period labels, metric names.
std::vector<std::string> stored_roles(io::Database& db);
std::vector<std::string> stored_periods(io::Database& db);
std::vector<std::string> stored_metrics(io::Database& db);

/// One output's statistic (one of kStoredStatistics) at each point that has it, in point order.
std::vector<std::pair<std::size_t, double>> read_output(io::Database& db, std::string_view metric,
                                                        std::string_view role,
                                                        std::string_view period,
                                                        std::string_view statistic);

/// The stored statistics, a row at a time in (point, role, period, metric) order, of the outputs
/// whose metric, role and period are in the lists (an empty list keeps all): memory does not
/// grow with the store.
class StatRows {
 public:
  /// statistics: some of kStoredStatistics, in the order wanted.
  StatRows(io::Database& db, const std::vector<std::string>& statistics,
           const std::vector<std::string>& metrics, const std::vector<std::string>& roles,
           const std::vector<std::string>& periods);
  /// Steps to the next row: false after the last.
  bool next() { return rows_.step(); }
  std::size_t point() const { return static_cast<std::size_t>(rows_.integer(0)); }
  std::string role() const { return rows_.text(1); }
  std::string period() const { return rows_.text(2); }
  std::string metric() const { return rows_.text(3); }
  /// The i-th statistic asked for.
  double statistic(std::size_t i) const { return rows_.real(4 + static_cast<int>(i)); }

 private:
  io::Statement rows_;
};

// Writing a store: what `sweep` records (src/sweep_writes.cpp).

/// Whether the store holds the sweep of this identity (false: it holds none yet); a store
/// holding another sweep is refused with SweepStoreError, naming the parts of the identity that
/// differ ("database: holds another sweep (it differs in: ...)").
bool holds_sweep(io::Database& db, const nlohmann::ordered_json& identity,
                 const std::filesystem::path& database);

/// What the sweep table and the parameter table record of a sweep.
struct SweepRecord {
  std::string identity;  ///< compact JSON: what makes two runs the same sweep
  std::string sweep_file, sweep_toml, scenario_file, scenario_sha256, design;
  std::size_t points = 0;
  std::uint64_t paths = 0, seed = 0;
  std::string talentcast_version, git_commit;
  std::vector<StoredParameter> parameters;  ///< a range (low, high) or levels each
};
void record_sweep(io::Database& db, const SweepRecord& sweep);

/// The design's points 0 .. points - 1 not in the store, in order.
std::vector<std::size_t> missing_points(io::Database& db, std::size_t points);

/// A point as run, to store.
struct StoredPoint {
  std::int64_t id = 0;
  std::uint64_t seed = 0;
  std::string manifest;  ///< formats::point_manifest
  double seconds = 0.0;  ///< its run's wall time
  std::vector<double> values;
  std::vector<ForecastRow> rows;  ///< the statistics kept
};

/// Writes points into the store as they come. When they arrive less than a second apart (a
/// moving average), they are committed together, a transaction about every `batch_seconds`,
/// and when commit() is called; slower points are committed one by one: a commit writes the
/// table's upper pages and the log's frames again (docs/sweeps.md, "The results database").
class PointWriter {
 public:
  PointWriter(io::Database& db, double batch_seconds);
  /// Inserts the point, its values and its statistics; commits when the batch is due.
  void add(const StoredPoint& point);
  /// Commits the points added since the last commit. A point left half inserted (add threw) has
  /// its rows deleted first.
  void commit();

 private:
  std::int64_t id_of(int kind, const std::string& name);

  io::Database& db_;
  double batch_seconds_;
  std::map<std::string, std::int64_t> ids_[3];  // series, period and metric ids
  std::optional<io::Transaction> open_;         // the points added since the last commit
  std::optional<std::int64_t> half_;            // a point of them half inserted
  std::chrono::steady_clock::time_point opened_at_, arrived_at_;
  double interval_;  // between points' arrivals, a moving average
};

/// The store's content as text, in a fixed order, without run times: equal for the same sweep
/// however it was run (tests compare interrupted and uninterrupted sweeps with it).
std::string dump_store(const std::filesystem::path& database);

}  // namespace talentcast::formats
