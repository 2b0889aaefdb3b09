#include "outputs.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "cli.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/created_directories.hpp"
#include "talentcast/io/temporary_name.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

namespace {

// At most `limit` bytes of a regular file; nothing when it is not one or cannot be read.
std::optional<std::string> head_of(const std::filesystem::path& file, std::size_t limit) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  std::ifstream in(file, std::ios::binary);
  if (error || !in) return std::nullopt;
  std::string text(static_cast<std::size_t>(std::min<std::uintmax_t>(size, limit)), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// The pages and charts a talentcast page links to ("charts/llm-ratio.svg").
std::set<std::string> links_of(const std::string& page) {
  std::set<std::string> links;
  const std::string opening = "href=\"";
  for (auto at = page.find(opening); at != std::string::npos; at = page.find(opening, at)) {
    at += opening.size();
    const auto close = page.find('"', at);
    if (close == std::string::npos) break;
    links.insert(page.substr(at, close - at));
  }
  return links;
}

constexpr std::size_t kHeadBytes = 64 * 1024;
// A manifest is small; a larger file is not one (and is not read whole).
constexpr std::size_t kManifestBytes = 64 * 1024 * 1024;
// Pages hold their charts inline: a few megabytes.
constexpr std::size_t kPageBytes = 256 * 1024 * 1024;

}  // namespace

std::optional<std::string> foreign_directory(const std::filesystem::path& dir,
                                             std::string_view format, std::string_view kind,
                                             const std::vector<std::string>& names) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return std::nullopt;
  std::set<std::string> held;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    const bool temporary = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return io::is_temporary_of(name, n);
    });
    if (!temporary) held.insert(name);
  }
  if (error) return fmt::format("that cannot be read ({})", error.message());
  if (held.empty()) return std::nullopt;
  if (!held.contains("manifest.json")) {
    return fmt::format("holding '{}' and no manifest.json", *held.begin());
  }
  std::string found = "not JSON";
  if (const auto text = head_of(dir / "manifest.json", kManifestBytes)) {
    const auto manifest = nlohmann::json::parse(*text, nullptr, false);
    if (manifest.is_object()) {
      const auto it = manifest.find("format");
      if (it != manifest.end() && it->is_string()) {
        if (it->get<std::string>() == format) return std::nullopt;
        found = fmt::format("format '{}'", it->get<std::string>().substr(0, 80));
      } else {
        found = "no format";
      }
    }
  }
  return fmt::format("whose manifest.json is not {} ({})", kind, found);
}

std::optional<std::string> foreign_file(const std::filesystem::path& file,
                                        const std::function<bool(std::string_view)>& ours) {
  std::error_code error;
  const auto status = std::filesystem::symlink_status(file, error);
  if (status.type() == std::filesystem::file_type::not_found) return std::nullopt;
  if (std::filesystem::is_directory(file, error)) return "a directory";
  const auto head = head_of(file, kHeadBytes);
  if (head && ours(*head)) return std::nullopt;
  return "another file";
}

bool is_talentcast_page(std::string_view head) {
  return head.starts_with("<!DOCTYPE html>") &&
         head.find("<meta name=\"generator\" content=\"talentcast ") != std::string_view::npos;
}

std::vector<std::string> report_conflicts(const OutputFiles& files,
                                          const std::filesystem::path& page,
                                          const std::string& page_label) {
  std::vector<std::string> conflicts;
  if (const auto found = foreign_file(page, is_talentcast_page)) {
    conflicts.push_back(fmt::format(
        "{}: expected a new file or a report talentcast wrote, found {}", page_label, *found));
  }
  // The charts the page being replaced shows may be replaced with it.
  std::set<std::string> shown;
  if (conflicts.empty()) {
    if (const auto text = head_of(page, kPageBytes)) shown = links_of(*text);
  }
  for (const auto& [path, contents] : files) {
    if (path == page) continue;
    const std::string link =
        path.parent_path().filename().string() + "/" + path.filename().string();
    std::error_code error;
    const auto type = std::filesystem::symlink_status(path, error).type();
    if (type == std::filesystem::file_type::not_found ||
        (type == std::filesystem::file_type::regular && shown.contains(link))) {
      continue;
    }
    conflicts.push_back(fmt::format(
        "{}: expected a new file or a chart of the report {} replaces, found {}", path.string(),
        page.string(),
        type == std::filesystem::file_type::directory ? "a directory" : "another file"));
  }
  return conflicts;
}

void refuse_report_conflicts(const OutputFiles& files, const std::filesystem::path& page,
                             const std::string& page_label) {
  auto conflicts = report_conflicts(files, page, page_label);
  if (conflicts.empty()) return;
  const std::size_t n = conflicts.size();
  conflicts.push_back(
      fmt::format("{} file{} in the way; nothing was written", n, n == 1 ? "" : "s"));
  throw io::UserError(std::move(conflicts));
}

void write_outputs(const OutputFiles& files, const std::atomic<bool>& stop) {
  io::CreatedDirectories directories;
  try {
    for (const auto& [path, contents] : files) {
      if (!path.parent_path().empty()) directories.create(path.parent_path());
    }
    io::write_files_atomically(files, &stop);
  } catch (const io::PartlyWritten&) {
    throw;
  } catch (const io::WriteInterrupted&) {
    throw;
  } catch (const std::exception& error) {
    // A directory or file that could not be made (permissions, a full disk): the user's to mend.
    throw io::UserError(fmt::format("{}; nothing was written", error.what()));
  }
  directories.keep();
}

formats::Provenance provenance(std::optional<std::string> command_line) {
  return {kVersion, kGitCommit, std::move(command_line)};
}

}  // namespace talentcast::cli
