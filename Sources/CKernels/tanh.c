#include "ckernels.h"

// The same loop is built three times: for AVX-512 (16 floats, FMA), for AVX2 with FMA (8 floats)
// and for the baseline (SSE2, 4 floats, no FMA); each call runs the widest the CPU has. Results
// can differ in the last bit between the builds (FMA), never between runs on one machine.
//
// tanh x ≈ x·P(x²)/Q(x²) on x clamped to ±7.90531110763549805 (where tanh rounds to ±1 in
// float), P of degree 6 and Q of degree 3 in x² (Eigen's generic_fast_tanh_float coefficients);
// largest error 3.4e-7 relative (TensorsTests checks it against double tanh).
//
// The loop reads a and writes b through `restrict` pointers, or works on one pointer when the
// activation is in place (a == b): with two possibly overlapping pointers the compiler guards
// the vector loop with an overlap check, which exact aliasing fails, leaving the scalar loop.

#define TANH_LOOP                                                        \
  for (size_t i = 0; i < n; i++) {                                       \
    const float clamp = 7.90531110763549805f;                            \
    float x = a[i];                                                      \
    x = x < -clamp ? -clamp : x;                                         \
    x = x > clamp ? clamp : x;                                           \
    const float x2 = x * x;                                              \
    float p = -2.76076847742355e-16f;                                    \
    p = p * x2 + 2.00018790482477e-13f;                                  \
    p = p * x2 + -8.60467152213735e-11f;                                 \
    p = p * x2 + 5.12229709037114e-08f;                                  \
    p = p * x2 + 1.48572235717979e-05f;                                  \
    p = p * x2 + 6.37261928875436e-04f;                                  \
    p = p * x2 + 4.89352455891786e-03f;                                  \
    float q = 1.19825839466702e-06f;                                     \
    q = q * x2 + 1.18534705686654e-04f;                                  \
    q = q * x2 + 2.26843463243900e-03f;                                  \
    q = q * x2 + 4.89352518554385e-03f;                                  \
    b[i] = x * p / q;                                                    \
  }

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
