#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "bindings.hpp"
#include "errors.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/version.hpp"

namespace talentcast::python {

void interruptible(std::atomic<bool>& stop, const std::function<void()>& work) {
  std::packaged_task<void()> task(work);
  std::future<void> done = task.get_future();
  std::thread worker;
  bool interrupted = false;
  {
    py::gil_scoped_release release;
    worker = std::thread(std::move(task));
  }
  for (;;) {
    {
      py::gil_scoped_release release;
      if (done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready) break;
    }
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;
      stop = true;
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (interrupted)
    throw py::error_already_set();  // the KeyboardInterrupt (or what a handler
                                    // raised)
  done.get();
}

namespace {

void bind_errors(py::module_& m) {
  // Bad input, with the command line's message: file:line:column: key: expected ..., found ...
  static py::exception<io::UserError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const io::UserError& e) {
      std::string text = cli::user_error_text(e);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      scenario_error(text.c_str());
    } catch (const cli::Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const io::WriteInterrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const io::PartlyWritten& e) {
      scenario_error((std::string("talentcast: ") + e.what()).c_str());
    } catch (const std::domain_error& e) {
      const std::string text =
          std::string("talentcast: a parameter's distribution could not be evaluated: ") + e.what();
      scenario_error(text.c_str());
    }
  });
}

}  // namespace

}  // namespace talentcast::python

PYBIND11_MODULE(_talentcast, m) {
  using namespace talentcast::python;
  m.doc() = "talentcast's engine; use the package `talentcast`, which wraps it (docs/python.md)";
  m.attr("__version__") = talentcast::kVersion;
  bind_errors(m);
  bind_scenario(m);
  bind_run(m);
  bind_evaluate(m);
  bind_benchmark(m);
  bind_sweep(m);
  bind_evaluation(m);
}
