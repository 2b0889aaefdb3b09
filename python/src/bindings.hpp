#pragma once
// The Python extension `talentcast._talentcast` (docs/python.md): the C++ side of the package,
// which python/talentcast/__init__.py wraps in its pandas and xarray API. What a Python caller
// waits for runs with the GIL released; Ctrl-C raises KeyboardInterrupt.

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "talentcast/formats/band_store.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::python {

namespace py = pybind11;

/// A validated scenario, shared by the runs made of it.
struct Model {
  std::shared_ptr<const models::Scenario> scenario;
};

/// A run's band store (its salary bands on sampled paths), for benchmarks.
struct Bands {
  std::shared_ptr<const formats::BandStore> store;
};

/// Runs work on a thread of its own while the calling thread, the Python caller, waits with the
/// GIL released and looks for a signal every 50 ms. On Ctrl-C it sets stop, waits for the work
/// to end (the engine stops between blocks of paths) and raises KeyboardInterrupt; otherwise
/// it returns what the work returned or rethrows what the work threw.
void interruptible(std::atomic<bool>& stop, const std::function<void()>& work);

void bind_scenario(py::module_& m);
void bind_run(py::module_& m);
void bind_evaluate(py::module_& m);
void bind_benchmark(py::module_& m);
void bind_sweep(py::module_& m);
void bind_evaluation(py::module_& m);

}  // namespace talentcast::python
