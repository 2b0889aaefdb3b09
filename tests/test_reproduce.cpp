// `talentcast reproduce`: a run rebuilt from its manifest, end to end (docs/cli.md#reproduce).
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/formats/manifest_seal.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::FILE* file = std::fopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
}

// A run whose inputs are spread over three folders: a variant in variants/ extends a base in
// base/ (roles llm, then cloud: not in alphabetical order), whose llm band is fitted to
// data/pay.csv.
void make_run(const fs::path& dir) {
  std::string base = talentcast::test::two_role_scenario();
  const auto at = base.find("salary = 65000");
  REQUIRE(at != std::string::npos);
  base.replace(at, 14, "salary_data = \"../data/pay.csv\"");
  write(dir / "base" / "two.toml", base);
  write(dir / "variants" / "faster.toml",
        "extends = \"../base/two.toml\"\ntitle = \"faster\"\n[fields.ai_major]\ngrowth = 0.15\n");
  std::string pay = "role,salary\n";
  for (int i = 0; i < 40; ++i) pay += fmt::format("llm,{}\n", 50000 + 500 * i);
  write(dir / "data" / "pay.csv", pay);
  const auto run =
      run_talentcast("run variants/faster.toml --paths 400 --band-samples 50 --out run -q", dir);
  REQUIRE(run.exit_code == 0);
}

}  // namespace

TEST_CASE("reproduce rebuilds a run from its manifest and finds the same forecast",
          "[reproduce][cli][determinism]") {
  TempDir dir;
  make_run(dir.path());
  const auto r = run_talentcast("reproduce run --out again -q --threads 1", dir.path());
  REQUIRE(r.exit_code == 0);
  const std::string digest =
      ordered_json::parse(read_file(dir.path() / "run" / "manifest.json"))["forecast_csv_sha256"];
  CHECK(r.out == fmt::format("run/manifest.json: forecast.csv SHA-256 {} matches the manifest's: "
                             "reproduced\nbands.bin SHA-256 matches the manifest's\n",
                             digest));
  for (const char* file : {"forecast.csv", "forecast.json", "bands.bin"}) {
    CAPTURE(file);
    CHECK(read_file(dir.path() / "again" / file) == read_file(dir.path() / "run" / file));
  }
  // bands.json differs only in the scenario file it names: the one laid out again.
  auto bands_again = ordered_json::parse(read_file(dir.path() / "again" / "bands.json"));
  auto bands_first = ordered_json::parse(read_file(dir.path() / "run" / "bands.json"));
  CHECK(bands_again["scenario"] == "again/inputs/variants/faster.toml");
  bands_again.erase("scenario");
  bands_first.erase("scenario");
  CHECK(bands_again == bands_first);
  // The inputs as they lay beside each other, the scenario files from the manifest itself.
  CHECK(read_file(dir.path() / "again/inputs/variants/faster.toml") ==
        read_file(dir.path() / "variants/faster.toml"));
  CHECK(read_file(dir.path() / "again/inputs/base/two.toml") ==
        read_file(dir.path() / "base/two.toml"));
  CHECK(read_file(dir.path() / "again/inputs/data/pay.csv") ==
        read_file(dir.path() / "data/pay.csv"));
  const auto again = ordered_json::parse(read_file(dir.path() / "again" / "manifest.json"));
  const auto first = ordered_json::parse(read_file(dir.path() / "run" / "manifest.json"));
  CHECK(again["scenario_sha256"] == first["scenario_sha256"]);
  CHECK(again["reproduces"]["manifest"] == "run/manifest.json");
  CHECK(again["reproduces"]["matches"] == true);
  CHECK(again["reproduces"]["reproducible_sha256"] == first["reproducible_sha256"]);
  CHECK(talentcast::formats::check_seal(again) == talentcast::formats::SealState::intact);
}

