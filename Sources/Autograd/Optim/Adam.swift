import Foundation

/// Adam (`torch.optim.Adam`): each parameter moves by a running mean of its gradients divided by
/// the square root of a running mean of their squares, so every coordinate gets a step of about
/// `lr` whatever the scale of its gradient. PyTorch's update, element by element, at step t:
///
/// ```text
/// g = grad (negated with maximize)           g = g + weightDecay · p   (L2 penalty, if ≠ 0)
/// m = lerp(m, g, 1 − β1)                     v = β2 · v + (1 − β2) · g²
/// v̂ = max(v̂, v) with amsgrad, else v̂ = v
/// p = p − lr / (1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
/// ```
///
/// The bias corrections `1 − βᵗ` undo the zero start of `m` and `v`, so the first step is already
/// of size `lr`. Updates run in the parameters' storage without recording anything; parameters
/// whose `.grad` is nil are skipped and don't advance their step count.
public class Adam: Optimizer {
    /// The tensors this optimizer updates, in the order given.
    public let parameters: [Tensor]
    /// The step size `lr`; change it between steps for a schedule.
    public var learningRate: Double
    /// The decay rates of the running means of the gradient and of its square.
    public var betas: (Double, Double)
    /// Added to the denominator so it is never zero.
    public var eps: Double
    /// The weight decay: an L2 penalty added to the gradient for Adam, a decoupled shrinking of
    /// the weights for AdamW.
    public var weightDecay: Double
    /// Whether to divide by the largest second moment seen so far (the AMSGrad variant).
    public let amsgrad: Bool
    /// Whether to climb the objective instead of descending it.
    public var maximize: Bool
    /// True for AdamW: weight decay multiplies the weights by `1 − lr · weightDecay` before the
    /// step instead of entering the gradient, and so is not rescaled by the adaptive denominator.
    let decoupledWeightDecay: Bool

    private var states: [State?]

    /// The per-parameter state PyTorch keeps in `optimizer.state[p]`.
    public struct State {
        /// The number of steps this parameter has taken.
        public internal(set) var step: Int
        /// The running mean of the gradient (`exp_avg`).
        public let expAvg: Tensor
        /// The running mean of the squared gradient (`exp_avg_sq`).
        public let expAvgSq: Tensor
        /// The largest `expAvgSq` seen, with amsgrad (`max_exp_avg_sq`).
        public let maxExpAvgSq: Tensor?
    }

