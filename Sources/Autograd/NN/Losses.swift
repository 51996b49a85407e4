import Foundation

/// Loss functions, as modules you call (`MSELoss()(prediction, target)`) and as plain functions
/// (`mseLoss(prediction, target)`, PyTorch's `torch.nn.functional`).
///
/// Each is one fused operation with its own backward rule and PyTorch's node name
/// (`MseLossBackward0`, …), so a graph printed here reads like PyTorch's. The backward rules are
/// themselves differentiable tensor expressions, so `createGraph` and second derivatives work.
/// Inputs and targets broadcast against each other; both get gradients when they require them.

/// How a loss turns the per-element losses into its result (`reduction=`).
public enum Reduction: Sendable {
    /// The per-element losses, unreduced.
    case none
    /// Their mean: the default, so the loss doesn't grow with the batch size.
    case mean
    /// Their sum.
    case sum
}

// MARK: - Loss modules

/// The mean squared error `mean((input − target)²)` (`torch.nn.MSELoss`); node `MseLossBackward0`.
public struct MSELoss {
    /// How the per-element losses are combined: `.mean` (the default), `.sum` or `.none`.
    public var reduction: Reduction
    /// A loss with PyTorch's default, the mean over all elements.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// The loss of `input` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        mseLoss(input, target, reduction: reduction)
    }
}

/// The mean absolute error `mean(|input − target|)` (`torch.nn.L1Loss`). As in PyTorch it is
/// recorded as its operations: `MeanBackward0` (or `SumBackward0`) ← `AbsBackward0` ← `SubBackward0`.
public struct L1Loss {
    /// How the per-element losses are combined: `.mean` (the default), `.sum` or `.none`.
    public var reduction: Reduction
    /// A loss with PyTorch's default, the mean over all elements.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// The loss of `input` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        l1Loss(input, target, reduction: reduction)
    }
}

/// The Huber loss (`torch.nn.HuberLoss`): squared error for residuals up to `delta`, linear beyond,
/// so outliers pull with a bounded force; node `HuberLossBackward0`.
public struct HuberLoss {
    /// How the per-element losses are combined: `.mean` (the default), `.sum` or `.none`.
    public var reduction: Reduction
    /// Where the loss turns from quadratic to linear.
    public var delta: Double
    /// A Huber loss with PyTorch's defaults: the mean, and `delta` 1.
    public init(reduction: Reduction = .mean, delta: Double = 1.0) {
        precondition(delta > 0, "huber_loss does not support non-positive values for delta.")
        self.reduction = reduction
        self.delta = delta
    }
    /// The loss of `input` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        huberLoss(input, target, reduction: reduction, delta: delta)
    }
}

/// Cross-entropy of class scores (logits) against class indices (`torch.nn.CrossEntropyLoss`):
/// `log_softmax` over the class dimension followed by the negative log-likelihood, so the loss's
/// node is `NllLossBackward0` with `LogSoftmaxBackward0` below it, as in PyTorch.
///
/// The input is `[N, C]` (or `[C]` for one sample, or `[N, C, d1, …]`); the target holds one class
/// index per sample, as `[Int]` or as a tensor of integer-valued floats. Targets equal to
/// `ignoreIndex` (-100 by default) count neither in the loss nor in the mean.
public struct CrossEntropyLoss {
    /// How the per-element losses are combined: `.mean` (the default), `.sum` or `.none`.
    public var reduction: Reduction
    /// The target value that marks a sample to skip.
    public var ignoreIndex: Int
    /// A cross-entropy loss with PyTorch's defaults: the mean, and -100 as the ignored target.
    public init(reduction: Reduction = .mean, ignoreIndex: Int = -100) {
        self.reduction = reduction
        self.ignoreIndex = ignoreIndex
    }
    /// The loss of the scores `input` against class indices `target`.
    public func callAsFunction(_ input: Tensor, _ target: [Int]) throws -> Tensor {
        try crossEntropy(input, target, reduction: reduction, ignoreIndex: ignoreIndex)
    }
    /// The loss of the scores `input` against a tensor of class indices.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try crossEntropy(input, target, reduction: reduction, ignoreIndex: ignoreIndex)
    }
}

