#pragma once
// Which of glibc's maths routines a process runs, and how to make it run the same ones on
// every x86-64 machine (docs/performance.md, "Vector maths").
//
// The model's own vector maths (core::vmath) gives the same bits on every processor. Its
// parameter draws still call glibc's exp, log, pow, sin, cos and others (directly and through
// Boost's inverse CDFs), and glibc picks, when a process starts, variants of these built for
// FMA and AVX processors where it can: they may differ from the baseline (SSE2) ones in a
// result's last bit. glibc's tunable `glibc.cpu.hwcaps` switches those features off for its own
// choices (not for core::vmath's), so that every x86-64 machine with the same glibc runs the
// baseline variants.

#include <string>
#include <string_view>

namespace talentcast::core {

/// glibc's version and the variants its maths runs with here: "glibc 2.36, fma+avx",
/// "glibc 2.36, sse2" (the baseline, as on every x86-64 machine with --portable-math); "" when
/// the C library is not glibc on x86-64.
std::string libm_variant();

/// True when glibc's maths runs its baseline variants (no FMA, FMA4 or AVX variant), or when it
/// has none to choose from.
bool libm_is_baseline() noexcept;

/// The GLIBC_TUNABLES setting that makes glibc choose its baseline maths variants.
inline constexpr const char* kBaselineLibmTunable = "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX,-FMA4";

/// GLIBC_TUNABLES' value tunables with kBaselineLibmTunable added: to its glibc.cpu.hwcaps
/// list when it has one (glibc keeps only the last), else as one more entry.
std::string with_baseline_libm(std::string_view tunables);

/// For --portable-math: unless glibc already runs its baseline maths, starts this program
/// again in place (execv of /proc/self/exe with the same arguments) with kBaselineLibmTunable
/// added to GLIBC_TUNABLES; to be called first in main(), before threads or MPI. Returns when
/// nothing remains to do; throws std::runtime_error when the program cannot be started again,
/// or when glibc did not take the setting.
void run_with_baseline_libm(char** argv);

}  // namespace talentcast::core
