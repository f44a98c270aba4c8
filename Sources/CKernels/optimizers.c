#include "builds.h"

// The adaptive optimizers' updates, built for AVX-512, AVX2 and the baseline (builds.h).
// Written in Swift they stayed scalar: Float.squareRoot() is a call to libm's sqrtf there, which
// may set errno, so no loop holding it is vectorized. Here the square root is the instruction
// (exact, as sqrtf is), the buffers are `restrict`, and contraction into fused multiply-adds is
// off, so every operation is rounded alone, in the order of the equations in Optimizer.swift:
// the same bits as the plain loops.

#pragma STDC FP_CONTRACT OFF

#define ADAM_LOOP                                                                    \
  for (size_t i = 0; i < n; i++) {                                                   \
    float gradient = g[i] + l2 * theta[i];                                           \
    m[i] = b1 * m[i] + (1.0f - b1) * gradient;                                       \
    v[i] = b2 * v[i] + (1.0f - b2) * gradient * gradient;                            \
    float m_hat = m[i] / correction1;                                                \
    float v_hat = v[i] / correction2;                                                \
    float root = __builtin_elementwise_sqrt(v_hat);                                  \
    theta[i] = theta[i] * shrink - rate * m_hat / (root + eps);                      \
  }

#define RMSPROP_LOOP                                                                 \
  for (size_t i = 0; i < n; i++) {                                                   \
    float gradient = g[i] + lambda * theta[i];                                       \
    v[i] = alpha * v[i] + (1.0f - alpha) * gradient * gradient;                      \
    theta[i] -= rate * gradient / (__builtin_elementwise_sqrt(v[i]) + eps);          \
  }

#define ADAGRAD_LOOP                                                                 \
  for (size_t i = 0; i < n; i++) {                                                   \
    float gradient = g[i] + lambda * theta[i];                                       \
    sum[i] += gradient * gradient;                                                   \
    theta[i] -= rate * gradient / (__builtin_elementwise_sqrt(sum[i]) + eps);        \
  }

#define OPTIMIZER_KERNELS(suffix, attributes)                                               \
  attributes static void adam_##suffix(float *restrict theta, const float *restrict g,      \
                                       float *restrict m, float *restrict v, size_t n,      \
                                       float b1, float b2, float eps, float correction1,   \
                                       float correction2, float l2, float shrink,          \
                                       float rate) {                                        \
    ADAM_LOOP                                                                               \
  }                                                                                         \
  attributes static void rmsprop_##suffix(float *restrict theta, const float *restrict g,   \
                                          float *restrict v, size_t n, float alpha,         \
                                          float eps, float lambda, float rate) {            \
    RMSPROP_LOOP                                                                            \
  }                                                                                         \
  attributes static void adagrad_##suffix(float *restrict theta, const float *restrict g,   \
                                          float *restrict sum, size_t n, float eps,         \
                                          float lambda, float rate) {                       \
    ADAGRAD_LOOP                                                                            \
  }

CKERNELS_BUILDS(OPTIMIZER_KERNELS)

void ckernels_adam(float *theta, const float *g, float *m, float *v, size_t n, float b1,
                   float b2, float eps, float correction1, float correction2, float l2,
                   float shrink, float rate) {
  CKERNELS_DISPATCH(adam, theta, g, m, v, n, b1, b2, eps, correction1, correction2, l2, shrink,
                    rate);
}

void ckernels_rmsprop(float *theta, const float *g, float *v, size_t n, float alpha, float eps,
                      float lambda, float rate) {
  CKERNELS_DISPATCH(rmsprop, theta, g, v, n, alpha, eps, lambda, rate);
}

void ckernels_adagrad(float *theta, const float *g, float *sum, size_t n, float eps,
                      float lambda, float rate) {
  CKERNELS_DISPATCH(adagrad, theta, g, sum, n, eps, lambda, rate);
}
