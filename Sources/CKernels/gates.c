#include "builds.h"
#include "tanhf_polynomial.h"

// The gated cells' element-wise steps (LSTMCell, GRUCell in Float32), built like tanh.c for
// AVX-512, AVX2 and the baseline, each call running the widest the CPU has. Every value is the
// same bits as the Swift loops the cells run for Double, done in Float32 with `ckernels_tanhf`
// for tanh and σ(x) = 0.5 + 0.5 · tanh(0.5 · x): tanh's polynomial is contracted into fused
// multiply-adds exactly as in tanh.c, and everything else rounds each operation alone
// (contraction off), as Swift does.
//
// A pass works row by row with one pointer per buffer; the gate deltas are written in place of
// the gates (the network's layout), so the backward kernels read `gates` and write it.

// tanhf_polynomial.h for one value, contraction on as in tanh.c (fused in the AVX builds); the
// argument is evaluated outside, under the caller's contraction (off).
#define GATE_TANH(x_in, out)                                             \
  {                                                                      \
    const float gate_argument = (x_in);                                  \
    {                                                                    \
      _Pragma("clang fp contract(on)") TANHF_POLYNOMIAL(gate_argument, out) \
    }                                                                    \
  }

#define GATE_SIGMOID(x_in, out)                                          \
  {                                                                      \
    float t;                                                             \
    GATE_TANH(0.5f * (x_in), t)                                          \
    (out) = 0.5f + 0.5f * t;                                             \
  }

// LSTM forward, one row: gates [i f g o] (4h) become their activations, c = f·c' + i·g
// (c = i·g without c'), tanh_c = tanh c, h = o · tanh c.
#define LSTM_FORWARD_ROW                                                 \
  for (size_t j = 0; j < hidden; j++) {                                  \
    float i, f, g, o, cj, tc;                                            \
    GATE_SIGMOID(ai[j], i)                                                \
    GATE_SIGMOID(af[j], f)                                       \
    GATE_TANH(ag[j], g)                                      \
    GATE_SIGMOID(ao[j], o)                                   \
    cj = c_prev ? f * c_prev[j] + i * g : i * g;                         \
    GATE_TANH(cj, tc)                                                    \
    ai[j] = i;                                                            \
    af[j] = f;                                                   \
    ag[j] = g;                                               \
    ao[j] = o;                                               \
    c[j] = cj;                                                           \
    tanh_c[j] = tc;                                                      \
    h[j] = o * tc;                                                       \
  }

// LSTM backward, one row: from the activations and the errors at h and c, the errors at the
// gates' pre-activations (in place of the gates) and at c'.
#define LSTM_BACKWARD_ROW                                                \
  for (size_t j = 0; j < hidden; j++) {                                  \
    const float i = ai[j], f = af[j], g = ag[j];      \
    const float o = ao[j], tc = tanh_c[j];                   \
    const float dao = dh[j] * tc * o * (1.0f - o);                       \
    const float dcj = dc[j] + dh[j] * o * (1.0f - tc * tc);              \
    const float cp = c_prev ? c_prev[j] : 0.0f;                          \
    ai[j] = dcj * g * i * (1.0f - i);                                     \
    af[j] = dcj * cp * f * (1.0f - f);                           \
    ag[j] = dcj * i * (1.0f - g * g);                        \
    ao[j] = dao;                                             \
    dc[j] = dcj * f;                                                     \
  }

// GRU forward, one row: a [r z n] (3h) and R = h' W (3h) to r, z, n in a and R_n + b_hn in R,
// h = n + z·(h' − n) (n − z·n without h').
#define GRU_FORWARD_ROW                                                  \
  for (size_t j = 0; j < hidden; j++) {                                  \
    float r, z, n;                                                       \
    GATE_SIGMOID(ar[j] + rec_r[j], r)                                       \
    GATE_SIGMOID(az[j] + rec_z[j], z)                     \
    const float rn = bias ? rec_n[j] + bias[j] : rec_n[j]; \
    GATE_TANH(an[j] + r * rn, n)                             \
    ar[j] = r;                                                            \
    az[j] = z;                                                   \
    an[j] = n;                                               \
    rec_n[j] = rn;                                            \
    h[j] = h_prev ? n + z * (h_prev[j] - n) : n - z * n;                 \
  }

