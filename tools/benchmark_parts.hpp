#pragma once
// Internal to `talentcast benchmark` (cmd_benchmark.cpp for a salary, cmd_benchmark_payroll.cpp
// for a payroll).

#include <fmt/core.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "talentcast/formats/band_store.hpp"

namespace talentcast::cli::benchmark {

/// The flags' problems, gathered to be reported together.
struct Problems {
  std::vector<std::string> errors;
  void add(const std::string& flag, const std::string& expected, const std::string& found) {
    errors.push_back(fmt::format("{}: expected {}, found {}", flag, expected, found));
  }
};

/// A period of the store by its label; a problem when it has none.
std::optional<std::size_t> period_of(const formats::BandStore& store, Problems& problems,
                                     const std::string& flag, const std::string& text);

/// Prints rows of cells in columns as wide as their widest cell, two spaces apart.
void print_columns(const std::vector<std::vector<std::string>>& table);

/// `benchmark --payroll`: checks its flags (adding to problems), then benchmarks and writes.
int payroll_mode(const BenchmarkArgs& args, const formats::BandStore& store, Problems& problems,
                 std::chrono::steady_clock::time_point started);

}  // namespace talentcast::cli::benchmark
