/// Matrix products on raw values, picking the fastest way for the size.
///
/// Tiny products (the course's 4x2 regressions, 2-3-1 networks) run a plain loop: calling into the
/// packed kernel costs more than they do. Larger products go to the packed kernels of
/// `AutogradKernels` (AVX2/FMA on x86-64, NEON on AArch64): both operands are packed once, in
/// parallel, into panels all threads share, then each thread computes a block of rows or columns of
/// the result. Every output element sums in the same order however the work is split, so results
/// don't depend on the number of threads.
enum MatrixProduct {
    /// Products with fewer multiply-adds than this run the plain loop.
    static let kernelThreshold = 4_096
    /// Each thread gets at least this many multiply-adds (about 0.1 ms of work on one core): waking a
    /// second thread and sharing caches costs more than it saves below that, on a machine where the
    /// other cores are busy too. (A variable so that tests can split small products.)
    static var threadGrain = 1 << 22
    /// Runs of panels per thread when a product is split.
    static let partsPerThread = 4

    /// `op(a) · op(b)` with `op(a)` of shape m×k and `op(b)` of shape k×n (row-major storage;
    /// a transposed operand is stored k×m or n×k), plus `rowBias` (n values) on every row: each
    /// element is its sum of products, then the bias added, as `addmm` adds it.
    static func multiply(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int,
                         transposeA: Bool = false, transposeB: Bool = false, rowBias: [Float]? = nil) -> [Float] {
        product(Packed32(), a, b, m: m, k: k, n: n, transposeA, transposeB, rowBias)
    }

    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int,
                         transposeA: Bool = false, transposeB: Bool = false, rowBias: [Double]? = nil) -> [Double] {
        product(Packed64(), a, b, m: m, k: k, n: n, transposeA, transposeB, rowBias)
    }

    /// Small products by a plain loop, the others by the packed kernel of the element type.
    private static func product<K: PackedKernel>(_ kernel: K, _ a: [K.Scalar], _ b: [K.Scalar], m: Int, k: Int, n: Int,
                                                 _ transposeA: Bool, _ transposeB: Bool, _ rowBias: [K.Scalar]?) -> [K.Scalar]
        where K.Scalar: TensorScalar {
        [K.Scalar](unsafeUninitializedCapacity: m * n) { c, count in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    withPointer(rowBias) { bias in
                        if m * n * k < kernelThreshold || m == 0 || n == 0 {
                            loop(pa, pb, m: m, k: k, n: n, transposeA, transposeB, into: c)
                            if let bias { addRows(bias, to: c, m: m, n: n) }
                        } else {
                            packed(kernel, pa.baseAddress!, pb.baseAddress!, c.baseAddress!, m: m, k: k, n: n,
                                   transposeA, transposeB, bias)
                        }
                    }
                }
            }
            count = m * n
        }
    }

    /// The packed product: pack both operands (split over panels), then compute (split over the
    /// larger dimension of the result, in whole panels).
    private static func packed<K: PackedKernel>(_ kernel: K, _ a: UnsafePointer<K.Scalar>, _ b: UnsafePointer<K.Scalar>,
                                                _ c: UnsafeMutablePointer<K.Scalar>, m: Int, k: Int, n: Int,
                                                _ transposeA: Bool, _ transposeB: Bool, _ bias: UnsafePointer<K.Scalar>?) {
        let M = Int32(m), N = Int32(n), Kd = Int32(k)
        let lda = Int32(transposeA ? m : k), ldb = Int32(transposeB ? k : n)
        let ta: Int32 = transposeA ? 1 : 0, tb: Int32 = transposeB ? 1 : 0
        let panelsA = kernel.panelsA(M), panelsB = kernel.panelsB(N)
        let packedA = kernel.buffer(0, kernel.packedACount(M, Kd))
        let packedB = kernel.buffer(1, kernel.packedBCount(N, Kd))
        let threads = Parallel.threads(work: m * n * k, grain: threadGrain)
        if threads == 1 {
            kernel.packA(ta, M, Kd, a, lda, 0, panelsA, packedA)
            kernel.packB(tb, N, Kd, b, ldb, 0, panelsB, packedB)
            kernel.compute(M, N, Kd, packedA, packedB, c, N, 0, panelsA, 0, panelsB, bias)
            return
        }
        // Packing: the panels of A then those of B, as one list cut into equal runs. A few runs per
        // thread, claimed by whichever thread is free: a thread that is descheduled on a busy machine
        // holds up only the run it took.
        let totalPanels = panelsA + panelsB
        let packParts = min(totalPanels, threads * partsPerThread)
        Parallel.run(parts: packParts) { t in
            let range = Parallel.share(t, of: packParts, count: totalPanels)
            let aRange = min(range.lowerBound, panelsA)..<min(range.upperBound, panelsA)
            let bRange = max(range.lowerBound, panelsA) - panelsA..<max(range.upperBound, panelsA) - panelsA
            if !aRange.isEmpty { kernel.packA(ta, M, Kd, a, lda, aRange.lowerBound, aRange.upperBound, packedA) }
            if !bRange.isEmpty { kernel.packB(tb, N, Kd, b, ldb, bRange.lowerBound, bRange.upperBound, packedB) }
        }
        let splitRows = panelsA >= panelsB
        let parts = min(threads * partsPerThread, splitRows ? panelsA : panelsB)
        Parallel.run(parts: parts) { t in
            if splitRows {
                let rows = Parallel.share(t, of: parts, count: panelsA)
                kernel.compute(M, N, Kd, packedA, packedB, c, N, rows.lowerBound, rows.upperBound, 0, panelsB, bias)
            } else {
                let columns = Parallel.share(t, of: parts, count: panelsB)
                kernel.compute(M, N, Kd, packedA, packedB, c, N, 0, panelsA, columns.lowerBound, columns.upperBound, bias)
            }
        }
    }

    private static func withPointer<T, R>(_ values: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
        guard let values else { return body(nil) }
        return values.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    private static func addRows<T: TensorScalar>(_ bias: UnsafePointer<T>, to c: UnsafeMutableBufferPointer<T>, m: Int, n: Int) {
        for i in 0..<m { for j in 0..<n { c[i &* n &+ j] += bias[j] } }
    }

    /// The plain i-p-j loop (contiguous inner loop over a row of B and of C).
    private static func loop<T: TensorScalar>(_ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>,
                                              m: Int, k: Int, n: Int, _ ta: Bool, _ tb: Bool,
                                              into c: UnsafeMutableBufferPointer<T>) {
        for i in 0..<(m * n) { c[i] = 0 }
        for i in 0..<m {
            for p in 0..<k {
                let aip = ta ? a[p * m + i] : a[i * k + p]
                let crow = i * n
                if tb {
                    for j in 0..<n { c[crow + j] += aip * b[j * k + p] }
                } else {
                    let brow = p * n
                    for j in 0..<n { c[crow + j] += aip * b[brow + j] }
                }
            }
        }
    }
}
