#include "talentcast/formats/sweep_store.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

namespace talentcast::formats {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sweep (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  identity TEXT NOT NULL,        -- JSON: what makes two runs the same sweep
  sweep_file TEXT NOT NULL,
  sweep_toml TEXT NOT NULL,
  scenario_file TEXT NOT NULL,
  scenario_sha256 TEXT NOT NULL,
  design TEXT NOT NULL,
  points INTEGER NOT NULL,       -- points in the design
  paths INTEGER NOT NULL,        -- paths per point
  seed INTEGER NOT NULL,
  talentcast_version TEXT NOT NULL,
  git_commit TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parameter (
  id INTEGER PRIMARY KEY,        -- the design's dimension, from 0
  key TEXT NOT NULL UNIQUE,      -- key path in the scenario
  low REAL, high REAL,           -- a range, or
  levels TEXT                    -- a JSON array of values
);
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS period (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS metric (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS point (
  id INTEGER PRIMARY KEY,        -- the point's index in the design
  seed INTEGER NOT NULL,
  manifest TEXT NOT NULL,        -- JSON
  wall_seconds REAL NOT NULL     -- informational: differs between identical runs
);
CREATE TABLE IF NOT EXISTS point_value (
  point INTEGER NOT NULL REFERENCES point(id),
  parameter INTEGER NOT NULL REFERENCES parameter(id),
  value REAL NOT NULL,
  PRIMARY KEY (point, parameter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stat (
  point INTEGER NOT NULL REFERENCES point(id),
  series INTEGER NOT NULL REFERENCES series(id),
  period INTEGER NOT NULL REFERENCES period(id),
  metric INTEGER NOT NULL REFERENCES metric(id),
  mean REAL, sd REAL, p05 REAL, p10 REAL, p25 REAL, p50 REAL, p75 REAL, p90 REAL, p95 REAL,
  mcse REAL,
  PRIMARY KEY (point, series, period, metric)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS stats AS
  SELECT s.point, r.name AS role, p.label AS period, m.name AS metric, s.mean, s.sd, s.p05,
         s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.mcse
  FROM stat s JOIN series r ON r.id = s.series JOIN period p ON p.id = s.period
       JOIN metric m ON m.id = s.metric;
)sql";

// Damaged pages are refused before anything is read from them: a damaged store could
// otherwise look complete to a resumed sweep, and give sensitivity numbers.
void refuse_damage(io::Database& db, const std::filesystem::path& database) {
  const std::vector<std::string> problems = db.quick_check();
  if (problems.empty()) return;
  throw SweepStoreError(fmt::format(
      "{}: is damaged (SQLite's quick_check: {}); restore it from a copy, or run the sweep "
      "again with another --db",
      database.string(), fmt::join(problems, "; ")));
}

std::int64_t count(io::Database& db, const char* sql) {
  auto q = db.prepare(sql);
  return q.step() ? q.integer(0) : 0;
}

// A file that SQLite cannot read at all (not a database, or its first page damaged).
void refuse_unreadable(io::Database& db, const std::filesystem::path& database) {
  try {
    db.execute("SELECT count(*) FROM sqlite_master");
  } catch (const io::SqliteError& e) {
    throw SweepStoreError(
        fmt::format("{}: is not a readable SQLite database ({})", database.string(), e.what()));
  }
}

}  // namespace

io::Database open_store_to_write(const std::filesystem::path& database) {
  std::optional<io::Database> opened;
  try {
    opened.emplace(database, io::Access::sole_writer);
  } catch (const io::DatabaseInUse&) {
    throw SweepStoreError(fmt::format(
        "{}: another sweep is running on this database (its process holds the database's "
        "lock); wait for it to finish or stop it, or use another --db",
        database.string()));
  } catch (const io::SqliteError& e) {
    throw SweepStoreError(e.what());  // it names the file
  }
  io::Database db = std::move(*opened);
  refuse_unreadable(db, database);
  refuse_damage(db, database);
  // Another program's database is left alone.
  if (count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") > 0 &&
      count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sweep'") == 0) {
    throw SweepStoreError(fmt::format(
        "{}: is a database of something else (it has tables but no sweep); use another --db",
        database.string()));
  }
  // Write-ahead logging: a commit is one sequential append, durable against the process being
  // killed at any moment (the next open recovers the log); 64 MB of page cache keeps the
  // indexes' hot pages in memory as the database grows.
  db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536");
  db.execute(kSchema);
  return db;
}

bool index_store(io::Database& db, const std::atomic<bool>* stop) {
  if (stop != nullptr && stop->load()) return false;
  // SQLite asks every 100,000 virtual machine steps (about a millisecond) whether to go on.
  const auto stopped = [](void* flag) -> int {
    return flag != nullptr && static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
  };
  sqlite3_progress_handler(db.handle(), 100000, stopped,
                           const_cast<std::atomic<bool>*>(stop));  // only read
  try {
    db.execute("CREATE INDEX IF NOT EXISTS stat_by_output ON stat (series, period, metric, point)");
  } catch (const io::SqliteError&) {
    sqlite3_progress_handler(db.handle(), 0, nullptr, nullptr);
    if (stop != nullptr && stop->load()) return false;  // interrupted: the statement rolled back
    throw;
  }
  sqlite3_progress_handler(db.handle(), 0, nullptr, nullptr);
  return true;
}

void unindex_store(io::Database& db) {
  db.execute("DROP INDEX IF EXISTS stat_by_output");
}

bool store_indexed(io::Database& db) {
  return count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'stat_by_output'") == 1;
}

io::Database open_store_to_read(const std::filesystem::path& database) {
  std::optional<io::Database> opened;
  try {
    opened.emplace(database, io::Access::read_only);
  } catch (const io::SqliteError& e) {
    throw SweepStoreError(e.what());
  }
  io::Database db = std::move(*opened);
  refuse_unreadable(db, database);
  refuse_damage(db, database);
  if (count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sweep'") == 0) {
    throw SweepStoreError(fmt::format(
        "{}: is not a sweep's results database (it has no sweep table)", database.string()));
  }
  return db;
}

}  // namespace talentcast::formats
