// Input files (io/input_file.hpp): every file the commands read is a regular file of bounded
// size and line length, UTF-8 text where text is expected, and refused with one clear message
// (exit code 2) otherwise, before more of it is read; messages never echo a data file beyond
// the offending field. The commands run under `timeout`, so that a read that never ends (a
// device, a FIFO) fails the test instead of hanging it, and under a memory limit, so that one
// that reads without limit fails fast.
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/io/input_file.hpp"

namespace fs = std::filesystem;
using talentcast::io::InputFileError;
using talentcast::test::run_shell;
using talentcast::test::TempDir;

namespace {

// `talentcast ARGS` in dir, stopped after 60 s and limited to 2 GB of address space.
talentcast::test::CommandResult bounded_talentcast(const std::string& args, const fs::path& dir) {
  return run_shell(fmt::format("ulimit -v 2000000; timeout 60 {} {}", TALENTCAST_EXE, args), dir);
}

// The message read_text_file gives for path.
std::string refusal(const fs::path& path, std::uint64_t max_bytes = 1 << 20) {
  try {
    talentcast::io::read_text_file(path, max_bytes);
  } catch (const InputFileError& e) {
    return e.what();
  }
  return "read";
}

std::string utf16le(std::string_view ascii, bool bom) {
  std::string text = bom ? "\xFF\xFE" : "";
  for (char c : ascii) text += {c, '\0'};
  return text;
}

std::string utf16be(std::string_view ascii, bool bom) {
  std::string text = bom ? "\xFE\xFF" : "";
  for (char c : ascii) text += {'\0', c};
  return text;
}

// A file of size bytes that takes no room: a hole, read back as NUL bytes.
fs::path sparse_file(const TempDir& dir, const std::string& name, std::uintmax_t size) {
  const auto path = dir.write(name, "");
  fs::resize_file(path, size);
  return path;
}

fs::path payroll_market() {
  return talentcast::test::source_dir() / "tests" / "data" / "payroll" / "market.toml";
}

}  // namespace

TEST_CASE("read_text_file refuses what is not a regular UTF-8 text file, with where and why",
          "[input]") {
  TempDir dir;
  CHECK(refusal(dir.path() / "none.toml") ==
        (dir.path() / "none.toml").string() + ": expected an existing file, found no such file");
  CHECK(refusal(dir.path()) ==
        dir.path().string() + ": expected a regular file, found a directory");
  CHECK(refusal("/dev/zero") == "/dev/zero: expected a regular file, found a character device");
  const auto fifo = dir.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(refusal(fifo) == fifo.string() + ": expected a regular file, found a named pipe (FIFO)");

  const auto le = dir.write("le.txt", utf16le("a = 1\n", true));
  CHECK(refusal(le) == le.string() +
                           ":1:1: expected UTF-8 text, found UTF-16 (a little-endian byte order "
                           "mark); save it as UTF-8");
  const auto be = dir.write("be.txt", utf16be("a = 1\n", true));
  CHECK(refusal(be) == be.string() +
                           ":1:1: expected UTF-8 text, found UTF-16 (a big-endian byte order "
                           "mark); save it as UTF-8");
  const auto bare_le = dir.write("bare_le.txt", utf16le("a = 1\n", false));
  CHECK(refusal(bare_le) == bare_le.string() +
                                ":1:1: expected UTF-8 text, found UTF-16 (little-endian, without "
                                "a byte order mark); save it as UTF-8");
  const auto bare_be = dir.write("bare_be.txt", utf16be("a = 1\n", false));
  CHECK(refusal(bare_be) == bare_be.string() +
                                ":1:1: expected UTF-8 text, found UTF-16 (big-endian, without a "
                                "byte order mark); save it as UTF-8");
  const auto utf32 = dir.write("utf32.txt", std::string("\xFF\xFE\0\0a\0\0\0", 8));
  CHECK(refusal(utf32) == utf32.string() +
                              ":1:1: expected UTF-8 text, found UTF-32 (a UTF-32 byte order "
                              "mark); save it as UTF-8");
  const auto nul = dir.write("nul.txt", std::string("a,b\nc,d\nef\0g\n", 13));
  CHECK(refusal(nul) == nul.string() +
                            ":3:3: expected UTF-8 text, found a NUL byte (binary "
                            "data, not text)");
  // A UTF-8 byte order mark is UTF-8.
  CHECK(refusal(dir.write("bom.txt",
                          "\xEF\xBB\xBF"
                          "a = 1\n")) == "read");
}

