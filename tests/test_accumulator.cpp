// Moments merged block by block equal the moments of all values; summaries follow the
// documented definitions.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "talentcast/core/accumulator.hpp"

using talentcast::core::Moments;

TEST_CASE("pairwise merges of block moments give the moments of the whole", "[accumulator]") {
  std::mt19937_64 engine(1);
  std::normal_distribution<double> dist(1e6, 3.0);  // a large mean: cancellation-prone
  std::vector<double> values(10000);
  for (double& v : values) v = dist(engine);
  Moments merged;
  for (std::size_t first = 0; first < values.size(); first += 64) {
    const auto n = std::min<std::size_t>(64, values.size() - first);
    merged.merge(Moments::of(std::span<const double>(values).subspan(first, n)));
  }
  const Moments whole = Moments::of(values);
  CHECK(merged.count == 10000);
  CHECK(merged.mean == Approx(whole.mean).epsilon(1e-14));
  CHECK(merged.sd() == Approx(whole.sd()).epsilon(1e-9));
  CHECK(whole.sd() == Approx(3.0).epsilon(0.05));
}

TEST_CASE("summaries: sd with P - 1, 0 for one path, mcse = sd / sqrt(P)", "[accumulator]") {
  const std::vector<double> values{1.0, 2.0, 3.0, 4.0};
  talentcast::core::QuantileSketch sketch;
  for (double v : values) sketch.add(v);
  const auto s = talentcast::core::summarize(Moments::of(values), sketch);
  CHECK(s.mean == 2.5);
  CHECK(s.sd == Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));
  CHECK(s.mcse == Approx(std::sqrt(5.0 / 3.0) / 2.0).epsilon(1e-15));
  CHECK(s.percentiles[3] == 2.5);           // p50 interpolates between 2 and 3
  CHECK(s.percentiles[0] == Approx(1.15));  // p05: 1 + 0.15 (2 - 1)

  const std::vector<double> one{42.0};
  talentcast::core::QuantileSketch single;
  single.add(42.0);
  const auto s1 = talentcast::core::summarize(Moments::of(one), single);
  CHECK(s1.sd == 0.0);
  CHECK(s1.mcse == 0.0);
  for (double p : s1.percentiles) CHECK(p == 42.0);
}
