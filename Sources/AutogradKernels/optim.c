/*
 * Optimizer updates with fused multiply-adds.
 *
 * PyTorch's CPU kernels compute `param.add_(grad, alpha=-lr)` and friends with fused multiply-adds;
 * doing the same keeps results bit-identical to PyTorch's. Swift on baseline x86-64 turns
 * `addingProduct` into a call to libm's software fma (several nanoseconds per element), so the
 * loops live here, compiled once for AVX2 + FMA (hardware FMA, vectorised) and once portably,
 * chosen at run time. Both compute the same fused operations in the same order.
 */
#include <math.h>
#include "AutogradKernels.h"

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

__attribute__((target("avx2,fma")))
static void sgd_f32_fma(long n, float *p, const float *g, float *b, float step, float wd, float momentum,
                        float keep, int nesterov, int maximize, int first) { SGD_BODY(float, fmaf) }
static void sgd_f32_portable(long n, float *p, const float *g, float *b, float step, float wd, float momentum,
                             float keep, int nesterov, int maximize, int first) { SGD_BODY(float, fmaf) }
__attribute__((target("avx2,fma")))
static void sgd_f64_fma(long n, double *p, const double *g, double *b, double step, double wd, double momentum,
                        double keep, int nesterov, int maximize, int first) { SGD_BODY(double, fma) }
static void sgd_f64_portable(long n, double *p, const double *g, double *b, double step, double wd, double momentum,
                             double keep, int nesterov, int maximize, int first) { SGD_BODY(double, fma) }

static int has_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

void gl_sgd_update_f32(long n, float *p, const float *g, float *b, float lr, float wd, float momentum,
                       float dampening, int nesterov, int maximize, int first) {
    (has_fma() ? sgd_f32_fma : sgd_f32_portable)(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first);
}

void gl_sgd_update_f64(long n, double *p, const double *g, double *b, double lr, double wd, double momentum,
                       double dampening, int nesterov, int maximize, int first) {
    (has_fma() ? sgd_f64_fma : sgd_f64_portable)(n, p, g, b, -lr, wd, momentum, 1 - dampening, nesterov, maximize, first);
}
