@_implementationOnly import AutogradKernels

/// Matrix transposes in C (AVX2 8 × 8 register blocks on x86-64, cache-sized tiles elsewhere).
enum Transpose {
    /// `a` (rows × cols, row-major) transposed, or nil for element types the C kernels don't handle.
    static func matrix<T>(_ a: [T], rows: Int, cols: Int) -> [T]? {
        if T.self == Float.self {
            let f = unsafeBitCast(a, to: [Float].self)
            let out = [Float](unsafeUninitializedCapacity: f.count) { o, n in
                f.withUnsafeBufferPointer { gl_transpose_f32(Int32(rows), Int32(cols), $0.baseAddress, o.baseAddress) }
                n = f.count
            }
            return unsafeBitCast(out, to: [T].self)
        }
        if T.self == Double.self {
            let d = unsafeBitCast(a, to: [Double].self)
            let out = [Double](unsafeUninitializedCapacity: d.count) { o, n in
                d.withUnsafeBufferPointer { gl_transpose_f64(Int32(rows), Int32(cols), $0.baseAddress, o.baseAddress) }
                n = d.count
            }
            return unsafeBitCast(out, to: [T].self)
        }
        return nil
    }
}
