#pragma once
// Internal to the sweep runner (sweep_run.cpp): rank 0's preparation of the store
// (sweep_prepare.cpp).

#include <filesystem>
#include <optional>
#include <vector>

#include "talentcast/core/design.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/studies/sweep_run.hpp"

namespace talentcast::studies::detail {

/// Rank 0: opens the store when it exists, checks the points when it does not hold this sweep
/// yet and only then records it (creating the store), and finds the points still to run (into
/// todo, and result.already_done). Returns false when stopped while checking: nothing was
/// written.
bool prepare_store(const config::Sweep& sweep, const core::Design& design,
                   const std::filesystem::path& database, const SweepRunOptions& options,
                   std::optional<io::Database>& store, std::vector<std::size_t>& todo,
                   SweepRunResult& result);

}  // namespace talentcast::studies::detail
