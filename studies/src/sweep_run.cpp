#include "talentcast/studies/sweep_run.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "talentcast/core/bytes.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/pipeline.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/models/metrics.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies {

using config::base_scenario;
using config::design_name;
using config::PointScenarios;
using config::Sweep;
using config::sweep_scenario;
using config::SweepParameter;
using formats::index_store;
using formats::open_store_to_write;
using formats::SweepStoreError;
using formats::unindex_store;
using models::info;
using models::kMetricCount;
using models::metric_name;
using models::Scenario;

namespace {

// What makes two runs the same sweep, part by part: the sweep as parsed (not its comments),
// the resolved base scenario and its data, what is stored, and the build.
nlohmann::ordered_json identity_of(const Sweep& sweep, const Scenario& base,
                                   const SweepRunOptions& options) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json design;
  design["design"] = std::string(design_name(sweep.design));
  design["points"] = sweep.points;
  design["grid_levels"] = sweep.grid_levels;
  design["morris_levels"] = sweep.morris_levels;
  design["paths"] = sweep.paths;
  design["seed"] = sweep.seed;
  for (const auto& p : sweep.parameters) {
    design["parameters"].push_back(
        {{"key", p.key}, {"low", p.low}, {"high", p.high}, {"levels", p.levels}});
  }
  j["sweep"] = design;
  j["scenario_sha256"] = io::sha256_hex(base.resolved_toml);
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const auto& [file, sha256] : base.data_files) data.push_back(sha256);
  j["salary_data_sha256"] = data;
  std::vector<std::string> metrics = options.metrics, periods = options.periods;
  std::sort(metrics.begin(), metrics.end());
  std::sort(periods.begin(), periods.end());
  j["metrics"] = metrics;
  j["periods"] = periods;
  j["talentcast"] = options.version + " " + options.git_commit;
  j["libm"] = core::libm_variant();  // glibc's maths variants may change last bits
  return j;
}

// Ids of names in a lookup table (series, period, metric), inserted when new.
std::int64_t id_of(io::Database& db, const char* table, const char* column,
                   const std::string& name) {
  auto find = db.prepare(fmt::format("SELECT id FROM {} WHERE {} = ?", table, column));
  find.bind(1, name);
  if (find.step()) return find.integer(0);
  auto insert = db.prepare(fmt::format("INSERT INTO {} ({}) VALUES (?)", table, column));
  insert.bind(1, name).run();
  return db.last_insert_rowid();
}

// Whether the store holds this sweep (false: it holds none yet); one holding another sweep is
// refused, naming the parts of the identity that differ.
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

void record_sweep(io::Database& db, const Sweep& sweep, const Scenario& base,
                  const std::string& identity, std::size_t points, const SweepRunOptions& options) {
  io::Transaction transaction(db);
  db.prepare(
        "INSERT INTO sweep (id, identity, sweep_file, sweep_toml, scenario_file, "
        "scenario_sha256, design, points, paths, seed, talentcast_version, git_commit) "
        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, identity)
      .bind(2, sweep.path.string())
      .bind(3, sweep.text)
      .bind(4, sweep.scenario_path.string())
      .bind(5, io::sha256_hex(base.resolved_toml))
      .bind(6, design_name(sweep.design))
      .bind(7, static_cast<std::int64_t>(points))
      .bind(8, static_cast<std::int64_t>(sweep.paths))
      .bind(9, static_cast<std::int64_t>(sweep.seed))
      .bind(10, options.version)
      .bind(11, options.git_commit)
      .run();
  auto parameter =
      db.prepare("INSERT INTO parameter (id, key, low, high, levels) VALUES (?, ?, ?, ?, ?)");
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    const SweepParameter& p = sweep.parameters[j];
    parameter.bind(1, static_cast<std::int64_t>(j)).bind(2, p.key);
    if (p.levels.empty()) {
      parameter.bind(3, p.low).bind(4, p.high).bind_null(5);
    } else {
      parameter.bind_null(3).bind_null(4).bind(5, nlohmann::json(p.levels).dump());
    }
    parameter.run();
  }
  transaction.commit();
}

