#ifndef AUTOGRAD_KERNELS_H
#define AUTOGRAD_KERNELS_H

/// C[M x N] = op(A)[M x K] * op(B)[K x N], all row-major; op(X) is X or its transpose.
/// With transA, A is stored K x M (leading dimension lda); with transB, B is stored N x K.
void gl_sgemm(int transA, int transB, int M, int N, int K, const float *A, int lda,
              const float *B, int ldb, float *C, int ldc);

#endif
