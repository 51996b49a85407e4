/*
 * The matrix-product kernels behind Autograd's float32 and float64 matmul.
 *
 * Why C: Swift compiles for the baseline of its target (SSE2 on x86-64), and a package can't raise that
 * for its clients without unsafe flags. Here the x86-64 micro-kernels are compiled for AVX2 + FMA and
 * chosen at run time when the CPU has them; AArch64 (Apple Silicon, Linux on ARM) always has NEON, so
 * its micro-kernels are chosen at compile time; any other CPU gets a portable loop.
 *
 * How: the BLIS recipe. op(A) is packed into MR-row panels and op(B) into NR-column panels, each
 * running over all of K, so a KC-long slice of a B panel (KC x NR) stays in L1 and an MC x KC block of
 * A in L2; the micro-kernel keeps an MR x NR tile of C in registers and does one fused multiply-add per
 * element per step. Packing also absorbs transposes, so backward's A Bᵀ and Aᵀ B cost no copies.
 *
 * Threads: the caller packs both operands once (`pack_*`, split over panels) and then computes disjoint
 * blocks of C (`compute`, split over row or column panels), both sharing the packed panels, as BLIS
 * does. Every element of C is summed in the same order (KC-long fused chains, added in K order)
 * whatever the split, so results are bit-for-bit identical for any number of threads.
 */
#include "AutogradKernels.h"
#include <stdlib.h>
#include <string.h>
#include "transpose8.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define GL_X86 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
#define GL_NEON 1
#endif

enum { KC = 256, MC = 96, NC = 2048 };
enum { SMR = 6, SNR = 16, DMR = 6, DNR = 8 };

static long round_up(long x, long m) { return (x + m - 1) / m * m; }

/* ---- Micro-kernels: the MR x NR tile Σₚ a[p] ⊗ b[p] over kc steps, fused, in p order, stored into the
 * top-left rows x cols of C (ldc apart), or added to it when `add` (for the second and later KC blocks). ---- */

#define GL_STORE_TILE(T, NR)                                                                   \
    for (int r = 0; r < rows; r++) {                                                           \
        T *cr = c + (size_t)r * ldc;                                                           \
        const T *t = tile + r * NR;                                                            \
        if (add) for (int j = 0; j < cols; j++) cr[j] = cr[j] + t[j];                          \
        else for (int j = 0; j < cols; j++) cr[j] = t[j];                                      \
    }

__attribute__((unused)) static void s_kernel_portable(int kc, const float *a, const float *b, float *c, long ldc,
                                                     int rows, int cols, int add) {
    float tile[SMR * SNR] = {0};
    for (int p = 0; p < kc; p++)
        for (int r = 0; r < SMR; r++)
            for (int j = 0; j < SNR; j++) tile[r * SNR + j] += a[p * SMR + r] * b[p * SNR + j];
    GL_STORE_TILE(float, SNR)
}

__attribute__((unused)) static void d_kernel_portable(int kc, const double *a, const double *b, double *c, long ldc,
                                                     int rows, int cols, int add) {
    double tile[DMR * DNR] = {0};
    for (int p = 0; p < kc; p++)
        for (int r = 0; r < DMR; r++)
            for (int j = 0; j < DNR; j++) tile[r * DNR + j] += a[p * DMR + r] * b[p * DNR + j];
    GL_STORE_TILE(double, DNR)
}

