#pragma once
// What the commands may write over, and how they write (docs/cli.md, "Outputs"): a command
// replaces only its own earlier outputs, recognised by their content, never a file talentcast
// did not write; it writes all its files or none, and leaves nothing behind when it fails or is
// interrupted.

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace talentcast::cli {

using OutputFiles = std::vector<std::pair<std::filesystem::path, std::string>>;

/// Why a command must not write into dir, for a message: nothing when dir does not exist, is
/// empty (but for talentcast's temporaries of the outputs `names`) or holds a manifest.json of
/// `format` (an earlier output of the same command). Otherwise, with kind "a run's": "holding
/// 'notes.txt' and no manifest.json", or "whose manifest.json is not a run's (format '...')".
std::optional<std::string> foreign_directory(const std::filesystem::path& dir,
                                             std::string_view format, std::string_view kind,
                                             const std::vector<std::string>& names);

/// Why a command must not replace file, for a message: nothing when it does not exist or when
/// `ours` recognises its first bytes (up to 64 KiB) as an earlier output of the command;
/// otherwise "a directory" or "another file".
std::optional<std::string> foreign_file(const std::filesystem::path& file,
                                        const std::function<bool(std::string_view)>& ours);

/// Whether a page's first bytes are those of a page talentcast wrote (html::page).
bool is_talentcast_page(std::string_view head);

/// The files of a report (the page `page`, shown in messages as `page_label`, and its charts)
/// that would replace a file talentcast did not write, one message each: the page must be a
/// talentcast page, and each existing chart one that page shows.
std::vector<std::string> report_conflicts(const OutputFiles& files,
                                          const std::filesystem::path& page,
                                          const std::string& page_label);

/// Throws io::UserError when there are report_conflicts: each, and that nothing was written.
void refuse_report_conflicts(const OutputFiles& files, const std::filesystem::path& page,
                             const std::string& page_label);

/// Writes a command's files together (io::write_files_atomically) into their directories,
/// created as needed. On an error removes the directories it created, if empty, and throws:
/// io::WriteInterrupted when stop was set before the files were in place, io::PartlyWritten,
/// or io::UserError with the reason and "; nothing was written".
void write_outputs(const OutputFiles& files, const std::atomic<bool>& stop);

}  // namespace talentcast::cli