TEST_CASE("reproduce finds data files by their digest, and says what it could not find",
          "[reproduce][cli]") {
  TempDir dir;
  make_run(dir.path());
  fs::create_directories(dir.path() / "elsewhere");
  const fs::path elsewhere = dir.path() / "elsewhere";
  SECTION("from another folder, the data file is not where the run read it") {
    auto r = run_talentcast("reproduce ../run --out again -q", elsewhere);
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          fmt::format("talentcast: data_files: expected variants/../base/../data/pay.csv with "
                      "SHA-256 {} (the file the run read), found variants/../base/../data/pay.csv "
                      "(none); give --data-dir DIR where the original is\n"
                      "talentcast: 1 error; nothing was run or written\n",
                      ordered_json::parse(
                          read_file(dir.path() / "run/manifest.json"))["data_files"][0]["sha256"]
                          .get<std::string>()));
    CHECK_FALSE(fs::exists(elsewhere / "again"));
    r = run_talentcast("reproduce ../run --out again -q --data-dir ../data", elsewhere);
    CHECK(r.exit_code == 0);
    CHECK(read_file(elsewhere / "again/forecast.csv") ==
          read_file(dir.path() / "run/forecast.csv"));
  }
  SECTION("a data file changed since the run is not used") {
    write(dir.path() / "data/pay.csv", read_file(dir.path() / "data/pay.csv") + "llm,70000\n");
    const auto r = run_talentcast("reproduce run --out again -q", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("found variants/../base/../data/pay.csv (another SHA-256: changed since the "
                     "run); give --data-dir DIR where the original is\n") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path() / "again"));
  }
  SECTION("DIR must be new or empty, the manifest sealed") {
    write(dir.path() / "full/notes.txt", "mine");
    auto r = run_talentcast("reproduce run --out full -q", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: --out full: expected a new or empty directory, found one that holds files\n"
          "talentcast: 1 error; nothing was run or written\n");
    CHECK(read_file(dir.path() / "full/notes.txt") == "mine");
    ordered_json manifest = ordered_json::parse(read_file(dir.path() / "run/manifest.json"));
    manifest["paths"] = 401;
    write(dir.path() / "run/manifest.json", manifest.dump(1));
    r = run_talentcast("reproduce run --out again -q", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("run/manifest.json: expected a manifest as talentcast wrote it") !=
          std::string::npos);
  }
  SECTION("a manifest written before scenario_files is rebuilt from scenario_toml") {
    // Sealed as such a manifest was. Its resolved scenario lists the roles in alphabetical order
    // (cloud, llm), not as written (llm, cloud): the run goes through, and its results differ.
    ordered_json manifest = ordered_json::parse(read_file(dir.path() / "run/manifest.json"));
    manifest.erase("scenario_files");
    talentcast::formats::seal(manifest);
    write(dir.path() / "run/manifest.json", manifest.dump(1));
    const auto r = run_talentcast("reproduce run --out again -q", dir.path());
    CHECK(r.exit_code == 3);
    CHECK(r.out.find(": NOT reproduced") != std::string::npos);
    CHECK(read_file(dir.path() / "again/inputs/variants/faster.toml") ==
          manifest["scenario_toml"].get<std::string>());
  }
  SECTION(
      "a manifest whose fields are not of the kind talentcast writes: exit 2, nothing written") {
    // Sealed again after the edit, as anyone can: the seal detects changes, it is no signature.
    const ordered_json original = ordered_json::parse(read_file(dir.path() / "run/manifest.json"));
    const auto reproduce_with = [&](const char* key, const ordered_json& value) {
      ordered_json manifest = original;
      manifest[key] = value;
      talentcast::formats::seal(manifest);
      write(dir.path() / "run/manifest.json", manifest.dump(1));
      return run_talentcast("reproduce run --out again -q", dir.path());
    };
    const std::string tail = "; nothing was run or written\n";
    auto r = reproduce_with("scenario_files", ordered_json::array({1}));
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: run/manifest.json: scenario_files[0]: expected an object, found "
          "number" +
              tail);
    ordered_json directory = original["scenario_files"];
    directory[0]["path"] = "variants/..";
    r = reproduce_with("scenario_files", directory);
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: run/manifest.json: scenario_files[0].path: expected a file's "
          "path, found 'variants/..'" +
              tail);
    r = reproduce_with("data_files", "data/pay.csv");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: run/manifest.json: data_files: expected an array, found string" + tail);
    r = reproduce_with("seed", "42");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: run/manifest.json: seed: expected a whole number, found string" + tail);
    CHECK_FALSE(fs::exists(dir.path() / "again"));
  }
  SECTION("results that differ from the manifest's: exit 3") {
    // As if another build had written the run: its digest differs, and its seal is intact.
    ordered_json manifest = ordered_json::parse(read_file(dir.path() / "run/manifest.json"));
    manifest["forecast_csv_sha256"] = std::string(64, '0');
    talentcast::formats::seal(manifest);
    write(dir.path() / "run/manifest.json", manifest.dump(1));
    const auto r = run_talentcast("reproduce run --out again -q", dir.path());
    CHECK(r.exit_code == 3);
    CHECK(r.out.find("differs from the manifest's " + std::string(64, '0') + ": NOT reproduced") !=
          std::string::npos);
    const auto again = ordered_json::parse(read_file(dir.path() / "again/manifest.json"));
    CHECK(again["reproduces"]["matches"] == false);
  }
}

TEST_CASE("reproduce names a difference of glibc's maths, and the portable flag reproduces it",
          "[reproduce][cli]") {
  // A run made with --portable-math, reproduced with the default maths: where the processor has
  // FMA or AVX variants that change a bit of the flagship's 2,000 paths (this project's machine
  // does), reproduce says so and names the flag; with the flag it reproduces.
  TempDir dir;
  const std::string flagship =
      (talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml").string();
  REQUIRE(run_talentcast(fmt::format("--portable-math run {} --paths 2000 --out run -q", flagship),
                         dir.path())
              .exit_code == 0);
  const auto manifest = ordered_json::parse(read_file(dir.path() / "run" / "manifest.json"));
  const std::string portable = manifest["libm"];
  const auto plain = run_talentcast("reproduce run --out again -q", dir.path());
  const std::string here = talentcast::core::libm_variant();
  if (plain.exit_code == 3) {
    CHECK(plain.out.find(fmt::format("It ran glibc's maths as \"{}\", this machine as \"{}\": "
                                     "these may differ in the last bits "
                                     "(docs/performance.md#vector-maths). Run talentcast "
                                     "--portable-math reproduce to run the same.\n",
                                     portable, here)) != std::string::npos);
  } else {
    CHECK(plain.exit_code == 0);
    WARN("glibc's default maths gives the portable bits here: nothing to name");
  }
  const auto flagged = run_talentcast("--portable-math reproduce run --out again2 -q", dir.path());
  CHECK(flagged.exit_code == 0);
  CHECK(flagged.out.find("reproduced") != std::string::npos);
}