/// Binary cross-entropy of logits against targets in [0, 1] (`torch.nn.BCEWithLogitsLoss`):
/// `−[y log σ(x) + (1 − y) log(1 − σ(x))]` computed from `x` directly, which stays finite for large
/// logits where `σ` followed by `log` would not; node `BinaryCrossEntropyWithLogitsBackward0`.
public struct BCEWithLogitsLoss {
    /// How the per-element losses are combined: `.mean` (the default), `.sum` or `.none`.
    public var reduction: Reduction
    /// A loss with PyTorch's default, the mean over all elements.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// The loss of the logits `input` against `target`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(input, target, reduction: reduction)
    }
}

// MARK: - Functional forms

/// `MSELoss` as a function (`F.mse_loss`). Gradient: `2 (input − target)` per element, divided by
/// the number of elements for `.mean`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossKernel.elementwise(input, target, reduction: reduction, name: "MseLossBackward0",
                           value: { x, y in (x - y).square() },
                           gradient: { x, y in 2 * (x - y) },
                           secondDerivative: { x, _ in Tensor.full([], 2, dtype: x.dtype) })
}

/// `L1Loss` as a function (`F.l1_loss`). Gradient: the sign of `input − target` (0 where equal).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let perElement = (input - target).abs()
    switch reduction {
    case .none: return perElement
    case .sum: return perElement.sum()
    case .mean: return perElement.mean()
    }
}

/// `HuberLoss` as a function (`F.huber_loss`): `½ r²` where `|r| < delta`, else
/// `delta (|r| − ½ delta)`, for `r = input − target`. Gradient: `r` clamped to `[−delta, delta]`.
public func huberLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Double = 1.0) -> Tensor {
    LossKernel.elementwise(input, target, reduction: reduction, name: "HuberLossBackward0",
                           value: { x, y in
                               let z = (x - y).abs()
                               return Tensor.where(z.lt(delta), 0.5 * z * z, delta * (z - 0.5 * delta))
                           },
                           gradient: { x, y in
                               let r = x - y
                               // Beyond ±delta the slope is ±delta; inside it is r itself.
                               // At |r| == delta both pieces give the same slope; PyTorch takes
                               // the linear one there, so the second derivative is 0.
                               let outside = r.detach().abs().ge(delta)
                               return Tensor.where(outside, r.detach().sign() * delta, r)
                           },
                           secondDerivative: { x, y in (x - y).detach().abs().lt(delta) })
}

/// `BCEWithLogitsLoss` as a function (`F.binary_cross_entropy_with_logits`):
/// `(1 − y) x − log σ(x)` per element. Gradients: `σ(x) − y` for the logits, `−x` for the target.
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossKernel.elementwise(input, target, reduction: reduction, name: "BinaryCrossEntropyWithLogitsBackward0",
                           meanDividesLast: true,
                           value: { x, y in (1 - y) * x - LossKernel.logSigmoid(x) },
                           gradient: { x, y in x.sigmoid() - y },
                           targetGradient: { x, _ in -x })
}

/// `CrossEntropyLoss` as a function (`F.cross_entropy`) with class indices. A target outside
/// `0..<classes` (other than `ignoreIndex`) throws PyTorch's `IndexError` text.
public func crossEntropy(_ input: Tensor, _ target: [Int], reduction: Reduction = .mean, ignoreIndex: Int = -100) throws -> Tensor {
    try checkNLLArguments(input, target, ignoreIndex: ignoreIndex)
    let classDim = input.rank == 1 ? 0 : 1
    return negativeLogLikelihood(LossKernel.logSoftmax(input, dim: classDim), target, reduction: reduction, ignoreIndex: ignoreIndex)
}

