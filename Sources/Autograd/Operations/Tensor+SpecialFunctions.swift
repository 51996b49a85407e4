import Foundation

/// Elementwise functions beyond the basic ones: `log1p`, `expm1`, `rsqrt`, `erf`, `atan2`,
/// `maximum`/`minimum`, `clamp` with tensor bounds, and the activations `leakyRelu`, `gelu`,
/// `softplus`, `silu` and `logSigmoid`.
///
/// Each backward rule is written with differentiable operations, so a backward pass recorded with
/// `createGraph` gives second (and higher) derivatives. Values at kinks and ties are PyTorch's.
extension Tensor {
    /// `f` applied to every element, recording nothing (the values an operation returns).
    func mapElements(_ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
        let s = dtype == .float64 ? TensorStorage(doubles: storage.doubles.map(f64))
                                  : TensorStorage(floats: storage.floats.map(f32))
        if dtype == .float16 { s.roundToHalf() }
        return Tensor(storage: s, shape: shape, dtype: dtype)
    }

    /// A one-input elementwise operation whose backward rule reads the input: `rule(g, x)`.
    func elementwise(name: String, _ f32: (Float) -> Float, _ f64: (Double) -> Double,
                     rule: @escaping (_ g: Tensor, _ x: Tensor) -> Tensor) -> Tensor {
        let value = mapElements(f32, f64)
        // Forward mode runs the rule too, recorded or not.
        let saved = Tensor.needsDerivative(self) ? SavedTensor(self) : nil
        return Tensor.result(value.storage, shape, dtype, inputs: [self], name: name, saving: [saved]) { g in
            [rule(g, try saved!.unpack())]
        }
    }

    /// A one-input elementwise operation whose backward rule reads the output: `rule(g, y)`.
    /// Under `createGraph` the output is read as the recorded tensor itself, so its hooks fire in
    /// the second pass too, as with PyTorch's saved outputs.
    func elementwiseSavingOutput(name: String, _ f32: (Float) -> Float, _ f64: (Double) -> Double,
                                 rule: @escaping (_ g: Tensor, _ y: Tensor) -> Tensor) -> Tensor {
        savingOutput(mapElements(f32, f64).storage, name: name, rule: rule)
    }

    /// An elementwise backward `g · d1(x)` recorded as one step named as PyTorch names it
    /// (`GeluBackwardBackward0`): its derivatives are `d1(x)` for `g` and `g · d2(x)` for `x`, both
    /// differentiable, so higher orders work too. Recorded whenever `x` requires grad, so the first
    /// gradient requires grad as in PyTorch even where `d2` is zero.
    static func derivativeStep(_ g: Tensor, _ x: Tensor, name: String,
                               d1: @escaping (Tensor) -> Tensor, d2: ((Tensor) -> Tensor)?) -> Tensor {
        let value = noGrad { g.detach() * d1(x.detach()) }
        // PyTorch's node saves the incoming gradient and the input.
        let keep = Tensor.needsDerivative(g, x)
        let savedG = keep ? SavedTensor(g) : nil, savedX = keep ? SavedTensor(x) : nil
        return Tensor.result(value.storage, value.shape, value.dtype, inputs: [g, x], name: name,
                             saving: [savedG, savedX]) { gg in
            let g = try savedG!.unpack(), x = try savedX!.unpack()
            // No second derivative (a piecewise linear function): zeros, as PyTorch's
            // `zeros_like(grad)`, not gg · 0, which an infinite gg would turn into NaN.
            return [gg * d1(x), d2.map { gg * g * $0(x) } ?? Tensor.zerosLike(gg)]
        }
    }

    /// `log(1 + x)`, accurate for small `x` (`Log1PBackward0`).
    public func log1p() -> Tensor {
        elementwise(name: "Log1PBackward0", { Foundation.log1p($0) }, { Foundation.log1p($0) }) { g, x in g / (x + 1) }
    }

    /// `exp(x) - 1`, accurate for small `x` (`Expm1Backward0`).
    public func expm1() -> Tensor {
        elementwiseSavingOutput(name: "Expm1Backward0", { Foundation.expm1($0) }, { Foundation.expm1($0) }) { g, y in g * (y + 1) }
    }

