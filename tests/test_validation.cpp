// Every validation rule, end to end: each file in tests/data/invalid/ ends with the exact
// lines `talentcast run` must print to stderr ("# expect: ..."). The run must exit with code 2
// and leave no output directory behind.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"

namespace fs = std::filesystem;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;

namespace {
std::string expected_stderr(const std::string& text) {
  std::istringstream lines(text);
  std::string line, expected;
  const std::string marker = "# expect: ";
  for (; std::getline(lines, line);) {
    if (line.rfind(marker, 0) == 0) expected += line.substr(marker.size()) + "\n";
  }
  return expected;
}
}  // namespace

TEST_CASE("every invalid scenario gets its exact messages, exit code 2 and no output",
          "[validation][cli]") {
  const fs::path data = talentcast::test::source_dir() / "tests" / "data" / "invalid";
  talentcast::test::TempDir dir;
  fs::copy(data, dir.path(), fs::copy_options::recursive);
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(data)) {
    const std::string name = entry.path().filename().string();
    const std::string expected = expected_stderr(read_file(entry.path()));
    if (expected.empty()) continue;  // a base file that only others extend
    SECTION(name) {
      const auto result =
          run_talentcast("run " + name + " --out out-" + name + " --paths 10 --quiet", dir.path());
      CHECK(result.exit_code == 2);
      CHECK(result.err == expected);
      CHECK(result.out.empty());
      CHECK_FALSE(fs::exists(dir.path() / ("out-" + name)));
      const auto validated = run_talentcast("validate " + name, dir.path());
      CHECK(validated.exit_code == 2);
      CHECK(validated.err == expected);
    }
    ++checked;
  }
  CHECK(checked >= 20);
}

TEST_CASE("all problems are reported at once, in reading order", "[validation]") {
  talentcast::test::TempDir dir;
  std::string text = talentcast::test::two_role_scenario();
  text.replace(text.find("attrition = 0.15"), 16, "attrition = 2");
  text.replace(text.find("salary = 65000"), 14, "salary = -1");
  text.replace(text.find("matching_elasticity = 0.5"), 25, "matching_elasticity = 0");
  const auto path = dir.write("three.toml", text);
  try {
    talentcast::config::load_scenario(path);
    FAIL("expected an io::UserError");
  } catch (const talentcast::io::UserError& error) {
    REQUIRE(error.diagnostics().size() == 3);
    CHECK(error.diagnostics()[0].key == "defaults.attrition");
    CHECK(error.diagnostics()[1].key == "defaults.matching_elasticity");
    CHECK(error.diagnostics()[2].key == "roles.llm.salary");
    CHECK(error.diagnostics()[2].line > error.diagnostics()[1].line);
  }
}

TEST_CASE("a valid scenario loads, with defaults inherited and wage_response_down defaulted",
          "[validation]") {
  talentcast::test::TempDir dir;
  const auto scenario = talentcast::config::load_scenario(
      dir.write("ok.toml", talentcast::test::two_role_scenario()));
  using talentcast::models::RoleParam;
  REQUIRE(scenario.roles.size() == 2);
  CHECK(scenario.roles[0].name == "llm");  // roles in the order they are written
  CHECK(scenario.roles[1].name == "cloud");
  CHECK(scenario.roles[1][RoleParam::attrition]->median() == 0.15);
  CHECK(scenario.roles[1][RoleParam::wage_response_down]->median() == 0.1);
  CHECK(scenario.roles[1][RoleParam::layoff_rate]->median() == 0.0);
  CHECK(scenario.periods() == 8);
  CHECK(scenario.period_label(7) == "2025-Q4");
}

TEST_CASE("roles keep the order they are written in, a base file's first", "[validation]") {
  talentcast::test::TempDir dir;
  std::string base = talentcast::test::two_role_scenario();  // llm, then cloud
  base += "\n[roles.alpha]\nemployed = 100\nopenings = 10\nratio = 1\nsalary = 1000\n";
  dir.write("base.toml", base);
  const auto variant = dir.write("variant.toml",
                                 "extends = \"base.toml\"\n[roles.beta]\nemployed = 100\nopenings "
                                 "= 10\nratio = 1\nsalary = 1000\n"
                                 "[roles.cloud]\nsalary = 41000\n");
  const auto scenario = talentcast::config::load_scenario(variant);
  std::vector<std::string> names;
  for (const auto& role : scenario.roles) names.push_back(role.name);
  CHECK(names == std::vector<std::string>{"llm", "cloud", "alpha", "beta"});
  CHECK(scenario.roles[1][talentcast::models::RoleParam::salary]->median() == 41000);
}