TEST_CASE("read_text_file: lines of at most kMaxLineBytes, files of at most their limit",
          "[input]") {
  using talentcast::io::kMaxLineBytes;
  TempDir dir;
  const std::string longest(kMaxLineBytes, 'a');
  CHECK(refusal(dir.write("fits.txt", "x\r\n" + longest + "\ny\n" + longest), 4 << 20) == "read");
  const auto long_line = dir.write("long.txt", "x\r\n" + longest + "a\ny\n");
  CHECK(refusal(long_line, 4 << 20) ==
        long_line.string() + ":2:1: expected lines of at most 1048576 bytes, found a longer line");
  // The limit on the size holds before anything is read.
  const auto huge = sparse_file(dir, "huge.csv", (std::uintmax_t{1} << 30) + 1);
  CHECK(refusal(huge, talentcast::io::kMaxCsvBytes) ==
        huge.string() +
            ": expected a file of at most 1073741824 bytes (1 GiB), found 1073741825 bytes");
  const auto exact = dir.write("exact.txt", "12345\n");
  CHECK(refusal(exact, 6) == "read");
  CHECK(refusal(exact, 5) ==
        exact.string() + ": expected a file of at most 5 bytes, found 6 bytes");
  CHECK(talentcast::io::read_text_file(exact, 6) == "12345\n");
  CHECK(talentcast::io::read_binary_file(dir.write("bin", std::string("\0\xFF\xFE", 3)), 3) ==
        std::string("\0\xFF\xFE", 3));
}

TEST_CASE("quoted_field shows at most 40 bytes of a field, and no control bytes", "[input]") {
  using talentcast::io::quoted_field;
  CHECK(quoted_field("lmm") == "'lmm'");
  CHECK(quoted_field("") == "''");
  CHECK(quoted_field(std::string(40, 'x')) == "'" + std::string(40, 'x') + "'");
  CHECK(quoted_field(std::string(41, 'x')) == "'" + std::string(40, 'x') + "...'");
  CHECK(quoted_field("a\x1B[31mb\tc") == "'a\\x1B[31mb\\x09c'");
  CHECK(quoted_field("\xC2\x9B"
                     "2J") == "'\\xC2\\x9B2J'");  // a C1 control: CSI
  CHECK(quoted_field("caf\xC3\xA9 \xE5\xB7\xA5") == "'caf\xC3\xA9 \xE5\xB7\xA5'");
  CHECK(quoted_field("caf\xE9") == "'caf\\xE9'");  // Latin-1, not UTF-8
  // A UTF-8 character is never cut in two.
  CHECK(quoted_field(std::string(39, 'x') + "\xE5\xB7\xA5") == "'" + std::string(39, 'x') + "...'");
}

TEST_CASE("CsvReader::from_file reads through read_text_file", "[input]") {
  TempDir dir;
  const auto le = dir.write("le.csv", utf16le("role,salary\n", true));
  CHECK_THROWS_WITH(talentcast::io::CsvReader::from_file(le),
                    le.string() +
                        ":1:1: expected UTF-8 text, found UTF-16 (a little-endian byte "
                        "order mark); save it as UTF-8");
  CHECK_THROWS_AS(talentcast::io::CsvReader::from_file("/dev/zero"), InputFileError);
}

