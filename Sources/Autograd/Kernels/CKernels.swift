internal import AutogradKernels

// The one file that imports the C kernels (`AutogradKernels`): the rest of the library calls them
// through these wrappers. The import is internal; programs compiled against Autograd's module (the
// grader's exercises, the editor settings) are given the C module's map (`Runtime.moduleFlags`).

/// Elementwise updates and copies in C.
enum CKernels {
    static func sgdUpdate(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>?,
                          lr: Float, weightDecay: Float, momentum: Float, dampening: Float,
                          nesterov: Bool, maximize: Bool, first: Bool) {
        gl_sgd_update_f32(n, p, g, b, lr, weightDecay, momentum, dampening, nesterov ? 1 : 0, maximize ? 1 : 0, first ? 1 : 0)
    }

    static func sgdUpdate(_ n: Int, _ p: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>?,
                          lr: Double, weightDecay: Double, momentum: Double, dampening: Double,
                          nesterov: Bool, maximize: Bool, first: Bool) {
        gl_sgd_update_f64(n, p, g, b, lr, weightDecay, momentum, dampening, nesterov ? 1 : 0, maximize ? 1 : 0, first ? 1 : 0)
    }

    static func adamUpdate(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                           _ v: UnsafeMutablePointer<Float>, _ vmax: UnsafeMutablePointer<Float>?, _ c: Adam.Coefficients<Float>) {
        gl_adam_update_f32(n, p, g, m, v, vmax, c.mode, c.maximize, c.wd, c.shrink, c.w1, c.beta2, c.w2, c.correction, c.eps, c.step)
    }

    static func adamUpdate(_ n: Int, _ p: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, _ m: UnsafeMutablePointer<Double>,
                           _ v: UnsafeMutablePointer<Double>, _ vmax: UnsafeMutablePointer<Double>?, _ c: Adam.Coefficients<Double>) {
        gl_adam_update_f64(n, p, g, m, v, vmax, c.mode, c.maximize, c.wd, c.shrink, c.w1, c.beta2, c.w2, c.correction, c.eps, c.step)
    }

    static func transpose(rows: Int, cols: Int, _ src: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>?, _ first: Int32, _ last: Int32) {
        gl_transpose_f32(Int32(rows), Int32(cols), src, dst, first, last)
    }

    static func transpose(rows: Int, cols: Int, _ src: UnsafePointer<Double>?, _ dst: UnsafeMutablePointer<Double>?, _ first: Int32, _ last: Int32) {
        gl_transpose_f64(Int32(rows), Int32(cols), src, dst, first, last)
    }

    static func sumOfSquares(_ p: UnsafeBufferPointer<Float>) -> Double { gl_sum_squares_f32(p.baseAddress, p.count) }
    static func sumOfSquares(_ p: UnsafeBufferPointer<Double>) -> Double { gl_sum_squares_f64(p.baseAddress, p.count) }

    /// `p += s` when `adding`, else `p *= s`.
    static func scale(_ p: UnsafeMutableBufferPointer<Float>, _ s: Float, adding: Bool) {
        gl_scale_f32(p.count, p.baseAddress, s, adding ? 1 : 0)
    }

    static func scale(_ p: UnsafeMutableBufferPointer<Double>, _ s: Double, adding: Bool) {
        gl_scale_f64(p.count, p.baseAddress, s, adding ? 1 : 0)
    }

    /// Runs `body(part)` for every part in `0..<parts` on up to `threads` threads of the C pool.
    static func parallelRun(parts: Int, threads: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                gl_parallel_run(parts, Int32(clamping: threads), { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }, context)
            }
        }
    }

    /// The shared thread-count setting (0 until set).
    static var numThreads: Int {
        get { Int(gl_num_threads()) }
        set { gl_set_num_threads(Int32(min(newValue, Int(Int32.max)))) }
    }
}