/// `CrossEntropyLoss` as a function with the class indices in a tensor of integer-valued floats.
public func crossEntropy(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, ignoreIndex: Int = -100) throws -> Tensor {
    try crossEntropy(input, try LossKernel.classIndices(target), reduction: reduction, ignoreIndex: ignoreIndex)
}

/// The negative log-likelihood of log-probabilities `input` (`[N, C]`, `[C]` or `[N, C, d1, …]`)
/// at the target classes (`F.nll_loss`); node `NllLossBackward0`. Its gradient is −1 (−1/count
/// for `.mean`) at each sample's target class and 0 elsewhere.
public func nllLoss(_ input: Tensor, _ target: [Int], reduction: Reduction = .mean, ignoreIndex: Int = -100) throws -> Tensor {
    try checkNLLArguments(input, target, ignoreIndex: ignoreIndex)
    return negativeLogLikelihood(input, target, reduction: reduction, ignoreIndex: ignoreIndex)
}

/// `nllLoss` for arguments already checked.
private func negativeLogLikelihood(_ input: Tensor, _ target: [Int], reduction: Reduction, ignoreIndex: Int) -> Tensor {
    let classDim = input.rank == 1 ? 0 : 1
    let classes = input.shape[classDim]
    let inner = input.rank <= 2 ? 1 : Shape.count(Array(input.shape[2...]))
    let targetShape = input.rank == 1 ? [] : [input.shape[0]] + Array(input.shape.dropFirst(2))

    // −1 at each counted sample's target class: the whole backward rule, up to the incoming gradient.
    var picks = [Double](repeating: 0, count: input.count)
    var counted = 0
    for (k, t) in target.enumerated() where t != ignoreIndex {
        let n = k / inner, r = k % inner
        picks[(n * classes + t) * inner + r] = -1
        counted += 1
    }
    let values = input.scalars
    var losses = [Double](repeating: 0, count: target.count)
    for k in 0..<target.count where target[k] != ignoreIndex {
        let n = k / inner, r = k % inner
        losses[k] = -values[(n * classes + target[k]) * inner + r]
    }
    let value: Tensor = noGrad {
        let perSample = Tensor(losses, shape: targetShape, dtype: input.dtype)
        switch reduction {
        case .none: return perSample
        case .sum: return perSample.sum()
        case .mean: return perSample.sum() / Double(counted)
        }
    }
    // With every target ignored the mean is 0/0 (NaN, as in PyTorch) but no element has a gradient.
    let scale = reduction == .mean ? (counted == 0 ? 0 : 1 / Double(counted)) : 1
    let batched = input.rank >= 2
    guard Tensor.needsDerivative(input) else { return value }
    let savedMask = SavedTensor(Tensor(picks.map { $0 * scale }, shape: input.shape, dtype: input.dtype))
    let savedInput = SavedTensor(input)
    // PyTorch also saves the target (and the total weight, the mask's scale here).
    let savedTarget = SavedTensor(Tensor(target.map(Double.init), dtype: input.dtype))
    return Tensor.result(value.storage, value.shape, value.dtype, inputs: [input], name: "NllLossBackward0",
                         saving: [savedMask, savedInput, savedTarget]) { g in
        _ = try savedTarget.unpack()
        let mask = try savedMask.unpack()
        // With .none, each sample's gradient goes to its own row: put the class dimension back.
        let spread = reduction == .none && batched ? g.unsqueezing(1) : g
        let plain = noGrad { spread.detach() * mask }
        let x = try savedInput.unpack()
        guard Tensor.needsDerivative(g, x) else { return [plain] }
        // Recorded (createGraph): one node, as PyTorch's; the gradient doesn't depend on the
        // input, so its derivative there is zero.
        let savedAgain = SavedTensor(mask)
        return [Tensor.result(plain.storage, plain.shape, plain.dtype, inputs: [g, x], name: "NllLossBackwardBackward0",
                              saving: [savedAgain]) { gg in
            let picked = try gg * (savedAgain.unpack())
            return [reduction == .none && batched ? picked.sumAlong(dim: 1) : picked.sum(), Tensor.zerosLike(gg)]
        }]
    }
}

