#include "ckernels.h"
#include "tanhf_polynomial.h"

// The same loop is built three times: for AVX-512 (16 floats, FMA), for AVX2 with FMA (8 floats)
// and for the baseline (SSE2, 4 floats, no FMA); each call runs the widest the CPU has. Results
// can differ in the last bit between the builds (FMA), never between runs on one machine.
//
// tanh x is tanhf_polynomial.h's TANHF_POLYNOMIAL, with its multiply-adds contracted (the
// default), so fused in the AVX builds.
//
// The loop reads a and writes b through `restrict` pointers, or works on one pointer when the
// activation is in place (a == b): with two possibly overlapping pointers the compiler guards
// the vector loop with an overlap check, which exact aliasing fails, leaving the scalar loop.

#define TANH_LOOP                                                        \
  for (size_t i = 0; i < n; i++) TANHF_POLYNOMIAL(a[i], b[i])

#define TANH_KERNEL(name, attributes)                                             \
  attributes static void name##_apart(const float *restrict a, float *restrict b, \
                                      size_t n) {                                 \
    TANH_LOOP                                                                     \
  }                                                                               \
  attributes static void name##_in_place(float *restrict b, size_t n) {          \
    const float *a = b;                                                           \
    TANH_LOOP                                                                     \
  }                                                                               \
  attributes static void name(const float *a, float *b, size_t n) {               \
    if (a == b) {                                                                 \
      name##_in_place(b, n);                                                      \
    } else {                                                                      \
      name##_apart(a, b, n);                                                      \
    }                                                                             \
  }

TANH_KERNEL(tanh_baseline, )

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

TANH_KERNEL(tanh_avx2, __attribute__((target("avx2,fma"))))
TANH_KERNEL(tanh_avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"))))

void ckernels_tanhf(const float *a, float *b, size_t n) {
  switch (ckernels_best_isa()) {
  case CKERNELS_AVX512:
    tanh_avx512(a, b, n);
    break;
  case CKERNELS_AVX2:
    tanh_avx2(a, b, n);
    break;
  case CKERNELS_BASELINE:
    tanh_baseline(a, b, n);
    break;
  }
}

#else

void ckernels_tanhf(const float *a, float *b, size_t n) { tanh_baseline(a, b, n); }

#endif