TEST_CASE("bands and levels come from [defaults]' salary_data unless a role gives its own",
          "[validation][fit]") {
  talentcast::test::TempDir dir;
  std::string csv = "role,level,salary,weight\n";
  for (int i = 0; i < 12; ++i) {
    csv += fmt::format("llm,{},{},{}\n", i % 2 ? "senior" : "junior", 50000 + 1000 * i, 1 + i % 3);
    csv += fmt::format("nlp,{},{},1\n", i % 2 ? "senior" : "junior", 40000 + 900 * i);
  }
  dir.write("pay.csv", csv);
  std::string text = talentcast::test::two_role_scenario();
  text.replace(text.find("band_sigma = 0.36\n"), 18,
               "salary_data = \"pay.csv\"\nlevels = [\"junior\", \"senior\"]\n");
  text.replace(text.find("salary = 65000\n"), 15, "");
  text.replace(text.find("mobility = { cloud = 0.02 }\n"), 28,
               "mobility = { cloud = 0.02 }\n[roles.llm.levels.senior]\nmultiplier = 1.3\n"
               "[roles.llm.levels.junior]\n");
  text.replace(text.find("salary = 40000\n"), 15,
               "salary = 40000\nband_sigma = 0.3\nlevels = []\n");
  text += "\n[roles.nlp]\nemployed = 100\nopenings = 10\nratio = 1\n";
  const auto scenario = talentcast::config::load_scenario(dir.write("s.toml", text));
  REQUIRE(scenario.roles.size() == 3);
  const auto& llm = scenario.roles[0];
  const auto& cloud = scenario.roles[1];
  const auto& nlp = scenario.roles[2];
  REQUIRE(llm.band);
  CHECK(llm.band->fit.rows == 12);
  CHECK(llm.band->fit.effective_n < 12.0);  // weighted
  // llm's own level tables, in the order written: senior's multiplier is given, its band_sigma
  // and all of junior fitted.
  REQUIRE(llm.levels.size() == 2);
  CHECK(llm.levels[0].name == "senior");
  CHECK(llm.levels[0].multiplier->median() == 1.3);
  CHECK_FALSE(llm.levels[0].band_sigma);
  REQUIRE(llm.levels[0].fitted);
  CHECK(llm.levels[0].fitted->fit.rows == 6);
  CHECK(llm.levels[1].name == "junior");
  REQUIRE(llm.levels[1].fitted);
  // cloud gives its band and opts out of the levels.
  CHECK_FALSE(cloud.band);
  CHECK(cloud.levels.empty());
  CHECK(cloud[talentcast::models::RoleParam::band_sigma]->median() == 0.3);
  // nlp takes both from [defaults]; its draws are its own, not llm's.
  REQUIRE(nlp.band);
  REQUIRE(nlp.levels.size() == 2);
  REQUIRE(nlp.levels[0].fitted);
  CHECK(nlp.levels[0].fitted->draws.z.address() != llm.levels[1].fitted->draws.z.address());
  CHECK(nlp.band->draws.sigma.address() != llm.band->draws.sigma.address());
  CHECK(scenario.data_files.size() == 1);
  CHECK(scenario.data_files[0].second.size() == 64);  // a SHA-256 in hex
}

TEST_CASE("a scenario and a salary_data file can be marked synthetic", "[validation][fit]") {
  talentcast::test::TempDir dir;
  std::string csv = "role,salary\n";
  for (int i = 0; i < 12; ++i)
    csv += fmt::format("llm,{}\ncloud,{}\n", 50000 + 1000 * i, 40000 + 900 * i);
  dir.write("pay.csv", csv);
  dir.write("observed.csv", csv);
  std::string text = talentcast::test::two_role_scenario();
  text.replace(text.find("band_sigma = 0.36\n"), 18, "");
  text.replace(text.find("salary = 65000\n"), 15,
               "salary_data = { file = \"pay.csv\", synthetic = \"drawn by a script\" }\n");
  // cloud names the same file without marking it: the file is synthetic all the same.
  text.replace(text.find("salary = 40000\n"), 15, "salary_data = \"pay.csv\"\n");
  dir.write("base.toml", text);
  const auto base = talentcast::config::load_scenario(dir.path() / "base.toml");
  CHECK(base.synthetic.empty());
  REQUIRE(base.roles.size() == 2);
  CHECK(base.roles[0].salary_data_synthetic == "drawn by a script");
  CHECK(base.roles[1].salary_data_synthetic == "drawn by a script");
  REQUIRE(base.synthetic_data_files.size() == 1);
  CHECK(base.synthetic_data_files.begin()->second == "drawn by a script");

  // A variant that names other data for llm replaces the whole table, marking included; the
  // same holds for a number written with its source, whose base source would no longer hold.
  dir.write("variant.toml",
            "extends = \"base.toml\"\nsynthetic = \"an illustration\"\n"
            "[roles.llm]\nsalary_data = { file = \"observed.csv\" }\n"
            "[roles.cloud]\nratio = { value = 0.3 }\n");
  std::string with_source = text;
  with_source.replace(with_source.find("ratio = 0.27"), 12,
                      "ratio = { value = 0.27, source = \"Maimai\" }");
  dir.write("base.toml", with_source);
  const auto variant = talentcast::config::load_scenario(dir.path() / "variant.toml");
  CHECK(variant.synthetic == "an illustration");
  CHECK(variant.roles[0].salary_data_synthetic.empty());
  CHECK(variant.roles[0].salary_data.filename() == "observed.csv");
  // The marking belongs to the scenario: with llm's table went the only mark of pay.csv.
  CHECK(variant.roles[1].salary_data_synthetic.empty());
  CHECK(variant.synthetic_data_files.empty());
  CHECK(variant.resolved_toml.find("Maimai") == std::string::npos);
}