// GRU backward, one row: the errors at a (in place of the gates) and at R (in place of R), the
// direct path z·∂h added to ∂h', ∂R_n added to ∂b_hn.
#define GRU_BACKWARD_ROW                                                 \
  for (size_t j = 0; j < hidden; j++) {                                  \
    const float r = ar[j], z = az[j], n = an[j];      \
    const float d = dh[j];                                               \
    const float dan = d * (1.0f - z) * (1.0f - n * n);                   \
    const float dar = dan * rec_n[j] * r * (1.0f - r);        \
    const float daz = d * ((h_prev ? h_prev[j] : 0.0f) - n) * z * (1.0f - z); \
    const float drn = dan * r;                                           \
    if (dh_prev) dh_prev[j] += d * z;                                    \
    if (bias_gradient) bias_gradient[j] += drn;                          \
    ar[j] = dar;                                                          \
    az[j] = daz;                                                 \
    an[j] = dan;                                             \
    rec_r[j] = dar;                                                        \
    rec_z[j] = daz;                                               \
    rec_n[j] = drn;                                           \
  }

#define GATES4(a) (a), (a) + hidden, (a) + 2 * hidden, (a) + 3 * hidden
#define GATES3(a) (a), (a) + hidden, (a) + 2 * hidden
#define GRU_PARAMETERS                                                   \
  float *restrict ar, float *restrict az, float *restrict an, float *restrict rec_r, \
      float *restrict rec_z, float *restrict rec_n

