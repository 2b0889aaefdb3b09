// The repository's documentation stands on its own: no file refers to one outside the
// repository, and every relative link of a Markdown file leads to a file that exists.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// The repository's own text files: everything under the source tree but build trees, .git
// and binary files.
std::vector<fs::path> text_files() {
  std::vector<fs::path> files;
  const fs::path root = talentcast::test::source_dir();
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == ".git" || name.starts_with("build") || name == "out")) {
      it.disable_recursion_pending();
      continue;
    }
    const std::string extension = it->path().extension().string();
    for (const char* text : {".md", ".cpp", ".hpp", ".toml", ".txt", ".py", ".sh", ".in"}) {
      if (it->is_regular_file() && extension == text) files.push_back(it->path());
    }
  }
  return files;
}

}  // namespace

TEST_CASE("nothing in the repository refers to a file outside it", "[docs]") {
  const auto files = text_files();
  REQUIRE(files.size() > 100);
  // The workplace's shared folder held the model and the facts before they moved to docs/.
  const std::regex outside(R"(\.\./shared|\bFACTS\.md|\bMODEL\.md|\bSTYLE\.md)");
  for (const auto& file : files) {
    if (file.filename() == "test_docs.cpp") continue;  // this test names them
    const std::string text = talentcast::test::read_file(file);
    CAPTURE(file.string());
    std::smatch match;
    const bool found = std::regex_search(text, match, outside);
    INFO((found ? match.str() : std::string()));
    CHECK_FALSE(found);
  }
}

TEST_CASE("every relative link of the Markdown files leads to a file of the repository",
          "[docs]") {
  std::size_t links = 0;
  const std::regex link(R"(\]\(([^)#\s]+)(#[^)\s]*)?\))");
  for (const auto& file : text_files()) {
    if (file.extension() != ".md") continue;
    const std::string text = talentcast::test::read_file(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      const std::string target = (*it)[1].str();
      if (target.find("://") != std::string::npos || target.starts_with("mailto:")) continue;
      ++links;
      CAPTURE(file.string(), target);
      CHECK(fs::exists(file.parent_path() / target));
    }
  }
  CHECK(links > 30);
}
