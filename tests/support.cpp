#include "support.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace talentcast::test {

namespace {
bool g_skipped = false;
}  // namespace

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          fmt::format("talentcast-test-{}-{}", ::getpid(), counter++);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& contents) const {
  const auto file = path_ / name;
  std::ofstream(file, std::ios::binary) << contents;
  return file;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult run_shell(const std::string& command, const std::filesystem::path& cwd) {
  TempDir capture;
  const auto out = capture.path() / "stdout";
  const auto err = capture.path() / "stderr";
  const std::string line =
      fmt::format("{}{} </dev/null >{} 2>{}", cwd.empty() ? "" : "cd '" + cwd.string() + "' && ",
                  command, out.string(), err.string());
  const int status = std::system(line.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

CommandResult run_talentcast(const std::string& args, const std::filesystem::path& cwd) {
  return run_shell(fmt::format("{} {}", TALENTCAST_EXE, args), cwd);
}

std::filesystem::path source_dir() {
  return TALENTCAST_SOURCE_DIR;
}

std::string KnownWorld::toml() const {
  return fmt::format(R"(currency = "USD"
salary_unit = "year"
start = "2000-06"
step = "month"
horizon_years = {}
[roles.r]
employed = 1000000
salary = 60000
band_sigma = {}
openings = 10000
ratio = 1
demand_growth = {}
demand_vol = {}
wage_drift = {}
wage_vol = {}
attrition = 0.5
layoff_rate = 1
seeker_exit = 2
matching_efficiency = 50
matching_elasticity = 0.5
neutral_ratio = 1
wage_response = 0
switcher_inflow = 5000000
)",
                     horizon_years, band, growth, demand_vol, drift, wage_vol);
}

std::string two_role_scenario() {
  return R"(title = "Two roles"
currency = "CNY"
salary_unit = "month"
start = "2024-Q1"
step = "quarter"
horizon_years = 2
seed = 42
paths = 2000

[defaults]
attrition = 0.15
seeker_exit = 2.0
demand_growth = 0.1
matching_efficiency = 6.0
matching_elasticity = 0.5
neutral_ratio = 1.0
wage_response = 0.1
band_sigma = 0.36
demand_vol = 0.1
wage_vol = 0.05

[roles.llm]
employed = 10000
openings = 3000
ratio = 0.17
salary = 65000
mobility = { cloud = 0.02 }

[roles.cloud]
employed = 50000
openings = 8000
ratio = 0.27
salary = 40000
demand_growth = { dist = "triangular", low = 0.0, mode = 0.05, high = 0.15 }

[fields.ai_major]
base = 40000
growth = 0.05
shares = { llm = 0.1, cloud = 0.2 }
)";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::optional<std::string> no_pseudo_terminal() {
  // Without devpts on /dev/pts, /dev/ptmx is there but opening it fails (ENODEV).
  const int controller = ::posix_openpt(O_RDWR | O_NOCTTY);
  std::string failure;
  if (controller < 0) {
    failure = fmt::format("posix_openpt: {}", std::strerror(errno));
  } else {
    const char* name =
        ::grantpt(controller) == 0 && ::unlockpt(controller) == 0 ? ::ptsname(controller) : nullptr;
    const int terminal = name == nullptr ? -1 : ::open(name, O_RDWR | O_NOCTTY);
    if (terminal < 0) {
      failure = fmt::format("{}: {}", name == nullptr ? "/dev/ptmx" : name, std::strerror(errno));
    } else {
      ::close(terminal);
    }
    ::close(controller);
  }
  if (failure.empty()) return std::nullopt;
  return fmt::format(
      "no pseudo-terminal can be opened ({}); mount devpts on /dev/pts to run this test", failure);
}

void skip_test(const std::string& reason) {
  fmt::print("skipped: {}\n", reason);
  std::fflush(stdout);
  g_skipped = true;
}

int exit_code(int failures) {
  if (failures == 0) return g_skipped ? TALENTCAST_TEST_SKIP_CODE : 0;
  return failures == TALENTCAST_TEST_SKIP_CODE ? 1 : failures;
}

}  // namespace talentcast::test
