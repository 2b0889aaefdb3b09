#pragma once
// A numeric scenario parameter: a number, or a distribution drawn once per path.
//
// A draw is the inverse CDF (Boost.Math quantiles) of a uniform in (0, 1) addressed by
// (seed, path, hash of the parameter's key path), so adding a parameter or a path never
// changes another draw. Tested against Boost.Math in tests/test_parameter.cpp.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace talentcast::models {

/// The six kinds a scenario may write, and scaled_inv_chi: the sampling distribution of a log-sd
/// fitted to data (band_fit.hpp), which scenarios cannot write.
enum class DistributionKind { normal, lognormal, uniform, triangular, pert, beta, scaled_inv_chi };

std::optional<DistributionKind> parse_distribution_kind(std::string_view name);
std::string_view distribution_name(DistributionKind kind);

/// A quantile function tabulated on a grid dense at both ends, for distributions whose exact
/// inverse CDF is an iterative solve (beta, pert, scaled_inv_chi). Between grid points it is the
/// cubic Hermite interpolant with the exact slopes dQ/du = 1 / pdf(Q). An interval where that
/// interpolant misses the exact quantile at its midpoint by more than kTolerance of the
/// distribution's range (near an end where the density is infinite or vanishes, and always the
/// two outermost) defers to the exact quantile. Accuracy is tested in tests/test_parameter.cpp.
class QuantileTable {
 public:
  static constexpr int kIntervals = 512;
  static constexpr double kTolerance = 1e-11;
  QuantileTable(const std::function<double(double)>& quantile,
                const std::function<double(double)>& pdf);
  /// The interpolated quantile at u, or NaN where the exact one must be used.
  double operator()(double u) const;
  /// False when a grid value or slope is not finite (a density vanishing inside the support):
  /// then the table is not used.
  bool valid() const { return valid_; }

 private:
  double interpolate(std::size_t interval, double s) const;
  std::vector<double> u_, q_, slope_;  // at s_i = i / kIntervals, u_i = (1 - cos(pi s_i)) / 2
  std::vector<char> exact_;            // per interval: defer to the exact quantile
  bool valid_ = true;
};

/// The quantile tables of the scenarios one reader builds, shared between equal distributions
/// (a [defaults] value is one per role; a sweep's points share the distributions they do not
/// sweep). Owned by whoever reads scenarios, and freed with it: a scenario file's reader, or a
/// sweep's PointScenarios. Safe to use from several threads.
class QuantileTables {
 public:
  QuantileTables();
  ~QuantileTables();
  QuantileTables(const QuantileTables&) = delete;
  QuantileTables& operator=(const QuantileTables&) = delete;

  /// The table keyed (alpha, beta), built by build() the first time it is asked for; build()
  /// returns null for a distribution that gets none.
  std::shared_ptr<const QuantileTable> find(
      double alpha, double beta,
      const std::function<std::shared_ptr<const QuantileTable>()>& build);
  std::size_t size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct Distribution {
  DistributionKind kind = DistributionKind::normal;
  // normal: a = mean, b = sd, [low, high] = truncation (infinite when absent)
  // lognormal: a = median, b = sigma, [low, high] = truncation ([0, inf) when absent)
  // uniform: [low, high]; triangular and pert: [low, high] with a = mode
  // beta: a = alpha, b = beta, scaled to [low, high] (default [0, 1])
  // scaled_inv_chi: a = nu, b = s: s sqrt(nu / X) with X ~ chi-squared(nu); [low, high] = [0, inf)
  double a = 0.0;
  double b = 0.0;
  double low = 0.0;
  double high = 0.0;

  /// The inverse CDF at u in (0, 1).
  double quantile(double u) const;
  /// The exact inverse CDF (Boost.Math), bypassing any table.
  double exact_quantile(double u) const;
  /// Takes the quantile table of a beta, pert or scaled_inv_chi distribution from tables (built
  /// there when new); call once the fields are set.
  void tabulate(QuantileTables& tables);

  std::shared_ptr<const QuantileTable> table;
  /// The smallest and largest values the distribution can take (may be infinite).
  double support_min() const;
  double support_max() const;
  std::string describe() const;
};

class Parameter {
 public:
  Parameter() = default;
  explicit Parameter(double value) : constant_(value) {}
  /// A drawn parameter; its quantile table, if it has one, from tables.
  Parameter(Distribution distribution, std::string_view key_path, QuantileTables& tables);

  bool is_constant() const { return !distribution_; }
  const std::optional<Distribution>& distribution() const { return distribution_; }
  /// The stream address of this parameter's draws (hash of its key path).
  std::uint64_t address() const { return address_; }
  /// The same parameter drawn separately for a role: its address is the hash of
  /// "<key path>@<role>", for values given once for several roles (events, regimes).
  Parameter for_role(std::string_view role) const;

  /// The value at quantile u: the constant itself, or the distribution's inverse CDF.
  double at(double u) const { return distribution_ ? distribution_->quantile(u) : constant_; }
  /// The central projection's value: the distribution's median.
  double median() const { return at(0.5); }
  std::string describe() const;

 private:
  double constant_ = 0.0;
  std::optional<Distribution> distribution_;
  std::uint64_t address_ = 0;
};

}  // namespace talentcast::models
