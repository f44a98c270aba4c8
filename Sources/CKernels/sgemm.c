#include "builds.h"

#include <stdlib.h>
#include <string.h>

// C ← A · B (+ C) with B packed once and used for many products: the recurrent product of an
// RNN multiplies each step's B × H block of states by the same H × H matrix, T times per batch.
// BLAS packs its operand again at every call; here it is packed once per batch. The products
// are built for AVX2 with FMA and for AVX-512; on other CPUs the callers use BLAS.
//
// Layout: panel p of the packed B holds, row after row, columns 32p ..< 32p + 32 of op(B), so a
// micro-kernel reads one contiguous 128-byte line per k. The micro-kernels keep an MR × 32 tile
// of C in registers and run over the whole k range: per k, the panel's line is loaded once and
// each of the MR rows of A is broadcast and multiplied into it. Tiles are visited panel by panel,
// so one panel (k × 32 floats) is reused by every row block while it is in cache.
//
// Every element of C is c + a₀b₀ + a₁b₁ + … in the order of k, whatever the tile it falls in,
// so results do not depend on m or on where a row sits in its block.

#define PANEL CKERNELS_PANEL

size_t ckernels_sgemm_packed_count(size_t k, size_t n) {
  return k * ((n + PANEL - 1) / PANEL) * PANEL;
}

void ckernels_sgemm_pack(const float *b, size_t ldb, int transposed, size_t k, size_t n,
                         float *packed) {
  size_t panels = (n + PANEL - 1) / PANEL;
  for (size_t p = 0; p < panels; p++) {
    float *panel = packed + p * k * PANEL;
    size_t first = p * PANEL;
    size_t columns = n - first < PANEL ? n - first : PANEL;
    if (columns < PANEL) {
      memset(panel, 0, sizeof(float) * k * PANEL);
    }
    if (transposed) {
      // op(B)[r, j] = B[j, r], eight rows of B at a time, each read in order over its k
      // entries: eight sequential streams, which the prefetchers follow when B is not in cache
      // (a step's W, evicted by the passes since the optimizer wrote it). Each panel row
      // receives its eight columns in one contiguous run.
      for (size_t first_column = 0; first_column < columns; first_column += 8) {
        size_t width = columns - first_column < 8 ? columns - first_column : 8;
        const float *source = b + (first + first_column) * ldb;
        for (size_t r = 0; r < k; r++) {
          float *row = panel + r * PANEL + first_column;
          for (size_t j = 0; j < width; j++) {
            row[j] = source[j * ldb + r];
          }
        }
      }
    } else {
      for (size_t r = 0; r < k; r++) {
        memcpy(panel + r * PANEL, b + r * ldb + first, sizeof(float) * columns);
      }
    }
  }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <immintrin.h>

// The rows of the next tile when `left` rows of A remain and a full tile holds `full`: a tile
// of r rows keeps 2r FMA chains going, and fewer than 8 can leave the FMA units idle for part of
// their latency, so a remainder of 1 to 3 rows is not run alone: the last full tile and it are
// split into two halves (6 + 2 rows as 4 + 4).
static size_t tile_rows(size_t left, size_t full) {
  if (left <= full) {
    return left;
  }
  return left < full + 4 ? (left + 1) / 2 : full;
}

// MARK: AVX-512

// An MR × 32 tile in 2·MR zmm registers; 8 rows fill 16 accumulators, enough independent FMA
// chains for two FMA units of latency 4, and leave registers for the panel line and the
// broadcasts. Columns past n are masked off on load and store.
#define AVX512 CKERNELS_TARGET_AVX512
#define AVX512_ROWS 8

#define AVX512_TILE(MR)                                                                       \
  AVX512 static void tile_avx512_##MR(size_t k, const float *a, size_t lda,                   \
                                      const float *panel, int accumulate, float *c,           \
                                      size_t ldc, __mmask16 low, __mmask16 high) {             \
    __m512 left[MR], right[MR];                                                               \
    for (int r = 0; r < MR; r++) {                                                            \
      left[r] = accumulate ? _mm512_maskz_loadu_ps(low, c + r * ldc) : _mm512_setzero_ps();   \
      right[r] =                                                                              \
          accumulate ? _mm512_maskz_loadu_ps(high, c + r * ldc + 16) : _mm512_setzero_ps();   \
    }                                                                                         \
    for (size_t i = 0; i < k; i++) {                                                          \
      const __m512 b0 = _mm512_loadu_ps(panel + i * PANEL);                                    \
      const __m512 b1 = _mm512_loadu_ps(panel + i * PANEL + 16);                               \
      for (int r = 0; r < MR; r++) {                                                          \
        const __m512 value = _mm512_set1_ps(a[r * lda + i]);                                  \
        left[r] = _mm512_fmadd_ps(value, b0, left[r]);                                        \
        right[r] = _mm512_fmadd_ps(value, b1, right[r]);                                      \
      }                                                                                       \
    }                                                                                         \
    for (int r = 0; r < MR; r++) {                                                            \
      _mm512_mask_storeu_ps(c + r * ldc, low, left[r]);                                       \
      _mm512_mask_storeu_ps(c + r * ldc + 16, high, right[r]);                                \
    }                                                                                         \
  }

AVX512_TILE(1)
AVX512_TILE(2)
AVX512_TILE(3)
AVX512_TILE(4)
AVX512_TILE(5)
AVX512_TILE(6)
AVX512_TILE(7)
AVX512_TILE(8)

