/*
 * Sums of squares (the 2-norms gradient clipping takes every step) and in-place scaling (clipping's
 * multiply). In Swift the squaring closure was called per element and the four running sums stayed
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

#define SCALE_BODY                                                                          \
    if (shift == 0) { for (long i = 0; i < n; i++) p[i] = p[i] * scale; }                   \
    else { for (long i = 0; i < n; i++) p[i] = p[i] * scale + shift; }

#if GL_REDUCE_X86
__attribute__((target("avx2"))) static double sum_squares_f32_avx2(const float *x, long n) { SUM_SQUARES_BODY(float) }
__attribute__((target("avx2"))) static double sum_squares_f64_avx2(const double *x, long n) { SUM_SQUARES_BODY(double) }
__attribute__((target("avx2"))) static void scale_f32_avx2(long n, float *p, float scale, float shift) { SCALE_BODY }
__attribute__((target("avx2"))) static void scale_f64_avx2(long n, double *p, double scale, double shift) { SCALE_BODY }
static int has_avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif
static double sum_squares_f32_portable(const float *x, long n) { SUM_SQUARES_BODY(float) }
static double sum_squares_f64_portable(const double *x, long n) { SUM_SQUARES_BODY(double) }
static void scale_f32_portable(long n, float *p, float scale, float shift) { SCALE_BODY }
static void scale_f64_portable(long n, double *p, double scale, double shift) { SCALE_BODY }

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

void gl_scale_f32(long n, float *p, float scale, float shift) {
#if GL_REDUCE_X86
    if (has_avx2()) { scale_f32_avx2(n, p, scale, shift); return; }
#endif
    scale_f32_portable(n, p, scale, shift);
}

void gl_scale_f64(long n, double *p, double scale, double shift) {
#if GL_REDUCE_X86
    if (has_avx2()) { scale_f64_avx2(n, p, scale, shift); return; }
#endif
    scale_f64_portable(n, p, scale, shift);
}
