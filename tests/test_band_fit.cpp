// Bands from observed pay data: the CSV reader, the lognormal fit (recovering known parameters
// within their standard errors), the Lilliefors goodness of fit, and the per-path sampling
// distribution of a fitted band.
#include <algorithm>
#include <boost/math/distributions/inverse_chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "talentcast/core/random.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/models/band_fit.hpp"

using talentcast::io::CsvReader;
using talentcast::io::CsvRecord;
using talentcast::models::BandFit;
using talentcast::models::fit_band;

namespace {

// n lognormal salaries exp(mu + sigma Z), reproducible from (seed, replication).
std::vector<double> lognormal_sample(std::size_t n, double mu, double sigma, std::uint64_t rep) {
  const talentcast::core::CounterRng rng(rep);
  const boost::math::normal standard;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.uniforms(i, 7, 0, talentcast::core::Domain::user)[0];
    x[i] = std::exp(mu + sigma * boost::math::quantile(standard, u));
  }
  return x;
}

std::vector<std::string> texts(const CsvRecord& record) {
  std::vector<std::string> out;
  for (const auto& f : record.fields) out.emplace_back(f.text);
  return out;
}

}  // namespace

TEST_CASE("CSV records keep each field's line and column", "[csv]") {
  CsvReader reader(
      "\xEF\xBB\xBFrole,salary\r\nllm,\"60,000\"\r\n\n\"a \"\"b\"\"\",\"two\nlines\",x\nlast,1");
  CsvRecord r;
  REQUIRE(reader.next(r));
  CHECK(texts(r) == std::vector<std::string>{"role", "salary"});
  CHECK(r.line == 1);
  REQUIRE(reader.next(r));
  CHECK(texts(r) == std::vector<std::string>{"llm", "60,000"});
  CHECK(r.line == 2);
  CHECK(r.fields[1].column == 5);
  REQUIRE(reader.next(r));  // the blank line 3 is skipped
  CHECK(texts(r) == std::vector<std::string>{"a \"b\"", "two\nlines", "x"});
  CHECK(r.line == 4);
  REQUIRE(reader.next(r));
  CHECK(r.line == 6);
  CHECK(texts(r) == std::vector<std::string>{"last", "1"});
  CHECK_FALSE(reader.next(r));
}

