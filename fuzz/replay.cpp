// Replays inputs through a fuzz target's entry without libFuzzer, as a test: every file given,
// and every file under every directory given (in sorted order; after --suffix S only names
// ending in S, after --all every name again), once. Built with any compiler, so that the normal
// build keeps the seed corpus and the inputs of fixed bugs (fuzz/regressions/) passing
// (docs/fuzzing.md).
//
//   replay_<target> [--suffix .toml] PATH... [--all PATH...]

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sandbox.hpp"

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  std::string suffix;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--suffix" && i + 1 < argc) {
      suffix = argv[++i];
      continue;
    }
    if (arg == "--all") {
      suffix.clear();
      continue;
    }
    if (!std::filesystem::is_directory(arg)) {
      files.emplace_back(arg);
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
      if (entry.is_regular_file() && entry.path().string().ends_with(suffix))
        found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  std::size_t replayed = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "replay: cannot read {}\n", file.string());
      return 1;
    }
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++replayed;
  }
  fmt::print("replayed {} inputs\n", replayed);
  return replayed > 0 ? 0 : 1;  // a test that replays nothing proves nothing
}