typedef void (*avx512_tile)(size_t, const float *, size_t, const float *, int, float *, size_t,
                            __mmask16, __mmask16);

static const avx512_tile avx512_tiles[AVX512_ROWS + 1] = {
    0, tile_avx512_1, tile_avx512_2, tile_avx512_3, tile_avx512_4,
    tile_avx512_5, tile_avx512_6, tile_avx512_7, tile_avx512_8,
};

static __mmask16 mask16(size_t lanes) {
  return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

AVX512 static void sgemm_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                const float *packed, int accumulate, float *c, size_t ldc) {
  for (size_t first = 0; first < n; first += PANEL) {
    const float *panel = packed + (first / PANEL) * k * PANEL;
    size_t columns = n - first < PANEL ? n - first : PANEL;
    __mmask16 low = mask16(columns);
    __mmask16 high = mask16(columns > 16 ? columns - 16 : 0);
    for (size_t row = 0, rows; row < m; row += rows) {
      rows = tile_rows(m - row, AVX512_ROWS);
      avx512_tiles[rows](k, a + row * lda, lda, panel, accumulate, c + row * ldc + first, ldc,
                         low, high);
    }
  }
}

// MARK: AVX2

// Haswell's shape: a 6 × 16 tile (half a panel) in 12 ymm registers, with two for the panel's
// half line and one for the broadcast. Columns past n are masked off on load and store.
#define AVX2 CKERNELS_TARGET_AVX2
#define AVX2_ROWS 6

#define AVX2_TILE(MR)                                                                         \
  AVX2 static void tile_avx2_##MR(size_t k, const float *a, size_t lda, const float *half,    \
                                  int accumulate, float *c, size_t ldc, __m256i low,          \
                                  __m256i high) {                                             \
    __m256 left[MR], right[MR];                                                               \
    for (int r = 0; r < MR; r++) {                                                            \
      left[r] = accumulate ? _mm256_maskload_ps(c + r * ldc, low) : _mm256_setzero_ps();      \
      right[r] = accumulate ? _mm256_maskload_ps(c + r * ldc + 8, high) : _mm256_setzero_ps(); \
    }                                                                                         \
    for (size_t i = 0; i < k; i++) {                                                          \
      const __m256 b0 = _mm256_loadu_ps(half + i * PANEL);                                     \
      const __m256 b1 = _mm256_loadu_ps(half + i * PANEL + 8);                                 \
      for (int r = 0; r < MR; r++) {                                                          \
        const __m256 value = _mm256_broadcast_ss(a + r * lda + i);                            \
        left[r] = _mm256_fmadd_ps(value, b0, left[r]);                                        \
        right[r] = _mm256_fmadd_ps(value, b1, right[r]);                                      \
      }                                                                                       \
    }                                                                                         \
    for (int r = 0; r < MR; r++) {                                                            \
      _mm256_maskstore_ps(c + r * ldc, low, left[r]);                                         \
      _mm256_maskstore_ps(c + r * ldc + 8, high, right[r]);                                   \
    }                                                                                         \
  }

AVX2_TILE(1)
AVX2_TILE(2)
AVX2_TILE(3)
AVX2_TILE(4)
AVX2_TILE(5)
AVX2_TILE(6)

typedef void (*avx2_tile)(size_t, const float *, size_t, const float *, int, float *, size_t,
                          __m256i, __m256i);

static const avx2_tile avx2_tiles[AVX2_ROWS + 1] = {
    0, tile_avx2_1, tile_avx2_2, tile_avx2_3, tile_avx2_4, tile_avx2_5, tile_avx2_6,
};

/// A maskload/maskstore mask whose first `lanes` of 8 lanes are on.
AVX2 static __m256i mask8(size_t lanes) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(lanes > 8 ? 8 : lanes)), index);
}

AVX2 static void sgemm_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda,
                            const float *packed, int accumulate, float *c, size_t ldc) {
  for (size_t first = 0; first < n; first += PANEL / 2) {
    const float *half = packed + (first / PANEL) * k * PANEL + first % PANEL;
    size_t columns = n - first < PANEL / 2 ? n - first : PANEL / 2;
    __m256i low = mask8(columns);
    __m256i high = mask8(columns > 8 ? columns - 8 : 0);
    for (size_t row = 0, rows; row < m; row += rows) {
      rows = tile_rows(m - row, AVX2_ROWS);
      avx2_tiles[rows](k, a + row * lda, lda, half, accumulate, c + row * ldc + first, ldc, low,
                       high);
    }
  }
}

#endif

// MARK: Entry points

void ckernels_sgemm_packed_isa(ckernels_isa isa, size_t m, size_t n, size_t k, const float *a,
                               size_t lda, const float *packed, int accumulate, float *c,
                               size_t ldc) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  switch (isa) {
  case CKERNELS_AVX512:
    sgemm_avx512(m, n, k, a, lda, packed, accumulate, c, ldc);
    return;
  case CKERNELS_AVX2:
    sgemm_avx2(m, n, k, a, lda, packed, accumulate, c, ldc);
    return;
  case CKERNELS_BASELINE:
    break;
  }
#else
  (void)isa, (void)m, (void)n, (void)k, (void)a, (void)lda, (void)packed, (void)accumulate;
  (void)c, (void)ldc;
#endif
  abort();
}
