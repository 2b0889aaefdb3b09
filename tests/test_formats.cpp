// The output formats read back what they wrote (formats/): forecast.csv.
#include <catch2/catch.hpp>
#include <cstring>

#include "support.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/formats/manifest.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace {

// Rows with numbers whose shortest forms are long, negative, tiny and huge.
std::vector<talentcast::formats::ForecastRow> sample_rows() {
  std::vector<talentcast::formats::ForecastRow> rows;
  for (int i = 0; i < 5; ++i) {
    talentcast::formats::ForecastRow row{"role_" + std::to_string(i % 2),
                                         "2026-Q" + std::to_string(i % 4 + 1),
                                         i % 2 ? "ratio" : "salary_median",
                                         {}};
    row.summary.mean = 0.1 + i / 3.0;
    row.summary.sd = -1e-300 * i;
    for (std::size_t p = 0; p < row.summary.percentiles.size(); ++p) {
      row.summary.percentiles[p] = 1e300 / static_cast<double>(p + 1) + i;
    }
    row.summary.mcse = 1.0 / 7.0;
    rows.push_back(row);
  }
  return rows;
}

std::string refusal(const std::string& text) {
  try {
    talentcast::formats::read_forecast_csv(text, "f.csv");
  } catch (const talentcast::io::UserError& e) {
    return e.what();
  }
  return "read";
}

}  // namespace

TEST_CASE("forecast.csv reads back to the rows that wrote it, bit for bit", "[formats]") {
  const auto rows = sample_rows();
  const auto read =
      talentcast::formats::read_forecast_csv(talentcast::formats::forecast_csv(rows), "f.csv");
  REQUIRE(read.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(read[i].role == rows[i].role);
    CHECK(read[i].period == rows[i].period);
    CHECK(read[i].metric == rows[i].metric);
    const auto& a = read[i].summary;
    const auto& b = rows[i].summary;
    CHECK(std::memcmp(&a.mean, &b.mean, sizeof a.mean) == 0);
    CHECK(std::memcmp(&a.sd, &b.sd, sizeof a.sd) == 0);
    CHECK(std::memcmp(a.percentiles.data(), b.percentiles.data(), sizeof a.percentiles) == 0);
    CHECK(std::memcmp(&a.mcse, &b.mcse, sizeof a.mcse) == 0);
  }
}

TEST_CASE("forecast.csv of another shape is refused with where and what", "[formats]") {
  const std::string header = talentcast::formats::kForecastCsvHeader;
  CHECK(refusal("") == "f.csv: expected the header " + header + ", found an empty file");
  CHECK(refusal("role,period,metric\n") ==
        "f.csv:1: expected the header " + header + ", found 'role,period,metric'");
  CHECK(refusal(header + "\nr,2026-Q1,ratio,1,2,3\n") == "f.csv:2: expected 13 fields, found 6");
  CHECK(refusal(header + "\nr,2026-Q1,ratio,1,2,3,4,5,6,7,8,9,x\n") ==
        "f.csv:2: expected a number, found 'x'");
  CHECK(refusal(header + "\n") == "read");
}

TEST_CASE("every manifest starts with its format and provenance, and the builder seals it",
          "[formats][manifest]") {
  using namespace talentcast::formats;
  const Provenance by{"9.9.9", "abc123", std::string("talentcast run x.toml")};
  ManifestBuilder builder("talentcast-test-1", by);
  builder["seed"] = 7;
  const auto sealed = nlohmann::ordered_json::parse(std::move(builder).text());
  std::vector<std::string> keys;
  for (const auto& [key, value] : sealed.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"format", "talentcast_version", "git_commit", "command",
                                         "seed", "reproducible_sha256"});
  CHECK(check_seal(sealed) == SealState::intact);
  nlohmann::ordered_json edited = sealed;
  edited["seed"] = 8;
  CHECK(check_seal(edited) == SealState::broken);

  // A chart set's records no command and is not sealed; a sweep point's is compact.
  const auto charts = nlohmann::ordered_json::parse(
      chart_set_manifest("s.sqlite", {"ratio:llm:*:p50"}, {"a.svg"}, {"9.9.9", "abc123", {}}));
  CHECK(charts["format"] == kChartSetFormat);
  CHECK_FALSE(charts.contains("command"));
  CHECK(check_seal(charts) == SealState::missing);
  PointRecord point;
  point.point = 3;
  point.values = {{"roles.llm.attrition", 0.25}};
  const std::string compact = point_manifest(point, by);
  CHECK(compact.find('\n') == std::string::npos);
  CHECK(compact.rfind(R"({"point":3,"seed":0,"paths":0,"values":{"roles.llm.attrition":0.25},)",
                      0) == 0);
  CHECK(compact.find(R"("talentcast_version":"9.9.9","git_commit":"abc123","libm":)") !=
        std::string::npos);
}