// MARK: - Shared machinery

enum LossKernel {
    /// A loss computed elementwise from `input` and `target` (broadcast) and then reduced.
    /// `value` gives the per-element losses (run without recording); `gradient` the derivative of
    /// a per-element loss with respect to the input, and `targetGradient` with respect to the
    /// target (by default the negative of `gradient`, right for losses of `input − target`).
    /// With `secondDerivative` (of a per-element loss, in the input), a recorded backward pass
    /// makes the input's gradient one node, named as PyTorch names it (`MseLossBackwardBackward0`),
    /// with PyTorch's double-backward formulas.
    /// With `meanDividesLast`, a mean's gradients are divided by the count last, as PyTorch's
    /// formula for that loss does (a recorded backward then ends in `DivBackward1`).
    static func elementwise(_ input: Tensor, _ target: Tensor, reduction: Reduction, name: String,
                            meanDividesLast: Bool = false,
                            value: (Tensor, Tensor) -> Tensor,
                            gradient: @escaping (Tensor, Tensor) -> Tensor,
                            targetGradient: ((Tensor, Tensor) -> Tensor)? = nil,
                            secondDerivative: ((Tensor, Tensor) -> Tensor)? = nil) -> Tensor {
        let perElement = noGrad { value(input.detach(), target.detach()) }
        let result: Tensor = noGrad {
            switch reduction {
            case .none: return perElement
            case .sum: return perElement.sum()
            case .mean: return perElement.mean()
            }
        }
        let elementShape = perElement.shape, count = Double(perElement.count)
        let inputShape = input.shape, targetShape = target.shape
        let inputType = input.dtype, targetType = target.dtype
        // Forward mode computes tangents from this rule too, recorded or not.
        let needInput = input.requiresGrad || input.tangent != nil, needTarget = target.requiresGrad || target.tangent != nil
        let keep = Tensor.needsDerivative(input, target)
        let savedInput = keep ? SavedTensor(input) : nil
        let savedTarget = keep ? SavedTensor(target) : nil
        return Tensor.result(result.storage, result.shape, result.dtype, inputs: [input, target], name: name,
                             saving: [savedInput, savedTarget]) { g in
            let x = try savedInput!.unpack(), y = try savedTarget!.unpack()
            let divideLast = meanDividesLast && reduction == .mean
            /// The incoming gradient, per element.
            func perElement(_ g: Tensor) -> Tensor {
                switch reduction {
                case .none: return g
                case .sum: return g.expand(elementShape)
                case .mean: return divideLast ? g.expand(elementShape) : g.expand(elementShape) / count
                }
            }
            let spread = perElement(g)
            func fitted(_ t: Tensor, _ shape: [Int], _ dtype: DType) -> Tensor {
                let summed = t.sumTo(shape)
                let typed = summed.dtype == dtype ? summed : summed.to(dtype)
                // C++'s `grad / numel` is `div.Scalar`, which PyTorch records as DivBackward1.
                return divideLast ? typed.scalarOp(.div, count, name: "DivBackward1") { g in [g / count] } : typed
            }
            // One recorded node per gradient when the loss has a second derivative, as PyTorch's
            // `*_loss_backward(grad, self, target)` for the input and `(grad, target, self)` for the
            // target. Their derivatives: with respect to the incoming gradient, the first
            // derivative summed as the reduction spread it; with respect to the two arguments, ±
            // the second derivative, multiplied in (an infinite gradient meets a 0 as NaN).
            func gradientNode(_ plain: Tensor, sign: Double) -> Tensor {
                guard let second = secondDerivative, Tensor.recording(g, x, y) else { return plain }
                let savedG = SavedTensor(g), savedX = SavedTensor(x), savedY = SavedTensor(y)
                let (needG, needX, needY) = (g.requiresGrad, x.requiresGrad, y.requiresGrad)
                let doubleName = name.replacingOccurrences(of: "Backward0", with: "BackwardBackward0")
                return Tensor.result(noGrad { plain.detach().clone() }.storage, plain.shape, plain.dtype, inputs: [g, x, y],
                                     name: doubleName, saving: [savedG, savedX, savedY]) { gg in
                    let g = try savedG.unpack(), x = try savedX.unpack(), y = try savedY.unpack()
                    let ggE = gg.shape == elementShape ? gg : gg.expand(elementShape)
                    var dg: Tensor? = nil
                    if needG {
                        let r = sign * (ggE * gradient(x, y))
                        switch reduction {
                        case .none: dg = r
                        case .sum: dg = r.sum()
                        // Divided per element, then summed, as PyTorch: over no elements this is 0, not 0/0.
                        case .mean: dg = (r / count).sum()
                        }
                    }
                    let curvature = needX || needY ? ggE * perElement(g) * second(x, y) : nil
                    return [dg, needX ? fitted(sign * curvature!, inputShape, inputType) : nil,
                            needY ? fitted(-sign * curvature!, targetShape, targetType) : nil]
                }
            }
            let gx = needInput ? gradientNode(fitted(spread * gradient(x, y), inputShape, inputType), sign: 1) : nil
            let gy: Tensor?
            if needTarget {
                let d = targetGradient.map { $0(x, y) } ?? -gradient(x, y)
                gy = gradientNode(fitted(spread * d, targetShape, targetType), sign: -1)
            } else {
                gy = nil
            }
            return [gx, gy]
        }
    }

