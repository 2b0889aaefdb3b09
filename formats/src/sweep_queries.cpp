// The queries that read a sweep's store (sweep_store.hpp), beside the schema in sweep_store.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "talentcast/formats/sweep_store.hpp"

namespace talentcast::formats {

namespace {

// A statistic's column: one of kStoredStatistics, never text from elsewhere in SQL.
std::string_view statistic_column(std::string_view name) {
  if (std::find(kStoredStatistics.begin(), kStoredStatistics.end(), name) ==
      kStoredStatistics.end()) {
    throw std::logic_error(fmt::format("'{}' is not a stored statistic", name));
  }
  return name;
}

std::vector<std::string> names(io::Database& db, const char* sql) {
  std::vector<std::string> found;
  for (auto q = db.prepare(sql); q.step();) found.push_back(q.text(0));
  return found;
}

// " AND column IN (?, ?)" for a filter, or nothing when it keeps all.
std::string in_clause(const char* column, const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string clause = fmt::format(" AND {} IN (?", column);
  for (std::size_t i = 1; i < names.size(); ++i) clause += ", ?";
  return clause + ")";
}

}  // namespace

StoredSweep read_sweep(io::Database& db) {
  auto q = db.prepare(
      "SELECT sweep_file, scenario_file, design, points, paths, seed, talentcast_version, "
      "git_commit FROM sweep WHERE id = 1");
  if (!q.step()) throw io::SqliteError("no sweep in it");
  StoredSweep sweep;
  sweep.sweep_file = q.text(0);
  sweep.scenario_file = q.text(1);
  sweep.design = q.text(2);
  sweep.points = static_cast<std::size_t>(q.integer(3));
  sweep.paths = static_cast<std::uint64_t>(q.integer(4));
  sweep.seed = static_cast<std::uint64_t>(q.integer(5));
  sweep.talentcast_version = q.text(6);
  sweep.git_commit = q.text(7);
  return sweep;
}

std::vector<StoredParameter> read_parameters(io::Database& db) {
  std::vector<StoredParameter> parameters;
  for (auto q = db.prepare("SELECT key, low, high, levels FROM parameter ORDER BY id"); q.step();) {
    StoredParameter p;
    p.key = q.text(0);
    if (!q.is_null(1)) p.low = q.real(1);
    if (!q.is_null(2)) p.high = q.real(2);
    if (!q.is_null(3)) p.levels = nlohmann::json::parse(q.text(3)).get<std::vector<double>>();
    parameters.push_back(std::move(p));
  }
  return parameters;
}

std::map<std::size_t, std::vector<double>> read_point_values(io::Database& db,
                                                             std::size_t parameters) {
  std::map<std::size_t, std::vector<double>> values;
  for (auto q = db.prepare("SELECT point, parameter, value FROM point_value"); q.step();) {
    auto& v = values[static_cast<std::size_t>(q.integer(0))];
    v.resize(parameters);
    const auto j = static_cast<std::size_t>(q.integer(1));
    if (j < parameters) v[j] = q.real(2);
  }
  return values;
}

std::size_t stored_points(io::Database& db) {
  auto q = db.prepare("SELECT count(*) FROM point");
  return q.step() ? static_cast<std::size_t>(q.integer(0)) : 0;
}

std::vector<std::string> stored_roles(io::Database& db) {
  return names(db, "SELECT name FROM series ORDER BY id");
}
std::vector<std::string> stored_periods(io::Database& db) {
  return names(db, "SELECT label FROM period ORDER BY id");
}
std::vector<std::string> stored_metrics(io::Database& db) {
  return names(db, "SELECT name FROM metric ORDER BY id");
}

std::vector<std::pair<std::size_t, double>> read_output(io::Database& db, std::string_view metric,
                                                        std::string_view role,
                                                        std::string_view period,
                                                        std::string_view statistic) {
  // The stat_by_output index (index_store) makes this a lookup per point.
  auto q = db.prepare(fmt::format(
      "SELECT point, {} FROM stats WHERE metric = ? AND role = ? AND period = ? ORDER BY point",
      statistic_column(statistic)));
  q.bind(1, metric).bind(2, role).bind(3, period);
  std::vector<std::pair<std::size_t, double>> values;
  while (q.step()) values.emplace_back(static_cast<std::size_t>(q.integer(0)), q.real(1));
  return values;
}

namespace {
std::string stat_rows_sql(const std::vector<std::string>& statistics,
                          const std::vector<std::string>& metrics,
                          const std::vector<std::string>& roles,
                          const std::vector<std::string>& periods) {
  std::vector<std::string_view> columns;
  for (const auto& s : statistics) columns.push_back(statistic_column(s));
  return fmt::format(
      "SELECT point, role, period, metric, {} FROM stats WHERE 1{}{}{} "
      "ORDER BY point, role, period, metric",
      fmt::join(columns, ", "), in_clause("metric", metrics), in_clause("role", roles),
      in_clause("period", periods));
}
}  // namespace

StatRows::StatRows(io::Database& db, const std::vector<std::string>& statistics,
                   const std::vector<std::string>& metrics, const std::vector<std::string>& roles,
                   const std::vector<std::string>& periods)
    : rows_(db.prepare(stat_rows_sql(statistics, metrics, roles, periods))) {
  int bound = 0;
  for (const auto* list : {&metrics, &roles, &periods}) {
    for (const auto& name : *list) rows_.bind(++bound, name);
  }
}

}  // namespace talentcast::formats