TEST_CASE("benchmark --payroll refuses devices, FIFOs, long lines, huge and UTF-16 files at once",
          "[input][benchmark][cli]") {
  TempDir dir;
  REQUIRE(bounded_talentcast(fmt::format("run {} --out run --quiet", payroll_market().string()),
                             dir.path())
              .exit_code == 0);
  REQUIRE(::mkfifo((dir.path() / "fifo.csv").c_str(), 0600) == 0);
  dir.write("long.csv", "employee_id,role,salary\n1,llm," + std::string(1 << 20, '5') + "\n");
  sparse_file(dir, "huge.csv", (std::uintmax_t{1} << 30) + 1);
  dir.write("utf16.csv", utf16le("employee_id,role,salary\r\n1,llm,50000\r\n", true));
  const std::vector<std::pair<std::string, std::string>> cases{
      {"/dev/zero", "/dev/zero: file: expected a regular file, found a character device"},
      {"fifo.csv", "fifo.csv: file: expected a regular file, found a named pipe (FIFO)"},
      {"long.csv",
       "long.csv:2:1: file: expected lines of at most 1048576 bytes, found a longer line"},
      {"huge.csv",
       "huge.csv: file: expected a file of at most 1073741824 bytes (1 GiB), found 1073741825 "
       "bytes"},
      {"utf16.csv",
       "utf16.csv:1:1: file: expected UTF-8 text, found UTF-16 (a little-endian byte order "
       "mark); save it as UTF-8"},
      {".", ".: file: expected a regular file, found a directory"}};
  for (const auto& [payroll, message] : cases) {
    INFO(payroll);
    const auto result = bounded_talentcast(
        fmt::format("benchmark run --payroll {} --out bench", payroll), dir.path());
    CHECK(result.exit_code == 2);
    CHECK(result.err == message + "\ntalentcast: 1 error; nothing was written\n");
    CHECK_FALSE(fs::exists(dir.path() / "bench"));
  }
}

