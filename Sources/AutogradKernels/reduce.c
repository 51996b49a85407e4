/*
 * Sums of squares (the 2-norms gradient clipping takes every step) and in-place `mul_`/`add_` by a
 * number (clipping's multiply). In Swift the squaring closure was called per element and the four running sums stayed
 * scalar; here sixteen running sums in a fixed lane order let the compiler use vectors, and the
 * AVX2 and portable builds add in the same order (contraction off), so they give the same bits.
 */
#include "AutogradKernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(_M_X64)
#define GL_REDUCE_X86 1
#endif

enum { LANES = 16 };

/* Element i goes to lane i % 16 (the ragged tail to lanes 0, 1, …), then the lanes are added as a
 * fixed tree. A float's square is exact in double, so only the additions round. */
#define SUM_SQUARES_BODY(T)                                                                 \
    double acc[LANES] = {0};                                                                \
    long i = 0;                                                                             \
    for (; i + LANES <= n; i += LANES)                                                      \
        for (int l = 0; l < LANES; l++) { double d = (double)x[i + l]; acc[l] += d * d; }   \
    for (int l = 0; i < n; i++, l++) { double d = (double)x[i]; acc[l] += d * d; }          \
    for (int w = LANES / 2; w > 0; w /= 2)                                                  \
        for (int l = 0; l < w; l++) acc[l] += acc[l + w];                                   \
    return acc[0];

/* Exactly one operation per element, as mul_ and add_ do (so -0 · 1 stays -0 and -0 + 0 is 0). */
#define SCALE_BODY for (long i = 0; i < n; i++) p[i] = add ? p[i] + s : p[i] * s;

#if GL_REDUCE_X86
__attribute__((target("avx2"))) static double sum_squares_f32_avx2(const float *x, long n) { SUM_SQUARES_BODY(float) }
__attribute__((target("avx2"))) static double sum_squares_f64_avx2(const double *x, long n) { SUM_SQUARES_BODY(double) }
__attribute__((target("avx2"))) static void scale_f32_avx2(long n, float *p, float s, int add) { SCALE_BODY }
__attribute__((target("avx2"))) static void scale_f64_avx2(long n, double *p, double s, int add) { SCALE_BODY }
static int has_avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif
static double sum_squares_f32_portable(const float *x, long n) { SUM_SQUARES_BODY(float) }
static double sum_squares_f64_portable(const double *x, long n) { SUM_SQUARES_BODY(double) }
static void scale_f32_portable(long n, float *p, float s, int add) { SCALE_BODY }
static void scale_f64_portable(long n, double *p, double s, int add) { SCALE_BODY }

double gl_sum_squares_f32(const float *x, long n) {
#if GL_REDUCE_X86
    if (has_avx2()) return sum_squares_f32_avx2(x, n);
#endif
    return sum_squares_f32_portable(x, n);
}

double gl_sum_squares_f64(const double *x, long n) {
#if GL_REDUCE_X86
    if (has_avx2()) return sum_squares_f64_avx2(x, n);
#endif
    return sum_squares_f64_portable(x, n);
}

void gl_scale_f32(long n, float *p, float s, int add) {
#if GL_REDUCE_X86
    if (has_avx2()) { scale_f32_avx2(n, p, s, add); return; }
#endif
    scale_f32_portable(n, p, s, add);
}

void gl_scale_f64(long n, double *p, double s, int add) {
#if GL_REDUCE_X86
    if (has_avx2()) { scale_f64_avx2(n, p, s, add); return; }
#endif
    scale_f64_portable(n, p, s, add);
}
