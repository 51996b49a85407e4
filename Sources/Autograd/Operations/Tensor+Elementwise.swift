/// Elementwise functions and their derivatives. Functions whose derivative is easiest in terms of
/// their output (exp, tanh, sigmoid, sqrt, relu) save only the output, as PyTorch does; a recorded
/// backward pass (`createGraph`) reads it back attached to the function's own node, so second
/// derivatives flow through the function again instead of recomputing it.
extension Tensor {
    /// Applies `f` and records a node whose rule reads the saved output: `rule(g, y)`.
    private func outputSaving(_ f: UnaryFunction, name: String,
                              rule: @escaping (_ g: Tensor, _ y: Tensor) -> Tensor) -> Tensor {
        let storage = self.storage.map(dtype, { ElementwiseKernels.apply(f, $0) }, { ElementwiseKernels.apply(f, $0) })
        if dtype == .float16 { storage.roundToHalf() }
        return savingOutput(storage, name: name, rule: rule)
    }

    /// The output `storage` of a one-input elementwise operation (already computed, in this
    /// tensor's shape and dtype), recorded with a rule that reads it back: `rule(g, y)`.
    func savingOutput(_ storage: TensorStorage, name: String,
                      rule: @escaping (_ g: Tensor, _ y: Tensor) -> Tensor) -> Tensor {
        guard Tensor.needsDerivative(self) else { return Tensor(storage: storage, shape: shape, dtype: dtype) }
        let savedY = SavedTensor(output: storage, shape: shape, dtype: dtype, name: name)
        return Tensor.result(storage, shape, dtype, inputs: [self], name: name, saving: [savedY]) { g in
            [rule(g, try savedY.unpack())]
        }
    }

    public func exp() -> Tensor {
        outputSaving(.exp, name: "ExpBackward0") { g, y in g * y }
    }

