/// `+ - * /`, negation and powers, with broadcasting. Scalars behave like Python numbers in
/// PyTorch: they take the tensor's type and record no input of their own.

precedencegroup ExponentiationPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}

/// `x ** 2` is Python's `x**2`. Note that Swift applies a prefix minus first: `-x ** 2` is
/// `(-x) ** 2`, unlike Python.
infix operator ** : ExponentiationPrecedence

extension Tensor {
    /// Applies `f` elementwise with broadcasting and records `name`/`rule` for backward.
    static func binary(_ f: BinaryFunction, _ a: Tensor, _ b: Tensor, name: String, saving: [SavedTensor?] = [],
                       rule: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype)
        let a = a.dtype == dtype ? a : a.to(dtype), b = b.dtype == dtype ? b : b.to(dtype)
        let outShape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape)
        let storage = a.storage.zip(b.storage, dtype,
            { ElementwiseKernels.apply(f, $0, a.shape, $1, b.shape, outShape: outShape) },
            { ElementwiseKernels.apply(f, $0, a.shape, $1, b.shape, outShape: outShape) })
        return result(storage, outShape, dtype, inputs: [a, b], name: name, saving: saving, rule: rule)
    }

    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        guard let shape = Shape.broadcast(a, b) else { preconditionFailure(Shape.mismatchMessage(a, b)) }
        return shape
    }

    /// Applies `f` between each element and a scalar.
    func scalarOp(_ f: BinaryFunction, _ s: Double, scalarFirst: Bool = false, name: String, saving: [SavedTensor?] = [],
                  rule: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        let storage = self.storage.map(dtype,
            { ElementwiseKernels.apply(f, $0, scalar: s, scalarFirst: scalarFirst) },
            { ElementwiseKernels.apply(f, $0, scalar: s, scalarFirst: scalarFirst) })
        return Tensor.result(storage, shape, dtype, inputs: [self], name: name, saving: saving, rule: rule)
    }

    /// Applies a one-input elementwise function.
    func unary(_ f: UnaryFunction, name: String, saving: [SavedTensor?] = [],
               rule: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        let storage = self.storage.map(dtype, { ElementwiseKernels.apply(f, $0) }, { ElementwiseKernels.apply(f, $0) })
        return Tensor.result(storage, shape, dtype, inputs: [self], name: name, saving: saving, rule: rule)
    }

    /// The same function with no graph: masks and other values backward rules need.
    func constant(_ f: UnaryFunction) -> Tensor {
        let storage = self.storage.map(dtype, { ElementwiseKernels.apply(f, $0) }, { ElementwiseKernels.apply(f, $0) })
        if dtype == .float16 { storage.roundToHalf() }
        return Tensor(storage: storage, shape: shape, dtype: dtype)
    }

    // MARK: Tensor with tensor

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return binary(.add, a, b, name: "AddBackward0") { g in [g.sumTo(sa), g.sumTo(sb)] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return binary(.sub, a, b, name: "SubBackward0") { g in [g.sumTo(sa), (-g).sumTo(sb)] }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let savedA = b.requiresGrad ? SavedTensor(a) : nil, savedB = a.requiresGrad ? SavedTensor(b) : nil
        let (sa, sb) = (a.shape, b.shape)
        return binary(.mul, a, b, name: "MulBackward0", saving: [savedA, savedB]) { g in
            [try savedB.map { (g * (try $0.unpack())).sumTo(sa) },
             try savedA.map { (g * (try $0.unpack())).sumTo(sb) }]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let savedA = b.requiresGrad ? SavedTensor(a) : nil, savedB = SavedTensor(b)
        let (sa, sb) = (a.shape, b.shape)
        // PyTorch's div_tensor_other_backward: -g · ((a / b) / b), whose own derivative (and the
        // NaN and inf it makes where b is 0) is what a second pass differentiates.
        return binary(.div, a, b, name: "DivBackward0", saving: [savedA, savedB]) { g in
            let b = try savedB.unpack()
            return [(g / b).sumTo(sa),
                    try savedA.map { (-g * ((try $0.unpack()) / b / b)).sumTo(sb) }]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        a.unary(.neg, name: "NegBackward0") { g in [-g] }
    }

    /// `a ** b` with a tensor exponent (`PowBackward1`). Saves both inputs and its output, as
    /// PyTorch does. Where the exponent is 0 the base's gradient is 0, even at a base of 0.
    public static func ** (a: Tensor, b: Tensor) -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype)
        let a = a.dtype == dtype ? a : a.to(dtype), b = b.dtype == dtype ? b : b.to(dtype)
        let outShape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape)
        let storage = a.storage.zip(b.storage, dtype,
            { ElementwiseKernels.apply(.pow, $0, a.shape, $1, b.shape, outShape: outShape) },
            { ElementwiseKernels.apply(.pow, $0, a.shape, $1, b.shape, outShape: outShape) })
        guard Tensor.needsDerivative(a, b) else { return result(storage, outShape, dtype, inputs: [], name: "") { _ in [] } }
        let savedA = SavedTensor(a), savedB = SavedTensor(b)
        let savedOut = SavedTensor(output: storage, shape: outShape, dtype: dtype, name: "PowBackward1")
        let (sa, sb) = (a.shape, b.shape)
        // Forward mode runs the rule for an input with a tangent too.
        let (needA, needB) = (a.requiresGrad || a.tangent != nil, b.requiresGrad || b.tangent != nil)
        return result(storage, outShape, dtype, inputs: [a, b], name: "PowBackward1", saving: [savedA, savedB, savedOut]) { g in
            let a = try savedA.unpack(), b = try savedB.unpack()
            let zero = Tensor.zeros([], dtype: g.dtype)
            let da = needA ? Tensor.where(b.eq(0), zero, g * (b * a ** (b - 1))).sumTo(sa) : nil
            // d/db a^b = a^b log a; PyTorch defines it as 0 where a == 0 and b >= 0.
            let db = needB ? (g * Tensor.where(b.ge(0) * a.eq(0), zero, (try savedOut.unpack()) * a.log())).sumTo(sb) : nil
            return [da, db]
        }
    }

    // MARK: Tensor with scalar

    public static func + (a: Tensor, s: Double) -> Tensor {
        a.scalarOp(.add, s, name: "AddBackward0") { g in [g] }
    }

    public static func + (s: Double, a: Tensor) -> Tensor { a + s }

    public static func - (a: Tensor, s: Double) -> Tensor {
        a.scalarOp(.sub, s, name: "SubBackward0") { g in [g] }
    }

    public static func - (s: Double, a: Tensor) -> Tensor {
        a.scalarOp(.sub, s, scalarFirst: true, name: "RsubBackward1") { g in [-g] }
    }

    public static func * (a: Tensor, s: Double) -> Tensor {
        // Python passes the number as a 0-d tensor and PyTorch saves it: the graph can't be run
        // backward twice without retainGraph, exactly as `x * y`.
        a.scalarOp(.mul, s, name: "MulBackward0", saving: [SavedTensor(scalar: s, dtype: a.dtype)]) { g in [g * s] }
    }

    public static func * (s: Double, a: Tensor) -> Tensor { a * s }

    public static func / (a: Tensor, s: Double) -> Tensor {
        a.scalarOp(.div, s, name: "DivBackward0", saving: [SavedTensor(scalar: s, dtype: a.dtype)]) { g in [g / s] }
    }

    /// PyTorch computes `s / a` as `a.reciprocal() * s`, so does this library: two nodes, the
    /// last a multiplication, and the same rounding.
    public static func / (s: Double, a: Tensor) -> Tensor { a.reciprocal() * s }

    /// `x ** 2`: a scalar exponent (`PowBackward0`).
    public static func ** (a: Tensor, e: Double) -> Tensor { a.pow(e) }

    /// `2 ** x`: a scalar base (`PowBackward2`). Saves the exponent and the output.
    public static func ** (base: Double, a: Tensor) -> Tensor {
        let storage = a.storage.map(a.dtype, { ElementwiseKernels.apply(.rpow(base), $0) },
                                    { ElementwiseKernels.apply(.rpow(base), $0) })
        guard Tensor.needsDerivative(a) else { return result(storage, a.shape, a.dtype, inputs: [], name: "") { _ in [] } }
        let saved = SavedTensor(a)
        let savedOut = SavedTensor(output: storage, shape: a.shape, dtype: a.dtype, name: "PowBackward2")
        return result(storage, a.shape, a.dtype, inputs: [a], name: "PowBackward2", saving: [saved, savedOut]) { g in
            _ = try saved.unpack()
            // PyTorch: grad * result * log(base), and 0 where base == 0 and the exponent >= 0.
            let y = try savedOut.unpack()
            if base == 0 {
                let x = try saved.unpack()
                return [g * Tensor.where(x.ge(0), Tensor.zeros([], dtype: g.dtype), y * Foundation.log(base))]
            }
            return [g * (y * Foundation.log(base))]
        }
    }

    /// Each element raised to `exponent` (`pow`). A zero exponent has a zero gradient.
    public func pow(_ exponent: Double) -> Tensor {
        let saved = SavedTensor(self)
        return unary(.pow(exponent), name: "PowBackward0", saving: [saved]) { g in
            if exponent == 0 { return [Tensor.zerosLike(g)] }
            return [g * (exponent * (try saved.unpack()).pow(exponent - 1))]
        }
    }

    public func pow(_ exponent: Tensor) -> Tensor { self ** exponent }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func += (a: inout Tensor, s: Double) { a = a + s }
    public static func *= (a: inout Tensor, s: Double) { a = a * s }
}

import Foundation
