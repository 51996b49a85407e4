/*
 * The matrix-product kernel behind Autograd's float32 matmul.
 *
 * Why C: Swift on Linux compiles for baseline x86-64 (SSE2), and a package can't raise that for its
 * clients without unsafe flags. Here one function is compiled for AVX2 + FMA and chosen at run time
 * when the CPU has them, with a portable loop otherwise, so the package stays usable as a dependency.
 *
 * How: the BLIS recipe. op(B) is packed into 16-column panels and op(A) into 6-row panels, sized to
 * stay in cache (KC x 16 floats of B in L1, MC x KC of A in L2); a 6x16 micro-kernel keeps twelve
 * 8-float accumulators in registers and does one fused multiply-add per element of each. Packing
 * also absorbs transposes, so backward's A Bᵀ and Aᵀ B cost no copies. The summation order is
 * fixed, so results are bit-for-bit reproducible.
 */
#include "AutogradKernels.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

enum { MR = 6, NR = 16, KC = 256, MC = 96, NC = 2048 };

static inline float at(const float *X, int ld, int trans, int r, int c) {
    return trans ? X[(size_t)c * ld + r] : X[(size_t)r * ld + c];
}

/* Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels, zero-padded. */
static void pack_a(const float *A, int lda, int transA, int i0, int mc, int p0, int kc, float *dst) {
    for (int ir = 0; ir < mc; ir += MR) {
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                *dst++ = (ir + r < mc) ? at(A, lda, transA, i0 + ir + r, p0 + p) : 0.0f;
            }
        }
    }
}

/* Packs rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels, zero-padded. */
static void pack_b(const float *B, int ldb, int transB, int p0, int kc, int j0, int nc, float *dst) {
    for (int jr = 0; jr < nc; jr += NR) {
        int w = nc - jr < NR ? nc - jr : NR;
        for (int p = 0; p < kc; p++) {
            if (!transB && w == NR) {
                memcpy(dst, B + (size_t)(p0 + p) * ldb + j0 + jr, NR * sizeof(float));
                dst += NR;
            } else {
                for (int c = 0; c < NR; c++) *dst++ = c < w ? at(B, ldb, transB, p0 + p, j0 + jr + c) : 0.0f;
            }
        }
    }
}

__attribute__((target("avx2,fma")))
static void kernel_6x16(int kc, const float *a, const float *b, float *c, int ldc, int rows, int cols, int add) {
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
        a += MR; b += NR;
    }
    float tile[MR * NR] __attribute__((aligned(32)));
    _mm256_store_ps(tile + 0, c00); _mm256_store_ps(tile + 8, c01);
    _mm256_store_ps(tile + 16, c10); _mm256_store_ps(tile + 24, c11);
    _mm256_store_ps(tile + 32, c20); _mm256_store_ps(tile + 40, c21);
    _mm256_store_ps(tile + 48, c30); _mm256_store_ps(tile + 56, c31);
    _mm256_store_ps(tile + 64, c40); _mm256_store_ps(tile + 72, c41);
    _mm256_store_ps(tile + 80, c50); _mm256_store_ps(tile + 88, c51);
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) {
            float v = tile[r * NR + j];
            c[(size_t)r * ldc + j] = add ? c[(size_t)r * ldc + j] + v : v;
        }
}

static void kernel_generic(int kc, const float *a, const float *b, float *c, int ldc, int rows, int cols, int add) {
    float tile[MR * NR] = {0};
    for (int p = 0; p < kc; p++)
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++) tile[r * NR + j] += a[p * MR + r] * b[p * NR + j];
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) {
            float v = tile[r * NR + j];
            c[(size_t)r * ldc + j] = add ? c[(size_t)r * ldc + j] + v : v;
        }
}

void gl_sgemm(int transA, int transB, int M, int N, int K, const float *A, int lda,
              const float *B, int ldb, float *C, int ldc) {
    int fast = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    /* Pack buffers are allocated once per thread: small products would otherwise pay for them. */
    static _Thread_local float *bp = 0, *ap = 0;
    if (!bp) {
        bp = aligned_alloc(32, sizeof(float) * KC * (NC + NR));
        ap = aligned_alloc(32, sizeof(float) * KC * (MC + MR));
    }
    if (K == 0) { for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, sizeof(float) * N); }
    for (int jc = 0; jc < N; jc += NC) {
        int nc = N - jc < NC ? N - jc : NC;
        for (int pc = 0; pc < K; pc += KC) {
            int kc = K - pc < KC ? K - pc : KC;
            pack_b(B, ldb, transB, pc, kc, jc, nc, bp);
            for (int ic = 0; ic < M; ic += MC) {
                int mc = M - ic < MC ? M - ic : MC;
                pack_a(A, lda, transA, ic, mc, pc, kc, ap);
                for (int jr = 0; jr < nc; jr += NR) {
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = mc - ir < MR ? mc - ir : MR, cols = nc - jr < NR ? nc - jr : NR;
                        float *c = C + (size_t)(ic + ir) * ldc + jc + jr;
                        const float *a = ap + (size_t)ir * kc, *b = bp + (size_t)jr * kc;
                        if (fast) kernel_6x16(kc, a, b, c, ldc, rows, cols, pc > 0);
                        else kernel_generic(kc, a, b, c, ldc, rows, cols, pc > 0);
                    }
                }
            }
        }
    }
}
