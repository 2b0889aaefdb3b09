// The central projection of a 2-role, 3-month scenario against a hand computation: a plain,
// scalar transcription of docs/reference-model.md's steps 1-9 written independently of the engine's
// vectorised code, exercising every term (mobility, layoffs, graduates, inflows with
// elasticities, demand elasticity, events, drift, distributions at their medians).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/studies/forecast.hpp"

namespace {

const char* kScenario = R"(
currency = "CNY"
salary_unit = "month"
start = "2024-06"
step = "month"
horizon_years = 0.25

[defaults]
seeker_exit = 2.0
matching_efficiency = 4.0
matching_elasticity = 0.4
neutral_ratio = 1.2
wage_response = 0.2
wage_response_down = 0.05
band_sigma = 0.3
wage_drift = 0.03
demand_vol = 0.3
wage_vol = 0.2

[roles.a]
employed = 1000
openings = 400
candidates = 150
salary = 50000
attrition = 0.12
layoff_rate = 0.5
demand_growth = { dist = "triangular", low = 0.0, mode = 0.3, high = 0.3 }
demand_elasticity = 0.8
overseas_inflow = 120
overseas_elasticity = 1.5
switcher_inflow = 60
switcher_elasticity = 0.5
mobility = { b = 0.05 }

[roles.b]
employed = 3000
openings = 100
ratio = 1.5
salary = 30000
attrition = 0.2
demand_growth = -0.1
mobility = { a = 0.02 }

[fields.cs]
series = { 2023 = 12000, 2024 = 15000 }
growth = 0.1
graduation_month = 7
shares = { a = 0.05, b = 0.1 }

[fields.ai]
base = 2400
shares = { a = 0.3 }

[[events]]
from = "2024-07"
to = "2024-08"
roles = ["a"]
demand_growth_add = 0.5

[[events]]
from = "2024-08"
demand_jump = 0.9
)";

struct Role {
  double E, V0, U, W0, lnW, D, ws = 1.0, ws_prev = 1.0;
  double a, q, g, mu, alpha, rho_star, beta, beta_d, sB, l, eD, pi, I0, eI, C0, eC;
  double M_out;  // the single mobility rate to the other role
};

}  // namespace