// Each row runs in a function of its own whose buffers are `restrict` parameters (what the
// vectoriser trusts; block-scope `restrict` it ignores, and its run-time overlap checks then
// fall back to the scalar loop), one pointer per gate block (four streams of one pointer fail
// those checks too), once with the previous step's values and once without.
#define GATE_KERNELS(suffix, attributes)                                                      \
  attributes static inline void lstm_forward_row_##suffix(                                   \
      size_t hidden, float *restrict ai, float *restrict af, float *restrict ag,                  \
      float *restrict ao, const float *restrict c_prev, float *restrict c,                        \
      float *restrict tanh_c, float *restrict h) {                                            \
    _Pragma("clang fp contract(off)") LSTM_FORWARD_ROW                                        \
  }                                                                                           \
  attributes static inline void lstm_forward_first_##suffix(                                 \
      size_t hidden, float *restrict ai, float *restrict af, float *restrict ag,                  \
      float *restrict ao, float *restrict c, float *restrict tanh_c,                              \
      float *restrict h) {                                                                    \
    _Pragma("clang fp contract(off)") const float *c_prev = 0;                                \
    LSTM_FORWARD_ROW                                                                          \
  }                                                                                           \
  attributes static void lstm_forward_##suffix(                                              \
      size_t rows, size_t hidden, float *gates, const float *previous, float *state,         \
      float *squashed, float *output) {                                                       \
    for (size_t row = 0; row < rows; row++) {                                                 \
      float *a = gates + row * 4 * hidden;                                                    \
      size_t at = row * hidden;                                                               \
      if (previous) {                                                                         \
        lstm_forward_row_##suffix(hidden, GATES4(a), previous + at, state + at, squashed + at,    \
                                  output + at);                                               \
      } else {                                                                                \
        lstm_forward_first_##suffix(hidden, GATES4(a), state + at, squashed + at, output + at);   \
      }                                                                                       \
    }                                                                                         \
  }                                                                                           \
  attributes static inline void lstm_backward_row_##suffix(                                  \
      size_t hidden, float *restrict ai, float *restrict af, float *restrict ag,                  \
      float *restrict ao, const float *restrict c_prev,                                           \
      const float *restrict tanh_c, const float *restrict dh, float *restrict dc) {          \
    _Pragma("clang fp contract(off)") LSTM_BACKWARD_ROW                                       \
  }                                                                                           \
  attributes static inline void lstm_backward_first_##suffix(                                \
      size_t hidden, float *restrict ai, float *restrict af, float *restrict ag,                  \
      float *restrict ao, const float *restrict tanh_c,                                           \
      const float *restrict dh, float *restrict dc) {                                         \
    _Pragma("clang fp contract(off)") const float *c_prev = 0;                                \
    LSTM_BACKWARD_ROW                                                                         \
  }                                                                                           \
  attributes static void lstm_backward_##suffix(                                             \
      size_t rows, size_t hidden, float *gates, const float *previous,                       \
      const float *squashed, const float *output_delta, float *state_delta) {                \
    for (size_t row = 0; row < rows; row++) {                                                 \
      float *a = gates + row * 4 * hidden;                                                    \
      size_t at = row * hidden;                                                               \
      if (previous) {                                                                         \
        lstm_backward_row_##suffix(hidden, GATES4(a), previous + at, squashed + at,               \
                                   output_delta + at, state_delta + at);                     \
      } else {                                                                                \
        lstm_backward_first_##suffix(hidden, GATES4(a), squashed + at, output_delta + at,         \
                                     state_delta + at);                                      \
      }                                                                                       \
    }                                                                                         \
  }                                                                                           \
  attributes static inline void gru_forward_row_##suffix(                                    \
      size_t hidden, GRU_PARAMETERS, const float *restrict bias,     \
      const float *restrict h_prev, float *restrict h) {                                      \
    _Pragma("clang fp contract(off)") GRU_FORWARD_ROW                                         \
  }                                                                                           \
  attributes static inline void gru_forward_first_##suffix(                                  \
      size_t hidden, GRU_PARAMETERS, const float *restrict bias,     \
      float *restrict h) {                                                                    \
    _Pragma("clang fp contract(off)") const float *h_prev = 0;                                \
    GRU_FORWARD_ROW                                                                           \
  }                                                                                           \
  attributes static void gru_forward_##suffix(                                               \
      size_t rows, size_t hidden, float *gates, float *recurrent, const float *bias,         \
      const float *previous, float *output) {                                                 \
    for (size_t row = 0; row < rows; row++) {                                                 \
      float *a = gates + row * 3 * hidden;                                                    \
      float *rec = recurrent + row * 3 * hidden;                                              \
      size_t at = row * hidden;                                                               \
      if (previous) {                                                                         \
        gru_forward_row_##suffix(hidden, GATES3(a), GATES3(rec), bias, previous + at,             \
            output + at);                                                                         \
      } else {                                                                                \
        gru_forward_first_##suffix(hidden, GATES3(a), GATES3(rec), bias, output + at);            \
      }                                                                                       \
    }                                                                                         \
  }                                                                                           \
  attributes static inline void gru_backward_row_##suffix(                                   \
      size_t hidden, GRU_PARAMETERS, const float *restrict h_prev,   \
      const float *restrict dh, float *restrict dh_prev, float *restrict bias_gradient) {    \
    _Pragma("clang fp contract(off)") GRU_BACKWARD_ROW                                        \
  }                                                                                           \
  attributes static inline void gru_backward_first_##suffix(                                 \
      size_t hidden, GRU_PARAMETERS, const float *restrict dh,       \
      float *restrict bias_gradient) {                                                        \
    _Pragma("clang fp contract(off)") const float *h_prev = 0;                                \
    float *dh_prev = 0;                                                                       \
    GRU_BACKWARD_ROW                                                                          \
  }                                                                                           \
  attributes static void gru_backward_##suffix(                                              \
      size_t rows, size_t hidden, float *gates, float *recurrent, const float *previous,     \
      const float *output_delta, float *previous_delta, float *bias_gradient) {              \
    for (size_t row = 0; row < rows; row++) {                                                 \
      float *a = gates + row * 3 * hidden;                                                    \
      float *rec = recurrent + row * 3 * hidden;                                              \
      size_t at = row * hidden;                                                               \
      if (previous && previous_delta) {                                                       \
        gru_backward_row_##suffix(hidden, GATES3(a), GATES3(rec), previous + at,                  \
            output_delta + at,                                                                    \
                                  previous_delta + at, bias_gradient);                       \
      } else {                                                                                \
        gru_backward_first_##suffix(hidden, GATES3(a), GATES3(rec), output_delta + at,            \
            bias_gradient);                                                                       \
      }                                                                                       \
    }                                                                                         \
  }

CKERNELS_BUILDS(GATE_KERNELS)

void ckernels_lstm_forward(size_t rows, size_t hidden, float *gates, const float *previous,
                           float *state, float *squashed, float *output) {
  CKERNELS_DISPATCH(lstm_forward, rows, hidden, gates, previous, state, squashed, output);
}

void ckernels_lstm_backward(size_t rows, size_t hidden, float *gates, const float *previous,
                            const float *squashed, const float *output_delta,
                            float *state_delta) {
  CKERNELS_DISPATCH(lstm_backward, rows, hidden, gates, previous, squashed, output_delta,
                    state_delta);
}

void ckernels_gru_forward(size_t rows, size_t hidden, float *gates, float *recurrent,
                          const float *bias, const float *previous, float *output) {
  CKERNELS_DISPATCH(gru_forward, rows, hidden, gates, recurrent, bias, previous, output);
}

void ckernels_gru_backward(size_t rows, size_t hidden, float *gates, float *recurrent,
                           const float *previous, const float *output_delta,
                           float *previous_delta, float *bias_gradient) {
  CKERNELS_DISPATCH(gru_backward, rows, hidden, gates, recurrent, previous, output_delta,
                    previous_delta, bias_gradient);
}
