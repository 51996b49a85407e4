import Dispatch
internal import AutogradKernels

/// Matrix products on raw values, picking the fastest way for the size.
///
/// Tiny products (the course's 4x2 regressions, 2-3-1 networks) run a plain loop: calling into the
/// packed kernel costs more than they do. Large float32 products go to the AVX2/FMA kernel in
/// `AutogradKernels`, split by rows or columns over the cores when there is enough work to pay for a thread
/// (every output element sums in the same order however it's split, so results don't depend on the
/// number of threads).
enum MatrixProduct {
    /// Products with fewer multiply-adds than this run the plain loop.
    static let kernelThreshold = 4_096
    /// Products with more multiply-adds than this are split across threads.
    static let threadingThreshold = 1 << 21

    /// `op(a) · op(b)` with `op(a)` of shape m×k and `op(b)` of shape k×n (row-major storage;
    /// a transposed operand is stored k×m or n×k).
    static func multiply(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int,
                         transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
        [Float](unsafeUninitializedCapacity: m * n) { c, count in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let work = m * n * k
                    if work < kernelThreshold || m == 0 || n == 0 {
                        loop(pa, pb, m: m, k: k, n: n, transposeA, transposeB, into: c)
                    } else {
                        let lda = transposeA ? m : k, ldb = transposeB ? k : n
                        // Split the larger output dimension: each thread packs only its share of the
                        // operand it splits, and packing a whole operand per thread would cost about
                        // as much as a small batch's share of the products.
                        let splitColumns = n >= m
                        let extent = splitColumns ? n : m
                        let threads = work >= threadingThreshold ? min(2, max(1, System.cores), extent / 48) : 1
                        let chunk = (extent + max(threads, 1) - 1) / max(threads, 1)
                        let base = c.baseAddress!, aBase = pa.baseAddress!, bBase = pb.baseAddress!
                        let run = { (t: Int) in
                            let start = t * chunk, size = min(chunk, extent - start)
                            guard size > 0 else { return }
                            if splitColumns {
                                // Columns start..<start+size of op(B): a column offset, or a row offset if transposed.
                                let bStart = transposeB ? bBase + start * ldb : bBase + start
                                gl_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(size), Int32(k),
                                         aBase, Int32(lda), bStart, Int32(ldb), base + start, Int32(n))
                            } else {
                                // Rows start..<start+size of op(A): a row offset, or a column offset if transposed.
                                let aStart = transposeA ? aBase + start : aBase + start * lda
                                gl_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(size), Int32(n), Int32(k),
                                         aStart, Int32(lda), bBase, Int32(ldb), base + start * n, Int32(n))
                            }
                        }
                        if threads > 1 { DispatchQueue.concurrentPerform(iterations: threads, execute: run) } else { run(0) }
                    }
                }
            }
            count = m * n
        }
    }

    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int,
                         transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
        [Double](unsafeUninitializedCapacity: m * n) { c, count in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in loop(pa, pb, m: m, k: k, n: n, transposeA, transposeB, into: c) }
            }
            count = m * n
        }
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

/// The number of cores, read once.
enum System {
    static let cores: Int = {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }()
}

#if canImport(Glibc)
import Glibc
#endif
