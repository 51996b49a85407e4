/*
 * Optimizer updates with fused multiply-adds.
 *
 * PyTorch's CPU kernels compute `param.add_(grad, alpha=-lr)` and friends with fused multiply-adds;
 * doing the same keeps results bit-identical to PyTorch's. Swift on baseline x86-64 turns
 * `addingProduct` into a call to libm's software fma (several nanoseconds per element), so the
 * loops live here, compiled once for AVX2 + FMA (hardware FMA, vectorised) and once portably,
 * chosen at run time. Both compute the same fused operations in the same order. AArch64 always has
 * FMA, so there the portable loops are the fast ones.
 */
#include <math.h>
#include "AutogradKernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) || defined(_M_X64)
#define GL_OPTIM_X86 1
#endif

/* Square roots that may be vectorised: libm's sqrtf may set errno, which keeps loops scalar. The
 * argument is never negative here, and both are the correctly rounded square root. */
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
#define GL_SQRTF(x) __builtin_elementwise_sqrt(x)
#define GL_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define GL_SQRTF(x) sqrtf(x)
#define GL_SQRT(x) sqrt(x)
#endif

/* The flags are tested outside the loops, so every loop is straight-line code: left inside, the
 * vectoriser turns them into masked loads and stores (vmaskmovps), which are slow on some CPUs and
 * touch the momentum buffer even when there is none. */
#define SGD_BODY(T, FMA)                                                                   \
    T sign = maximize ? -1 : 1;                                                             \
    if (momentum == 0 && wd == 0) {                                                         \
        for (long i = 0; i < n; i++) p[i] = FMA(step, sign * g[i], p[i]);                   \
    } else if (momentum == 0) {                                                             \
        for (long i = 0; i < n; i++) p[i] = FMA(step, FMA(wd, p[i], sign * g[i]), p[i]);    \
    } else {                                                                                \
        for (long i = 0; i < n; i++) {                                                      \
            T d = wd != 0 ? FMA(wd, p[i], sign * g[i]) : sign * g[i]; /* grad.add(p, wd) */ \
            b[i] = first ? d : FMA(keep, d, b[i] * momentum); /* buf.mul_(m).add_(g,1-d) */ \
            d = nesterov ? FMA(momentum, b[i], d) : b[i];                                   \
            p[i] = FMA(step, d, p[i]);                      /* param.add_(d, alpha=-lr) */  \
        }                                                                                   \
    }

#if GL_OPTIM_X86
__attribute__((target("avx2,fma")))
static void sgd_f32_fma(long n, float *p, const float *g, float *b, float step, float wd, float momentum,
                        float keep, int nesterov, int maximize, int first) { SGD_BODY(float, fmaf) }
__attribute__((target("avx2,fma")))
static void sgd_f64_fma(long n, double *p, const double *g, double *b, double step, double wd, double momentum,
                        double keep, int nesterov, int maximize, int first) { SGD_BODY(double, fma) }
static int has_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif
static void sgd_f32_portable(long n, float *p, const float *g, float *b, float step, float wd, float momentum,
                             float keep, int nesterov, int maximize, int first) { SGD_BODY(float, fmaf) }
static void sgd_f64_portable(long n, double *p, const double *g, double *b, double step, double wd, double momentum,
                             double keep, int nesterov, int maximize, int first) { SGD_BODY(double, fma) }

void gl_sgd_update_f32(long n, float *p, const float *g, float *b, float lr, float wd, float momentum,
                       float dampening, int nesterov, int maximize, int first) {
#if GL_OPTIM_X86
    if (has_fma()) { sgd_f32_fma(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first); return; }
#endif
    sgd_f32_portable(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first);
}

void gl_sgd_update_f64(long n, double *p, const double *g, double *b, double lr, double wd, double momentum,
                       double dampening, int nesterov, int maximize, int first) {
#if GL_OPTIM_X86
    if (has_fma()) { sgd_f64_fma(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first); return; }
#endif
    sgd_f64_portable(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first);
}

