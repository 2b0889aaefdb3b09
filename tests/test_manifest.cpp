// Manifests: the seal over their reproducible fields (manifest_seal.hpp), checked wherever a
// manifest is read.
#include <fmt/core.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/io/sha256.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using talentcast::formats::check_seal;
using talentcast::formats::SealState;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;

namespace {

void write_json(const fs::path& path, const ordered_json& json) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  const std::string text = json.dump(1) + "\n";
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
}

}  // namespace

TEST_CASE("a seal covers the reproducible fields and nothing else", "[manifest]") {
  ordered_json manifest{{"format", "talentcast-manifest-1"},
                        {"command", "talentcast run a.toml"},
                        {"seed", 7},
                        {"paths", 1000},
                        {"mean", 0.1 + 0.2},
                        {"threads", 2},
                        {"wall_time_seconds", 1.25}};
  talentcast::formats::seal(manifest);
  CHECK(manifest.back().is_string());
  CHECK(check_seal(manifest) == SealState::intact);
  // Parsed back from its text, as a reader sees it.
  CHECK(check_seal(ordered_json::parse(manifest.dump(1))) == SealState::intact);
  // How the run went may differ between identical runs: not sealed.
  for (const char* key : {"command", "threads", "wall_time_seconds", "mpi_ranks", "vector_kernel",
                          "libm", "created_utc"}) {
    ordered_json other = manifest;
    other[key] = "something else";
    CHECK(check_seal(other) == SealState::intact);
  }
  // What it computed is.
  for (const auto& [key, value] : {std::pair<const char*, ordered_json>{"seed", 8},
                                   {"paths", 1001},
                                   {"mean", 0.3},
                                   {"added", true}}) {
    ordered_json other = manifest;
    other[key] = value;
    CAPTURE(key);
    CHECK(check_seal(other) == SealState::broken);
  }
  manifest.erase("reproducible_sha256");
  CHECK(check_seal(manifest) == SealState::missing);
}

TEST_CASE("report and benchmark refuse a hand-edited manifest, and warn of an unsealed one",
          "[manifest][report][benchmark][cli]") {
  TempDir dir;
  dir.write("two.toml", talentcast::test::two_role_scenario());
  REQUIRE(run_talentcast("run two.toml --paths 300 --band-samples 50 --out run -q", dir.path())
              .exit_code == 0);
  const fs::path manifest_path = dir.path() / "run" / "manifest.json";
  const ordered_json written = ordered_json::parse(read_file(manifest_path));
  CHECK(check_seal(written) == SealState::intact);
  const std::string benchmark = "benchmark run --role llm --salary 60000";

  SECTION("a changed seed or paths is refused") {
    for (const char* key : {"seed", "paths"}) {
      ordered_json edited = written;
      edited[key] = 12345;
      write_json(manifest_path, edited);
      const std::string message = fmt::format(
          "talentcast: {}: expected a manifest as talentcast wrote it, found one changed since "
          "(its reproducible_sha256 does not match its seed, paths, digests or scenario); run the "
          "scenario again, or `talentcast reproduce` the run\n",
          (fs::path("run") / "manifest.json").string());
      const auto report = run_talentcast("report run -q", dir.path());
      CHECK(report.exit_code == 2);
      CHECK(report.err == message);
      CHECK_FALSE(fs::exists(dir.path() / "run" / "report.html"));
      const auto bench = run_talentcast(benchmark, dir.path());
      CHECK(bench.exit_code == 2);
      CHECK(bench.err == message);
    }
  }
  SECTION("a manifest without a seal is used, with a warning") {
    ordered_json unsealed = written;
    unsealed.erase("reproducible_sha256");
    write_json(manifest_path, unsealed);
    const std::string warning =
        "talentcast: warning: run/manifest.json: this manifest has no reproducible_sha256 "
        "(written before manifests were sealed, or the field was removed), so changes to it "
        "cannot be detected\n";
    const auto report = run_talentcast("report run -q", dir.path());
    CHECK(report.exit_code == 0);
    CHECK(report.err == warning);
    const auto bench = run_talentcast(benchmark, dir.path());
    CHECK(bench.exit_code == 0);
    CHECK(bench.err == warning);
  }
  SECTION("an edited bands.json is refused by benchmark") {
    std::string bands = read_file(dir.path() / "run" / "bands.json");
    bands.replace(bands.find("\"seed\": 42"), 10, "\"seed\": 43");
    std::FILE* file = std::fopen((dir.path() / "run" / "bands.json").c_str(), "wb");
    std::fwrite(bands.data(), 1, bands.size(), file);
    std::fclose(file);
    const auto bench = run_talentcast(benchmark, dir.path());
    CHECK(bench.exit_code == 2);
    CHECK(bench.err ==
          "talentcast: run/bands.json: expected the bands.json its manifest names "
          "(bands_json_sha256), found another; run the scenario again\n");
  }
}

TEST_CASE("a SHA-256 given in pieces is the digest of the whole", "[manifest]") {
  using talentcast::io::Sha256;
  using talentcast::io::sha256_hex;
  // FIPS 180-2's examples.
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256 pieces;
  for (std::size_t at = 0; at < two_blocks.size(); at += 5) pieces.update(two_blocks.substr(at, 5));
  CHECK(pieces.hex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256().hex() == sha256_hex(""));
}

TEST_CASE("forecast.csv's digest is computed in pieces without the whole text", "[manifest]") {
  // 3,000 rows, about 400 KiB of text: several pieces of 64 KiB, the last one partial.
  std::vector<talentcast::formats::ForecastRow> rows;
  for (int i = 0; i < 3000; ++i) {
    talentcast::formats::ForecastRow row{
        "role" + std::to_string(i % 7), fmt::format("20{}-Q1", i % 90), "ratio", {}};
    row.summary.mean = 1.0 / (i + 3);
    row.summary.sd = std::sqrt(static_cast<double>(i));
    for (std::size_t q = 0; q < row.summary.percentiles.size(); ++q) {
      row.summary.percentiles[q] = static_cast<double>(q) / (i + 7);
    }
    row.summary.mcse = 1e-9 * i;
    rows.push_back(row);
  }
  const std::string csv = talentcast::formats::forecast_csv(rows);
  REQUIRE(csv.size() > 4 * 64 * 1024);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3001);
  CHECK(csv.rfind("role,period,metric,mean,", 0) == 0);
  CHECK(talentcast::formats::forecast_csv_sha256(rows) == talentcast::io::sha256_hex(csv));
  std::string joined;
  std::size_t pieces = 0;
  talentcast::formats::write_forecast_csv(rows, [&](std::string_view piece) {
    CHECK(piece.size() < 64 * 1024 + 512);
    joined += piece;
    ++pieces;
  });
  CHECK(joined == csv);
  CHECK(pieces >= 5);
}
