#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// b[i] = tanh(a[i]) for i < n, Float32, by a rational approximation (see kernels.c). Runs the
/// AVX-512 or AVX2 build of the loop when the CPU has it, else the baseline one; `a` and `b` may
/// be the same buffer.
void ckernels_tanhf(const float *a, float *b, size_t n);

#endif