    /// `1 / sqrt(x)` (`RsqrtBackward0`); its derivative is `-rsqrt(x)³ / 2`.
    public func rsqrt() -> Tensor {
        elementwiseSavingOutput(name: "RsqrtBackward0", { 1 / $0.squareRoot() }, { 1 / $0.squareRoot() }) { g, y in
            -0.5 * g * y.pow(3)
        }
    }

    /// The error function (`ErfBackward0`); its derivative is `2/√π · exp(-x²)`.
    public func erf() -> Tensor {
        elementwise(name: "ErfBackward0", { Foundation.erf($0) }, { Foundation.erf($0) }) { g, x in
            g * (2 / Double.pi.squareRoot()) * (-(x * x)).exp()
        }
    }

    /// `max(x, 0) + slope · min(x, 0)` (`LeakyReluBackward0`): the gradient is 1 above 0 and
    /// `negativeSlope` at or below it, as in PyTorch.
    public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
        let s32 = Float(negativeSlope)
        return elementwise(name: "LeakyReluBackward0", { $0 > 0 ? $0 : $0 * s32 }, { $0 > 0 ? $0 : $0 * negativeSlope }) { g, x in
            let slopes = x.mapElements({ $0 > 0 ? 1 : s32 }, { $0 > 0 ? 1 : negativeSlope })
            return Tensor.derivativeStep(g, x, name: "LeakyReluBackwardBackward0", d1: { _ in slopes }, d2: nil)
        }
    }

    /// How `gelu` computes the Gaussian CDF: exactly with `erf`, or with PyTorch's tanh formula.
    public enum GeluApproximation: String, Sendable {
        /// `x · Φ(x)` with the exact Gaussian CDF (PyTorch's default, `approximate='none'`).
        case none
        /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (`approximate='tanh'`).
        case tanh
    }

    /// `x · Φ(x)`, the Gaussian error linear unit (`GeluBackward0`).
    public func gelu(approximate: GeluApproximation = .none) -> Tensor {
        let sqrtHalf = 0.5.squareRoot(), beta = (2 / Double.pi).squareRoot(), kappa = 0.044715
        switch approximate {
        case .none:
            return elementwise(name: "GeluBackward0",
                               { $0 * 0.5 * (1 + Foundation.erf($0 * Float(sqrtHalf))) },
                               { $0 * 0.5 * (1 + Foundation.erf($0 * sqrtHalf)) }) { g, x in
                let pdf: (Tensor) -> Tensor = { x in (-0.5 * (x * x)).exp() * (1 / (2 * Double.pi).squareRoot()) }
                return Tensor.derivativeStep(g, x, name: "GeluBackwardBackward0",
                                             d1: { x in 0.5 * (1 + (x * sqrtHalf).erf()) + x * pdf(x) },
                                             d2: { x in pdf(x) * (2 - x * x) })
            }
        case .tanh:
            func f<T: BinaryFloatingPoint & ElementaryMath>(_ x: T) -> T {
                0.5 * x * (1 + T.tanhOf(T(beta) * (x + T(kappa) * x * x * x)))
            }
            return elementwise(name: "GeluBackward0", f, f) { g, x in
                // With t = tanh(u), u = β(x + κx³): d1 = (1 + t)/2 + x (1 - t²) u'/2 and
                // d2 = (1 - t²) (u' - x t u'² + x u''/2).
                let parts: (Tensor) -> (t: Tensor, du: Tensor) = { x in
                    ((beta * (x + kappa * x * x * x)).tanh(), beta * (1 + 3 * kappa * x * x))
                }
                return Tensor.derivativeStep(g, x, name: "GeluBackwardBackward0", d1: { x in
                    let (t, du) = parts(x)
                    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
                }, d2: { x in
                    let (t, du) = parts(x)
                    return (1 - t * t) * (du - x * t * du * du + 0.5 * x * (6 * beta * kappa * x))
                })
            }
        }
    }

    /// `log(1 + exp(β x)) / β`, and `x` itself where `β x > threshold` (`SoftplusBackward0`).
    public func softplus(beta: Double = 1, threshold: Double = 20) -> Tensor {
        func f<T: BinaryFloatingPoint & ElementaryMath>(_ x: T) -> T {
            x * T(beta) > T(threshold) ? x : T.log1pOf(T.expOf(x * T(beta))) / T(beta)
        }
        return elementwise(name: "SoftplusBackward0", f, f) { g, x in
            let above = x.mapElements({ $0 * Float(beta) > Float(threshold) ? 1 : 0 }, { $0 * beta > threshold ? 1 : 0 })
            // PyTorch's second derivative is 0 from the threshold on (it masks with β x < threshold).
            let below = x.mapElements({ $0 * Float(beta) < Float(threshold) ? 1 : 0 }, { $0 * beta < threshold ? 1 : 0 })
            return Tensor.derivativeStep(g, x, name: "SoftplusBackwardBackward0", d1: { x in
                let z = (x * beta).exp()
                return Tensor.where(above, Tensor.onesLike(x), z / (z + 1))
            }, d2: { x in
                let z = (x * beta).exp()
                return beta * z / ((z + 1) * (z + 1)) * below
            })
        }
    }

    /// `x · sigmoid(x)`, also called swish (`SiluBackward0`).
    public func silu() -> Tensor {
        func f<T: BinaryFloatingPoint & ElementaryMath>(_ x: T) -> T { x / (1 + T.expOf(-x)) }
        return elementwise(name: "SiluBackward0", f, f) { g, x in
            let s = x.sigmoid()
            return g * s * (1 + x * (1 - s))
        }
    }

    /// `log(sigmoid(x))`, computed without overflow (`LogSigmoidBackward0`); its derivative is
    /// `sigmoid(-x)`.
    public func logSigmoid() -> Tensor {
        func f<T: BinaryFloatingPoint & ElementaryMath>(_ x: T) -> T {
            Swift.min(x, 0) - T.log1pOf(T.expOf(-Swift.abs(x)))
        }
        return elementwise(name: "LogSigmoidBackward0", f, f) { g, x in
            Tensor.derivativeStep(g, x, name: "LogSigmoidBackwardBackward0", d1: { x in (-x).sigmoid() }, d2: { x in
                let z = x.sigmoid()
                return (z - 1) * z
            })
        }
    }

    /// `g · share`, except that a zero share gives 0 even where `g` is infinite or NaN, as
    /// PyTorch's `where`/`masked_fill` do (a product would give NaN there).
    /// One tight loop (relu's backward runs it every training step); linear in `g`, so its own
    /// backward is the same masking.
    static func masked(_ g: Tensor, _ share: Tensor) -> Tensor {
        guard g.shape == share.shape else { return Tensor.where(share, g * share, Tensor.zerosLike(g)) }
        let m = share.dtype == g.dtype ? share : share.to(g.dtype)
        func run<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: a.count) { out, n in
                for i in 0..<a.count { out[i] = b[i] == 0 ? 0 : a[i] * b[i] }
                n = a.count
            }
        }
        let storage = g.storage.zip(m.storage, g.dtype, run, run)
        return result(storage, g.shape, g.dtype, inputs: [g], name: "MulBackward0") { gg in
            [masked(gg, m)]
        }
    }

    // MARK: Two inputs

    /// `f(a, b)` elementwise with broadcasting and type promotion, recording nothing.
    static func zipElements(_ a: Tensor, _ b: Tensor, _ f32: (Float, Float) -> Float,
                            _ f64: (Double, Double) -> Double) throws -> (Tensor, Tensor, Tensor) {
        guard let shape = Shape.broadcast(a.shape, b.shape) else { throw AutogradError(Shape.mismatchMessage(a.shape, b.shape)) }
        let dtype = DType.promote(a.dtype, b.dtype)
        let a = a.dtype == dtype ? a : a.to(dtype), b = b.dtype == dtype ? b : b.to(dtype)
        let storage: TensorStorage
        if dtype == .float64 {
            let x = ElementwiseKernels.expand(a.storage.doubles, a.shape, to: shape)
            let y = ElementwiseKernels.expand(b.storage.doubles, b.shape, to: shape)
            storage = TensorStorage(doubles: zip(x, y).map(f64))
        } else {
            let x = ElementwiseKernels.expand(a.storage.floats, a.shape, to: shape)
            let y = ElementwiseKernels.expand(b.storage.floats, b.shape, to: shape)
            storage = TensorStorage(floats: zip(x, y).map(f32))
            if dtype == .float16 { storage.roundToHalf() }
        }
        return (Tensor(storage: storage, shape: shape, dtype: dtype), a, b)
    }

    /// The angle of the point `(other, self)`: `atan2(self, other)` (`Atan2Backward0`).
    /// Throws PyTorch's message when the shapes don't broadcast.
    public func atan2(_ other: Tensor) throws -> Tensor {
        let (value, a, b) = try Tensor.zipElements(self, other, { Foundation.atan2($0, $1) }, { Foundation.atan2($0, $1) })
        let keep = Tensor.needsDerivative(a, b)
        let savedA = keep ? SavedTensor(a) : nil, savedB = keep ? SavedTensor(b) : nil
        let (sa, sb) = (a.shape, b.shape)
        return Tensor.result(value.storage, value.shape, value.dtype, inputs: [a, b], name: "Atan2Backward0",
                             saving: [savedA, savedB]) { g in
            let a = try savedA!.unpack(), b = try savedB!.unpack()
            let denominator = a * a + b * b
            // At the origin PyTorch gives both gradients (signed) zero, not 0 · inf.
            let recip = Tensor.where(denominator.detach().eq(0), Tensor.zerosLike(denominator), denominator.reciprocal())
            return [(g * b * recip).sumTo(sa), (g * -a * recip).sumTo(sb)]
        }
    }

    /// The larger of two tensors elementwise, NaN if either is NaN (`MaximumBackward0`). Where
    /// they tie, each gets half the gradient, as in PyTorch.
    public func maximum(_ other: Tensor) throws -> Tensor { try Tensor.extremum(self, other, largest: true) }

    /// The smaller of two tensors elementwise, NaN if either is NaN (`MinimumBackward0`).
    public func minimum(_ other: Tensor) throws -> Tensor { try Tensor.extremum(self, other, largest: false) }

    private static func extremum(_ a: Tensor, _ b: Tensor, largest: Bool) throws -> Tensor {
        func pick<T: FloatingPoint>(_ x: T, _ y: T) -> T { x.isNaN || y.isNaN ? .nan : (largest ? Swift.max(x, y) : Swift.min(x, y)) }
        let (value, a, b) = try zipElements(a, b, pick, pick)
        let shape = value.shape, dtype = value.dtype
        // Masks: the share of the gradient each input gets (1, 1/2 at a tie, 0 for the loser;
        // both get all of it where a NaN makes every comparison false).
        let (sa, sb) = (a.shape, b.shape)
        let x = a.detach().expandedScalars(to: shape), y = b.detach().expandedScalars(to: shape)
        let shareA = zip(x, y).map { u, v in u == v ? 0.5 : ((largest ? u < v : u > v) ? 0 : 1) }
        let shareB = zip(x, y).map { u, v in u == v ? 0.5 : ((largest ? u > v : u < v) ? 0 : 1) }
        let maskA = Tensor(shareA, shape: shape, dtype: dtype), maskB = Tensor(shareB, shape: shape, dtype: dtype)
        // PyTorch saves both inputs (the masks here are computed from them once).
        let keep = Tensor.needsDerivative(a, b)
        let saved = keep ? [SavedTensor(a), SavedTensor(b)] : []
        return result(value.storage, shape, dtype, inputs: [a, b], name: largest ? "MaximumBackward0" : "MinimumBackward0",
                      saving: saved) { g in
            for s in saved { _ = try s.unpack() }
            return [Tensor.masked(g, maskA).sumTo(sa), Tensor.masked(g, maskB).sumTo(sb)]
        }
    }

    /// Limits each element to `[min, max]` given as tensors, with broadcasting (`ClampBackward0`).
    ///
    /// As PyTorch 2.15 does: where the input equals a bound the gradient is shared half and half;
    /// where the bounds cross (`min > max`) the result is `max` and all the gradient goes to it;
    /// where anything is NaN the result is NaN and the gradient goes to the input (and, with one
    /// bound, to that bound too).
    public func clamp(min: Tensor? = nil, max: Tensor? = nil) throws -> Tensor {
        guard min != nil || max != nil else {
            throw AutogradError("torch.clamp: At least one of 'min' or 'max' must not be None")
        }
        var shape = self.shape
        for bound in [min, max].compactMap({ $0 }) {
            guard let s = Shape.broadcast(shape, bound.shape) else { throw AutogradError(Shape.mismatchMessage(shape, bound.shape)) }
            shape = s
        }
        let dtype = [min, max].compactMap { $0?.dtype }.reduce(self.dtype, DType.promote)
        let x = expandedScalars(to: shape)
        let lo = min?.detach().expandedScalars(to: shape), hi = max?.detach().expandedScalars(to: shape)
        var values = x, shareX = [Double](repeating: 1, count: x.count)
        var shareLo = [Double](repeating: 0, count: x.count), shareHi = shareLo
        for i in x.indices {
            let v = x[i], l = lo?[i], h = hi?[i]
            if v.isNaN || l?.isNaN == true || h?.isNaN == true {
                // With one bound PyTorch's clamp is maximum/minimum, which gives a NaN's gradient
                // to both sides; with two, the input gets it unless it is outside a bound that is
                // a number (every comparison with NaN is false), and the bounds get none.
                values[i] = .nan
                if l == nil { shareHi[i] = 1 } else if h == nil { shareLo[i] = 1 }
                if let l, let h, v < l || v > h { shareX[i] = 0 }
                continue
            }
            if let l, let h, l > h { values[i] = h; shareX[i] = 0; shareHi[i] = 1; continue }
            if let l, v < l { values[i] = l; shareX[i] = 0; shareLo[i] = 1; continue }
            if let h, v > h { values[i] = h; shareX[i] = 0; shareHi[i] = 1; continue }
            let bothEqual = l == v && h == v
            if bothEqual { continue }
            if l == v { shareX[i] = 0.5; shareLo[i] = 0.5 }
            if h == v { shareX[i] = 0.5; shareHi[i] = 0.5 }
        }
        let masks = [shareX, shareLo, shareHi].map { Tensor($0, shape: shape, dtype: dtype) }
        var inputs = [self]
        if let min { inputs.append(min) }
        if let max { inputs.append(max) }
        let shapes = inputs.map(\.shape)
        let which = [0] + (min != nil ? [1] : []) + (max != nil ? [2] : [])
        // PyTorch saves the input and the bounds (the masks here are computed from them once).
        let keep = inputs.contains { Tensor.needsDerivative($0) }
        let saved = keep ? inputs.map { SavedTensor($0) } : []
        return Tensor.result(TensorStorage(values, dtype: dtype), shape, dtype, inputs: inputs, name: "ClampBackward0",
                             saving: saved) { g in
            for s in saved { _ = try s.unpack() }
            return zip(which, shapes).map { k, s in Tensor.masked(g, masks[k]).sumTo(s) }
        }
    }
}

/// The scalar functions the generic kernels above need, for `Float` and `Double`.
protocol ElementaryMath {
    static func expOf(_ x: Self) -> Self
    static func log1pOf(_ x: Self) -> Self
    static func tanhOf(_ x: Self) -> Self
}

extension Float: ElementaryMath {
    static func expOf(_ x: Float) -> Float { Foundation.exp(x) }
    static func log1pOf(_ x: Float) -> Float { Foundation.log1p(x) }
    static func tanhOf(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: ElementaryMath {
    static func expOf(_ x: Double) -> Double { Foundation.exp(x) }
    static func log1pOf(_ x: Double) -> Double { Foundation.log1p(x) }
    static func tanhOf(_ x: Double) -> Double { Foundation.tanh(x) }
}
