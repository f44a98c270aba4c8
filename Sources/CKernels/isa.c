#include "ckernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

static ckernels_isa detect(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")) {
    return CKERNELS_AVX512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return CKERNELS_AVX2;
  }
  return CKERNELS_BASELINE;
}

ckernels_isa ckernels_best_isa(void) {
  // Every thread computes the same answer, so an unsynchronised cache is harmless; it is read
  // and written whole. 0 means not yet detected, else the answer plus one.
  static int cached = 0;
  int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (!value) {
    value = (int)detect() + 1;
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
  }
  return (ckernels_isa)(value - 1);
}

#else

ckernels_isa ckernels_best_isa(void) { return CKERNELS_BASELINE; }

#endif
