#pragma once
// The comparison's HTML report (comparison_page.cpp): per role, the fan of the ratio's change and
// of the median salary's what-if-over-base ratio, key numbers, and how to reproduce it.

#include <cstdint>
#include <string>

#include "cli.hpp"
#include "outputs.hpp"
#include "talentcast/models/scenario.hpp"
#include "talentcast/studies/compare.hpp"

namespace talentcast::cli {

/// The page (at args.report) and its charts (in charts/ beside it), to write.
OutputFiles comparison_page(const CompareArgs& args, const models::Scenario& base,
                            const models::Scenario& whatif, const studies::Comparison& comparison,
                            std::uint64_t seed, const std::string& period);

}  // namespace talentcast::cli
