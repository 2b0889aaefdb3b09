// Fuzz target: a payroll file read as `benchmark --payroll` reads it, against a fixed band store
// of roles llm (levels junior and senior) and cloud. Any input must end in a Payroll whose
// employees all have a band, or an io::UserError whose problems show at most the offending field.

#include "data_messages.hpp"
#include "sandbox.hpp"
#include "talentcast/formats/band_store.hpp"
#include "talentcast/studies/benchmark.hpp"

namespace {

talentcast::formats::BandStore fixed_store() {
  talentcast::formats::BandStore store;
  store.currency = "CNY";
  store.salary_unit = "month";
  store.start = *talentcast::models::parse_date("2024-Q1");
  store.step = talentcast::models::Step::quarter;
  store.samples = 1;
  store.periods = {"2024-Q1", "2024-Q2"};
  store.series = {{"llm", "llm", "", "LLM"},
                  {"llm/junior", "llm", "junior", "LLM"},
                  {"llm/senior", "llm", "senior", "LLM"},
                  {"cloud", "cloud", "", "Cloud"}};
  const std::size_t n = store.series.size() * store.periods.size() * store.samples;
  store.ln_median.assign(n, 11.0f);
  store.log_sd.assign(n, 0.3f);
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  static const formats::BandStore store = fixed_store();
  const auto path = fuzz::Sandbox::get().write("input-payroll.csv", fuzz::as_text(data, size));
  try {
    const formats::Payroll payroll = studies::read_payroll(path, store);
    fuzz::check(!payroll.employees.empty(), "a payroll has employees");
    for (std::size_t i = 0; i < payroll.employees.size(); ++i) {
      fuzz::check(payroll.employees[i].series < store.series.size() && !payroll.id(i).empty(),
                  "every employee has an id and a band");
    }
  } catch (const io::UserError& error) {
    fuzz::check_data_messages(error, path);
  }
  return 0;
}