TEST_CASE("fields written with append_csv_field read back as themselves", "[csv]") {
  // Every record of 2 to 4 fields drawn from characters that need quoting, and some that do not.
  const std::string alphabet = "a,\"\n\r x";
  const talentcast::core::CounterRng rng(11);
  for (std::uint64_t trial = 0; trial < 2000; ++trial) {
    const auto u = rng.uniforms(trial, 0, 0, talentcast::core::Domain::user);
    const std::size_t count = 2 + static_cast<std::size_t>(u[0] * 3);
    std::vector<std::string> fields(count);
    std::string text;
    for (std::size_t f = 0; f < count; ++f) {
      const auto v =
          rng.uniforms(trial, static_cast<std::uint32_t>(1 + f), 0, talentcast::core::Domain::user);
      const auto length = static_cast<std::size_t>(v[0] * 6);
      for (std::size_t i = 0; i < length; ++i) {
        const auto w =
            rng.uniforms(trial, static_cast<std::uint32_t>(1 + f),
                         static_cast<std::uint32_t>(1 + i), talentcast::core::Domain::user);
        fields[f] +=
            alphabet[static_cast<std::size_t>(w[0] * static_cast<double>(alphabet.size()))];
      }
      if (f > 0) text += ',';
      talentcast::io::append_csv_field(text, fields[f]);
    }
    text += "\nnext,record\n";
    CsvReader reader(text);
    CsvRecord r;
    REQUIRE(reader.next(r));
    CHECK(texts(r) == fields);
    REQUIRE(reader.next(r));
    CHECK(texts(r) == std::vector<std::string>{"next", "record"});
  }
  CHECK(talentcast::io::csv_field("plain") == "plain");
  CHECK(talentcast::io::csv_field("a,b") == "\"a,b\"");
  CHECK(talentcast::io::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("malformed CSV is reported where it is", "[csv]") {
  CsvRecord r;
  CsvReader open_quote("a,b\n1,\"never closed\n");
  REQUIRE(open_quote.next(r));
  try {
    open_quote.next(r);
    FAIL("expected a CsvError");
  } catch (const talentcast::io::CsvError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 3);
  }
  CsvReader after_quote("a,\"b\"c\n");
  CHECK_THROWS_AS(after_quote.next(r), talentcast::io::CsvError);
}

TEST_CASE("the fit recovers a lognormal's parameters within their standard errors", "[fit]") {
  // Over many samples the estimates fall within 1.96 standard errors about 95% of the time:
  // se(m) = sigma / sqrt(n) and se(s) ~ sigma / sqrt(2 (n - 1)).
  const double mu = std::log(42874.0), sigma = 0.35;
  const std::size_t n = 200;
  const int reps = 400;
  int mean_inside = 0, sd_inside = 0;
  for (int rep = 0; rep < reps; ++rep) {
    const auto x = lognormal_sample(n, mu, sigma, static_cast<std::uint64_t>(rep + 1));
    const BandFit fit = fit_band(x, {});
    CHECK(fit.rows == n);
    CHECK(fit.effective_n == Approx(n));
    mean_inside += std::abs(fit.log_mean - mu) < 1.96 * sigma / std::sqrt(double(n));
    sd_inside += std::abs(fit.log_sd - sigma) < 1.96 * sigma / std::sqrt(2.0 * (n - 1));
  }
  // Binomial(400, 0.95): sd 1.1%; 4 sd either side.
  const double tolerance = 4.0 * std::sqrt(0.95 * 0.05 / reps);
  CHECK(std::abs(mean_inside / double(reps) - 0.95) < tolerance);
  CHECK(std::abs(sd_inside / double(reps) - 0.95) < tolerance);
}

TEST_CASE("a weighted fit uses Kish's effective sample size and reliability weights", "[fit]") {
  const std::vector<double> x{30000, 40000, 50000, 65000, 90000};
  const std::vector<double> w{1, 2, 3, 2, 1};
  const BandFit fit = fit_band(x, w);
  double sw = 0, sw2 = 0, m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sw += w[i];
    sw2 += w[i] * w[i];
    m += w[i] * std::log(x[i]);
  }
  m /= sw;
  double ss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) ss += w[i] * std::pow(std::log(x[i]) - m, 2);
  CHECK(fit.effective_n == Approx(sw * sw / sw2));  // 81 / 19
  CHECK(fit.log_mean == Approx(m).epsilon(1e-14));
  CHECK(fit.log_sd == Approx(std::sqrt(ss / (sw - sw2 / sw))).epsilon(1e-14));
  // Equal weights are no weights, whatever their size.
  const BandFit equal = fit_band(x, std::vector<double>(5, 3.5));
  const BandFit plain = fit_band(x, {});
  CHECK(equal.log_mean == Approx(plain.log_mean).epsilon(1e-14));
  CHECK(equal.log_sd == Approx(plain.log_sd).epsilon(1e-14));
  CHECK(equal.effective_n == Approx(5.0));
}

TEST_CASE("weights of any finite size give a finite fit", "[fit]") {
  const std::vector<double> x{30000, 40000, 50000, 65000, 90000, 41000};
  const BandFit plain = fit_band(x, {});
  for (double w : {1e-300, 1e-200, 1e200, 1e300}) {
    const BandFit fit = fit_band(x, std::vector<double>(x.size(), w));
    CHECK(fit.effective_n == Approx(6.0));
    CHECK(fit.log_mean == Approx(plain.log_mean).epsilon(1e-14));
    CHECK(fit.log_sd == Approx(plain.log_sd).epsilon(1e-12));
    CHECK(fit.ks_p_value == Approx(plain.ks_p_value).epsilon(1e-12));
  }
  // One weight dwarfing the rest: an effective sample of one, which a scenario refuses (at
  // least BandFit::kMinEffectiveN are needed).
  const std::vector<double> w{1e160, 1, 1, 1, 1, 1};
  CHECK(talentcast::models::effective_sample_size(w) == Approx(1.0));
}

