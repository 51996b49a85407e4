#ifndef AUTOGRAD_KERNELS_H
#define AUTOGRAD_KERNELS_H

/// C[M x N] = op(A)[M x K] * op(B)[K x N], all row-major; op(X) is X or its transpose.
/// With transA, A is stored K x M (leading dimension lda); with transB, B is stored N x K.
void gl_sgemm(int transA, int transB, int M, int N, int K, const float *A, int lda,
              const float *B, int ldb, float *C, int ldc);

/// One SGD step over n elements, as torch.optim.SGD computes it (fused multiply-adds);
/// `b` is the momentum buffer (unused, may be NULL, when momentum is 0).
void gl_sgd_update_f32(long n, float *p, const float *g, float *b, float lr, float wd, float momentum,
                       float dampening, int nesterov, int maximize, int first);
void gl_sgd_update_f64(long n, double *p, const double *g, double *b, double lr, double wd, double momentum,
                       double dampening, int nesterov, int maximize, int first);

#endif