#if GL_X86
/* Twelve 8-float accumulators (6 rows x 2 vectors); the rows' A values are broadcast. */
__attribute__((target("avx2,fma")))
static void s_kernel_avx2(int kc, const float *a, const float *b, float *c, long ldc, int rows, int cols, int add) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        __m256 a0 = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(a0, b0, c00); c01 = _mm256_fmadd_ps(a0, b1, c01);
        __m256 a1 = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(a1, b0, c10); c11 = _mm256_fmadd_ps(a1, b1, c11);
        __m256 a2 = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(a2, b0, c20); c21 = _mm256_fmadd_ps(a2, b1, c21);
        __m256 a3 = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(a3, b0, c30); c31 = _mm256_fmadd_ps(a3, b1, c31);
        __m256 a4 = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(a4, b0, c40); c41 = _mm256_fmadd_ps(a4, b1, c41);
        __m256 a5 = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(a5, b0, c50); c51 = _mm256_fmadd_ps(a5, b1, c51);
        a += SMR; b += SNR;
    }
    if (rows == SMR && cols == SNR) {
        /* A whole tile: straight from the registers into C. */
#define GL_ROW(r, lo, hi)                                                                          \
        { float *cr = c + (size_t)(r) * ldc;                                                       \
          if (add) { lo = _mm256_add_ps(_mm256_loadu_ps(cr), lo); hi = _mm256_add_ps(_mm256_loadu_ps(cr + 8), hi); } \
          _mm256_storeu_ps(cr, lo); _mm256_storeu_ps(cr + 8, hi); }
        GL_ROW(0, c00, c01) GL_ROW(1, c10, c11) GL_ROW(2, c20, c21) GL_ROW(3, c30, c31) GL_ROW(4, c40, c41) GL_ROW(5, c50, c51)
#undef GL_ROW
        return;
    }
    float tile[SMR * SNR] __attribute__((aligned(32)));
    _mm256_store_ps(tile + 0, c00); _mm256_store_ps(tile + 8, c01);
    _mm256_store_ps(tile + 16, c10); _mm256_store_ps(tile + 24, c11);
    _mm256_store_ps(tile + 32, c20); _mm256_store_ps(tile + 40, c21);
    _mm256_store_ps(tile + 48, c30); _mm256_store_ps(tile + 56, c31);
    _mm256_store_ps(tile + 64, c40); _mm256_store_ps(tile + 72, c41);
    _mm256_store_ps(tile + 80, c50); _mm256_store_ps(tile + 88, c51);
    GL_STORE_TILE(float, SNR)
}

/* The same shape in doubles: 6 rows x 2 vectors of 4. */
__attribute__((target("avx2,fma")))
static void d_kernel_avx2(int kc, const double *a, const double *b, double *c, long ldc, int rows, int cols, int add) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd(), c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd(), c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd(), c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
    for (int p = 0; p < kc; p++) {
        __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
        __m256d a0 = _mm256_broadcast_sd(a + 0); c00 = _mm256_fmadd_pd(a0, b0, c00); c01 = _mm256_fmadd_pd(a0, b1, c01);
        __m256d a1 = _mm256_broadcast_sd(a + 1); c10 = _mm256_fmadd_pd(a1, b0, c10); c11 = _mm256_fmadd_pd(a1, b1, c11);
        __m256d a2 = _mm256_broadcast_sd(a + 2); c20 = _mm256_fmadd_pd(a2, b0, c20); c21 = _mm256_fmadd_pd(a2, b1, c21);
        __m256d a3 = _mm256_broadcast_sd(a + 3); c30 = _mm256_fmadd_pd(a3, b0, c30); c31 = _mm256_fmadd_pd(a3, b1, c31);
        __m256d a4 = _mm256_broadcast_sd(a + 4); c40 = _mm256_fmadd_pd(a4, b0, c40); c41 = _mm256_fmadd_pd(a4, b1, c41);
        __m256d a5 = _mm256_broadcast_sd(a + 5); c50 = _mm256_fmadd_pd(a5, b0, c50); c51 = _mm256_fmadd_pd(a5, b1, c51);
        a += DMR; b += DNR;
    }
    double tile[DMR * DNR] __attribute__((aligned(32)));
    _mm256_store_pd(tile + 0, c00); _mm256_store_pd(tile + 4, c01);
    _mm256_store_pd(tile + 8, c10); _mm256_store_pd(tile + 12, c11);
    _mm256_store_pd(tile + 16, c20); _mm256_store_pd(tile + 20, c21);
    _mm256_store_pd(tile + 24, c30); _mm256_store_pd(tile + 28, c31);
    _mm256_store_pd(tile + 32, c40); _mm256_store_pd(tile + 36, c41);
    _mm256_store_pd(tile + 40, c50); _mm256_store_pd(tile + 44, c51);
    GL_STORE_TILE(double, DNR)
}

