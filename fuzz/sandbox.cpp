#include "sandbox.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace talentcast::fuzz {

namespace {

// Copies the regular files of from (and of its subfolders) into to, keeping the subfolders.
void copy_seeds(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::copy(
      from, to,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
}

// A string that would take a reader out of the sandbox as a path.
bool leaves_sandbox(std::string_view text) {
  const std::filesystem::path path(text);
  if (path.is_absolute()) return true;
  for (const auto& part : path) {
    if (part == "..") return true;
  }
  return false;
}

bool stays(const toml::node& node) {
  if (const auto* text = node.as_string()) return !leaves_sandbox(text->get());
  if (const auto* table = node.as_table()) {
    for (const auto& [key, child] : *table) {
      if (!stays(child)) return false;
    }
  }
  if (const auto* array = node.as_array()) {
    for (const auto& child : *array) {
      if (!stays(child)) return false;
    }
  }
  return true;
}

}  // namespace

Sandbox::Sandbox() {
  path_ = std::filesystem::temp_directory_path() /
          fmt::format("talentcast-fuzz-{}", static_cast<long>(::getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  const std::filesystem::path source(TALENTCAST_SOURCE_DIR);
  copy_seeds(source / "scenarios", path_);
  copy_seeds(source / "tests" / "data" / "invalid", path_);
  copy_seeds(source / "tests" / "data" / "payroll", path_);
  copy_seeds(source / "fuzz" / "seeds" / "salary_data_reader", path_ / "salary_data");
}

Sandbox::~Sandbox() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

const Sandbox& Sandbox::get() {
  static const Sandbox sandbox;
  return sandbox;
}

std::filesystem::path Sandbox::write(const std::string& name, std::string_view bytes) const {
  const auto file = path_ / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  check(static_cast<bool>(out.flush()), "the sandbox can be written");
  return file;
}

bool stays_in_sandbox(std::string_view toml_text) {
  try {
    return stays(toml::parse(toml_text));
  } catch (const toml::parse_error&) {
    return true;
  }
}

void check(bool property, std::string_view what) {
  if (property) return;
  fmt::print(stderr, "fuzz property failed: {}\n", what);
  std::abort();
}

}  // namespace talentcast::fuzz
