#ifndef CKERNELS_BUILDS_H
#define CKERNELS_BUILDS_H

#include "ckernels.h"

// A kernel built for each instruction set, each call running the widest the CPU has. A file
// writes its kernels once, as a macro KERNELS(suffix, attributes) defining functions
// name_##suffix with those attributes; CKERNELS_BUILDS(KERNELS) defines them for the baseline
// and, on x86-64, for AVX2 with FMA and for AVX-512; CKERNELS_DISPATCH(name, arguments…) calls
// name_avx512, name_avx2 or name_baseline. A kernel that takes the build as an argument instead
// (sgemm.c) uses the CKERNELS_TARGET_ attributes alone.

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

// The instruction sets of the two wider builds, as ckernels_best_isa() checks for them.
#define CKERNELS_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define CKERNELS_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))

#define CKERNELS_BUILDS(kernels)                                                       \
  kernels(baseline, )                                                                  \
  kernels(avx2, CKERNELS_TARGET_AVX2)                                                  \
  kernels(avx512, CKERNELS_TARGET_AVX512)

#define CKERNELS_DISPATCH(name, ...)                                                   \
  do {                                                                                 \
    switch (ckernels_best_isa()) {                                                     \
    case CKERNELS_AVX512:                                                              \
      name##_avx512(__VA_ARGS__);                                                      \
      break;                                                                           \
    case CKERNELS_AVX2:                                                                \
      name##_avx2(__VA_ARGS__);                                                        \
      break;                                                                           \
    case CKERNELS_BASELINE:                                                            \
      name##_baseline(__VA_ARGS__);                                                    \
      break;                                                                           \
    }                                                                                  \
  } while (0)

#else

#define CKERNELS_BUILDS(kernels) kernels(baseline, )
#define CKERNELS_DISPATCH(name, ...) name##_baseline(__VA_ARGS__)

#endif

#endif
