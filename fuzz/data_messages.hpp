#pragma once
// The property of every message about a data file (salary_data, payroll): it shows at most the
// offending field, cut to 40 bytes (io::quoted_field), and no control byte.

#include <algorithm>

#include "sandbox.hpp"
#include "talentcast/config/scenario_loader.hpp"

namespace talentcast::fuzz {

inline void check_data_messages(const io::UserError& error,
                                const std::filesystem::path& data_file) {
  check(!error.diagnostics().empty(), "a io::UserError lists a problem");
  for (const auto& d : error.diagnostics()) {
    check(d.line >= 0 && d.column >= 0, "a problem has a place");
    if (d.file != data_file.string()) continue;
    // 40 bytes, each at most 4 once escaped (\xNN), quoted, "...", and a few words around.
    check(d.found.size() <= 200, "a data file's message shows at most a field, cut");
    check(std::none_of(d.found.begin(), d.found.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }),
          "a data file's message carries no control byte");
  }
}

}  // namespace talentcast::fuzz