    /// `log σ(x) = min(x, 0) − log(1 + e^−|x|)`, finite for every x (no graph).
    static func logSigmoid(_ x: Tensor) -> Tensor {
        let values = x.scalars.map { v in Swift.min(v, 0) - Foundation.log1p(Foundation.exp(-Swift.abs(v))) }
        return Tensor(values, shape: x.shape, dtype: x.dtype)
    }

    /// `log_softmax` as one node (`LogSoftmaxBackward0`), as PyTorch records it inside
    /// cross-entropy. Backward: `g − softmax(x) · Σ g` along `dim`.
    static func logSoftmax(_ input: Tensor, dim: Int) -> Tensor {
        let value = noGrad { input.detach().logSoftmaxAlong(dim: dim) }
        guard Tensor.needsDerivative(input) else { return value }
        let savedOutput = SavedTensor(output: value.storage, shape: value.shape, dtype: value.dtype, name: "LogSoftmaxBackward0")
        return Tensor.result(value.storage, value.shape, value.dtype, inputs: [input], name: "LogSoftmaxBackward0",
                             saving: [savedOutput]) { g in
            [Tensor.logSoftmaxBackward(g, try savedOutput.unpack(), dim: dim)]
        }
    }

    /// Class indices from a tensor of integer-valued floats.
    static func classIndices(_ target: Tensor) throws -> [Int] {
        try target.scalars.map { v in
            guard v.rounded() == v && v.isFinite else {
                throw AutogradError("expected class indices (integer values) as the target, got \(v)")
            }
            return Int(v)
        }
    }
}

/// The checks `nll_loss` makes before computing anything, with PyTorch's messages.
private func checkNLLArguments(_ input: Tensor, _ target: [Int], ignoreIndex: Int) throws {
    guard input.rank >= 1 else { throw AutogradError("Expected 1 or more dimensions (got 0)") }
    let classes = input.shape[input.rank == 1 ? 0 : 1]
    let batch = input.rank == 1 ? 1 : input.shape[0]
    let inner = input.rank <= 2 ? 1 : Shape.count(Array(input.shape[2...]))
    guard target.count == batch * inner else {
        throw AutogradError("Expected input batch_size (\(batch)) to match target batch_size (\(target.count / Swift.max(inner, 1))).")
    }
    if let t = target.first(where: { $0 != ignoreIndex && ($0 < 0 || $0 >= classes) }) {
        throw AutogradError("Target \(t) is out of bounds.")
    }
}
