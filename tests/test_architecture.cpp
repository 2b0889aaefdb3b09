// The layers of docs/architecture.md: every include of a project header follows the table of
// allowed arrows there.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// "| `layer` | `a`, `b` |" rows of the "Allowed arrows" section: layer -> layers it may use.
std::map<std::string, std::set<std::string>> allowed_arrows() {
  std::ifstream in(talentcast::test::source_dir() / "docs" / "architecture.md");
  std::map<std::string, std::set<std::string>> arrows;
  bool section = false;
  const std::regex row(R"(^\| `([a-z]+)` \|(.*)\|\s*$)"), name("`([a-z]+)`");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) section = line == "## Allowed arrows";
    std::smatch m;
    if (!section || !std::regex_match(line, m, row)) continue;
    auto& uses = arrows[m[1]];
    const std::string list = m[2];
    for (auto it = std::sregex_iterator(list.begin(), list.end(), name);
         it != std::sregex_iterator(); ++it) {
      uses.insert((*it)[1]);
    }
  }
  return arrows;
}

// The layer a project header belongs to, or "" for a header that is not the project's.
std::string layer_of_include(const std::string& header, const fs::path& includer,
                             const std::map<std::string, std::set<std::string>>& arrows) {
  const fs::path root = talentcast::test::source_dir();
  static const std::regex project(R"(^talentcast/([a-z]+)/)");
  std::smatch m;
  if (std::regex_search(header, m, project)) return m[1];
  if (header == "talentcast/version.hpp") return "tools";  // generated in tools' build folder
  if (header.find('/') != std::string::npos) return "";
  if (fs::exists(includer.parent_path() / header)) {
    return fs::relative(includer, root).begin()->string();
  }
  for (const auto& [layer, uses] : arrows) {
    for (auto it = fs::recursive_directory_iterator(root / layer);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->path().filename() == header) return layer;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("every include follows the allowed arrows", "[architecture][docs]") {
  const auto arrows = allowed_arrows();
  REQUIRE(arrows.size() == 15);
  REQUIRE(arrows.at("models") == std::set<std::string>{"core", "io"});
  const fs::path root = talentcast::test::source_dir();
  const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<std::string> violations;
  std::size_t files = 0, includes = 0;
  for (const auto& [layer, uses] : arrows) {
    for (auto it = fs::recursive_directory_iterator(root / layer);
         it != fs::recursive_directory_iterator(); ++it) {
      const auto extension = it->path().extension();
      if (!it->is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
      ++files;
      std::ifstream in(it->path());
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string target = layer_of_include(m[1], it->path(), arrows);
        if (target.empty()) continue;
        ++includes;
        if (target != layer && !uses.count(target)) {
          violations.push_back(fmt::format("{}:{}: {} includes {} ({})",
                                           fs::relative(it->path(), root).string(), number, layer,
                                           target, std::string(m[1])));
        }
      }
    }
  }
  CHECK(files > 100);
  CHECK(includes > 300);
  std::ostringstream report;
  for (const auto& v : violations) report << v << "\n";
  INFO(report.str());
  CHECK(violations.empty());
}

TEST_CASE("each library layer links exactly the layers of its row", "[architecture][docs]") {
  const auto arrows = allowed_arrows();
  const fs::path root = talentcast::test::source_dir();
  // talentcast::<layer> names in a layer's CMakeLists.txt, other than its own alias.
  const std::regex target(R"(talentcast::([a-z]+))");
  for (const std::string layer : {"core", "io", "models", "config", "formats", "studies"}) {
    std::ifstream in(root / layer / "CMakeLists.txt");
    REQUIRE(in);
    std::set<std::string> links;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("#") || line.find(" ALIAS ") != std::string::npos) continue;
      for (auto it = std::sregex_iterator(line.begin(), line.end(), target);
           it != std::sregex_iterator(); ++it) {
        links.insert((*it)[1]);
      }
    }
    INFO(layer);
    CHECK(links == arrows.at(layer));
  }
}

TEST_CASE("exit codes are chosen where errors are told, in tools/errors.cpp", "[architecture]") {
  // Commands return kExitOk or throw; only these places name another code: CLI11's own parse
  // errors, and a rank other than 0 whose MPI did not start (rank 0 tells why).
  const std::map<std::string, int> allowed{{"cli.cpp", 1}, {"talentcast.cpp", 1}};
  const std::regex code(R"(kExit(BadInput|Interrupted|Internal)|std::exit\(|_Exit\()");
  const fs::path root = talentcast::test::source_dir();
  std::vector<std::string> found;
  std::vector<fs::path> files;
  for (const char* folder : {"tools", "serve/src", "serve/include/talentcast/serve",
                             "evaluation/src", "evaluation/include/talentcast/evaluation", "app"}) {
    for (const auto& entry : fs::directory_iterator(root / folder)) files.push_back(entry.path());
  }
  for (const fs::path& file : files) {
    if (!fs::is_regular_file(file)) continue;
    const std::string name = file.filename().string();
    if (name == "errors.hpp" || name == "errors.cpp") continue;
    std::ifstream in(file);
    int uses = 0, number = 0;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      ++number;
      if (!std::regex_search(line, code)) continue;
      ++uses;
      lines.push_back(fmt::format("{}:{}: {}", fs::relative(file, root).string(), number, line));
    }
    const auto it = allowed.find(name);
    if (uses > (it == allowed.end() ? 0 : it->second)) {
      found.insert(found.end(), lines.begin(), lines.end());
    }
  }
  std::ostringstream report;
  for (const auto& f : found) report << f << "\n";
  INFO(report.str());
  CHECK(found.empty());
}

TEST_CASE("toml++ stays inside config: no public header names it", "[architecture]") {
  // A library user includes the layers' public headers; TOML is config's business alone.
  const fs::path root = talentcast::test::source_dir();
  const std::regex toml(R"(#\s*include\s*<toml\+\+|\btoml::|namespace toml\b)");
  std::vector<std::string> found;
  std::size_t headers = 0;
  for (const char* layer : {"core", "io", "models", "config", "formats", "studies"}) {
    for (auto it = fs::recursive_directory_iterator(root / layer / "include");
         it != fs::recursive_directory_iterator(); ++it) {
      if (!it->is_regular_file() || it->path().extension() != ".hpp") continue;
      ++headers;
      std::ifstream in(it->path());
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        if (std::regex_search(line, toml)) {
          found.push_back(
              fmt::format("{}:{}: {}", fs::relative(it->path(), root).string(), number, line));
        }
      }
    }
  }
  CHECK(headers > 40);
  std::ostringstream report;
  for (const auto& f : found) report << f << "\n";
  INFO(report.str());
  CHECK(found.empty());
}