static int has_avx2_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

#if GL_NEON
/* 6 rows x 4 vectors of 4 floats: 24 accumulators, 4 B vectors and 2 A vectors of the 32 registers. The
 * A panel is read 8 floats at a time (6 used); packing leaves room after the last step for that. */
static void s_kernel_neon(int kc, const float *a, const float *b, float *c, long ldc, int rows, int cols, int add) {
    float32x4_t acc[SMR][4];
    for (int r = 0; r < SMR; r++)
        for (int v = 0; v < 4; v++) acc[r][v] = vdupq_n_f32(0);
    for (int p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
        float32x4_t a03 = vld1q_f32(a), a47 = vld1q_f32(a + 4);
#define GL_ROW(r, av, lane)                                                                 \
        acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, av, lane); acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, av, lane); \
        acc[r][2] = vfmaq_laneq_f32(acc[r][2], b2, av, lane); acc[r][3] = vfmaq_laneq_f32(acc[r][3], b3, av, lane);
        GL_ROW(0, a03, 0) GL_ROW(1, a03, 1) GL_ROW(2, a03, 2) GL_ROW(3, a03, 3) GL_ROW(4, a47, 0) GL_ROW(5, a47, 1)
#undef GL_ROW
        a += SMR; b += SNR;
    }
    float tile[SMR * SNR];
    for (int r = 0; r < SMR; r++)
        for (int v = 0; v < 4; v++) vst1q_f32(tile + r * SNR + v * 4, acc[r][v]);
    GL_STORE_TILE(float, SNR)
}

/* 6 rows x 4 vectors of 2 doubles. */
static void d_kernel_neon(int kc, const double *a, const double *b, double *c, long ldc, int rows, int cols, int add) {
    float64x2_t acc[DMR][4];
    for (int r = 0; r < DMR; r++)
        for (int v = 0; v < 4; v++) acc[r][v] = vdupq_n_f64(0);
    for (int p = 0; p < kc; p++) {
        float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2), b2 = vld1q_f64(b + 4), b3 = vld1q_f64(b + 6);
        float64x2_t a01 = vld1q_f64(a), a23 = vld1q_f64(a + 2), a45 = vld1q_f64(a + 4);
#define GL_ROW(r, av, lane)                                                                 \
        acc[r][0] = vfmaq_laneq_f64(acc[r][0], b0, av, lane); acc[r][1] = vfmaq_laneq_f64(acc[r][1], b1, av, lane); \
        acc[r][2] = vfmaq_laneq_f64(acc[r][2], b2, av, lane); acc[r][3] = vfmaq_laneq_f64(acc[r][3], b3, av, lane);
        GL_ROW(0, a01, 0) GL_ROW(1, a01, 1) GL_ROW(2, a23, 0) GL_ROW(3, a23, 1) GL_ROW(4, a45, 0) GL_ROW(5, a45, 1)
#undef GL_ROW
        a += DMR; b += DNR;
    }
    double tile[DMR * DNR];
    for (int r = 0; r < DMR; r++)
        for (int v = 0; v < 4; v++) vst1q_f64(tile + r * DNR + v * 2, acc[r][v]);
    GL_STORE_TILE(double, DNR)
}
#endif

/* Packs the first steps of a full panel of a transposed B (NR rows of B, each a column of op(B)) with
 * 8 x 8 register transposes; returns how many steps it packed (the caller does the rest). */
static int s_pack_b_transposed_fast(int K, const float *B, int ldb, float *d) {
#if GL_TRANSPOSE8
    if (!gl_has_avx2()) return 0;
    int p = 0;
    for (; p + 8 <= K; p += 8) {
        gl_transpose8(B + p, (size_t)ldb, d + (size_t)p * SNR, SNR);
        gl_transpose8(B + (size_t)8 * ldb + p, (size_t)ldb, d + (size_t)p * SNR + 8, SNR);
    }
    return p;
#else
    (void)K; (void)B; (void)ldb; (void)d;
    return 0;
#endif
}