/// The C entry points of one element type, so `MatrixProduct.packed` is written once.
protocol PackedKernel {
    associatedtype Scalar
    func packedACount(_ m: Int32, _ k: Int32) -> Int
    func packedBCount(_ n: Int32, _ k: Int32) -> Int
    func panelsA(_ m: Int32) -> Int
    func panelsB(_ n: Int32) -> Int
    func buffer(_ which: Int32, _ count: Int) -> UnsafeMutablePointer<Scalar>
    func packA(_ t: Int32, _ m: Int32, _ k: Int32, _ a: UnsafePointer<Scalar>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Scalar>)
    func packB(_ t: Int32, _ n: Int32, _ k: Int32, _ b: UnsafePointer<Scalar>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Scalar>)
    func compute(_ m: Int32, _ n: Int32, _ k: Int32, _ pa: UnsafePointer<Scalar>, _ pb: UnsafePointer<Scalar>,
                 _ c: UnsafeMutablePointer<Scalar>, _ ldc: Int32, _ a0: Int, _ a1: Int, _ b0: Int, _ b1: Int,
                 _ bias: UnsafePointer<Scalar>?)
}

struct Packed32: PackedKernel {
    func packedACount(_ m: Int32, _ k: Int32) -> Int { gl_sgemm_packed_a_count(m, k) }
    func packedBCount(_ n: Int32, _ k: Int32) -> Int { gl_sgemm_packed_b_count(n, k) }
    func panelsA(_ m: Int32) -> Int { gl_sgemm_panels_a(m) }
    func panelsB(_ n: Int32) -> Int { gl_sgemm_panels_b(n) }
    func buffer(_ which: Int32, _ count: Int) -> UnsafeMutablePointer<Float> {
        guard let p = gl_sgemm_buffer(which, count) else { fatalError("out of memory packing a matrix product") }
        return p
    }
    func packA(_ t: Int32, _ m: Int32, _ k: Int32, _ a: UnsafePointer<Float>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Float>) { gl_sgemm_pack_a(t, m, k, a, ld, first, last, dst) }
    func packB(_ t: Int32, _ n: Int32, _ k: Int32, _ b: UnsafePointer<Float>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Float>) { gl_sgemm_pack_b(t, n, k, b, ld, first, last, dst) }
    func compute(_ m: Int32, _ n: Int32, _ k: Int32, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>,
                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int32, _ a0: Int, _ a1: Int, _ b0: Int, _ b1: Int,
                 _ bias: UnsafePointer<Float>?) {
        gl_sgemm_compute(m, n, k, pa, pb, c, ldc, a0, a1, b0, b1, bias)
    }
}

struct Packed64: PackedKernel {
    func packedACount(_ m: Int32, _ k: Int32) -> Int { gl_dgemm_packed_a_count(m, k) }
    func packedBCount(_ n: Int32, _ k: Int32) -> Int { gl_dgemm_packed_b_count(n, k) }
    func panelsA(_ m: Int32) -> Int { gl_dgemm_panels_a(m) }
    func panelsB(_ n: Int32) -> Int { gl_dgemm_panels_b(n) }
    func buffer(_ which: Int32, _ count: Int) -> UnsafeMutablePointer<Double> {
        guard let p = gl_dgemm_buffer(which, count) else { fatalError("out of memory packing a matrix product") }
        return p
    }
    func packA(_ t: Int32, _ m: Int32, _ k: Int32, _ a: UnsafePointer<Double>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Double>) { gl_dgemm_pack_a(t, m, k, a, ld, first, last, dst) }
    func packB(_ t: Int32, _ n: Int32, _ k: Int32, _ b: UnsafePointer<Double>, _ ld: Int32, _ first: Int, _ last: Int,
               _ dst: UnsafeMutablePointer<Double>) { gl_dgemm_pack_b(t, n, k, b, ld, first, last, dst) }
    func compute(_ m: Int32, _ n: Int32, _ k: Int32, _ pa: UnsafePointer<Double>, _ pb: UnsafePointer<Double>,
                 _ c: UnsafeMutablePointer<Double>, _ ldc: Int32, _ a0: Int, _ a1: Int, _ b0: Int, _ b1: Int,
                 _ bias: UnsafePointer<Double>?) {
        gl_dgemm_compute(m, n, k, pa, pb, c, ldc, a0, a1, b0, b1, bias)
    }
}
