// Before a sweep's points run (sweep_run.hpp): what makes it the same sweep as a store's, the
// check of every point's scenario, the store's record of the sweep, and the filters of what is
// stored.
#include "sweep_prepare.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "talentcast/core/libm.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/metrics.hpp"

namespace talentcast::studies {

using config::PointScenarios;
using config::Sweep;
using config::SweepParameter;
using formats::holds_sweep;
using formats::open_store_to_write;
using formats::unindex_store;
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

// What the store records of the sweep.
formats::SweepRecord sweep_record(const Sweep& sweep, const Scenario& base,
                                  const std::string& identity, std::size_t points,
                                  const SweepRunOptions& options) {
  formats::SweepRecord record;
  record.identity = identity;
  record.sweep_file = sweep.path.string();
  record.sweep_toml = sweep.text;
  record.scenario_file = sweep.scenario_path.string();
  record.scenario_sha256 = io::sha256_hex(base.resolved_toml);
  record.design = design_name(sweep.design);
  record.points = points;
  record.paths = sweep.paths;
  record.seed = sweep.seed;
  record.talentcast_version = options.version;
  record.git_commit = options.git_commit;
  for (const SweepParameter& p : sweep.parameters) {
    formats::StoredParameter& stored = record.parameters.emplace_back();
    stored.key = p.key;
    if (p.levels.empty()) {
      stored.low = p.low;
      stored.high = p.high;
    }
    stored.levels = p.levels;
  }
  return record;
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

}  // namespace

namespace detail {

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
      record_sweep(*store, sweep_record(sweep, base, identity.dump(), result.points, options));
    }
  }
  todo = formats::missing_points(*store, result.points);
  result.already_done = result.points - todo.size();
  // Points to add: the index by output is built again once they are all in (index_store).
  if (!todo.empty()) unindex_store(*store);
  return true;
}

}  // namespace detail

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

}  // namespace talentcast::studies