static int d_pack_b_transposed_fast(int K, const double *B, int ldb, double *d) {
    (void)K; (void)B; (void)ldb; (void)d;
    return 0;
}

/* ---- The rest is written once per element type. ---- */

#define GL_GEMM(T, P, MR, NR, KERNEL)                                                                     \
static void P##gemm_block(int M, int N, int K, const T *pa, const T *pb, T *C, int ldc,                   \
                          long a0, long a1, long b0, long b1);                                            \
long gl_##P##gemm_packed_a_count(int M, int K) { return round_up(M, MR) * (long)K + 2 * MR; }             \
long gl_##P##gemm_packed_b_count(int N, int K) { return round_up(N, NR) * (long)K + NR; }                 \
long gl_##P##gemm_panels_a(int M) { return (M + MR - 1) / MR; }                                           \
long gl_##P##gemm_panels_b(int N) { return (N + NR - 1) / NR; }                                           \
                                                                                                          \
/* Panels [first, last) of op(A) (M x K): panel i holds rows i·MR… as K steps of MR values, zero-padded. */ \
void gl_##P##gemm_pack_a(int transA, int M, int K, const T *A, int lda, long first, long last, T *dst) {  \
    for (long panel = first; panel < last; panel++) {                                                     \
        T *d = dst + panel * MR * (long)K;                                                                \
        long i0 = panel * MR;                                                                             \
        int rows = M - i0 < MR ? (int)(M - i0) : MR;                                                      \
        if (transA) {                                                                                     \
            for (int p = 0; p < K; p++, d += MR) {                                                        \
                const T *src = A + (size_t)p * lda + i0;                                                  \
                for (int r = 0; r < MR; r++) d[r] = r < rows ? src[r] : 0;                                \
            }                                                                                             \
        } else {                                                                                          \
            /* Row by row: each reads one contiguous row; the writes stay in the panel, in L1. */         \
            for (int r = 0; r < MR; r++) {                                                                \
                const T *src = A + (size_t)(i0 + r) * lda;                                                \
                if (r < rows) for (int p = 0; p < K; p++) d[p * MR + r] = src[p];                         \
                else for (int p = 0; p < K; p++) d[p * MR + r] = 0;                                       \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
}                                                                                                         \
                                                                                                          \
/* Panels [first, last) of op(B) (K x N): panel j holds columns j·NR… as K steps of NR values. */       \
void gl_##P##gemm_pack_b(int transB, int N, int K, const T *B, int ldb, long first, long last, T *dst) {  \
    for (long panel = first; panel < last; panel++) {                                                     \
        T *d = dst + panel * NR * (long)K;                                                                \
        long j0 = panel * NR;                                                                             \
        int cols = N - j0 < NR ? (int)(N - j0) : NR;                                                      \
        if (!transB && cols == NR) {                                                                      \
            for (int p = 0; p < K; p++, d += NR) memcpy(d, B + (size_t)p * ldb + j0, NR * sizeof(T));     \
        } else if (!transB) {                                                                             \
            for (int p = 0; p < K; p++, d += NR)                                                          \
                for (int c = 0; c < NR; c++) d[c] = c < cols ? B[(size_t)p * ldb + j0 + c] : 0;           \
        } else {                                                                                          \
            int p0 = cols == NR ? P##_pack_b_transposed_fast(K, B + (size_t)j0 * ldb, ldb, d) : 0;         \
            for (int c = 0; c < NR; c++) {                                                                \
                const T *src = B + (size_t)(j0 + c) * ldb;                                                \
                if (c < cols) for (int p = p0; p < K; p++) d[p * NR + c] = src[p];                        \
                else for (int p = p0; p < K; p++) d[p * NR + c] = 0;                                      \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
}                                                                                                         \
                                                                                                          \
/* C rows of panels [a0, a1) x columns of panels [b0, b1), from packed panels; C is M x N, stride ldc.  \
 * With a `bias` (N values), each row of the block then gets it added: Linear's bias, added by the      \
 * thread that computed the block while it is in cache. */                                              \
void gl_##P##gemm_compute(int M, int N, int K, const T *pa, const T *pb, T *C, int ldc,                   \
                          long a0, long a1, long b0, long b1, const T *bias) {                            \
    P##gemm_block(M, N, K, pa, pb, C, ldc, a0, a1, b0, b1);                                               \
    if (!bias) return;                                                                                    \
    long i1 = a1 * MR < M ? a1 * MR : M, j1 = b1 * NR < N ? b1 * NR : N;                                  \
    for (long i = a0 * MR; i < i1; i++) {                                                                 \
        T *row = C + (size_t)i * ldc;                                                                     \
        for (long j = b0 * NR; j < j1; j++) row[j] = row[j] + bias[j];                                    \
    }                                                                                                     \
}                                                                                                         \
                                                                                                          \
static void P##gemm_block(int M, int N, int K, const T *pa, const T *pb, T *C, int ldc,                   \
                          long a0, long a1, long b0, long b1) {                                           \
    void (*kernel)(int, const T *, const T *, T *, long, int, int, int) = KERNEL;                         \
    if (K == 0) {                                                                                         \
        long i1 = a1 * MR < M ? a1 * MR : M, j1 = b1 * NR < N ? b1 * NR : N;                              \
        for (long i = a0 * MR; i < i1; i++)                                                               \
            memset(C + (size_t)i * ldc + b0 * NR, 0, sizeof(T) * (size_t)(j1 - b0 * NR));                 \
        return;                                                                                           \
    }                                                                                                     \
    const long mcPanels = MC / MR, ncPanels = NC / NR;                                                    \
    for (long jc = b0; jc < b1; jc += ncPanels) {                                                         \
        long jcEnd = jc + ncPanels < b1 ? jc + ncPanels : b1;                                             \
        for (int pc = 0; pc < K; pc += KC) {                                                              \
            int kc = K - pc < KC ? K - pc : KC;                                                           \
            for (long ic = a0; ic < a1; ic += mcPanels) {                                                 \
                long icEnd = ic + mcPanels < a1 ? ic + mcPanels : a1;                                     \
                for (long jr = jc; jr < jcEnd; jr++) {                                                    \
                    const T *b = pb + jr * NR * (long)K + (long)pc * NR;                                  \
                    int cols = N - jr * NR < NR ? (int)(N - jr * NR) : NR;                                \
                    for (long ir = ic; ir < icEnd; ir++) {                                                \
                        const T *a = pa + ir * MR * (long)K + (long)pc * MR;                              \
                        int rows = M - ir * MR < MR ? (int)(M - ir * MR) : MR;                            \
                        kernel(kc, a, b, C + (size_t)(ir * MR) * ldc + jr * NR, ldc, rows, cols, pc > 0); \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
}                                                                                                         \
                                                                                                          \
/* Buffers for the packed operands, kept per calling thread and grown as needed: allocating a few      \
 * megabytes per product would cost page faults on every call. Worker threads only read them. */       \
T *gl_##P##gemm_buffer(int which, long count) {                                                           \
    static _Thread_local T *buffers[2];                                                                   \
    static _Thread_local long capacity[2];                                                                \
    if (capacity[which] < count) {                                                                        \
        free(buffers[which]);                                                                             \
        long size = round_up(count * (long)sizeof(T), 64);                                                \
        buffers[which] = aligned_alloc(64, (size_t)size);                                                 \
        capacity[which] = buffers[which] ? count : 0;                                                     \
    }                                                                                                     \
    return buffers[which];                                                                                \
}

#if GL_X86
#define S_KERNEL (has_avx2_fma() ? s_kernel_avx2 : s_kernel_portable)
#define D_KERNEL (has_avx2_fma() ? d_kernel_avx2 : d_kernel_portable)
#elif GL_NEON
#define S_KERNEL s_kernel_neon
#define D_KERNEL d_kernel_neon
#else
#define S_KERNEL s_kernel_portable
#define D_KERNEL d_kernel_portable
#endif

GL_GEMM(float, s, SMR, SNR, S_KERNEL)
GL_GEMM(double, d, DMR, DNR, D_KERNEL)