// Every point's scenario is valid before the first one runs: values valid one by one can clash
// together (a PERT's low above its mode, shares summing above 1). Points are checked in
// parallel a block at a time: memory stays bounded, progress is reported, and a stop is heard
// within one point's check (a million points take a minute of CPU time or more). The first 20
// invalid points are listed, in point order. Returns false when stopped.
bool check_points(const Sweep& sweep, const core::Design& design, const SweepRunOptions& options) {
  constexpr std::size_t kListed = 20;
  const std::size_t points = design.points();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const std::size_t block = 64 * static_cast<std::size_t>(threads);
  const auto stopped = [&] { return options.stop && options.stop->load(); };
  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<std::optional<PointScenarios>> scenarios;
  std::vector<io::Diagnostic> invalid;
  std::size_t count = 0;
  for (std::size_t begin = 0; begin < points; begin += block) {
    const std::size_t end = std::min(points, begin + block);
    std::vector<std::optional<io::Diagnostic>> problems(end - begin);
    arena.execute([&] {
      tbb::parallel_for(begin, end, [&](std::size_t i) {
        if (stopped()) return;
        const std::vector<double> values = sweep.values(design, i);
        auto& scenario = scenarios.local();
        try {
          if (!scenario) scenario.emplace(sweep);
          (*scenario)(values);
        } catch (const io::UserError& e) {
          std::string point = fmt::format("point {} (", i);
          for (std::size_t j = 0; j < values.size(); ++j) {
            point += fmt::format("{}{} = {}", j ? ", " : "", sweep.parameters[j].key, values[j]);
          }
          const io::Diagnostic& first = e.diagnostics().front();
          problems[i - begin] = io::Diagnostic{
              sweep.path.string(), 0, 0, point + ")", first.key + ": " + first.expected,
              first.found};
        }
      });
    });
    if (stopped()) return false;
    for (auto& p : problems) {
      if (p && ++count <= kListed) invalid.push_back(std::move(*p));
    }
    if (options.on_check) options.on_check(end, points);
  }
  if (count > kListed) {
    invalid.push_back({sweep.path.string(), 0, 0, "points", "at most 20 listed",
                       fmt::format("{} more invalid points", count - kListed)});
  }
  if (!invalid.empty()) throw io::UserError(std::move(invalid));
  return true;
}

// The design's points not in the store, in order: the ids come sorted (the primary key), and
// the missing points are their gaps.
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

// Rank 0: opens the store when it exists, checks the points when it does not hold this sweep
// yet and only then records it (creating the store), and finds the points still to run.
// Returns false when stopped while checking: nothing was written.
bool prepare_store(const Sweep& sweep, const core::Design& design,
                   const std::filesystem::path& database, const SweepRunOptions& options,
                   std::optional<io::Database>& store, std::vector<std::size_t>& todo,
                   SweepRunResult& result) {
  const Scenario base = base_scenario(sweep);
  const nlohmann::ordered_json identity = identity_of(sweep, base, options);
  bool recorded = false;
  if (std::filesystem::exists(database)) {
    store.emplace(open_store_to_write(database));
    recorded = holds_sweep(*store, identity, database);
  }
  if (!recorded) {
    if (!check_points(sweep, design, options)) return false;
    if (!store) store.emplace(open_store_to_write(database));
    // Another sweep may have made the store while the points were checked.
    if (!holds_sweep(*store, identity, database)) {
      record_sweep(*store, sweep, base, identity.dump(), result.points, options);
    }
  }
  todo = missing_points(*store, result.points);
  result.already_done = result.points - todo.size();
  // Points to add: the index by output is built again once they are all in (index_store).
  if (!todo.empty()) unindex_store(*store);
  return true;
}

}  // namespace

