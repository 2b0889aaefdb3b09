// Forecasts and comparisons: run on a thread of their own (interruptible), read as columns.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "bindings.hpp"
#include "cli.hpp"
#include "talentcast/studies/compare.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::python {

namespace {

// The statistics of a summary in forecast.csv's column order.
constexpr std::size_t kStatistics = 10;

void put_summary(const core::Summary& s, double* out) {
  out[0] = s.mean;
  out[1] = s.sd;
  for (std::size_t i = 0; i < s.percentiles.size(); ++i) out[2 + i] = s.percentiles[i];
  out[kStatistics - 1] = s.mcse;
}

// Names as codes into a list of them in order of appearance.
class Codes {
 public:
  explicit Codes(std::size_t rows) : codes_(static_cast<py::ssize_t>(rows)) {}
  void add(std::size_t row, const std::string& name) {
    const auto [at, added] = index_.try_emplace(name, names_.size());
    if (added) names_.push_back(name);
    codes_.mutable_at(static_cast<py::ssize_t>(row)) = static_cast<std::int64_t>(at->second);
  }
  py::tuple get() const { return py::make_tuple(names_, codes_); }

 private:
  std::vector<std::string> names_;
  std::map<std::string, std::size_t> index_;
  py::array_t<std::int64_t> codes_;
};

template <typename Row>
py::dict table_of(const std::vector<Row>& rows) {
  Codes series(rows.size()), periods(rows.size()), metrics(rows.size());
  py::array_t<double> values(
      {static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(kStatistics)});
  double* out = values.mutable_data();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    series.add(r, rows[r].role);
    periods.add(r, rows[r].period);
    metrics.add(r, rows[r].metric);
    put_summary(rows[r].summary, out + r * kStatistics);
  }
  py::dict table;
  table["series"] = series.get();
  table["period"] = periods.get();
  table["metric"] = metrics.get();
  table["values"] = values;
  if constexpr (std::is_same_v<Row, formats::ComparisonRow>) {
    Codes quantities(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      quantities.add(r, std::string(formats::quantity_name(rows[r].quantity)));
    }
    table["quantity"] = quantities.get();
  }
  return table;
}

// A finished forecast, with what writing its files needs.
struct Run {
  std::shared_ptr<const models::Scenario> scenario;
  studies::ForecastSettings settings;
  studies::Forecast forecast;
  int threads = 0;
  double seconds = 0.0;
  std::string command_line;
  std::optional<std::string> manifest;  // made on first asking

  cli::OutputFiles files(const std::filesystem::path& out) const {
    cli::RunOutputs outputs;
    outputs.out = out;
    outputs.command_line = command_line;
    outputs.threads = threads;
    return cli::run_files(*scenario, forecast, settings, outputs, seconds);
  }
};

struct Comparison {
  studies::Comparison comparison;
};

studies::ForecastSettings settings_of(const Model& model, std::optional<std::uint64_t> paths,
                                      std::optional<std::uint64_t> seed, int threads,
                                      bool central) {
  studies::ForecastSettings settings = studies::default_settings(*model.scenario);
  if (paths) settings.paths = *paths;
  if (seed) settings.seed = *seed;
  settings.threads = threads;
  settings.central = central;
  return settings;
}