TEST_CASE("the Lilliefors p-value matches its published critical values", "[fit]") {
  // Lilliefors (1967): critical values 0.886 / sqrt(n) at 5% and 1.031 / sqrt(n) at 1% for
  // n > 30; n = 100 is where Dallal and Wilkinson's formula needs no rescaling.
  const double n = 100.0;
  CHECK(talentcast::models::lilliefors_p_value(0.886 / std::sqrt(n), n) ==
        Approx(0.05).margin(0.003));
  CHECK(talentcast::models::lilliefors_p_value(1.031 / std::sqrt(n), n) ==
        Approx(0.01).margin(0.001));
  // Stephens' branch for large p-values is continuous with it and decreasing.
  double previous = 1.0;
  for (double d = 0.02; d < 0.2; d += 0.002) {
    const double p = talentcast::models::lilliefors_p_value(d, n);
    CHECK(p <= previous + 1e-3);
    previous = p;
  }
  CHECK(talentcast::models::lilliefors_p_value(0.01, 50) == 1.0);
}

TEST_CASE("lognormal samples pass the goodness-of-fit test at its nominal rate", "[fit]") {
  // Under the null, p < 0.05 in 5% of samples (binomial sd 1%; 4 sd allowed).
  // Small samples, and large ones (beyond n = 100 the distance is rescaled).
  for (std::size_t n : {std::size_t{50}, std::size_t{1000}}) {
    const int reps = 500;
    int rejected = 0;
    for (int rep = 0; rep < reps; ++rep) {
      const auto x = lognormal_sample(n, 10.0, 0.3, static_cast<std::uint64_t>(1000 + rep));
      rejected += fit_band(x, {}).ks_p_value < 0.05;
    }
    CHECK(std::abs(rejected / double(reps) - 0.05) < 4.0 * std::sqrt(0.05 * 0.95 / reps));
  }
}

TEST_CASE("a sample that is not lognormal is flagged as a poor fit", "[fit]") {
  // Two pay scales mixed half and half: far from one lognormal.
  auto x = lognormal_sample(300, std::log(20000.0), 0.1, 5);
  const auto high = lognormal_sample(300, std::log(80000.0), 0.1, 6);
  x.insert(x.end(), high.begin(), high.end());
  const BandFit bimodal = fit_band(x, {});
  CHECK(bimodal.ks_statistic > 0.1);
  CHECK(bimodal.ks_p_value < 0.01);
  CHECK(bimodal.poor());
  const BandFit good = fit_band(lognormal_sample(600, 10.0, 0.3, 7), {});
  CHECK_FALSE(good.poor());
}

TEST_CASE("a fitted band's draws follow its sampling distribution", "[fit]") {
  const BandFit fit = fit_band(lognormal_sample(12, 11.0, 0.3, 3), {});
  talentcast::models::QuantileTables tables;
  const auto draws = talentcast::models::band_draws(fit, "roles.x.salary_data", tables);
  // sigma^2 is scaled inverse chi-squared(nu = n - 1, s^2): quantiles agree with Boost.Math.
  const boost::math::inverse_chi_squared_distribution<double> exact(fit.effective_n - 1.0,
                                                                    fit.log_sd * fit.log_sd);
  for (double u : {1e-6, 0.01, 0.1, 0.5, 0.9, 0.99, 1 - 1e-6}) {
    CHECK(std::pow(draws.sigma.at(u), 2) == Approx(boost::math::quantile(exact, u)).epsilon(1e-9));
  }
  // The central draw (every uniform at 0.5) puts the median at exp(m).
  CHECK(draws.log_median(draws.sigma.at(0.5), draws.z.at(0.5)) == Approx(fit.log_mean));
  // Different keys, different streams; the same key, the same one.
  CHECK(draws.sigma.address() != draws.z.address());
  CHECK(talentcast::models::band_draws(fit, "roles.x.salary_data", tables).z.address() ==
        draws.z.address());
}
