// Scenarios: a file resolved and open to change by key path (config::ScenarioDocument), and the
// validated scenario a run takes.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "cli.hpp"
#include "talentcast/config/scenario_document.hpp"

namespace talentcast::python {

namespace {

std::vector<std::string> series_names(const models::Scenario& scenario) {
  std::vector<std::string> names;
  for (const auto& role : scenario.roles) names.push_back(role.name);
  return names;
}

std::vector<std::string> period_labels(const models::Scenario& scenario) {
  std::vector<std::string> labels;
  for (int period = 0; period < scenario.periods(); ++period) {
    labels.push_back(scenario.period_label(period));
  }
  return labels;
}

}  // namespace

void bind_scenario(py::module_& m) {
  using config::ScenarioDocument;
  py::class_<ScenarioDocument>(m, "Document")
      .def(py::init<const std::filesystem::path&>(), py::arg("path"))
      .def_property_readonly("path", &ScenarioDocument::path)
      .def("get_json", &ScenarioDocument::get_json, py::arg("key"))
      .def("set", &ScenarioDocument::set, py::arg("key"), py::arg("toml_value"))
      .def("keys", &ScenarioDocument::keys)
      .def("changes", &ScenarioDocument::changes)
      .def("copy", [](const ScenarioDocument& document) { return ScenarioDocument(document); })
      // Validated holding the GIL (milliseconds): no other Python thread changes the document
      // meanwhile.
      .def("model", [](const ScenarioDocument& document) {
        try {
          return Model{std::make_shared<const models::Scenario>(document.scenario())};
        } catch (io::UserError& error) {
          cli::count_errors(error, document.path().string());  // as `talentcast validate` says
          throw;
        }
      });

  py::class_<Model>(m, "Model")
      .def_property_readonly("title", [](const Model& model) { return model.scenario->title; })
      .def_property_readonly("roles",
                             [](const Model& model) { return series_names(*model.scenario); })
      .def_property_readonly("periods",
                             [](const Model& model) { return period_labels(*model.scenario); })
      .def_property_readonly("paths", [](const Model& model) { return model.scenario->paths; })
      .def_property_readonly("seed", [](const Model& model) { return model.scenario->seed; })
      .def_property_readonly("warnings",
                             [](const Model& model) { return model.scenario->warnings; })
      .def_property_readonly("resolved_toml",
                             [](const Model& model) { return model.scenario->resolved_toml; });
}

}  // namespace talentcast::python
