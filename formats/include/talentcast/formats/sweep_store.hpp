#pragma once
// A sweep's results database (docs/sweeps.md, "The results database"): written by one sweep at
// a time, read by sensitivity and export, and checked for damaged pages before either.

#include <array>
#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string_view>

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

}  // namespace talentcast::formats
