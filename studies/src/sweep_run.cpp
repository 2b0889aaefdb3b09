#include "talentcast/studies/sweep_run.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>

#include "sweep_prepare.hpp"
#include "talentcast/core/bytes.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/pipeline.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/models/metrics.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies {

using config::Sweep;
using formats::index_store;
using models::Scenario;

namespace {

// A point in flight: the unit the farm handed out, and the point as run.
struct PointRun {
  std::size_t unit = 0;  // index into the points to run
  formats::StoredPoint point;
};

// Runs point i of the design on this thread, keeping the statistics the options store.
void run_point(const Sweep& sweep, const core::Design& design, const SweepRunOptions& options,
               PointRun& run) {
  const auto started = std::chrono::steady_clock::now();
  formats::StoredPoint& point = run.point;
  const auto i = static_cast<std::size_t>(point.id);
  point.values = sweep.values(design, i);
  const Scenario scenario = sweep_scenario(sweep, point.values);
  ForecastSettings settings;
  settings.paths = sweep.paths;
  settings.seed = point.seed;
  settings.threads = 1;
  Forecast forecast = run_forecast(scenario, settings);
  formats::PointRecord record;
  record.point = i;
  record.seed = settings.seed;
  record.paths = settings.paths;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    record.values.emplace_back(sweep.parameters[j].key, point.values[j]);
  }
  record.scenario_sha256 = io::sha256_hex(scenario.resolved_toml);
  record.forecast_csv_sha256 = formats::forecast_csv_sha256(forecast.rows);
  point.manifest =
      formats::point_manifest(record, {options.version, options.git_commit, std::nullopt});
  const std::set<std::string> metrics(options.metrics.begin(), options.metrics.end());
  const std::set<std::string> periods(options.periods.begin(), options.periods.end());
  for (auto& row : forecast.rows) {
    if (!metrics.empty() && !metrics.count(row.metric)) continue;
    if (!periods.empty() && !periods.count(row.period)) continue;
    point.rows.push_back(std::move(row));
  }
  point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// A point as the farm carries it to rank 0, and back.
std::vector<std::byte> encode(const formats::StoredPoint& point) {
  core::ByteWriter out;
  out.put<std::uint64_t>(static_cast<std::uint64_t>(point.id))
      .put<std::uint64_t>(point.seed)
      .put_array(std::span<const double>(point.values));
  out.put_string(point.manifest).put(point.seconds).put<std::uint64_t>(point.rows.size());
  for (const auto& row : point.rows) {
    out.put_string(row.role).put_string(row.period).put_string(row.metric).put(row.summary);
  }
  return out.bytes();
}

formats::StoredPoint decode(core::ByteReader& in) {
  formats::StoredPoint point;
  point.id = static_cast<std::int64_t>(in.get<std::uint64_t>());
  point.seed = in.get<std::uint64_t>();
  point.values = in.get_array<double>();
  point.manifest = in.get_string();
  point.seconds = in.get<double>();
  point.rows.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& row : point.rows) {
    row.role = in.get_string();
    row.period = in.get_string();
    row.metric = in.get_string();
    row.summary = in.get<core::Summary>();
  }
  return point;
}

// Rank 0's list of the points to run, on every rank.
void share(const core::mpi::Session& session, std::vector<std::size_t>& todo) {
  if (!session.distributed()) return;
  std::vector<std::byte> bytes(todo.size() * sizeof(std::size_t));
  if (!bytes.empty()) std::memcpy(bytes.data(), todo.data(), bytes.size());
  session.broadcast(bytes);
  todo.resize(bytes.size() / sizeof(std::size_t));
  if (!todo.empty()) std::memcpy(todo.data(), bytes.data(), bytes.size());
}

// How long points arriving close together are batched before a commit (docs/sweeps.md): a
// second, or what the test hook says (docs/cli.md).
double batch_seconds() {
  const char* test = std::getenv("TALENTCAST_TEST_SWEEP_COMMIT_SECONDS");
  return test != nullptr && *test != '\0' ? std::atof(test) : 1.0;
}