    /// An Adam optimizer for `parameters`; the defaults are PyTorch's.
    public convenience init(_ parameters: [Tensor], lr: Double = 0.001, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                  maximize: maximize, decoupled: false)
    }

    init(_ parameters: [Tensor], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double,
         amsgrad: Bool, maximize: Bool, decoupled: Bool) {
        precondition(lr >= 0, "Invalid learning rate: \(lr)")
        precondition(eps >= 0, "Invalid epsilon value: \(eps)")
        precondition(betas.0 >= 0 && betas.0 < 1, "Invalid beta parameter at index 0: \(betas.0)")
        precondition(betas.1 >= 0 && betas.1 < 1, "Invalid beta parameter at index 1: \(betas.1)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(!parameters.isEmpty, "optimizer got an empty parameter list")
        self.parameters = parameters
        self.learningRate = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.decoupledWeightDecay = decoupled
        self.states = Array(repeating: nil, count: parameters.count)
    }

    /// The state of `parameter`: nil before its first step.
    public func state(for parameter: Tensor) -> State? {
        parameters.firstIndex { $0 === parameter }.flatMap { states[$0] }
    }

    /// Updates every parameter that has a gradient.
    public func step() throws {
        for (i, p) in parameters.enumerated() {
            guard let g = ParameterUpdate.gradient(of: p) else { continue }
            var state = states[i] ?? State(step: 0, expAvg: ParameterUpdate.zeros(like: p),
                                           expAvgSq: ParameterUpdate.zeros(like: p),
                                           maxExpAvgSq: amsgrad ? ParameterUpdate.zeros(like: p) : nil)
            state.step += 1
            states[i] = state
            let t = Double(state.step)
            let settings = Settings(
                lr: learningRate, beta1: betas.0, beta2: betas.1, eps: eps, weightDecay: weightDecay,
                decoupled: decoupledWeightDecay, maximize: maximize,
                stepSize: learningRate / (1 - Foundation.pow(betas.0, t)),
                biasCorrection2Sqrt: (1 - Foundation.pow(betas.1, t)).squareRoot())
            let m = state.expAvg, v = state.expAvgSq, vmax = state.maxExpAvgSq
            if p.dtype == .float64 {
                var none: [Double] = []
                if let vmax {
                    Adam.update(&p.storage.doubles, g.storage.doubles, &m.storage.doubles, &v.storage.doubles, &vmax.storage.doubles, settings)
                } else {
                    Adam.update(&p.storage.doubles, g.storage.doubles, &m.storage.doubles, &v.storage.doubles, &none, settings)
                }
            } else {
                var none: [Float] = []
                if let vmax {
                    Adam.update(&p.storage.floats, g.storage.floats, &m.storage.floats, &v.storage.floats, &vmax.storage.floats, settings)
                } else {
                    Adam.update(&p.storage.floats, g.storage.floats, &m.storage.floats, &v.storage.floats, &none, settings)
                }
            }
            ParameterUpdate.finish(p, m, v)
            if let vmax { ParameterUpdate.finish(vmax) }
        }
    }

    struct Settings {
        let lr, beta1, beta2, eps, weightDecay: Double
        let decoupled, maximize: Bool
        let stepSize, biasCorrection2Sqrt: Double
    }

    /// One parameter's update, in the element type and in PyTorch's order of operations
    /// (`_single_tensor_adam`), in C so that its fused multiply-adds, square roots and divisions run
    /// vectorised (see `AutogradKernels/optim.c`), split over threads for large parameters. `maxSq` is
    /// empty without amsgrad.
    static func update(_ param: inout [Float], _ grad: [Float], _ expAvg: inout [Float], _ expAvgSq: inout [Float],
                       _ maxSq: inout [Float], _ s: Settings) {
        let c = Coefficients<Float>(s)
        withBuffers(&param, grad, &expAvg, &expAvgSq, &maxSq) { p, g, m, v, vmax, n in
            CKernels.adamUpdate(n, p, g, m, v, vmax, c)
        }
    }

    static func update(_ param: inout [Double], _ grad: [Double], _ expAvg: inout [Double], _ expAvgSq: inout [Double],
                       _ maxSq: inout [Double], _ s: Settings) {
        let c = Coefficients<Double>(s)
        withBuffers(&param, grad, &expAvg, &expAvgSq, &maxSq) { p, g, m, v, vmax, n in
            CKernels.adamUpdate(n, p, g, m, v, vmax, c)
        }
    }

    /// The settings in the element type, rounded once as the Swift reference did.
    struct Coefficients<T: TensorScalar> {
        let mode, maximize: Int32
        let wd, shrink, w1, beta2, w2, correction, eps, step: T
        init(_ s: Settings) {
            mode = s.weightDecay == 0 ? 0 : (s.decoupled ? 2 : 1)
            maximize = s.maximize ? 1 : 0
            wd = T(s.weightDecay); shrink = T(1 - s.lr * s.weightDecay)
            w1 = T(1 - s.beta1); beta2 = T(s.beta2); w2 = T(1 - s.beta2)
            correction = T(s.biasCorrection2Sqrt); eps = T(s.eps); step = T(-s.stepSize)
        }
    }

    /// Calls `body` with pointers to equal slices of the five buffers, one slice per thread.
    private static func withBuffers<T>(
        _ param: inout [T], _ grad: [T], _ expAvg: inout [T], _ expAvgSq: inout [T], _ maxSq: inout [T],
        _ body: (UnsafeMutablePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>,
                 UnsafeMutablePointer<T>?, Int) -> Void
    ) {
        param.withUnsafeMutableBufferPointer { p in
            grad.withUnsafeBufferPointer { g in
                expAvg.withUnsafeMutableBufferPointer { m in
                    expAvgSq.withUnsafeMutableBufferPointer { v in
                        maxSq.withUnsafeMutableBufferPointer { vmax in
                            guard let pp = p.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress,
                                  let vp = v.baseAddress else { return }
                            let vmaxBase = vmax.count > 0 ? vmax.baseAddress : nil
                            Parallel.forEachRange(count: p.count, grain: 1 << 15) { r in
                                body(pp + r.lowerBound, gp + r.lowerBound, mp + r.lowerBound, vp + r.lowerBound,
                                     vmaxBase.map { $0 + r.lowerBound }, r.count)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay. Before each step the weights
/// shrink by the factor `1 − lr · weightDecay`, instead of an L2 term entering the gradient (where
/// Adam's denominator would rescale it), so decay acts the same on every weight. Its default
/// `weightDecay` is 0.01, as in PyTorch.
public final class AdamW: Adam {
    /// An AdamW optimizer for `parameters`; the defaults are PyTorch's.
    public init(_ parameters: [Tensor], lr: Double = 0.001, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                   maximize: maximize, decoupled: true)
    }
}
