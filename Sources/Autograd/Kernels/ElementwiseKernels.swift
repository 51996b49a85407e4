import Foundation

/// Elementwise functions of one tensor. Each case is one loop in `ElementwiseKernels.unary`.
enum UnaryFunction {
    case neg, exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs, sign, reciprocal
    case isFinite, isNaN
    case clamp(min: Double?, max: Double?)
    /// `x ** exponent` for a scalar exponent.
    case pow(Double)
    /// `base ** x` for a scalar base.
    case rpow(Double)
    /// Masks (1 where true) used by backward rules at kinks.
    case greaterThan(Double), lessThan(Double), greaterOrEqual(Double), lessOrEqual(Double), equal(Double), notEqual(Double)
}

/// Elementwise functions of two tensors, broadcast, or of a tensor and a scalar.
enum BinaryFunction {
    case add, sub, mul, div, pow, maximum, minimum
    case lt, le, gt, ge, eq, ne
}

enum ElementwiseKernels {
    /// Elementwise loops over at least twice this many elements are split over threads (each
    /// element is computed alone, so the split changes no result).
    static let elementwiseGrain = 1 << 16

    @inline(__always)
    static func apply<T: TensorScalar>(_ f: UnaryFunction, _ a: [T]) -> [T] {
        func map(_ g: (T) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: a.count) { out, n in
                a.withUnsafeBufferPointer { src in
                    let out = out  // a local copy: stores through it can't move it, so loops vectorise
                    // One thread: a split here keeps the optimiser from inlining `g` into the loop,
                    // which costs more than a second thread gains on the sizes this library sees.
                    for i in 0..<src.count { out[i] = g(src[i]) }
                }
                n = a.count
            }
        }
        func mask(_ g: (T) -> Bool) -> [T] { map { g($0) ? 1 : 0 } }
        switch f {
        case .neg: return map { -$0 }
        case .exp: return map { T.exp($0) }
        case .log: return map { T.log($0) }
        case .sqrt: return map { $0.squareRoot() }
        case .sin: return map { T.sin($0) }
        case .cos: return map { T.cos($0) }
        case .tanh: return map { T.tanh($0) }
        case .sigmoid: return map { 1 / (1 + T.exp(-$0)) }
        case .relu: return map { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
        case .abs: return map { Swift.abs($0) }
        case .sign: return map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }  // sign(NaN) is 0 in PyTorch 2.15
        case .reciprocal: return map { 1 / $0 }
        case .isFinite: return mask { $0.isFinite }
        case .isNaN: return mask { $0.isNaN }
        case .clamp(let lo, let hi):
            let l = lo.map { T($0) }, h = hi.map { T($0) }
            return map { x in
                if x.isNaN { return x }
                var y = x
                if let l, y < l { y = l }
                if let h, y > h { y = h }
                return y
            }
        case .pow(let e):
            // PyTorch's special cases, which differ from pow() at infinities and signed zeros
            // (sqrt(-inf) is NaN where pow(-inf, 0.5) is inf).
            switch e {
            case 0: return map { _ in 1 }
            case 1: return a
            case 2: return map { $0 * $0 }
            case 3: return map { $0 * $0 * $0 }
            case -2: return map { 1 / ($0 * $0) }
            case 0.5: return map { $0.squareRoot() }
            case -0.5: return map { 1 / $0.squareRoot() }
            case -1: return map { 1 / $0 }
            default:
                let t = T(e)
                return map { T.pow($0, t) }
            }
        case .rpow(let b):
            let t = T(b)
            return map { T.pow(t, $0) }
        case .greaterThan(let s): let t = T(s); return mask { $0 > t }
        case .lessThan(let s): let t = T(s); return mask { $0 < t }
        case .greaterOrEqual(let s): let t = T(s); return mask { $0 >= t }
        case .lessOrEqual(let s): let t = T(s); return mask { $0 <= t }
        case .equal(let s): let t = T(s); return mask { $0 == t }
        case .notEqual(let s): let t = T(s); return mask { $0 != t }
        }
    }

    @inline(__always)
    static func combine<T: TensorScalar>(_ f: BinaryFunction, _ x: T, _ y: T) -> T {
        switch f {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .pow: return T.pow(x, y)
        case .maximum: return x.isNaN || y.isNaN ? T.nan : Swift.max(x, y)
        case .minimum: return x.isNaN || y.isNaN ? T.nan : Swift.min(x, y)
        case .lt: return x < y ? 1 : 0
        case .le: return x <= y ? 1 : 0
        case .gt: return x > y ? 1 : 0
        case .ge: return x >= y ? 1 : 0
        case .eq: return x == y ? 1 : 0
        case .ne: return x != y ? 1 : 0
        }
    }

    /// `f(a, b)` with NumPy broadcasting; the common same-shape and scalar cases get tight loops.
    static func apply<T: TensorScalar>(
        _ f: BinaryFunction, _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], outShape: [Int]
    ) -> [T] {
        let total = Shape.count(outShape)
        return [T](unsafeUninitializedCapacity: total) { out, n in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let out = out  // a local copy: stores through it can't move it, so loops vectorise
                    if pa.count == total && pb.count == total && total < 2 * elementwiseGrain {
                        switch f {
                        case .add: for i in 0..<total { out[i] = pa[i] + pb[i] }
                        case .sub: for i in 0..<total { out[i] = pa[i] - pb[i] }
                        case .mul: for i in 0..<total { out[i] = pa[i] * pb[i] }
                        case .div: for i in 0..<total { out[i] = pa[i] / pb[i] }
                        default: for i in 0..<total { out[i] = combine(f, pa[i], pb[i]) }
                        }
                    } else if pa.count == total && pb.count == total {
                        Parallel.forEachRange(count: total, grain: elementwiseGrain) { r in
                            switch f {
                            case .add: for i in r { out[i] = pa[i] + pb[i] }
                            case .sub: for i in r { out[i] = pa[i] - pb[i] }
                            case .mul: for i in r { out[i] = pa[i] * pb[i] }
                            case .div: for i in r { out[i] = pa[i] / pb[i] }
                            default: for i in r { out[i] = combine(f, pa[i], pb[i]) }
                            }
                        }
                    } else if pb.count == 1 && pa.count == total && total < 2 * elementwiseGrain {
                        let s = pb[0]
                        switch f {
                        case .add: for i in 0..<total { out[i] = pa[i] + s }
                        case .mul: for i in 0..<total { out[i] = pa[i] * s }
                        default: for i in 0..<total { out[i] = combine(f, pa[i], s) }
                        }
                    } else if pb.count == 1 && pa.count == total {
                        let s = pb[0]
                        Parallel.forEachRange(count: total, grain: elementwiseGrain) { r in
                            switch f {
                            case .add: for i in r { out[i] = pa[i] + s }
                            case .mul: for i in r { out[i] = pa[i] * s }
                            default: for i in r { out[i] = combine(f, pa[i], s) }
                            }
                        }
                    } else if pa.count == 1 && pb.count == total {
                        let s = pa[0]
                        for i in 0..<total { out[i] = combine(f, s, pb[i]) }
                    } else if let last = outShape.last, last > 0, pa.count == total || pb.count == total,
                              let other = broadcastRun(pa.count == total ? bShape : aShape, outShape) {
                        // One full operand and one that is a row repeated down the last dimension's
                        // rows, or a column repeated across it (a bias, a per-row norm).
                        let rows = total / last
                        for i in 0..<rows {
                            let row = i &* last
                            switch (other, pa.count == total) {
                            case (.column, true):
                                let s = pb[i]
                                switch f {
                                case .mul: for j in 0..<last { out[row &+ j] = pa[row &+ j] * s }
                                case .div: for j in 0..<last { out[row &+ j] = pa[row &+ j] / s }
                                default: for j in 0..<last { out[row &+ j] = combine(f, pa[row &+ j], s) }
                                }
                            case (.column, false):
                                let s = pa[i]
                                for j in 0..<last { out[row &+ j] = combine(f, s, pb[row &+ j]) }
                            case (.row, true):
                                switch f {
                                case .add: for j in 0..<last { out[row &+ j] = pa[row &+ j] + pb[j] }
                                case .mul: for j in 0..<last { out[row &+ j] = pa[row &+ j] * pb[j] }
                                default: for j in 0..<last { out[row &+ j] = combine(f, pa[row &+ j], pb[j]) }
                                }
                            case (.row, false):
                                for j in 0..<last { out[row &+ j] = combine(f, pa[j], pb[row &+ j]) }
                            }
                        }
                    } else {
                        let sa = Shape.broadcastStrides(aShape, to: outShape)
                        let sb = Shape.broadcastStrides(bShape, to: outShape)
                        Shape.forEachBroadcast(outShape, sa, sb) { o, i, j in
                            out[o] = combine(f, pa[i], pb[j])
                        }
                    }
                }
            }
            n = total
        }
    }

    enum BroadcastRun { case row, column }

    /// Whether `shape` broadcast to `target` is a row (the last dimension, repeated for every row)
    /// or a column (one value per row of the last dimension), ignoring leading 1s.
    static func broadcastRun(_ shape: [Int], _ target: [Int]) -> BroadcastRun? {
        guard let last = target.last, shape.count <= target.count else { return nil }
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        if padded.last == last && padded.dropLast().allSatisfy({ $0 == 1 }) { return .row }
        if padded.last == 1 && Array(padded.dropLast()) == Array(target.dropLast()) { return .column }
        return nil
    }

    /// `f(a, s)` or `f(s, a)` for a scalar `s` (a Python number in PyTorch: it takes the tensor's type).
    static func apply<T: TensorScalar>(_ f: BinaryFunction, _ a: [T], scalar: Double, scalarFirst: Bool) -> [T] {
        let s = T(scalar)
        return [T](unsafeUninitializedCapacity: a.count) { out, n in
            a.withUnsafeBufferPointer { pa in
                let out = out  // a local copy: stores through it can't move it, so loops vectorise
                if scalarFirst {
                    for i in 0..<pa.count { out[i] = combine(f, s, pa[i]) }
                } else {
                    switch f {
                    case .add: for i in 0..<pa.count { out[i] = pa[i] + s }
                    case .mul: for i in 0..<pa.count { out[i] = pa[i] * s }
                    default: for i in 0..<pa.count { out[i] = combine(f, pa[i], s) }
                    }
                }
            }
            n = a.count
        }
    }

    /// Reads `a` (of `shape`) as the broadcast `target` shape, materialising the copy.
    static func expand<T>(_ a: [T], _ shape: [Int], to target: [Int]) -> [T] {
        let total = Shape.count(target)
        if a.count == total { return a }
        let sa = Shape.broadcastStrides(shape, to: target)
        let zero = [Int](repeating: 0, count: target.count)
        return [T](unsafeUninitializedCapacity: total) { out, n in
            a.withUnsafeBufferPointer { pa in
                Shape.forEachBroadcast(target, sa, zero) { o, i, _ in out.initializeElement(at: o, to: pa[i]) }
            }
            n = total
        }
    }
}
