/// Elementwise functions and their derivatives. Functions whose derivative is easiest in terms of
/// their output (exp, tanh, sigmoid, sqrt) save the output; when the backward pass is itself being
/// recorded (`createGraph`) they recompute it from the input, so second derivatives are right.
extension Tensor {
    /// The output of `f`, detached, for a backward rule to reuse; recomputed differentiably when
    /// the backward pass is recorded.
    private func outputSaving(_ f: UnaryFunction, name: String,
                              rule: @escaping (_ g: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor,
                              recompute: @escaping (Tensor) -> Tensor) -> Tensor {
        let storage = self.storage.map(dtype, { ElementwiseKernels.apply(f, $0) }, { ElementwiseKernels.apply(f, $0) })
        if dtype == .float16 { storage.roundToHalf() }
        let savedX = SavedTensor(self)
        let savedY = SavedTensor(Tensor(storage: storage, shape: shape, dtype: dtype))
        return Tensor.result(storage, shape, dtype, inputs: [self], name: name) { g in
            let x = try savedX.unpack()
            let y = isGradEnabled ? recompute(x) : try savedY.unpack()
            return [rule(g, x, y)]
        }
    }

    public func exp() -> Tensor {
        outputSaving(.exp, name: "ExpBackward0", rule: { g, _, y in g * y }, recompute: { $0.exp() })
    }

    public func log() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.log, name: "LogBackward0") { g in [g / (try saved.unpack())] }
    }

    public func sqrt() -> Tensor {
        outputSaving(.sqrt, name: "SqrtBackward0", rule: { g, _, y in g / (2 * y) }, recompute: { $0.sqrt() })
    }

    public func sin() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.sin, name: "SinBackward0") { g in [g * (try saved.unpack()).cos()] }
    }

    public func cos() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.cos, name: "CosBackward0") { g in [-g * (try saved.unpack()).sin()] }
    }

    public func tanh() -> Tensor {
        outputSaving(.tanh, name: "TanhBackward0", rule: { g, _, y in g * (1 - y * y) }, recompute: { $0.tanh() })
    }

    public func sigmoid() -> Tensor {
        outputSaving(.sigmoid, name: "SigmoidBackward0", rule: { g, _, y in g * y * (1 - y) }, recompute: { $0.sigmoid() })
    }

    /// `max(x, 0)`. At 0 the gradient is 0, as PyTorch picks it.
    public func relu() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.relu, name: "ReluBackward0") { g in
            // PyTorch zeroes the gradient where x <= 0, so at a NaN input it passes through.
            [Tensor.masked(g, 1 - (try saved.unpack()).constant(.lessOrEqual(0)))]
        }
    }

    /// `|x|`. At 0 the gradient is 0 (the sign of 0).
    public func abs() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.abs, name: "AbsBackward0") { g in [g * (try saved.unpack()).sign()] }
    }

    /// -1, 0 or 1; its gradient is zero everywhere.
    public func sign() -> Tensor {
        unary(.sign, name: "SignBackward0", savesTensors: false) { g in [Tensor.zerosLike(g)] }
    }

    public func reciprocal() -> Tensor {
        let saved = SavedTensor(self)
        return unary(.reciprocal, name: "ReciprocalBackward0") { g in
            // PyTorch's -g · (1/x)², whose own derivative is infinite (not NaN) at 0.
            let r = (try saved.unpack()).reciprocal()
            return [-g * (r * r)]
        }
    }

    /// Limits each element to `[min, max]`. The gradient passes only strictly inside the range:
    /// at a bound it is 0, as in the PyTorch release the course follows.
    public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor {
        let saved = SavedTensor(self)
        let name = min != nil && max == nil ? "ClampMinBackward0" : (max != nil && min == nil ? "ClampMaxBackward0" : "ClampBackward1")
        return unary(.clamp(min: min, max: max), name: name) { g in
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
        let mask = condition.detach().ne(0).expandedScalars(to: shape)
        let x = a.expandedScalars(to: shape), y = b.expandedScalars(to: shape)
        // Picking (rather than mask * a + (1 - mask) * b) keeps an inf or NaN in the branch not
        // taken out of the result.
        let values = mask.indices.map { mask[$0] != 0 ? x[$0] : y[$0] }
        let maskTensor = Tensor(mask, shape: shape, dtype: dtype)
        let (sa, sb) = (a.shape, b.shape)
        return result(TensorStorage(values, dtype: dtype), shape, dtype, inputs: [a, b], name: "WhereBackward0") { g in
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

