// Fuzz target: a sweep file read as `talentcast sweep` reads it before running (its keys, its
// base scenario and every parameter's key path and values). Any input must end in a Sweep or a
// io::UserError listing at least one located problem.

#include "sandbox.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/config/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  const std::string_view text = fuzz::as_text(data, size);
  if (!fuzz::stays_in_sandbox(text)) return -1;
  const auto path = fuzz::Sandbox::get().write("input-sweep.toml", text);
  try {
    const config::Sweep sweep = config::load_sweep(path);
    fuzz::check(!sweep.parameters.empty() && sweep.base != nullptr,
                "a valid sweep has parameters and a base scenario");
  } catch (const io::UserError& error) {
    fuzz::check(!error.diagnostics().empty(), "a io::UserError lists a problem");
    for (const auto& d : error.diagnostics()) {
      fuzz::check(!d.file.empty() && d.line >= 0 && d.column >= 0, "a problem has a place");
    }
  }
  return 0;
}
