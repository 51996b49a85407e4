#ifndef AUTOGRAD_KERNELS_H
#define AUTOGRAD_KERNELS_H

/*
 * Matrix products C[M x N] = op(A)[M x K] · op(B)[K x N], all row-major; op(X) is X or its transpose
 * (with transA, A is stored K x M with leading dimension lda; with transB, B is stored N x K).
 * The s… functions are float32, the d… functions float64. A product is done in three calls that threads
 * can share: pack panels of op(A) and op(B) (disjoint panel ranges per thread), then compute disjoint
 * blocks of C, given in panels of rows of op(A) and columns of op(B), optionally adding a bias row
 * (N values, may be NULL) to each row of the block afterwards.
 */
long gl_sgemm_packed_a_count(int M, int K);
long gl_sgemm_packed_b_count(int N, int K);
long gl_sgemm_panels_a(int M);
long gl_sgemm_panels_b(int N);
/// The calling thread's packing buffer `which` (0 for A, 1 for B), with room for `count` elements.
float *gl_sgemm_buffer(int which, long count);
void gl_sgemm_pack_a(int transA, int M, int K, const float *A, int lda, long first, long last, float *dst);
void gl_sgemm_pack_b(int transB, int N, int K, const float *B, int ldb, long first, long last, float *dst);
void gl_sgemm_compute(int M, int N, int K, const float *pa, const float *pb, float *C, int ldc,
                      long a0, long a1, long b0, long b1, const float *bias);

long gl_dgemm_packed_a_count(int M, int K);
long gl_dgemm_packed_b_count(int N, int K);
long gl_dgemm_panels_a(int M);
long gl_dgemm_panels_b(int N);
double *gl_dgemm_buffer(int which, long count);
void gl_dgemm_pack_a(int transA, int M, int K, const double *A, int lda, long first, long last, double *dst);
void gl_dgemm_pack_b(int transB, int N, int K, const double *B, int ldb, long first, long last, double *dst);
void gl_dgemm_compute(int M, int N, int K, const double *pa, const double *pb, double *C, int ldc,
                      long a0, long a1, long b0, long b1, const double *bias);

/// One SGD step over n elements, as torch.optim.SGD computes it (fused multiply-adds);
/// `b` is the momentum buffer (unused, may be NULL, when momentum is 0).
void gl_sgd_update_f32(long n, float *p, const float *g, float *b, float lr, float wd, float momentum,
                       float dampening, int nesterov, int maximize, int first);
void gl_sgd_update_f64(long n, double *p, const double *g, double *b, double lr, double wd, double momentum,
                       double dampening, int nesterov, int maximize, int first);

/// One Adam/AdamW step over n elements (torch.optim.Adam's single-tensor update). `m`, `v` are the
/// running means, `vmax` the amsgrad maximum (NULL without amsgrad); `mode` is 0 for no weight decay,
/// 1 for Adam's L2 term (`wd`), 2 for AdamW's decoupled shrink (`shrink` = 1 - lr·wd). `w1` = 1 - β1,
/// `w2` = 1 - β2, `correction` = √(1 - β2ᵗ), `step` = -lr / (1 - β1ᵗ).
void gl_adam_update_f32(long n, float *p, const float *g, float *m, float *v, float *vmax, int mode, int maximize,
                        float wd, float shrink, float w1, float beta2, float w2, float correction, float eps, float step);
void gl_adam_update_f64(long n, double *p, const double *g, double *m, double *v, double *vmax, int mode, int maximize,
                        double wd, double shrink, double w1, double beta2, double w2, double correction, double eps,
                        double step);

/// dst (cols x rows) = srcᵀ for src rows x cols, both row-major: the part from rows [first, last) of src.
void gl_transpose_f32(int rows, int cols, const float *src, float *dst, int first, int last);
void gl_transpose_f64(int rows, int cols, const double *src, double *dst, int first, int last);

/// Σ x² of n elements, accumulated in double in a fixed order (the same bits on every CPU).
double gl_sum_squares_f32(const float *x, long n);
double gl_sum_squares_f64(const double *x, long n);
/// p = p + s in place when `add`, else p = p · s (`add_` and `mul_` by a number).
void gl_scale_f32(long n, float *p, float s, int add);
void gl_scale_f64(long n, double *p, double s, int add);

/// The number of threads Autograd's kernels may use (at least 1); shared by every thread.
int gl_num_threads(void);
void gl_set_num_threads(int n);

/// One part of a split kernel: `part` is in 0..<parts.
typedef void (*gl_task_fn)(void *context, long part);
/// Runs fn(context, part) for every part, each once, on the calling thread and up to threads - 1 pool
/// workers, and returns when all are done. Runs them all on the caller while another split is under way.
void gl_parallel_run(long parts, int threads, gl_task_fn fn, void *context);

#endif
