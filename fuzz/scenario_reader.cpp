// Fuzz target: a scenario file read as `talentcast validate` reads it (TOML parsing, `extends`,
// salary_data files, validation). Any input must end in a Scenario or an io::UserError listing at
// least one located problem; anything else (a crash, undefined behaviour, another exception) is
// a bug.

#include "sandbox.hpp"
#include "talentcast/config/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  const std::string_view text = fuzz::as_text(data, size);
  if (!fuzz::stays_in_sandbox(text)) return -1;
  const auto path = fuzz::Sandbox::get().write("input.toml", text);
  try {
    const models::Scenario scenario = config::load_scenario(path);
    fuzz::check(!scenario.roles.empty() && scenario.periods() > 0,
                "a valid scenario has roles and periods");
  } catch (const io::UserError& error) {
    fuzz::check(!error.diagnostics().empty(), "a io::UserError lists a problem");
    for (const auto& d : error.diagnostics()) {
      fuzz::check(!d.file.empty() && d.line >= 0 && d.column >= 0, "a problem has a place");
    }
  }
  return 0;
}
