/// Matrix transposes in C (AVX2 8 × 8 register blocks on x86-64, cache-sized tiles elsewhere), split by
/// rows over threads for large matrices.
enum Transpose {
    /// Calls `body(first, last)` for runs of rows, in multiples of 32, one per thread.
    private static func byRows(_ rows: Int, cols: Int, _ body: (Int32, Int32) -> Void) {
        let blocks = (rows + 31) / 32
        Parallel.forEachRange(count: blocks, grain: max(1, (1 << 16) / max(1, 32 * cols))) { r in
            body(Int32(r.lowerBound * 32), Int32(min(rows, r.upperBound * 32)))
        }
    }

    /// `a` (rows × cols, row-major) transposed, or nil for element types the C kernels don't handle.
    static func matrix<T>(_ a: [T], rows: Int, cols: Int) -> [T]? {
        if T.self == Float.self {
            let f = unsafeBitCast(a, to: [Float].self)
            let out = [Float](unsafeUninitializedCapacity: f.count) { o, n in
                f.withUnsafeBufferPointer { src in
                    byRows(rows, cols: cols) { CKernels.transpose(rows: rows, cols: cols, src.baseAddress, o.baseAddress, $0, $1) }
                }
                n = f.count
            }
            return unsafeBitCast(out, to: [T].self)
        }
        if T.self == Double.self {
            let d = unsafeBitCast(a, to: [Double].self)
            let out = [Double](unsafeUninitializedCapacity: d.count) { o, n in
                d.withUnsafeBufferPointer { src in
                    byRows(rows, cols: cols) { CKernels.transpose(rows: rows, cols: cols, src.baseAddress, o.baseAddress, $0, $1) }
                }
                n = d.count
            }
            return unsafeBitCast(out, to: [T].self)
        }
        return nil
    }
}
