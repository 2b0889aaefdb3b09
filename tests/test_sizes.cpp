// The size rules of docs/architecture.md ("Sizes"): no source file over 400 lines and no function
// over 80, except those named in its table of exceptions, each with its reason.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kMaxFileLines = 400;
constexpr int kMaxFunctionLines = 80;

// The folders of the project's C++ sources.
const std::vector<std::string> kSourceFolders{
    "core",       "io",  "models", "config", "formats", "studies", "tools",   "serve",
    "evaluation", "app", "python", "tests",  "bench",   "fuzz",    "examples"};

// The source with its comments and its string and character literals blanked, lines kept.
std::string code_only(const std::string& source) {
  std::string code;
  code.reserve(source.size());
  const auto keep_lines = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < source.size(); ++k) {
      if (source[k] == '\n') code += '\n';
    }
  };
  static const std::regex raw_open(R"re(^R"([^(]*)\()re");
  for (std::size_t i = 0; i < source.size();) {
    const char c = source[i];
    const bool after_word =
        i > 0 && (std::isalnum(static_cast<unsigned char>(source[i - 1])) || source[i - 1] == '_');
    std::smatch raw;
    const std::string ahead = source.substr(i, 24);
    if (source.compare(i, 2, "//") == 0) {
      i = std::min(source.find('\n', i), source.size());
    } else if (source.compare(i, 2, "/*") == 0) {
      const std::size_t close = source.find("*/", i + 2);
      const std::size_t end = close == std::string::npos ? source.size() : close + 2;
      keep_lines(i, end);
      i = end;
    } else if (c == 'R' && !after_word && std::regex_search(ahead, raw, raw_open)) {
      const std::string close = fmt::format("){}\"", raw[1].str());
      const std::size_t found = source.find(close, i + raw[0].length());
      const std::size_t end = found == std::string::npos ? source.size() : found + close.size();
      code += "\"\"";
      keep_lines(i, end);
      i = end;
    } else if (c == '"' || (c == '\'' && !after_word)) {  // 1'000: a digit separator
      std::size_t j = i + 1;
      while (j < source.size() && source[j] != c) j += source[j] == '\\' ? 2 : 1;
      code += std::string(2, c);
      i = j + 1;
    } else {
      code += c;
      ++i;
    }
  }
  return code;
}

// What precedes a brace, without its trailing qualifiers: "void f() const" -> "void f()".
std::string without_qualifiers(std::string text) {
  static const std::regex trailing(R"(\s*(const|noexcept|override|final|mutable|try|&&|&)$)");
  static const std::regex returns(R"(\s*->\s*[\w:<>,\s\*&]+$)");
  for (std::string before; before != text;) {
    before = text;
    text = std::regex_replace(text, trailing, "");
    text = std::regex_replace(text, returns, "");
  }
  return text;
}

// A test case's name, from its TEST_CASE( on lines first..last (1-based): its first string,
// adjacent literals joined.
std::string test_case_name(const std::vector<std::string>& lines, int first, int last) {
  std::string text;
  for (int l = first; l <= last; ++l) text += lines[static_cast<std::size_t>(l - 1)] + "\n";
  static const std::regex name(R"re(TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+))re");
  static const std::regex piece(R"re("((?:[^"\\]|\\.)*)")re");
  std::smatch m;
  if (!std::regex_search(text, m, name)) return "TEST_CASE";
  const std::string literals = m[1].str();
  std::string joined;
  for (auto it = std::sregex_iterator(literals.begin(), literals.end(), piece);
       it != std::sregex_iterator(); ++it) {
    joined += (*it)[1].str();
  }
  return fmt::format("TEST_CASE \"{}\"", joined);
}

struct Function {
  std::string name;
  int first = 0, last = 0;  // the lines of its braces
  int lines() const { return last - first + 1; }
};

// The functions defined at namespace or class level, found by their braces: a brace after a
// parameter list opens one (a lambda or a local class inside belongs to it).
std::vector<Function> functions(const std::string& source) {
  const std::string code = code_only(source);
  std::vector<std::string> lines;
  std::istringstream split(source);
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  static const std::regex container(
      R"(^(template\s*<.*>\s*)?(namespace|class|struct|union|enum)\b)");
  std::vector<Function> found;
  std::vector<std::optional<Function>> open;  // per brace: the function it opens, if any
  std::size_t statement = 0;
  int line = 1, statement_line = 1;
  bool in_function = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '\n') {
      ++line;
      if (code.find_first_not_of(" \t\n", statement) > i) statement_line = line;
    } else if (c == ';') {
      statement = i + 1;
      statement_line = line;
    } else if (c == '{') {
      std::optional<Function> function;
      if (!in_function) {
        std::string text = code.substr(statement, i - statement);
        text = std::regex_replace(text, std::regex(R"(\s+)"), " ");
        text = std::regex_replace(text, std::regex(R"(^ | $)"), "");
        const std::string head = without_qualifiers(text);
        const std::size_t paren = head.find('(');
        if (!std::regex_search(text, container) && !text.starts_with("extern") &&
            head.ends_with(')') && paren != std::string::npos && !head.ends_with("=")) {
          const std::string before = head.substr(0, paren);
          static const std::regex word(R"(([~\w:]+)\s*$)");
          std::smatch m;
          Function f;
          f.name = std::regex_search(before, m, word) ? m[1].str() : "?";
          if (f.name == "TEST_CASE") f.name = test_case_name(lines, statement_line, line);
          f.first = line;
          function = f;
          in_function = true;
        }
      }
      open.push_back(function);
      statement = i + 1;
      statement_line = line;
    } else if (c == '}') {
      if (!open.empty()) {
        if (open.back()) {
          Function f = *open.back();
          f.last = line;
          found.push_back(f);
          in_function = false;
        }
        open.pop_back();
      }
      statement = i + 1;
      statement_line = line;
    }
  }
  return found;
}

// The exceptions table of docs/architecture.md's "Sizes": "`path`" or "`path` `function`" ->
// the most lines it may have.
std::map<std::string, int> size_exceptions() {
  std::ifstream in(talentcast::test::source_dir() / "docs" / "architecture.md");
  std::map<std::string, int> exceptions;
  bool section = false;
  const std::regex row(R"(^\| `([^`]+)`(?: `([^`]+)`)? \| (\d+) \|.*\|\s*$)");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) section = line == "## Sizes";
    std::smatch m;
    if (!section || !std::regex_match(line, m, row)) continue;
    const std::string what = m[2].matched ? m[1].str() + " " + m[2].str() : m[1].str();
    exceptions[what] = std::stoi(m[3]);
  }
  return exceptions;
}

}  // namespace

