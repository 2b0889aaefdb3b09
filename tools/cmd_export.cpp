// `talentcast export`: a sweep's results database as tidy CSV, whole or only the metrics, roles,
// periods and statistics asked for (docs/sweeps.md).

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>

#include "cli.hpp"
#include "interrupt.hpp"
#include "outputs.hpp"
#include "talentcast/formats/sweep_store.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/io/temporary_name.hpp"

namespace talentcast::cli {

namespace {

// Whether a file's first bytes are an export's (docs/sweeps.md), which --out may replace.
bool is_export(std::string_view head) {
  const std::string_view header = head.substr(0, head.find('\n'));
  return header.starts_with("point,") && header.find(",role,period,metric,") != header.npos;
}

// The names a filter asks for, each once, in its order; unknown ones are errors listing `known`.
std::vector<std::string> chosen(const std::string& flag, const std::vector<std::string>& asked,
                                const std::vector<std::string>& known, const std::string& what,
                                std::vector<std::string>& errors) {
  std::vector<std::string> names;
  for (const auto& name : asked) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      errors.push_back(fmt::format("{}: expected {} ({}), found '{}'", flag, what,
                                   fmt::join(known, ", "), name));
    } else if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

// The metrics, roles and periods exported.
struct Kept {
  std::vector<std::string> metrics, roles, periods;
};

// Tidy: one row per (point, role, period, metric), with the point's parameter values, streamed
// to the file (named only when complete) or to standard output: memory does not grow with the
// database. Returns the number of points exported.
std::size_t stream_rows(io::Database& db, const std::vector<std::string>& stats, const Kept& kept,
                        const std::vector<formats::StoredParameter>& parameters,
                        const std::map<std::size_t, std::vector<double>>& values,
                        std::vector<io::PendingFile>& file, const std::atomic<bool>& stop) {
  const auto emit = [&](std::string_view text) {
    if (!file.empty()) {
      file.front().write(text);
    } else if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
      throw std::runtime_error(fmt::format("cannot write to standard output: {}",
                                           std::generic_category().message(errno)));
    }
  };
  // Rows are formatted into one buffer and written a megabyte at a time.
  fmt::memory_buffer text;
  const auto out = fmt::appender(text);
  const auto flush = [&] {
    emit(std::string_view(text.data(), text.size()));
    text.clear();
  };
  fmt::format_to(out, "point");
  for (const auto& p : parameters) fmt::format_to(out, ",{}", p.key);
  fmt::format_to(out, ",role,period,metric,{}\n", fmt::join(stats, ","));
  std::size_t points = 0;
  std::optional<std::size_t> last;
  formats::StatRows rows(db, stats, kept.metrics, kept.roles, kept.periods);
  const std::vector<double> no_values;  // a point without values: none stored (never seen)
  const std::vector<double>* point_values = nullptr;
  while (rows.next()) {
    if (stop.load()) throw io::WriteInterrupted();
    const std::size_t point = rows.point();
    if (point != last) {
      ++points;
      const auto found = values.find(point);
      point_values = found == values.end() ? &no_values : &found->second;
    }
    last = point;
    fmt::format_to(out, FMT_COMPILE("{}"), point);
    for (const double v : *point_values) fmt::format_to(out, FMT_COMPILE(",{}"), v);
    fmt::format_to(out, FMT_COMPILE(",{},{},{}"), rows.role(), rows.period(), rows.metric());
    for (std::size_t c = 0; c < stats.size(); ++c) {
      fmt::format_to(out, FMT_COMPILE(",{}"), rows.statistic(c));
    }
    text.push_back('\n');
    if (text.size() >= (1u << 20)) flush();
  }
  flush();
  return points;
}

}  // namespace

int export_command(const ExportArgs& args) {
  // Every problem at once, in the order of the CSV's columns; --stats is checked even when the
  // database cannot be read.
  std::vector<std::string> errors, stats_errors;
  const std::vector<std::string> statistics(formats::kStoredStatistics.begin(),
                                            formats::kStoredStatistics.end());
  std::vector<std::string> stats =
      chosen("--stats", args.stats, statistics, "statistics", stats_errors);
  if (stats.empty()) stats = statistics;
  if (!std::filesystem::is_regular_file(args.db)) {
    stats_errors.insert(
        stats_errors.begin(),
        fmt::format("--db: expected a sweep's results database, found '{}', which does not exist",
                    args.db));
    throw io::UserError(std::move(stats_errors));
  }
  if (const auto found = args.out.empty() ? std::nullopt : foreign_file(args.out, is_export)) {
    throw io::UserError(fmt::format(
        "--out {}: expected a new file or an export talentcast wrote, found {}; nothing was "
        "written",
        args.out, *found));
  }
  std::optional<InterruptGuard> guard;
  const std::atomic<bool>& stop = args.stop != nullptr ? *args.stop : guard.emplace().flag();
  const std::string_view unwritten = args.out.empty() ? "" : "; nothing was written";
  try {
    io::Database db = formats::open_store_to_read(args.db);
    const std::string stored_in = fmt::format("stored in {}", args.db);
    const auto metrics = chosen("--metrics", args.metrics, sorted(formats::stored_metrics(db)),
                                "metrics " + stored_in, errors);
    const auto roles = chosen("--roles", args.roles, sorted(formats::stored_roles(db)),
                              "roles " + stored_in, errors);
    const auto periods = chosen("--periods", args.periods, formats::stored_periods(db),
                                "periods " + stored_in, errors);
    errors.insert(errors.end(), stats_errors.begin(), stats_errors.end());
    if (!errors.empty()) throw io::UserError(std::move(errors));

    const std::size_t design_points = formats::read_sweep(db).points;
    const std::vector<formats::StoredParameter> parameters = formats::read_parameters(db);
    const auto values = formats::read_point_values(db, parameters.size());
    std::vector<io::PendingFile> file;
    if (!args.out.empty()) {
      const std::filesystem::path out(args.out);
      io::remove_stale_temporaries(out.parent_path(), {out.filename().string()});
      file.emplace_back(out);
    }
    const std::size_t points =
        stream_rows(db, stats, {metrics, roles, periods}, parameters, values, file, stop);
    io::commit_together(file, &stop);
    if (points < design_points) {
      fmt::print(stderr,
                 "talentcast: warning: {}: the sweep is incomplete ({} of {} points exported)\n",
                 args.db, points, design_points);
    }
  } catch (const io::WriteInterrupted&) {
    throw Interrupted(args.out.empty() ? "interrupted; standard output holds part of the export"
                                       : "interrupted; nothing was written");
  } catch (const formats::SweepStoreError& e) {
    stats_errors.insert(stats_errors.begin(), fmt::format("{}{}", e.what(), unwritten));
    throw io::UserError(std::move(stats_errors));
  } catch (const io::SqliteError& e) {
    throw io::UserError(
        fmt::format("{}: not a readable sweep database ({}){}", args.db, e.what(), unwritten));
  } catch (const io::UserError&) {
    throw;  // told as it is: the arguments' problems
  } catch (const std::runtime_error& e) {
    // The file could not be written (permissions, a full disk).
    throw io::UserError(fmt::format("{}{}", e.what(), unwritten));
  }
  return kExitOk;
}

}  // namespace talentcast::cli
