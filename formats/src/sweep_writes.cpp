// Writing a sweep's store (sweep_store.hpp): the sweep's record, the points as they come, and
// the dump tests compare stores by.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "talentcast/formats/sweep_store.hpp"

namespace talentcast::formats {

namespace {

// Ids of names in a lookup table (series, period, metric), inserted when new.
std::int64_t lookup_id(io::Database& db, const char* table, const char* column,
                       const std::string& name) {
  auto find = db.prepare(fmt::format("SELECT id FROM {} WHERE {} = ?", table, column));
  find.bind(1, name);
  if (find.step()) return find.integer(0);
  auto insert = db.prepare(fmt::format("INSERT INTO {} ({}) VALUES (?)", table, column));
  insert.bind(1, name).run();
  return db.last_insert_rowid();
}

// Points arriving less than this many seconds apart (a moving average) are committed together.
constexpr double kBatchBelow = 1.0;

}  // namespace

bool holds_sweep(io::Database& db, const nlohmann::ordered_json& identity,
                 const std::filesystem::path& database) {
  auto existing = db.prepare("SELECT identity FROM sweep WHERE id = 1");
  if (!existing.step()) return false;
  if (existing.text(0) == identity.dump()) return true;
  std::vector<std::string> differ;
  nlohmann::ordered_json stored;
  try {
    stored = nlohmann::ordered_json::parse(existing.text(0));
  } catch (const nlohmann::json::exception&) {
  }
  for (const auto& [part, value] : identity.items()) {
    if (!stored.contains(part) || stored[part] != value) differ.push_back(part);
  }
  throw SweepStoreError(
      fmt::format("{}: holds another sweep (it differs in: {}); use another --db to keep both",
                  database.string(), fmt::join(differ, ", ")));
}

void record_sweep(io::Database& db, const SweepRecord& sweep) {
  io::Transaction transaction(db);
  db.prepare(
        "INSERT INTO sweep (id, identity, sweep_file, sweep_toml, scenario_file, "
        "scenario_sha256, design, points, paths, seed, talentcast_version, git_commit) "
        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, sweep.identity)
      .bind(2, sweep.sweep_file)
      .bind(3, sweep.sweep_toml)
      .bind(4, sweep.scenario_file)
      .bind(5, sweep.scenario_sha256)
      .bind(6, sweep.design)
      .bind(7, static_cast<std::int64_t>(sweep.points))
      .bind(8, static_cast<std::int64_t>(sweep.paths))
      .bind(9, static_cast<std::int64_t>(sweep.seed))
      .bind(10, sweep.talentcast_version)
      .bind(11, sweep.git_commit)
      .run();
  auto parameter =
      db.prepare("INSERT INTO parameter (id, key, low, high, levels) VALUES (?, ?, ?, ?, ?)");
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    const StoredParameter& p = sweep.parameters[j];
    parameter.bind(1, static_cast<std::int64_t>(j)).bind(2, p.key);
    if (p.levels.empty()) {
      parameter.bind(3, p.low.value_or(0.0)).bind(4, p.high.value_or(0.0)).bind_null(5);
    } else {
      parameter.bind_null(3).bind_null(4).bind(5, nlohmann::json(p.levels).dump());
    }
    parameter.run();
  }
  transaction.commit();
}

// The ids come sorted (the primary key), and the missing points are their gaps.
std::vector<std::size_t> missing_points(io::Database& db, std::size_t points) {
  std::vector<std::size_t> todo;
  std::size_t next = 0;
  auto ids = db.prepare("SELECT id FROM point WHERE id >= 0 AND id < ? ORDER BY id");
  ids.bind(1, static_cast<std::int64_t>(points));
  while (ids.step()) {
    const auto id = static_cast<std::size_t>(ids.integer(0));
    while (next < id) todo.push_back(next++);
    next = id + 1;
  }
  while (next < points) todo.push_back(next++);
  return todo;
}

PointWriter::PointWriter(io::Database& db, double batch_seconds)
    : db_(db),
      batch_seconds_(batch_seconds),
      arrived_at_(std::chrono::steady_clock::now()),
      interval_(1.0) {}  // as if a point had come a second ago

std::int64_t PointWriter::id_of(int kind, const std::string& name) {
  static const char* columns[3][2] = {{"series", "name"}, {"period", "label"}, {"metric", "name"}};
  auto [it, fresh] = ids_[kind].try_emplace(name, 0);
  if (fresh) it->second = lookup_id(db_, columns[kind][0], columns[kind][1], name);
  return it->second;
}