    public func log() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.log, name: "LogBackward0", saving: [saved]) { g in [g / (try saved.unpack())] }
    }

    public func sqrt() -> Tensor {
        outputSaving(.sqrt, name: "SqrtBackward0") { g, y in g / (2 * y) }
    }

    public func sin() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.sin, name: "SinBackward0", saving: [saved]) { g in [g * (try saved.unpack()).cos()] }
    }

    public func cos() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.cos, name: "CosBackward0", saving: [saved]) { g in [-g * (try saved.unpack()).sin()] }
    }

    public func tanh() -> Tensor {
        outputSaving(.tanh, name: "TanhBackward0") { g, y in Tensor.tanhBackward(g, y) }
    }

    public func sigmoid() -> Tensor {
        outputSaving(.sigmoid, name: "SigmoidBackward0") { g, y in Tensor.sigmoidBackward(g, y) }
    }

    /// `max(x, 0)`. At 0 the gradient is 0, as PyTorch picks it.
    public func relu() -> Tensor {
        outputSaving(.relu, name: "ReluBackward0") { g, y in Tensor.thresholdBackward(g, y, threshold: 0) }
    }

    /// `|x|`. At 0 the gradient is 0 (the sign of 0).
    public func abs() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.abs, name: "AbsBackward0", saving: [saved]) { g in [g * (try saved.unpack()).sign()] }
    }

    /// -1, 0 or 1; its gradient is zero everywhere.
    public func sign() -> Tensor {
        unary(.sign, name: "SignBackward0") { g in [Tensor.zerosLike(g)] }
    }

    /// `1 / x`; saves its output (PyTorch: `-grad * (result * result)`).
    public func reciprocal() -> Tensor {
        outputSaving(.reciprocal, name: "ReciprocalBackward0") { g, y in -g * (y * y) }
    }

    /// Limits each element to `[min, max]`. The gradient passes only strictly inside the range:
    /// at a bound it is 0, as in the PyTorch release the course follows.
    public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor {
        let saved = SavedTensor(self)
        let name = min != nil && max == nil ? "ClampMinBackward0" : (max != nil && min == nil ? "ClampMaxBackward0" : "ClampBackward1")
        return unary(.clamp(min: min, max: max), name: name, saving: [saved]) { g in
            let x = try saved.unpack()
            var mask = Tensor.onesLike(x)
            if let min { mask = mask * x.constant(.greaterThan(min)) }
            if let max { mask = mask * x.constant(.lessThan(max)) }
            return [Tensor.masked(g, mask)]
        }
    }

    /// `x² ` spelled as a method, for readability in long expressions.
    public func square() -> Tensor { pow(2) }

    // MARK: Masks (no gradient)

    /// 1 where the element is finite, else 0 (`isfinite`).
    public func isFinite() -> Tensor { detach().constant(.isFinite) }
    /// 1 where the element is NaN, else 0 (`isnan`).
    public func isNaN() -> Tensor { detach().constant(.isNaN) }

    private func compare(_ f: BinaryFunction, _ other: Tensor) -> Tensor {
        noGrad { Tensor.binary(f, self.detach(), other.detach(), name: "") { _ in [] } }
    }

    /// Elementwise comparisons give masks: 1 where true, 0 where false. PyTorch gives a bool
    /// tensor; this library has only floating types, so a mask has the type of its operands.
    public func lt(_ other: Tensor) -> Tensor { compare(.lt, other) }
    public func le(_ other: Tensor) -> Tensor { compare(.le, other) }
    public func gt(_ other: Tensor) -> Tensor { compare(.gt, other) }
    public func ge(_ other: Tensor) -> Tensor { compare(.ge, other) }
    public func eq(_ other: Tensor) -> Tensor { compare(.eq, other) }
    public func ne(_ other: Tensor) -> Tensor { compare(.ne, other) }
    public func lt(_ s: Double) -> Tensor { detach().constant(.lessThan(s)) }
    public func le(_ s: Double) -> Tensor { detach().constant(.lessOrEqual(s)) }
    public func gt(_ s: Double) -> Tensor { detach().constant(.greaterThan(s)) }
    public func ge(_ s: Double) -> Tensor { detach().constant(.greaterOrEqual(s)) }
    public func eq(_ s: Double) -> Tensor { detach().constant(.equal(s)) }
    public func ne(_ s: Double) -> Tensor { detach().constant(.notEqual(s)) }

    public static func < (a: Tensor, b: Tensor) -> Tensor { a.lt(b) }
    public static func <= (a: Tensor, b: Tensor) -> Tensor { a.le(b) }
    public static func > (a: Tensor, b: Tensor) -> Tensor { a.gt(b) }
    public static func >= (a: Tensor, b: Tensor) -> Tensor { a.ge(b) }
    public static func < (a: Tensor, s: Double) -> Tensor { a.lt(s) }
    public static func <= (a: Tensor, s: Double) -> Tensor { a.le(s) }
    public static func > (a: Tensor, s: Double) -> Tensor { a.gt(s) }
    public static func >= (a: Tensor, s: Double) -> Tensor { a.ge(s) }

    /// `torch.where(condition, a, b)`: `a` where the mask is nonzero, else `b`, with broadcasting.
    /// The gradient goes to whichever input was chosen.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype)
        let shape = broadcastShape(broadcastShape(condition.shape, a.shape), b.shape)
        // In the tensors' own element types, without going through Double (norm's backward at a
        // zero norm runs one per step of a gradient penalty).
        let keep: [Bool] = condition.dtype == .float64
            ? ElementwiseKernels.expand(condition.storage.doubles, condition.shape, to: shape).map { $0 != 0 }
            : ElementwiseKernels.expand(condition.storage.floats, condition.shape, to: shape).map { $0 != 0 }
        let (x, y) = noGrad { (a.dtype == dtype ? a : a.detach().to(dtype), b.dtype == dtype ? b : b.detach().to(dtype)) }
        // Picking (rather than mask * a + (1 - mask) * b) keeps an inf or NaN in the branch not
        // taken out of the result.
        func pick<T>(_ x: [T], _ y: [T]) -> [T] {
            // A number on either side (a masked fill) is read as is rather than expanded.
            if x.count == 1 && keep.count != 1 {
                let (s, y) = (x[0], ElementwiseKernels.expand(y, b.shape, to: shape))
                return keep.indices.map { keep[$0] ? s : y[$0] }
            }
            if y.count == 1 && keep.count != 1 {
                let (x, s) = (ElementwiseKernels.expand(x, a.shape, to: shape), y[0])
                return keep.indices.map { keep[$0] ? x[$0] : s }
            }
            let x = ElementwiseKernels.expand(x, a.shape, to: shape), y = ElementwiseKernels.expand(y, b.shape, to: shape)
            return keep.indices.map { keep[$0] ? x[$0] : y[$0] }
        }
        let storage = dtype == .float64
            ? TensorStorage(doubles: pick(x.storage.doubles, y.storage.doubles))
            : TensorStorage(floats: pick(x.storage.floats, y.storage.floats))
        let (sa, sb) = (a.shape, b.shape)
        let saved = Tensor.needsDerivative(a, b)
            ? SavedTensor(Tensor(storage: dtype == .float64 ? TensorStorage(doubles: keep.map { $0 ? 1 : 0 })
                                                             : TensorStorage(floats: keep.map { $0 ? 1 : 0 }),
                                 shape: shape, dtype: dtype))
            : nil
        return result(storage, shape, dtype, inputs: [a, b], name: "WhereBackward0", saving: [saved]) { g in
            let maskTensor = try saved!.unpack()
            let zero = Tensor.zerosLike(g)
            return [Tensor.where(maskTensor, g, zero).sumTo(sa), Tensor.where(maskTensor, zero, g).sumTo(sb)]
        }
    }

    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Double) -> Tensor {
        Tensor.where(condition, a, Tensor.full(a.shape.isEmpty ? [] : [1], b, dtype: a.dtype))
    }

    /// Whether two tensors have the same shape and the same values (`torch.equal`).
    public func equal(_ other: Tensor) -> Bool { shape == other.shape && scalars == other.scalars }

    /// Whether every element is nonzero.
    public func all() -> Bool { scalars.allSatisfy { $0 != 0 } }
    /// Whether some element is nonzero.
    public func any() -> Bool { scalars.contains { $0 != 0 } }
}