/* Adam and AdamW, element by element in PyTorch's order of roundings (`_single_tensor_adam`); only
 * `fma` fuses (contraction is off in this file), so this matches the reference exactly. The weight-decay
 * mode (0 none, 1 L2, 2 decoupled) and amsgrad pick one of six straight loops. */
#define ADAM_LOOP(T, FMA, SQRT, MODE, AMS)                                                          \
    for (long i = 0; i < n; i++) {                                                                  \
        T gi = sign * g[i], pi = p[i];                                                              \
        if (MODE == 1) gi = FMA(wd, pi, gi);                       /* grad.add(param, alpha=wd) */  \
        if (MODE == 2) pi = pi * shrink;                           /* param.mul_(1 - lr * wd) */    \
        T mi = small ? FMA(w1, gi - m[i], m[i]) : gi - (gi - m[i]) * oneMinusW1; /* lerp_ */        \
        T vi = v[i] * beta2 + w2 * gi * gi;                   /* mul_(beta2).addcmul_(g, g, 1-b2) */ \
        T second = vi;                                                                              \
        if (AMS) { second = vi >= vmax[i] ? vi : vmax[i]; vmax[i] = second; }                       \
        T denom = SQRT(second) / correction + eps;                                                  \
        m[i] = mi; v[i] = vi; p[i] = pi + step * mi / denom;          /* addcdiv_(m, denom, -ss) */ \
    }

#define ADAM_BODY(T, FMA, SQRT)                                                                     \
    T sign = maximize ? -1 : 1, oneMinusW1 = 1 - w1;                                                \
    int small = (w1 < 0 ? -w1 : w1) < (T)0.5;                                                       \
    if (vmax) {                                                                                     \
        if (mode == 0) { ADAM_LOOP(T, FMA, SQRT, 0, 1) }                                            \
        else if (mode == 1) { ADAM_LOOP(T, FMA, SQRT, 1, 1) }                                       \
        else { ADAM_LOOP(T, FMA, SQRT, 2, 1) }                                                      \
    } else {                                                                                        \
        if (mode == 0) { ADAM_LOOP(T, FMA, SQRT, 0, 0) }                                            \
        else if (mode == 1) { ADAM_LOOP(T, FMA, SQRT, 1, 0) }                                       \
        else { ADAM_LOOP(T, FMA, SQRT, 2, 0) }                                                      \
    }

#define ADAM_PARAMS(T) long n, T *p, const T *g, T *m, T *v, T *vmax, int mode, int maximize, T wd, T shrink, \
    T w1, T beta2, T w2, T correction, T eps, T step

#if GL_OPTIM_X86
__attribute__((target("avx2,fma")))
static void adam_f32_fma(ADAM_PARAMS(float)) { ADAM_BODY(float, fmaf, GL_SQRTF) }
__attribute__((target("avx2,fma")))
static void adam_f64_fma(ADAM_PARAMS(double)) { ADAM_BODY(double, fma, GL_SQRT) }
#endif
static void adam_f32_portable(ADAM_PARAMS(float)) { ADAM_BODY(float, fmaf, GL_SQRTF) }
static void adam_f64_portable(ADAM_PARAMS(double)) { ADAM_BODY(double, fma, GL_SQRT) }

void gl_adam_update_f32(ADAM_PARAMS(float)) {
#if GL_OPTIM_X86
    if (has_fma()) { adam_f32_fma(n, p, g, m, v, vmax, mode, maximize, wd, shrink, w1, beta2, w2, correction, eps, step); return; }
#endif
    adam_f32_portable(n, p, g, m, v, vmax, mode, maximize, wd, shrink, w1, beta2, w2, correction, eps, step);
}

void gl_adam_update_f64(ADAM_PARAMS(double)) {
#if GL_OPTIM_X86
    if (has_fma()) { adam_f64_fma(n, p, g, m, v, vmax, mode, maximize, wd, shrink, w1, beta2, w2, correction, eps, step); return; }
#endif
    adam_f64_portable(n, p, g, m, v, vmax, mode, maximize, wd, shrink, w1, beta2, w2, correction, eps, step);
}
