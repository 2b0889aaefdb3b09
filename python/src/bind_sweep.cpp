// Sweeps through the command's own code: run a sweep file into its database, export the
// database's statistics, and the sensitivity of outputs to the swept parameters.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "cli.hpp"
#include "sensitivity_charts.hpp"

namespace talentcast::python {

namespace {

// A command's run on a thread of its own, given the flag Ctrl-C sets (it then installs no
// handler of its own): it stops as the command line would (a sweep keeps the points it
// committed), and KeyboardInterrupt is raised.
void run_command(const std::function<int(const std::atomic<bool>&)>& command) {
  std::atomic<bool> stop{false};
  int code = cli::kExitOk;
  interruptible(stop, [&] { code = command(stop); });
  if (code == cli::kExitInterrupted) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  if (code != cli::kExitOk) throw std::runtime_error("the command failed");
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("sweep", [](const std::string& file, const std::string& db, int threads,
                    const std::vector<std::string>& metrics,
                    const std::vector<std::string>& periods, const std::string& command_line) {
    cli::SweepArgs args;
    args.sweep = file;
    args.db = db;
    args.threads = threads;
    args.metrics = metrics;
    args.periods = periods;
    args.quiet = true;
    args.command_line = command_line;
    run_command([&](const std::atomic<bool>& stop) {
      args.stop = &stop;
      return cli::sweep_command(args);
    });
  });
  m.def("export_csv",
        [](const std::string& db, const std::string& out, const std::vector<std::string>& metrics,
           const std::vector<std::string>& roles, const std::vector<std::string>& periods,
           const std::vector<std::string>& stats) {
          cli::ExportArgs args;
          args.db = db;
          args.out = out;
          args.metrics = metrics;
          args.roles = roles;
          args.periods = periods;
          args.stats = stats;
          run_command([&](const std::atomic<bool>& stop) {
            args.stop = &stop;
            return cli::export_command(args);
          });
        });
  m.def("sensitivity",
        [](const std::string& db, const std::vector<std::string>& outputs, std::size_t resamples) {
          cli::SensitivityArgs args;
          args.db = db;
          args.outputs = outputs;
          args.format = "csv";
          args.resamples = resamples;
          cli::SensitivityReport report;
          std::atomic<bool> stop{false};
          args.stop = &stop;
          interruptible(stop, [&] { report = cli::sensitivity_report(args); });
          return py::make_tuple(report.text, report.warnings, std::string(cli::kRankingRule));
        });
}

}  // namespace talentcast::python