TEST_CASE("the central projection equals a hand computation to 1e-9", "[model][central]") {
  talentcast::test::TempDir dir;
  const auto path = dir.write("central.toml", kScenario);
  const auto scenario = talentcast::config::load_scenario(path);
  talentcast::studies::ForecastSettings settings;
  settings.central = true;
  const auto forecast = talentcast::studies::run_forecast(scenario, settings);

  // Role a's demand_growth is triangular(0, 0.3, 0.3), with CDF x^2 / 0.09 on [0, 0.3]: its
  // median is sqrt(0.5 * 0.09).
  const double g_a = std::sqrt(0.5 * 0.3 * 0.3);
  Role a{1000, 400, 150, 50000, std::log(50000.0),
         1400, 1,   1,   0.12,  2.0,
         g_a,  4.0, 0.4, 1.2,   0.2,
         0.05, 0.3, 0.5, 0.8,   0.03,
         120,  1.5, 60,  0.5,   0.05};
  Role b{3000, 100, 150, 30000, std::log(30000.0),
         3100, 1,   1,   0.2,   2.0,
         -0.1, 4.0, 0.4, 1.2,   0.2,
         0.05, 0.3, 0.0, 0.0,   0.03,
         0,    0,   0,   0,     0.02};
  Role* roles[2] = {&a, &b};
  const double dt = 1.0 / 12.0;
  const char* labels[3] = {"2024-06", "2024-07", "2024-08"};
  const double z10 = boost::math::quantile(boost::math::normal(), 0.10);
  const double z90 = boost::math::quantile(boost::math::normal(), 0.90);

  for (int k = 0; k < 3; ++k) {
    const int calendar_month = 6 + k;  // June, July, August 2024
    const double t = k / 12.0;
    // Step 2: demand (no shocks and no -sD^2/2 in the central projection).
    double D_before[2], X[2], moves[2], Y[2], N[2], V[2], rho[2], H[2], U_at_6[2];
    for (int r = 0; r < 2; ++r) {
      Role& x = *roles[r];
      D_before[r] = x.D;
      double g = x.g;
      if (r == 0 && (calendar_month == 7 || calendar_month == 8)) g += 0.5;
      x.D = x.D * std::exp(g * dt) * std::pow(x.ws / x.ws_prev, -x.eD);
      if (calendar_month == 8) x.D *= 0.9;
    }
    // Step 3: separations and layoffs.
    for (int r = 0; r < 2; ++r) {
      Role& x = *roles[r];
      const double h = x.a + x.M_out;
      const double f = 1 - std::exp(-h * dt);
      X[r] = x.E * f * x.a / h;
      moves[r] = x.E * f * x.M_out / h;
      x.E -= X[r] + moves[r];
      Y[r] = std::max(x.E - x.D, 0.0) * (1 - std::exp(-x.l * dt));
      x.E -= Y[r];
    }
    // Step 4: candidates. cs graduates: 15000 in 2024, all in July; ai: 2400 a year, evenly.
    const double cs = calendar_month == 7 ? 15000.0 : 0.0;
    const double ai = 2400.0 / 12.0;
    const double grads[2] = {0.05 * cs + 0.3 * ai, 0.1 * cs};
    for (int r = 0; r < 2; ++r) {
      Role& x = *roles[r];
      const double w = std::exp(x.lnW) / (x.W0 * std::exp(x.pi * t));
      N[r] = grads[r] + dt * x.I0 * std::pow(w, x.eI) + dt * x.C0 * std::pow(w, x.eC) +
             moves[1 - r] + Y[r];
      x.U = x.U * std::exp(-x.q * dt) + N[r];
    }
    for (int r = 0; r < 2; ++r) {
      Role& x = *roles[r];
      V[r] = std::max(x.D - x.E, 0.0);                                          // step 5
      rho[r] = (x.U < 1 && V[r] < 1) ? x.rho_star : x.U / std::max(V[r], 1.0);  // step 6
      U_at_6[r] = x.U;
      const double n = std::min(x.U, V[r]);  // step 7
      H[r] = n > 0 ? n * (1 - std::exp(-x.mu * std::pow(x.U, x.alpha) *
                                       std::pow(V[r], 1 - x.alpha) * dt / n))
                   : 0;
      x.E += H[r];
      x.U -= H[r];
      const double response = rho[r] < x.rho_star ? x.beta : x.beta_d;  // step 8
      x.lnW += (x.pi + response * std::log(x.rho_star / std::clamp(rho[r], 1e-3, 1e3))) * dt;
      const double w_next = std::exp(x.lnW) / (x.W0 * std::exp(x.pi * (k + 1) / 12.0));
      x.ws_prev = x.ws;
      x.ws += (w_next - x.ws) * (1 - std::exp(-dt));
    }
    // Reported values of this one-month period.
    const char* names[2] = {"a", "b"};
    double total[8] = {0};
    for (int r = 0; r < 2; ++r) {
      Role& x = *roles[r];
      const double W = std::exp(x.lnW);
      const std::map<std::string, double> expected{
          {"demand", x.D},
          {"employed", x.E},
          {"candidates", U_at_6[r]},
          {"openings", V[r]},
          {"unfilled", V[r] - H[r]},
          {"ratio", rho[r]},
          {"shortage", rho[r] < 1 ? 1.0 : 0.0},
          {"hires", H[r]},
          {"fill_rate", H[r] / std::max(V[r], 1.0)},
          {"new_openings", x.D - D_before[r] + X[r] + moves[r]},
          {"new_candidates", N[r]},
          {"salary_median", W},
          {"salary_p10", W * std::exp(x.sB * z10)},
          {"salary_p90", W * std::exp(x.sB * z90)}};
      for (const auto& [metric, value] : expected) {
        INFO(names[r] << " " << labels[k] << " " << metric);
        const auto& s = forecast.at(names[r], labels[k], metric);
        CHECK(s.mean == Approx(value).epsilon(1e-9).margin(1e-9));
        CHECK(s.percentiles[3] == s.mean);  // one path: every percentile is the value
      }
      const double flows[8] = {
          x.D, x.E, U_at_6[r], V[r], V[r] - H[r], H[r], x.D - D_before[r] + X[r] + moves[r], N[r]};
      for (int i = 0; i < 8; ++i) total[i] += flows[i];
    }
    const char* total_metrics[8] = {"demand",   "employed", "candidates",   "openings",
                                    "unfilled", "hires",    "new_openings", "new_candidates"};
    for (int i = 0; i < 8; ++i) {
      INFO("total " << labels[k] << " " << total_metrics[i]);
      CHECK(forecast.at("total", labels[k], total_metrics[i]).mean ==
            Approx(total[i]).epsilon(1e-9));
    }
    CHECK(forecast.at("total", labels[k], "ratio").mean ==
          Approx(total[2] / total[3]).epsilon(1e-9));
  }
}
