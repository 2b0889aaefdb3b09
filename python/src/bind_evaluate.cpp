// The model as a function for outside samplers: a (points, keys) array in, (points, outputs)
// out.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "talentcast/studies/evaluate.hpp"

namespace talentcast::python {

namespace {

py::array_t<double> evaluate(
    const config::ScenarioDocument& document, const std::vector<std::string>& keys,
    const py::array_t<double, py::array::c_style | py::array::forcecast>& values,
    const std::vector<std::string>& outputs, std::uint64_t paths, std::uint64_t seed, int threads) {
  if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(1)) != keys.size()) {
    throw std::invalid_argument("evaluate: values must be a (points, keys) array");
  }
  const std::vector<double> flat(values.data(), values.data() + values.size());
  const auto points = static_cast<py::ssize_t>(values.shape(0));
  // The document as it is now: another Python thread may change it while the points run.
  const config::ScenarioDocument snapshot(document);
  std::atomic<bool> stop{false};
  studies::EvaluateSettings settings;
  settings.paths = paths;
  settings.seed = seed;
  settings.threads = threads;
  settings.stop = &stop;
  studies::Evaluation evaluation;
  interruptible(stop, [&] {
    evaluation = studies::evaluate(snapshot, keys, static_cast<std::size_t>(points), flat, outputs,
                                   settings);
  });
  py::array_t<double> result({points, static_cast<py::ssize_t>(outputs.size())});
  std::copy(evaluation.values.begin(), evaluation.values.end(), result.mutable_data());
  return result;
}

}  // namespace

void bind_evaluate(py::module_& m) {
  m.def("evaluate", &evaluate, py::arg("document"), py::arg("keys"), py::arg("values"),
        py::arg("outputs"), py::arg("paths"), py::arg("seed"), py::arg("threads"));
  m.def("statistic_names", &studies::statistic_names);
}

}  // namespace talentcast::python