/// The backward functions of tanh, sigmoid and relu as operations of their own, so that a recorded
/// backward pass is one node named as PyTorch names it (`TanhBackwardBackward0`, ...), with its
/// own derivative from PyTorch's derivatives.yaml.
extension Tensor {
    /// `g (1 − y²)`.
    static func tanhBackward(_ g: Tensor, _ y: Tensor) -> Tensor {
        let value = noGrad { g.detach() * (1 - y.detach() * y.detach()) }
        guard Tensor.needsDerivative(g, y) else { return value }
        let savedG = SavedTensor(g), savedY = SavedTensor(y)
        return result(value.storage, value.shape, value.dtype, inputs: [g, y], name: "TanhBackwardBackward0",
                      saving: [savedG, savedY]) { gg in
            let g = try savedG.unpack(), y = try savedY.unpack()
            return [tanhBackward(gg, y), gg * (-2 * y * g)]
        }
    }

    /// `g y (1 − y)`.
    static func sigmoidBackward(_ g: Tensor, _ y: Tensor) -> Tensor {
        let value = noGrad { g.detach() * (1 - y.detach()) * y.detach() }
        guard Tensor.needsDerivative(g, y) else { return value }
        let savedG = SavedTensor(g), savedY = SavedTensor(y)
        return result(value.storage, value.shape, value.dtype, inputs: [g, y], name: "SigmoidBackwardBackward0",
                      saving: [savedG, savedY]) { gg in
            let g = try savedG.unpack(), y = try savedY.unpack()
            return [sigmoidBackward(gg, y), gg * g * (-2 * y + 1)]
        }
    }

    /// The values of `thresholdBackward`, unrecorded. With `g` and `x` of one shape and dtype (every
    /// ReLU backward) it is one loop over the buffers, which vectorises; otherwise `where` with a mask,
    /// which broadcasts. Both give `x <= threshold ? +0 : g` element by element.
    private static func thresholdMasked(_ g: Tensor, _ x: Tensor, threshold: Double) -> Tensor {
        let n = g.count
        if g.shape == x.shape, g.dtype == x.dtype {
            if g.dtype == .float64, g.storage.doubles.count == n, x.storage.doubles.count == n {
                var out = [Double](repeating: 0, count: n)
                g.storage.doubles.withUnsafeBufferPointer { gp in
                    x.storage.doubles.withUnsafeBufferPointer { xp in
                        out.withUnsafeMutableBufferPointer { op in
                            // A select of bit masks rather than a branch: no mispredictions, and it vectorises.
                            for i in 0..<n {
                                let keep: UInt64 = xp[i] <= threshold ? 0 : .max
                                op[i] = Double(bitPattern: gp[i].bitPattern & keep)
                            }
                        }
                    }
                }
                return Tensor(storage: TensorStorage(doubles: out), shape: g.shape, dtype: g.dtype)
            }
            if g.dtype != .float64, g.storage.floats.count == n, x.storage.floats.count == n {
                let t = Float(threshold)
                var out = [Float](repeating: 0, count: n)
                g.storage.floats.withUnsafeBufferPointer { gp in
                    x.storage.floats.withUnsafeBufferPointer { xp in
                        out.withUnsafeMutableBufferPointer { op in
                            for i in 0..<n {
                                let keep: UInt32 = xp[i] <= t ? 0 : .max
                                op[i] = Float(bitPattern: gp[i].bitPattern & keep)
                            }
                        }
                    }
                }
                return Tensor(storage: TensorStorage(floats: out), shape: g.shape, dtype: g.dtype)
            }
        }
        let keep = x.detach().mapElements({ $0 <= Float(threshold) ? 0 : 1 }, { $0 <= threshold ? 0 : 1 })
        return noGrad { Tensor.where(keep, g.detach(), Tensor.zeros([], dtype: g.dtype)) }
    }

    /// `g` where `x > threshold`, else 0. Its derivative with respect to `x` is zero.
    static func thresholdBackward(_ g: Tensor, _ x: Tensor, threshold: Double) -> Tensor {
        // PyTorch's `x <= threshold ? 0 : g`: a NaN passes the gradient through.
        let value = thresholdMasked(g, x, threshold: threshold)
        guard Tensor.needsDerivative(g, x) else { return value }
        let savedX = SavedTensor(x)
        return result(value.storage, value.shape, value.dtype, inputs: [g, x], name: "ThresholdBackwardBackward0",
                      saving: [savedX]) { gg in
            [thresholdBackward(gg, try savedX.unpack(), threshold: threshold), Tensor.zerosLike(gg)]
        }
    }
}
