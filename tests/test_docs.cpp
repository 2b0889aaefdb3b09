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

TEST_CASE("every relative link of the Markdown files leads to a file of the repository", "[docs]") {
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

TEST_CASE("the README's samples are what the commands print", "[docs][cli][scenarios]") {
  // Every code block of the README that starts with "$ COMMAND" shows COMMAND's output in full
  // (blocks that elide rows with "..." are left out), and the summary of the flagship's run is
  // what `talentcast run` prints but for the time it took. They run in a directory that sees the
  // repository's scenarios, examples, tests and data, after the quick start's run into
  // out/flagship.
  const fs::path root = talentcast::test::source_dir();
  talentcast::test::TempDir dir;
  for (const char* folder : {"scenarios", "examples", "tests", "data"}) {
    fs::create_directory_symlink(root / folder, dir.path() / folder);
  }
  const auto run = talentcast::test::run_talentcast(
      "run scenarios/china-ai-2024.toml --out out/flagship", dir.path());
  REQUIRE(run.exit_code == 0);

  const auto trimmed = [](const std::string& text) {
    std::string out;
    for (auto line : talentcast::test::lines_of(text)) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  };
  const std::string readme = talentcast::test::read_file(root / "README.md");
  // The fenced blocks without a language (those with one, ```sh, list commands to try).
  std::vector<std::string> blocks;
  bool inside = false, plain = false;
  std::string current;
  for (const auto& line : talentcast::test::lines_of(readme)) {
    if (line.starts_with("```")) {
      if (inside && plain) blocks.push_back(current);
      plain = !inside && line == "```";
      inside = !inside;
      current.clear();
    } else if (inside) {
      current += line + "\n";
    }
  }
  std::size_t checked = 0;
  bool summary = false;
  for (const auto& block : blocks) {
    if (block.starts_with("China AI talent market 2024-2030 (Maimai")) {
      // The run's summary: the same but for "20000 paths in 1.60 s".
      const std::regex time(R"(paths in [0-9.]+ s)");
      CHECK(std::regex_replace(block, time, "paths in T s") ==
            std::regex_replace(trimmed(run.out), time, "paths in T s"));
      summary = true;
      continue;
    }
    if (!block.starts_with("$ ") || block.find("\n...") != std::string::npos) continue;
    const std::size_t newline = block.find('\n');
    std::string command = block.substr(2, newline - 2);
    if (!command.starts_with("talentcast ") && !command.starts_with("head ")) continue;
    CAPTURE(command);
    const auto result = command.starts_with("talentcast ")
                            ? talentcast::test::run_talentcast(command.substr(11), dir.path())
                            : talentcast::test::run_shell("(" + command + ")", dir.path());
    CHECK(trimmed(result.out + result.err) == block.substr(newline + 1));
    ++checked;
  }
  CHECK(summary);
  CHECK(checked >= 3);
}