std::vector<std::string> check_store_filters(const Sweep& sweep, const SweepRunOptions& options) {
  std::vector<std::string> problems;
  std::vector<std::string> metrics;
  for (std::size_t m = 0; m < kMetricCount; ++m) metrics.emplace_back(metric_name(m));
  for (const auto& name : options.metrics) {
    if (std::find(metrics.begin(), metrics.end(), name) == metrics.end()) {
      problems.push_back(fmt::format("--metrics: expected metric names ({}){}, found '{}'",
                                     fmt::join(metrics, ", "), io::did_you_mean(name, metrics),
                                     name));
    }
  }
  if (!options.periods.empty()) {
    const Scenario base = sweep_scenario(sweep, sweep.values(sweep.design_points(), 0));
    std::vector<std::string> labels;
    for (int t = 0; t < base.periods(); ++t) labels.push_back(base.period_label(t));
    for (const auto& label : options.periods) {
      if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
        problems.push_back(
            fmt::format("--periods: expected period labels of the scenario ({} to "
                        "{}), found '{}'",
                        labels.front(), labels.back(), label));
      }
    }
  }
  return problems;
}

SweepRunResult run_sweep(const Sweep& sweep, const std::filesystem::path& database,
                         const SweepRunOptions& options) {
  const core::Design design = sweep.design_points();
  const core::mpi::Session& session =
      options.session != nullptr ? *options.session : core::mpi::Session::local();
  SweepRunResult result;
  result.points = design.points();
  const std::set<std::string> metrics(options.metrics.begin(), options.metrics.end());
  const std::set<std::string> periods(options.periods.begin(), options.periods.end());

  // Rank 0 (a single process is one) opens the database, finds the missing points and checks
  // that they all make valid scenarios; the other ranks wait for its verdict and the list.
  std::optional<io::Database> db;
  std::vector<std::size_t> todo;
  bool prepared = true;
  if (session.root()) {
    try {
      prepared = prepare_store(sweep, design, database, options, db, todo, result);
    } catch (...) {
      session.decide(1);
      throw;
    }
  }
  if (session.decide(prepared ? 0 : 1) != 0) {
    result.interrupted = result.interrupted_checking = !prepared;
    result.stopped = prepared;
    return result;
  }
  if (session.root() && options.on_progress) {
    options.on_progress(result.already_done, result.points);
  }
  {
    core::ByteWriter list;
    list.put_array(std::span<const std::size_t>(todo));
    session.broadcast(list.bytes());
    core::ByteReader reader(list.bytes());
    todo = reader.get_array<std::size_t>();
  }

  // Points run in parallel, one thread each (a point of a few thousand paths does not keep
  // several threads busy), on every rank; each goes to the farm, whose collector on rank 0
  // (on the calling thread of a single process, in point order) commits it (below).
  struct PointRun {
    std::size_t unit = 0;  // index into todo
    std::size_t index = 0;
    std::vector<double> values;
    std::string manifest;
    std::vector<formats::ForecastRow> rows;
    double seconds = 0.0;
  };
  std::map<std::string, std::int64_t> ids[3];
  const auto id = [&](int kind, const std::string& name) {
    static const char* columns[3][2] = {
        {"series", "name"}, {"period", "label"}, {"metric", "name"}};
    auto [it, fresh] = ids[kind].try_emplace(name, 0);
    if (fresh) it->second = id_of(*db, columns[kind][0], columns[kind][1], name);
    return it->second;
  };
  // When points arrive less than kBatchBelow apart (a moving average), they are committed
  // together, a transaction about every batch_seconds (kCommitSeconds; docs/sweeps.md), and when
  // the sweep ends or stops: a commit writes the table's upper pages and the log's frames again
  // (a 200-point sweep of 128 paths a point runs 1.25 times longer with a commit a point). The
  // statistics are indexed by output only once the last point is in (index_store). Slower
  // points are committed one by one. A point that fails half inserted has its rows deleted
  // before the others are committed (a savepoint a point would journal every page it touches).
  // A kill -9, or an abort of a distributed sweep (which kills rank 0 too), loses at most the
  // batch open (about two seconds of points), which the next run redoes.
  constexpr double kCommitSeconds = 1.0, kBatchBelow = 1.0;
  const double batch_seconds = [] {
    const char* test = std::getenv("TALENTCAST_TEST_SWEEP_COMMIT_SECONDS");  // docs/cli.md
    return test != nullptr && *test != '\0' ? std::atof(test) : kCommitSeconds;
  }();
  using Clock = std::chrono::steady_clock;
  std::optional<io::Transaction> open;  // the points collected since the last commit
  std::optional<std::int64_t> half;     // a point of them half inserted
  Clock::time_point opened_at, arrived_at = Clock::now();
  double interval = kCommitSeconds;  // between points' arrivals, a moving average
  const auto commit_open = [&] {
    if (!open) return;
    if (half) {
      for (const char* table : {"stat WHERE point", "point_value WHERE point", "point WHERE id"}) {
        db->prepare(fmt::format("DELETE FROM {} = ?", table)).bind(1, *half).run();
      }
      half.reset();
    }
    open->commit();
    open.reset();
  };
  const auto commit = [&](std::uint64_t, core::ByteReader& in) {
    const auto i = static_cast<std::int64_t>(in.get<std::uint64_t>());
    const std::vector<double> values = in.get_array<double>();
    const std::string manifest = in.get_string();
    const double seconds = in.get<double>();
    const auto rows = in.get<std::uint64_t>();
    const Clock::time_point now = Clock::now();
    interval = 0.75 * interval + 0.25 * std::chrono::duration<double>(now - arrived_at).count();
    arrived_at = now;
    if (!open) {
      open.emplace(*db);
      opened_at = now;
    }
    half = i;
    db->prepare("INSERT INTO point (id, seed, manifest, wall_seconds) VALUES (?, ?, ?, ?)")
        .bind(1, i)
        .bind(2, static_cast<std::int64_t>(sweep.point_seed(static_cast<std::size_t>(i))))
        .bind(3, manifest)
        .bind(4, seconds)
        .run();
    auto value = db->prepare("INSERT INTO point_value (point, parameter, value) VALUES (?, ?, ?)");
    for (std::size_t j = 0; j < values.size(); ++j) {
      value.bind(1, i).bind(2, static_cast<std::int64_t>(j)).bind(3, values[j]).run();
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
      return db->prepare(sql);
    };
    constexpr std::size_t kStatRows = 64, kColumns = 14;
    auto many = insert_stat(kStatRows), one = insert_stat(1);
    for (std::uint64_t r = 0; r < rows;) {
      const bool whole = rows - r >= kStatRows;
      io::Statement& stat = whole ? many : one;
      for (const std::uint64_t end = r + (whole ? kStatRows : 1); r < end; ++r) {
        const int at = static_cast<int>((whole ? r % kStatRows : 0) * kColumns);
        const std::string role = in.get_string();
        const std::string period = in.get_string();
        const std::string metric = in.get_string();
        const auto summary = in.get<core::Summary>();
        stat.bind(at + 1, i)
            .bind(at + 2, id(0, role))
            .bind(at + 3, id(1, period))
            .bind(at + 4, id(2, metric))
            .bind(at + 5, summary.mean)
            .bind(at + 6, summary.sd);
        for (std::size_t q = 0; q < summary.percentiles.size(); ++q) {
          stat.bind(at + 7 + static_cast<int>(q), summary.percentiles[q]);
        }
        stat.bind(at + 14, summary.mcse);
      }
      stat.run();
    }
    half.reset();
    if (interval >= kBatchBelow ||
        std::chrono::duration<double>(Clock::now() - opened_at).count() >= batch_seconds) {
      commit_open();
    }
    ++result.run;
    if (options.on_progress) options.on_progress(result.already_done + result.run, result.points);
  };
  core::mpi::Farm::Options farm_options;
  farm_options.units = todo.size();
  farm_options.window = 16;  // points received but not collected: about 1 MB each
  farm_options.stop = options.stop;
  farm_options.collect = commit;
  core::mpi::Farm farm(session, std::move(farm_options));

  const auto take = [&]() -> std::optional<std::shared_ptr<PointRun>> {
    const std::optional<std::uint64_t> unit = farm.next();
    if (!unit) return std::nullopt;
    auto point = std::make_shared<PointRun>();
    point->unit = static_cast<std::size_t>(*unit);
    point->index = todo[point->unit];
    return point;
  };
  const auto simulate = [&](std::shared_ptr<PointRun> point) {
    const auto started = std::chrono::steady_clock::now();
    const std::size_t i = point->index;
    point->values = sweep.values(design, i);
    const Scenario scenario = sweep_scenario(sweep, point->values);
    ForecastSettings settings;
    settings.paths = sweep.paths;
    settings.seed = sweep.point_seed(i);
    settings.threads = 1;
    Forecast forecast = run_forecast(scenario, settings);
    formats::PointRecord record;
    record.point = i;
    record.seed = settings.seed;
    record.paths = settings.paths;
    for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
      record.values.emplace_back(sweep.parameters[j].key, point->values[j]);
    }
    record.scenario_sha256 = io::sha256_hex(scenario.resolved_toml);
    record.forecast_csv_sha256 = formats::forecast_csv_sha256(forecast.rows);
    point->manifest =
        formats::point_manifest(record, {options.version, options.git_commit, std::nullopt});
    for (auto& row : forecast.rows) {
      if (!metrics.empty() && !metrics.count(row.metric)) continue;
      if (!periods.empty() && !periods.count(row.period)) continue;
      point->rows.push_back(std::move(row));
    }
    point->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return point;
  };
  const auto submit = [&](std::shared_ptr<PointRun> point) {
    core::ByteWriter out;
    out.put<std::uint64_t>(point->index).put_array(std::span<const double>(point->values));
    out.put_string(point->manifest).put(point->seconds).put<std::uint64_t>(point->rows.size());
    for (const auto& row : point->rows) {
      out.put_string(row.role).put_string(row.period).put_string(row.metric).put(row.summary);
    }
    farm.submit(point->unit, out.bytes());
  };
  // Distributed, a point that fails ends the whole job on the spot: the other ranks would
  // otherwise wait on this one (docs/mpi.md, "Errors").
  core::PipelineOptions pipeline_options;
  pipeline_options.threads = options.threads;
  pipeline_options.session = &session;
  pipeline_options.aftermath =
      "The points committed before it are in the database; the same command runs the rest.";
  core::Pipeline pipeline(std::move(pipeline_options));
  std::uint64_t handed_out = 0;
  try {
    pipeline.run(take, simulate, submit);
    handed_out = farm.finish();
  } catch (...) {
    // The points collected whole before the failure. (Not distributed: there the collector
    // thread may still be in commit() until the farm is destroyed, and the open batch is lost
    // with rank 0, as the failure's message says.)
    if (!session.distributed()) {
      try {
        commit_open();
      } catch (const io::SqliteError&) {
        // The failure is what is reported; the points not committed are run again next time.
      }
    }
    throw;
  }
  commit_open();
  result.interrupted = session.root() && handed_out < todo.size();
  if (session.root() && !result.interrupted) {
    if (options.on_indexing) options.on_indexing();
    result.interrupted = result.interrupted_indexing = !index_store(*db, options.stop);
  }
  return result;
}

std::string dump_sweep_database(const std::filesystem::path& database) {
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

}  // namespace talentcast::studies