Run run(const Model& model, std::optional<std::uint64_t> paths, std::optional<std::uint64_t> seed,
        int threads, bool central, std::uint64_t band_samples, std::vector<std::string> keep,
        std::uint64_t keep_limit_bytes, std::string command_line) {
  Run result;
  result.scenario = model.scenario;
  result.settings = settings_of(model, paths, seed, threads, central);
  result.settings.band_samples = band_samples;
  result.settings.keep = std::move(keep);
  result.settings.keep_limit_bytes = keep_limit_bytes;
  result.threads = threads;
  result.command_line = std::move(command_line);
  std::atomic<bool> stop{false};
  result.settings.stop = &stop;
  const auto started = std::chrono::steady_clock::now();
  interruptible(stop,
                [&] { result.forecast = studies::run_forecast(*model.scenario, result.settings); });
  result.settings.stop = nullptr;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

void write(const Run& run, const std::filesystem::path& out) {
  if (const auto problem = cli::run_directory_problem(out)) {
    throw io::UserError(*problem + "; nothing was written");
  }
  const cli::OutputFiles files = run.files(out);
  std::atomic<bool> stop{false};
  interruptible(stop,
                [&] { cli::write_run_files(files, run.forecast.bands.has_value(), out, stop); });
}

// The kept per-path values, handed to NumPy without a copy: an array of shape (paths, metrics,
// periods, roles) that owns them. Once only: the Run gives them up.
py::dict take_kept(Run& run) {
  if (!run.forecast.kept) throw std::logic_error("this run kept no per-path values");
  studies::KeptPaths kept = std::move(*run.forecast.kept);
  run.forecast.kept.reset();
  auto* values = new std::vector<double>(std::move(kept.values));
  py::capsule owner(values, [](void* held) { delete static_cast<std::vector<double>*>(held); });
  const auto m = static_cast<py::ssize_t>(kept.metrics.size());
  const auto t = static_cast<py::ssize_t>(kept.periods.size());
  const auto r = static_cast<py::ssize_t>(kept.roles.size());
  const auto p = static_cast<py::ssize_t>(values->size()) / std::max<py::ssize_t>(1, m * t * r);
  py::dict result;
  result["values"] = py::array_t<double>({p, m, t, r}, values->data(), owner);
  result["metrics"] = kept.metrics;
  result["periods"] = kept.periods;
  result["roles"] = kept.roles;
  return result;
}

Comparison compare(const Model& base, const Model& whatif, std::optional<std::uint64_t> paths,
                   std::optional<std::uint64_t> seed, int threads) {
  if (const auto problems = studies::comparison_problems(*base.scenario, *whatif.scenario);
      !problems.empty()) {
    throw io::UserError(problems);
  }
  studies::ForecastSettings settings = settings_of(base, paths, seed, threads, false);
  std::atomic<bool> stop{false};
  settings.stop = &stop;
  Comparison result;
  interruptible(stop, [&] {
    result.comparison = studies::run_comparison(*base.scenario, *whatif.scenario, settings);
  });
  return result;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<Run>(m, "Run")
      .def_property_readonly("paths", [](const Run& r) { return r.forecast.paths_done; })
      .def_property_readonly("seed", [](const Run& r) { return r.settings.seed; })
      .def_property_readonly("seconds", [](const Run& r) { return r.seconds; })
      .def("table", [](const Run& r) { return table_of(r.forecast.rows); })
      .def("manifest",
           [](Run& r) {
             if (!r.manifest) {
               py::gil_scoped_release release;
               r.manifest = r.files("").back().second;
             }
             return *r.manifest;
           })
      .def("write", &write, py::arg("out"))
      .def("take_kept", &take_kept)
      .def("bands", [](const Run& r) -> std::optional<Bands> {
        if (!r.forecast.bands) return std::nullopt;
        return Bands{std::make_shared<const formats::BandStore>(*r.forecast.bands)};
      });
  m.def("run", &run, py::arg("model"), py::arg("paths"), py::arg("seed"), py::arg("threads"),
        py::arg("central"), py::arg("band_samples"), py::arg("keep"), py::arg("keep_limit_bytes"),
        py::arg("command_line"));

  py::class_<Comparison>(m, "Comparison")
      .def_property_readonly("paths", [](const Comparison& c) { return c.comparison.paths_done; })
      .def("table", [](const Comparison& c) { return table_of(c.comparison.rows); });
  m.def("compare", &compare, py::arg("base"), py::arg("whatif"), py::arg("paths"), py::arg("seed"),
        py::arg("threads"));
}

}  // namespace talentcast::python