TEST_CASE("the scanner finds functions and their lengths", "[architecture]") {
  const std::string source =
      "namespace a {\n"                              // 1
      "// void commented() {\n"                      // 2
      "int f(int x) const noexcept {\n"              // 3
      "  auto g = [](int y) { return y; };\n"        // 4
      "  const char* s = \"}{\";\n"                  // 5
      "  const char* r = R\"x( } { )x\";\n"          // 6
      "  return g(x) + 1'000;\n"                     // 7
      "}\n"                                          // 8
      "struct S {\n"                                 // 9
      "  std::vector<int> v{1, 2};\n"                // 10
      "  S() : v(3) {}\n"                            // 11
      "};\n"                                         // 12
      "TEST_CASE(\"a case,\"\n"                      // 13
      "          \" on two lines\", \"[tag]\") {\n"  // 14
      "}\n"                                          // 15
      "}  // namespace a\n";
  const auto found = functions(source);
  REQUIRE(found.size() == 3);
  CHECK(found[0].name == "f");
  CHECK(found[0].first == 3);
  CHECK(found[0].last == 8);
  CHECK(found[1].name == "S");
  CHECK(found[1].lines() == 1);
  CHECK(found[2].name == "TEST_CASE \"a case, on two lines\"");
  CHECK(found[2].lines() == 2);
}

TEST_CASE("no file over 400 lines and no function over 80, but the named exceptions",
          "[architecture][docs]") {
  const fs::path root = talentcast::test::source_dir();
  const auto exceptions = size_exceptions();
  std::vector<std::string> over, stale;
  std::map<std::string, bool> used;
  std::size_t files = 0, counted = 0;
  const auto check = [&](const std::string& what, int lines, int limit) {
    const auto it = exceptions.find(what);
    if (it != exceptions.end()) used[what] = lines > limit;  // a row no longer needed is stale
    const int allowed = it != exceptions.end() ? it->second : limit;
    if (lines > allowed)
      over.push_back(fmt::format("{}: {} lines (at most {})", what, lines, allowed));
  };
  for (const auto& folder : kSourceFolders) {
    for (auto it = fs::recursive_directory_iterator(root / folder);
         it != fs::recursive_directory_iterator(); ++it) {
      const auto extension = it->path().extension();
      if (!it->is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
      const std::string path = fs::relative(it->path(), root).string();
      std::ifstream in(it->path());
      const std::string source((std::istreambuf_iterator<char>(in)), {});
      ++files;
      check(path, static_cast<int>(std::count(source.begin(), source.end(), '\n')), kMaxFileLines);
      for (const Function& f : functions(source)) {
        ++counted;
        check(path + " " + f.name, f.lines(), kMaxFunctionLines);
      }
    }
  }
  for (const auto& [what, lines] : exceptions) {
    if (!used[what]) {
      stale.push_back(what + ": named, but there is no such file or function over the limit");
    }
  }
  CHECK(files > 150);
  CHECK(counted > 1000);
  std::ostringstream report;
  for (const auto& o : over) report << o << "\n";
  for (const auto& s : stale) report << s << "\n";
  INFO(report.str());
  CHECK(over.empty());
  CHECK(stale.empty());
}
