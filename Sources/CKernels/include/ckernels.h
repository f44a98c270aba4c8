#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// The instruction sets the kernels are built for, narrowest first. Swift compiles for the
/// baseline x86-64 (SSE2); the kernels here are also built for AVX2 with FMA and for AVX-512,
/// and each entry point runs the widest build the CPU supports.
typedef enum {
  CKERNELS_BASELINE = 0,
  CKERNELS_AVX2 = 1,
  CKERNELS_AVX512 = 2,
} ckernels_isa;

/// The widest build this CPU runs (CKERNELS_BASELINE off x86-64).
ckernels_isa ckernels_best_isa(void);

/// b[i] = tanh(a[i]) for i < n, Float32, by a rational approximation (see tanh.c), in the
/// widest build; `a` and `b` may be the same buffer.
void ckernels_tanhf(const float *a, float *b, size_t n);

/// delta[i] ← delta[i] · (1 − b[i]²) for i < n (BPTT through tanh, from its outputs b), in the
/// widest build, each operation rounded alone (bit-identical to a plain loop). `delta` and `b`
/// must not overlap.
void ckernels_tanh_derivative(float *delta, const float *b, size_t n);

/// result[j] = Σ_r matrix[r · columns + j] for j < columns, rows added in order, in the widest
/// build (bit-identical to a plain loop). `result` must not overlap `matrix`.
void ckernels_sum_rows(const float *matrix, size_t rows, size_t columns, float *result);

/// Asks the caches for the `bytes` from `address` on, to be written as well as read, one
/// prefetch per 64-byte line; it returns without waiting for them and changes no value.
void ckernels_prefetch(const void *address, size_t bytes);

/// One Adam step over n scalars (Optimizer.swift's `Adam`): with g ← g + l2·θ,
/// m ← b1·m + (1 − b1)·g, v ← b2·v + (1 − b2)·g·g, θ ← θ·shrink − rate·(m / correction1) /
/// (√(v / correction2) + eps), in the widest build, each operation rounded alone in that order
/// (bit-identical to a plain loop). The four buffers must not overlap.
void ckernels_adam(float *theta, const float *g, float *m, float *v, size_t n, float b1,
                   float b2, float eps, float correction1, float correction2, float l2,
                   float shrink, float rate);

/// One RMSprop step: g ← g + λθ, v ← α·v + (1 − α)·g·g, θ ← θ − rate·g / (√v + eps), as
/// `ckernels_adam` is built and with its conditions.
void ckernels_rmsprop(float *theta, const float *g, float *v, size_t n, float alpha, float eps,
                      float lambda, float rate);

/// One Adagrad step: g ← g + λθ, s ← s + g·g, θ ← θ − rate·g / (√s + eps), as `ckernels_adam`
/// is built and with its conditions.
void ckernels_adagrad(float *theta, const float *g, float *sum, size_t n, float eps,
                      float lambda, float rate);

/// One LSTM step forward over `rows` rows of H = `hidden` (gates.c; LSTMCell without
/// peepholes): `gates` (rows × 4H, [i f g o] pre-activations) become the activations, `state`
/// (rows × H) c = f·c' + i·g with c' the rows of `previous` (NULL at the first step: c = i·g),
/// `squashed` tanh c and `output` o · tanh c. Float32, in the widest build; the same bits as
/// the cell's plain loops.
void ckernels_lstm_forward(size_t rows, size_t hidden, float *gates, const float *previous,
                           float *state, float *squashed, float *output);

/// The LSTM step backward (no peepholes): from the activations in `gates`, `previous` (c', or
/// NULL), `squashed` (tanh c) and the errors `output_delta` (∂h) and `state_delta` (∂c, from
/// the step after), writes the errors at the pre-activations in place of `gates` and ∂c' in
/// place of `state_delta`.
void ckernels_lstm_backward(size_t rows, size_t hidden, float *gates, const float *previous,
                            const float *squashed, const float *output_delta,
                            float *state_delta);

/// One GRU step forward: `gates` (rows × 3H, [r z n] of x U + c) and `recurrent` (rows × 3H,
/// h' W) give r, z, n in place of the gates, R_n + b_hn in place of R_n (`bias` b_hn, or NULL),
/// and `output` h = n + z·(h' − n) with h' the rows of `previous` (NULL at the first step:
/// h = n − z·n).
void ckernels_gru_forward(size_t rows, size_t hidden, float *gates, float *recurrent,
                          const float *bias, const float *previous, float *output);

/// The GRU step backward: from what the forward step left in `gates` and `recurrent`, h'
/// (`previous`, or NULL) and ∂h (`output_delta`), writes the errors at the pre-activations in
/// place of `gates` and at R in place of `recurrent`, adds z·∂h to `previous_delta` (∂h', or
/// NULL) and ∂R_n to `bias_gradient` (∂b_hn, or NULL); `previous` and `previous_delta` are
/// both NULL (the first step) or both set.
void ckernels_gru_backward(size_t rows, size_t hidden, float *gates, float *recurrent,
                           const float *previous, const float *output_delta,
                           float *previous_delta, float *bias_gradient);

/// The width of a packed panel: a packed operand holds its columns in panels of this many.
#define CKERNELS_PANEL 32

/// The floats `ckernels_sgemm_pack` writes for a k × n operand: k · n with n rounded up to a
/// whole panel.
size_t ckernels_sgemm_packed_count(size_t k, size_t n);

/// Lays out op(B), k × n, for `ckernels_sgemm_packed`: B row-major with leading dimension
/// `ldb`, read as stored (`transposed` = 0, B is k × n) or transposed (B is n × k). Panel p holds,
/// for each row r < k, columns 32p ..< 32p + 32 of that row, zero past n.
void ckernels_sgemm_pack(const float *b, size_t ldb, int transposed, size_t k, size_t n,
                         float *packed);

/// C ← A · op(B) (+ C when `accumulate`), single precision, on the calling thread, in the build
/// `isa`. A is m × k row-major (leading dimension `lda`), op(B) is k × n as packed by
/// `ckernels_sgemm_pack`, C is m × n row-major (leading dimension `ldc`). Each element is a chain
/// of fused multiply-adds over the k terms in order, starting from C or zero, so results do not
/// depend on m, n or timing. The packed operand is read fastest at 64-byte alignment.
/// Precondition: `isa` is CKERNELS_AVX2 or CKERNELS_AVX512 and the CPU runs it (else abort).
void ckernels_sgemm_packed_isa(ckernels_isa isa, size_t m, size_t n, size_t k, const float *a,
                               size_t lda, const float *packed, int accumulate, float *c,
                               size_t ldc);

#endif
