/// Loops for sums and extrema.
enum ReductionKernels {
    /// Sums `a` (of `shape`) over the dimensions where `keepShape` has size 1 and `shape` doesn't.
    /// Float sums accumulate in `Double`, so long sums lose no precision before the final rounding.
    static func sum<T: TensorScalar>(_ a: [T], _ shape: [Int], to keepShape: [Int]) -> [T] {
        let outCount = Shape.count(keepShape)
        if outCount == 1 {
            return [T(a.withUnsafeBufferPointer { p in total(p) { Double($0) } })]
        }
        var acc = [Double](repeating: 0, count: outCount)
        // Two common layouts get direct loops that add in the general loop's order (row-major, each
        // output in turn), so they give the same bits: trailing dimensions summed (a row norm), and
        // leading ones (a bias gradient).
        if keepShape.count == shape.count, let split = (0...shape.count).first(where: { d in
            (0..<d).allSatisfy { keepShape[$0] == shape[$0] } && (d..<shape.count).allSatisfy { keepShape[$0] == 1 }
        }) {
            let inner = Shape.count(Array(shape[split...]))
            a.withUnsafeBufferPointer { p in
                acc.withUnsafeMutableBufferPointer { q in
                    for o in 0..<outCount {
                        var sum = 0.0
                        for j in 0..<inner { sum += Double(p[o &* inner &+ j]) }
                        q[o] = sum
                    }
                }
            }
            return acc.map { T($0) }
        }
        if keepShape.count == shape.count, let split = (0...shape.count).first(where: { d in
            (0..<d).allSatisfy { keepShape[$0] == 1 } && (d..<shape.count).allSatisfy { keepShape[$0] == shape[$0] }
        }) {
            let outer = Shape.count(Array(shape[..<split]))
            a.withUnsafeBufferPointer { p in
                acc.withUnsafeMutableBufferPointer { q in
                    for i in 0..<outer {
                        let row = i &* outCount
                        for j in 0..<outCount { q[j] += Double(p[row &+ j]) }
                    }
                }
            }
            return acc.map { T($0) }
        }
        let so = Shape.broadcastStrides(keepShape, to: shape)
        let zero = [Int](repeating: 0, count: shape.count)
        a.withUnsafeBufferPointer { p in
            acc.withUnsafeMutableBufferPointer { q in
                Shape.forEachBroadcast(shape, so, zero) { i, o, _ in q[o] += Double(p[i]) }
            }
        }
        return acc.map { T($0) }
    }

    /// Elements per block of a long sum (see `total`).
    static let sumBlock = 1 << 15

    /// Σ f(x) accumulated in Double over four independent running sums: one sum would wait on the
    /// latency of every addition in turn; four keep the adder busy. Sums of at least two blocks are
    /// summed block by block (on several threads when there are enough blocks), then the block sums
    /// in order: blocks are fixed, not per thread, so the result is the same for any thread count.
    @inline(__always)
    static func total<T>(_ p: UnsafeBufferPointer<T>, _ f: (T) -> Double) -> Double {
        blockwise(p) { runningTotal($0, f) }
    }

    /// Σ x² (the 2-norm clipping takes every step), block by block as `total` sums, each block in C.
    static func sumOfSquares(_ p: UnsafeBufferPointer<Float>) -> Double { blockwise(p) { CKernels.sumOfSquares($0) } }
    static func sumOfSquares(_ p: UnsafeBufferPointer<Double>) -> Double { blockwise(p) { CKernels.sumOfSquares($0) } }

    /// `blockSum` of each `sumBlock`-long block (the last one ragged), added in order.
    @inline(__always)
    private static func blockwise<T>(_ p: UnsafeBufferPointer<T>, _ blockSum: (UnsafeBufferPointer<T>) -> Double) -> Double {
        let blocks = p.count / sumBlock
        guard blocks >= 2 else { return blockSum(p) }
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { out in
            Parallel.forEachRange(count: blocks, grain: 2) { range in
                for b in range {
                    let end = b == blocks - 1 ? p.count : (b + 1) * sumBlock
                    out[b] = blockSum(UnsafeBufferPointer(rebasing: p[(b * sumBlock)..<end]))
                }
            }
        }
        var sum = 0.0
        for x in partial { sum += x }
        return sum
    }

    @inline(__always)
    static func runningTotal<T>(_ p: UnsafeBufferPointer<T>, _ f: (T) -> Double) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        let n = p.count
        while i + 4 <= n {
            a0 += f(p[i]); a1 += f(p[i + 1]); a2 += f(p[i + 2]); a3 += f(p[i + 3])
            i += 4
        }
        while i < n { a0 += f(p[i]); i += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    /// The largest (or smallest) value along `dim` and the index of its first occurrence;
    /// a NaN wins, as in PyTorch.
    static func extremum<T: TensorScalar>(
        _ a: [T], _ shape: [Int], dim: Int, largest: Bool
    ) -> (values: [T], indices: [Int]) {
        let outer = Shape.count(Array(shape[..<dim]))
        let size = shape[dim]
        let inner = Shape.count(Array(shape[(dim + 1)...]))
        var values = [T](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        // An empty group has no extremum; callers that expose one refuse it first, and softmax
        // over an empty dimension only needs a value of the right shape.
        if size == 0 { return (values, indices) }
        a.withUnsafeBufferPointer { p in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = p[o * size * inner + i], at = 0
                    if !best.isNaN {
                        for k in 1..<max(size, 1) {
                            let x = p[(o * size + k) * inner + i]
                            if x.isNaN { best = x; at = k; break }
                            if largest ? x > best : x < best { best = x; at = k }
                        }
                    }
                    values[o * inner + i] = best
                    indices[o * inner + i] = at
                }
            }
        }
        return (values, indices)
    }
}
