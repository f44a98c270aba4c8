#include "builds.h"
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

#define TANH_KERNEL(suffix, attributes)                                                   \
  attributes static void tanh_apart_##suffix(const float *restrict a, float *restrict b,  \
                                             size_t n) {                                  \
    TANH_LOOP                                                                             \
  }                                                                                       \
  attributes static void tanh_in_place_##suffix(float *restrict b, size_t n) {            \
    const float *a = b;                                                                   \
    TANH_LOOP                                                                             \
  }                                                                                       \
  attributes static void tanh_##suffix(const float *a, float *b, size_t n) {              \
    if (a == b) {                                                                         \
      tanh_in_place_##suffix(b, n);                                                       \
    } else {                                                                              \
      tanh_apart_##suffix(a, b, n);                                                       \
    }                                                                                     \
  }

CKERNELS_BUILDS(TANH_KERNEL)

void ckernels_tanhf(const float *a, float *b, size_t n) { CKERNELS_DISPATCH(tanh, a, b, n); }
