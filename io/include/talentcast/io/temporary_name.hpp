#pragma once
// The hidden names outputs are written under before they are renamed into place, and the
// removal of those a killed command left behind (docs/cli.md, "Outputs").
//
// A temporary of `DIR/NAME` is `DIR/.NAME.tmp-HOST-PID`: the host and the process that wrote
// it. A later command on the same host removes it when that process no longer runs; one of
// another host (a shared filesystem, an MPI job) is left alone, as is any file that does not
// follow the pattern exactly.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace talentcast::io {

/// This process's temporary name for target.
std::filesystem::path temporary_name(const std::filesystem::path& target);

/// Whether file_name is a temporary of an output named `name` (of any host and process, or of
/// an earlier talentcast, `.NAME.tmp-PID`).
bool is_temporary_of(std::string_view file_name, std::string_view name);

/// Removes dir's temporaries of the outputs `names` that this host's processes left and that no
/// longer run. Nothing else is touched; errors are ignored (a stale temporary is only clutter).
void remove_stale_temporaries(const std::filesystem::path& dir,
                              const std::vector<std::string>& names);

}  // namespace talentcast::io
