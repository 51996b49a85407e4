/*
 * Matrix transposes (Linear's backward turns xᵀG into the weight's layout every step) and the 8 x 8
 * float blocks that the packing of transposed operands uses. Pure data movement: any order of copies
 * gives the same result.
 */
#include "AutogradKernels.h"
#include "transpose8.h"

void gl_transpose_f32(int rows, int cols, const float *src, float *dst, int first, int last) {
    for (int r0 = first; r0 < last; r0 += 32) {
        int r1 = r0 + 32 < last ? r0 + 32 : last;
        for (int c0 = 0; c0 < cols; c0 += 32) {
            int c1 = c0 + 32 < cols ? c0 + 32 : cols;
            int r = r0;
#if GL_TRANSPOSE8
            if (gl_has_avx2()) {
                for (; r + 8 <= r1; r += 8) {
                    int c = c0;
                    for (; c + 8 <= c1; c += 8) gl_transpose8(src + (size_t)r * cols + c, cols, dst + (size_t)c * rows + r, rows);
                    for (; c < c1; c++)
                        for (int i = 0; i < 8; i++) dst[(size_t)c * rows + r + i] = src[(size_t)(r + i) * cols + c];
                }
            }
#endif
            for (; r < r1; r++)
                for (int c = c0; c < c1; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
        }
    }
}

void gl_transpose_f64(int rows, int cols, const double *src, double *dst, int first, int last) {
    for (int r0 = first; r0 < last; r0 += 16) {
        int r1 = r0 + 16 < last ? r0 + 16 : last;
        for (int c0 = 0; c0 < cols; c0 += 16) {
            int c1 = c0 + 16 < cols ? c0 + 16 : cols;
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
        }
    }
}
