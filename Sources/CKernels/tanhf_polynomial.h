// One value of the Float32 tanh every kernel uses: tanh x ≈ x·P(x²)/Q(x²) on x clamped to
// ±7.90531110763549805 (where tanh rounds to ±1 in float), P of degree 6 and Q of degree 3 in x²
// (Eigen's generic_fast_tanh_float coefficients); largest error 3.4e-7 relative (TensorsTests
// checks it against double tanh). tanh.c's loops and gates.c's gate steps both expand it, so
// they give the same bits where both contract its multiply-adds (fused in the AVX builds).
#ifndef CKERNELS_TANHF_POLYNOMIAL_H
#define CKERNELS_TANHF_POLYNOMIAL_H

#define TANHF_POLYNOMIAL(x_in, out)                                      \
  {                                                                      \
    const float clamp = 7.90531110763549805f;                            \
    float x = (x_in);                                                    \
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
    (out) = x * p / q;                                                   \
  }

#endif