TEST_CASE("data file messages show the offending field only, cut to 40 bytes", "[input][cli]") {
  TempDir dir;
  // A salary_data path that names a file that is not salary data: nothing of it is shown.
  dir.write("shadow",
            "root:$y$j9T$Xy3pQ9a8bCdEfGhIjKlMn0$SECRETSECRETSECRETSECRETSECRETSECRET00:19000:0:"
            "99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
  std::string scenario = talentcast::test::two_role_scenario();
  scenario.replace(scenario.find("salary = 65000\n"), 15, "salary_data = \"shadow\"\n");
  dir.write("s.toml", scenario);
  auto result = bounded_talentcast("validate s.toml", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "shadow:1:1: header: expected a header line naming the columns "
        "role,salary[,level][,weight], found a first line that names none of them (is this the "
        "right file?)\n"
        "s.toml: 1 error; nothing was run or written\n");
  CHECK(result.err.find("SECRET") == std::string::npos);

  // A payroll's fields: a long id is cut, a control byte is shown as \xNN.
  REQUIRE(bounded_talentcast(fmt::format("run {} --out run --quiet", payroll_market().string()),
                             dir.path())
              .exit_code == 0);
  const std::string id(100, '7');
  dir.write("payroll.csv", "employee_id,role,salary\n" + id + ",llm,50000\n" + id +
                               ",llm,50000\n8,ll\x1B[2Jm,50000\n");
  result = bounded_talentcast("benchmark run --payroll payroll.csv --out bench", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err == "payroll.csv:3:1: employee_id: expected each employee id once, found '" +
                          std::string(40, '7') +
                          "...' again\n"
                          "payroll.csv:4:3: role: expected a role of the run, found "
                          "'ll\\x1B[2Jm'\n"
                          "talentcast: 2 errors; nothing was written\n");
}

TEST_CASE("scenario, extends and sweep files: regular UTF-8 files only", "[input][validation]") {
  TempDir dir;
  const std::string scenario = talentcast::test::two_role_scenario();
  dir.write("le.toml", utf16le(scenario, true));
  dir.write("bare.toml", utf16le(scenario, false));
  dir.write("be.toml", utf16be(scenario, true));
  REQUIRE(::mkfifo((dir.path() / "fifo.toml").c_str(), 0600) == 0);
  fs::create_directory(dir.path() / "folder.toml");
  dir.write("extends_folder.toml", "extends = \"folder.toml\"\n");
  dir.write("extends_utf16.toml", "extends = \"le.toml\"\n");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"le.toml",
       "le.toml:1:1: (file): expected UTF-8 text, found UTF-16 (a little-endian byte order mark); "
       "save it as UTF-8"},
      {"bare.toml",
       "bare.toml:1:1: (file): expected UTF-8 text, found UTF-16 (little-endian, without a byte "
       "order mark); save it as UTF-8"},
      {"be.toml",
       "be.toml:1:1: (file): expected UTF-8 text, found UTF-16 (a big-endian byte order mark); "
       "save it as UTF-8"},
      {"fifo.toml", "fifo.toml: (file): expected a regular file, found a named pipe (FIFO)"},
      {"folder.toml", "folder.toml: (file): expected a regular file, found a directory"},
      {"/dev/zero", "/dev/zero: (file): expected a regular file, found a character device"},
      {"extends_folder.toml", "folder.toml: (file): expected a regular file, found a directory"},
      {"extends_utf16.toml",
       "le.toml:1:1: (file): expected UTF-8 text, found UTF-16 (a little-endian byte order mark); "
       "save it as UTF-8"}};
  for (const auto& [file, message] : cases) {
    INFO(file);
    const auto result = bounded_talentcast("validate " + file, dir.path());
    CHECK(result.exit_code == 2);
    CHECK(result.err == message + "\n" + file + ": 1 error; nothing was run or written\n");
  }

  dir.write("sweep.toml", "scenario = \"s.toml\"\ndesign = \"sobol\"\npoints = 4\n");
  dir.write("sweep16.toml",
            utf16le("scenario = \"s.toml\"\r\ndesign = \"sobol\"\r\npoints = 4\r\n", true));
  REQUIRE(::mkfifo((dir.path() / "sweep_fifo.toml").c_str(), 0600) == 0);
  const std::vector<std::pair<std::string, std::string>> sweeps{
      {"sweep16.toml",
       "sweep16.toml:1:1: (file): expected UTF-8 text, found UTF-16 (a little-endian byte order "
       "mark); save it as UTF-8"},
      {"sweep_fifo.toml",
       "sweep_fifo.toml: (file): expected a regular file, found a named pipe (FIFO)"},
      {"/dev/zero", "/dev/zero: (file): expected a regular file, found a character device"},
      {"none.toml", "none.toml: (file): expected an existing sweep file, found no such file"}};
  for (const auto& [file, message] : sweeps) {
    INFO(file);
    const auto result = bounded_talentcast("sweep " + file + " --db sweep.db --quiet", dir.path());
    CHECK(result.exit_code == 2);
    CHECK(result.err == message + "\n" + file + ": 1 error; nothing was run or written\n");
    CHECK_FALSE(fs::exists(dir.path() / "sweep.db"));
  }
}

TEST_CASE("report and benchmark read a run's own files only when they are regular files",
          "[input][cli]") {
  TempDir dir;
  REQUIRE(bounded_talentcast(fmt::format("run {} --out run --quiet", payroll_market().string()),
                             dir.path())
              .exit_code == 0);
  fs::remove(dir.path() / "run" / "forecast.csv");
  REQUIRE(::mkfifo((dir.path() / "run" / "forecast.csv").c_str(), 0600) == 0);
  auto result = bounded_talentcast("report run --out run/report.html --quiet", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "talentcast: run/forecast.csv: expected a regular file, found a named pipe (FIFO)\n");
  CHECK_FALSE(fs::exists(dir.path() / "run" / "report.html"));

  fs::remove(dir.path() / "run" / "bands.bin");
  fs::create_symlink("/dev/zero", dir.path() / "run" / "bands.bin");
  result = bounded_talentcast("benchmark run --role llm --salary 50000", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "talentcast: run/bands.bin: expected a regular file, found a character device\n");
}