void PointWriter::commit() {
  if (!open_) return;
  // A point that failed half inserted has its rows deleted before the others are committed (a
  // savepoint a point would journal every page it touches).
  if (half_) {
    for (const char* table : {"stat WHERE point", "point_value WHERE point", "point WHERE id"}) {
      db_.prepare(fmt::format("DELETE FROM {} = ?", table)).bind(1, *half_).run();
    }
    half_.reset();
  }
  open_->commit();
  open_.reset();
}

void PointWriter::add(const StoredPoint& point) {
  using Clock = std::chrono::steady_clock;
  const std::int64_t i = point.id;
  const Clock::time_point now = Clock::now();
  interval_ = 0.75 * interval_ + 0.25 * std::chrono::duration<double>(now - arrived_at_).count();
  arrived_at_ = now;
  if (!open_) {
    open_.emplace(db_);
    opened_at_ = now;
  }
  half_ = i;
  db_.prepare("INSERT INTO point (id, seed, manifest, wall_seconds) VALUES (?, ?, ?, ?)")
      .bind(1, i)
      .bind(2, static_cast<std::int64_t>(point.seed))
      .bind(3, point.manifest)
      .bind(4, point.seconds)
      .run();
  auto value = db_.prepare("INSERT INTO point_value (point, parameter, value) VALUES (?, ?, ?)");
  for (std::size_t j = 0; j < point.values.size(); ++j) {
    value.bind(1, i).bind(2, static_cast<std::int64_t>(j)).bind(3, point.values[j]).run();
  }
  // The rows go kStatRows to a statement (fewer statements to run), the rest one by one.
  const auto insert_stat = [&](std::size_t rows_each) {
    std::string sql =
        "INSERT INTO stat (point, series, period, metric, mean, sd, p05, p10, p25, p50, p75, "
        "p90, p95, mcse) VALUES ";
    for (std::size_t k = 0; k < rows_each; ++k) {
      sql += k == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }
    return db_.prepare(sql);
  };
  constexpr std::size_t kStatRows = 64, kColumns = 14;
  auto many = insert_stat(kStatRows), one = insert_stat(1);
  const std::size_t rows = point.rows.size();
  for (std::size_t r = 0; r < rows;) {
    const bool whole = rows - r >= kStatRows;
    io::Statement& stat = whole ? many : one;
    for (const std::size_t end = r + (whole ? kStatRows : 1); r < end; ++r) {
      const int at = static_cast<int>((whole ? r % kStatRows : 0) * kColumns);
      const ForecastRow& row = point.rows[r];
      const core::Summary& summary = row.summary;
      stat.bind(at + 1, i)
          .bind(at + 2, id_of(0, row.role))
          .bind(at + 3, id_of(1, row.period))
          .bind(at + 4, id_of(2, row.metric))
          .bind(at + 5, summary.mean)
          .bind(at + 6, summary.sd);
      for (std::size_t q = 0; q < summary.percentiles.size(); ++q) {
        stat.bind(at + 7 + static_cast<int>(q), summary.percentiles[q]);
      }
      stat.bind(at + 14, summary.mcse);
    }
    stat.run();
  }
  half_.reset();
  if (interval_ >= kBatchBelow ||
      std::chrono::duration<double>(Clock::now() - opened_at_).count() >= batch_seconds_) {
    commit();
  }
}

std::string dump_store(const std::filesystem::path& database) {
  io::Database db(database, io::Access::read_only);
  std::string out;
  const auto dump = [&](const char* sql, int columns) {
    out += std::string(sql) + "\n";
    for (auto q = db.prepare(sql); q.step();) {
      for (int c = 0; c < columns; ++c) {
        if (c > 0) out += ',';
        out += q.text(c);
      }
      out += "\n";
    }
  };
  dump("SELECT identity, sweep_toml, design, points, paths, seed FROM sweep", 6);
  dump("SELECT id, key, low, high, levels FROM parameter ORDER BY id", 5);
  dump("SELECT id, seed, manifest FROM point ORDER BY id", 3);
  dump("SELECT point, parameter, value FROM point_value ORDER BY point, parameter", 3);
  dump(
      "SELECT point, role, period, metric, mean, sd, p05, p10, p25, p50, p75, p90, p95, mcse "
      "FROM stats ORDER BY point, role, period, metric",
      14);
  return out;
}

}  // namespace talentcast::formats
