#include "talentcast/core/libm.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#if defined(__GLIBC__) && defined(__x86_64__)
#include <gnu/libc-version.h>
#if defined(__clang__)
// glibc 2.36's header declares its functions returning C's _Bool, which g++ accepts in C++ and
// clang++ does not (the fuzz build, docs/fuzzing.md): spell it bool while it is read.
#define _Bool bool
#include <sys/platform/x86.h>
#undef _Bool
#else
#include <sys/platform/x86.h>
#endif
#define TALENTCAST_GLIBC_X86 1
#endif

namespace talentcast::core {

namespace {

// Set in the environment of the program started again, so that it is started only once.
constexpr const char* kStartedAgain = "TALENTCAST_BASELINE_LIBM_STARTED";

}  // namespace

std::string with_baseline_libm(std::string_view tunables) {
  // glibc keeps the last glibc.cpu.hwcaps it reads: features already switched off by the user
  // are kept by adding ours to the same list.
  constexpr std::string_view kHwcaps = "glibc.cpu.hwcaps=";
  const std::string_view ours = std::string_view(kBaselineLibmTunable).substr(kHwcaps.size());
  std::string out;
  bool merged = false;
  for (std::size_t start = 0; start <= tunables.size();) {
    const std::size_t end = std::min(tunables.find(':', start), tunables.size());
    const std::string_view entry = tunables.substr(start, end - start);
    start = end + 1;
    if (entry.empty()) continue;
    if (!out.empty()) out += ':';
    out += entry;
    if (entry.starts_with(kHwcaps)) {
      if (entry.size() > kHwcaps.size()) out += ',';
      out += ours;
      merged = true;
    }
  }
  if (!merged) {
    if (!out.empty()) out += ':';
    out += kBaselineLibmTunable;
  }
  return out;
}

std::string libm_variant() {
#if defined(TALENTCAST_GLIBC_X86)
  // glibc 2.36's choices (sysdeps/x86_64/fpu/multiarch): the FMA variants need FMA and AVX2;
  // sin, cos, tan and atan also have AVX variants; older AMD processors have FMA4 ones.
  std::string variants;
  const auto add = [&](const char* name) {
    if (!variants.empty()) variants += '+';
    variants += name;
  };
  if (CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(AVX2)) add("fma");
  if (CPU_FEATURE_ACTIVE(AVX)) add("avx");
  if (CPU_FEATURE_ACTIVE(FMA4)) add("fma4");
  return fmt::format("glibc {}, {}", gnu_get_libc_version(), variants.empty() ? "sse2" : variants);
#else
  return "";
#endif
}

bool libm_is_baseline() noexcept {
#if defined(TALENTCAST_GLIBC_X86)
  return !CPU_FEATURE_ACTIVE(FMA) && !CPU_FEATURE_ACTIVE(AVX2) && !CPU_FEATURE_ACTIVE(AVX) &&
         !CPU_FEATURE_ACTIVE(FMA4);
#else
  return true;
#endif
}

void run_with_baseline_libm(char** argv) {
  if (libm_is_baseline()) return;
  if (std::getenv(kStartedAgain) != nullptr) {
    throw std::runtime_error(
        fmt::format("--portable-math: glibc did not take GLIBC_TUNABLES={} (it still runs {}); is "
                    "GLIBC_TUNABLES ignored here?",
                    kBaselineLibmTunable, libm_variant()));
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string value = with_baseline_libm(tunables != nullptr ? tunables : "");
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0 || setenv(kStartedAgain, "1", 1) != 0) {
    throw std::runtime_error("--portable-math: cannot set GLIBC_TUNABLES");
  }
  execv("/proc/self/exe", argv);
  throw std::runtime_error(fmt::format("--portable-math: cannot start the program again ({})",
                                       std::generic_category().message(errno)));
}

}  // namespace talentcast::core