// Runs the points `todo` lists, in parallel, one thread each (a point of a few thousand paths
// does not keep several threads busy), on every rank; each goes to the farm, whose collector
// on rank 0 (on the calling thread of a single process, in point order) writes it. Returns the
// number of points handed out (rank 0).
std::uint64_t run_points(const Sweep& sweep, const core::Design& design,
                         const std::vector<std::size_t>& todo, const SweepRunOptions& options,
                         const core::mpi::Session& session, formats::PointWriter* writer,
                         SweepRunResult& result) {
  core::mpi::Farm::Options farm_options;
  farm_options.units = todo.size();
  farm_options.window = 16;  // points received but not collected: about 1 MB each
  farm_options.stop = options.stop;
  farm_options.collect = [&](std::uint64_t, core::ByteReader& in) {
    writer->add(decode(in));
    ++result.run;
    if (options.on_progress) options.on_progress(result.already_done + result.run, result.points);
  };
  core::mpi::Farm farm(session, std::move(farm_options));

  const auto take = [&]() -> std::optional<PointRun> {
    const std::optional<std::uint64_t> unit = farm.next();
    if (!unit) return std::nullopt;
    PointRun run;
    run.unit = static_cast<std::size_t>(*unit);
    run.point.id = static_cast<std::int64_t>(todo[run.unit]);
    run.point.seed = sweep.point_seed(todo[run.unit]);
    return run;
  };
  const auto simulate = [&](PointRun run) {
    run_point(sweep, design, options, run);
    return run;
  };
  const auto submit = [&](PointRun run) { farm.submit(run.unit, encode(run.point)); };
  // Distributed, a point that fails ends the whole job on the spot: the other ranks would
  // otherwise wait on this one (docs/mpi.md, "Errors").
  core::Pipeline pipeline(core::PipelineOptions{
      .threads = options.threads,
      .session = &session,
      .aftermath =
          "The points committed before it are in the database; the same command runs the rest."});
  try {
    pipeline.run(take, simulate, submit);
    return farm.finish();
  } catch (...) {
    // The points collected whole before the failure. (Not distributed: there the collector
    // thread may still be writing until the farm is destroyed, and the open batch is lost
    // with rank 0, as the failure's message says.)
    if (!session.distributed()) {
      try {
        writer->commit();
      } catch (const io::SqliteError&) {
        // The failure is what is reported; the points not committed are run again next time.
      }
    }
    throw;
  }
}

}  // namespace

SweepRunResult run_sweep(const Sweep& sweep, const std::filesystem::path& database,
                         const SweepRunOptions& options) {
  const core::Design design = sweep.design_points();
  const core::mpi::Session& session =
      options.session != nullptr ? *options.session : core::mpi::Session::local();
  SweepRunResult result;
  result.points = design.points();

  // Rank 0 (a single process is one) opens the database, finds the missing points and checks
  // that they all make valid scenarios; the other ranks wait for its verdict and the list.
  std::optional<io::Database> db;
  std::vector<std::size_t> todo;
  bool prepared = true;
  if (session.root()) {
    try {
      prepared = detail::prepare_store(sweep, design, database, options, db, todo, result);
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
  share(session, todo);

  // Points are committed in batches (formats::PointWriter), and the statistics indexed by output
  // only once the last point is in (index_store). A kill -9, or an abort of a distributed sweep
  // (which kills rank 0 too), loses at most the batch open (about two seconds of points), which
  // the next run redoes.
  std::optional<formats::PointWriter> writer;
  if (session.root()) writer.emplace(*db, batch_seconds());
  const std::uint64_t handed_out =
      run_points(sweep, design, todo, options, session, writer ? &*writer : nullptr, result);
  if (writer) writer->commit();
  result.interrupted = session.root() && handed_out < todo.size();
  if (session.root() && !result.interrupted) {
    if (options.on_indexing) options.on_indexing();
    result.interrupted = result.interrupted_indexing = !index_store(*db, options.stop);
  }
  return result;
}

}  // namespace talentcast::studies
