#include "builds.h"

// Element-wise loops of BPTT, built for AVX-512, AVX2 and the baseline (builds.h). Unlike tanh,
// these must give the same bits as the plain Swift loops they replace (Double runs those), so
// contraction into fused multiply-adds is off: every build rounds each operation alone.

#pragma STDC FP_CONTRACT OFF

#define DERIVATIVE_LOOP                                                  \
  for (size_t i = 0; i < n; i++) {                                       \
    delta[i] *= 1.0f - b[i] * b[i];                                      \
  }

#define SUM_ROWS_LOOP                                                    \
  for (size_t j = 0; j < columns; j++) {                                 \
    result[j] = 0.0f;                                                    \
  }                                                                      \
  for (size_t r = 0; r < rows; r++) {                                    \
    const float *row = matrix + r * columns;                             \
    for (size_t j = 0; j < columns; j++) {                               \
      result[j] += row[j];                                               \
    }                                                                    \
  }

#define ELEMENTWISE_KERNELS(suffix, attributes)                                             \
  attributes static void derivative_##suffix(float *restrict delta, const float *restrict b, \
                                             size_t n) {                                    \
    DERIVATIVE_LOOP                                                                         \
  }                                                                                         \
  attributes static void sum_rows_##suffix(const float *restrict matrix, size_t rows,       \
                                           size_t columns, float *restrict result) {        \
    SUM_ROWS_LOOP                                                                           \
  }

CKERNELS_BUILDS(ELEMENTWISE_KERNELS)

void ckernels_tanh_derivative(float *delta, const float *b, size_t n) {
  CKERNELS_DISPATCH(derivative, delta, b, n);
}

void ckernels_sum_rows(const float *matrix, size_t rows, size_t columns, float *result) {
  CKERNELS_DISPATCH(sum_rows, matrix, rows, columns, result);
}

// Not a loop over values: a hint per cache line (the `1` asks for the line to be written, the
// `3` for it to be kept in every level), built once: prefetches are in the baseline.
void ckernels_prefetch(const void *address, size_t bytes) {
  const char *start = (const char *)address;
  for (size_t offset = 0; offset < bytes; offset += 64) {
    __builtin_prefetch(start + offset, 1, 3);
  }
}
