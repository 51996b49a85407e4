/// Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay
/// (`torch.optim.SGD`), with PyTorch's update, element by element:
///
/// ```text
/// g = grad (negated with maximize)             g = g + weightDecay · p        (if weightDecay ≠ 0)
/// buf = g on the first step, then buf = momentum · buf + (1 − dampening) · g  (if momentum ≠ 0)
/// g = g + momentum · buf with nesterov, else g = buf
/// p = p − lr · g
/// ```
///
/// The update runs in the parameters' own storage without recording anything, so a training loop
/// allocates nothing per step here. Parameters whose `.grad` is nil are skipped.
public final class SGD: Optimizer {
    /// The tensors this optimizer updates, in the order given.
    public let parameters: [Tensor]
    /// The step size `lr`; change it between steps for a schedule.
    public var learningRate: Double
    /// The momentum factor (0: plain SGD).
    public var momentum: Double
    /// How much of each new gradient is *not* added to the momentum buffer.
    public var dampening: Double
    /// The L2 penalty added to the gradient (`weight_decay`).
    public var weightDecay: Double
    /// Whether to use Nesterov momentum (looking ahead along the buffer).
    public let nesterov: Bool
    /// Whether to climb the objective instead of descending it.
    public var maximize: Bool
    private var momentumBuffers: [Tensor?]

    /// An optimizer for `parameters` (`SGD(params, lr=..., momentum=..., ...)`); the defaults are
    /// PyTorch's. Nesterov momentum needs a momentum and zero dampening, as in PyTorch.
    public init(_ parameters: [Tensor], lr: Double = 0.001, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        precondition(lr >= 0, "Invalid learning rate: \(lr)")
        precondition(momentum >= 0, "Invalid momentum value: \(momentum)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening")
        precondition(!parameters.isEmpty, "optimizer got an empty parameter list")
        self.parameters = parameters
        self.learningRate = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.maximize = maximize
        self.momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    /// The momentum buffer of `parameter` (`optimizer.state[p]["momentum_buffer"]`): nil before the
    /// first step that gave it a gradient, or without momentum.
    public func momentumBuffer(for parameter: Tensor) -> Tensor? {
        parameters.firstIndex { $0 === parameter }.flatMap { momentumBuffers[$0] }
    }

    /// Updates every parameter that has a gradient.
    public func step() throws {
        for (i, p) in parameters.enumerated() {
            guard let g = ParameterUpdate.gradient(of: p) else { continue }
            var buffer = momentumBuffers[i]
            let first = buffer == nil
            if momentum != 0 && buffer == nil {
                buffer = ParameterUpdate.zeros(like: p)
                momentumBuffers[i] = buffer
            }
            let settings = Settings(lr: learningRate, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                                    nesterov: nesterov, maximize: maximize, firstStep: first)
            if p.dtype == .float64 {
                var none: [Double] = []
                if let buffer { SGD.update(&p.storage.doubles, g.storage.doubles, &buffer.storage.doubles, settings) }
                else { SGD.update(&p.storage.doubles, g.storage.doubles, &none, settings) }
            } else {
                var none: [Float] = []
                if let buffer { SGD.update(&p.storage.floats, g.storage.floats, &buffer.storage.floats, settings) }
                else { SGD.update(&p.storage.floats, g.storage.floats, &none, settings) }
            }
            if let buffer { ParameterUpdate.finish(p, buffer) } else { ParameterUpdate.finish(p) }
        }
    }

    struct Settings {
        let lr, momentum, dampening, weightDecay: Double
        let nesterov, maximize, firstStep: Bool
    }

    /// One parameter's update, in the element type, in PyTorch's order of roundings. `buffer` is
    /// empty without momentum.
    static func update<T: TensorScalar>(_ param: inout [T], _ grad: [T], _ buffer: inout [T], _ s: Settings) {
        let wd = T(s.weightDecay), mom = T(s.momentum), keep = T(1 - s.dampening), step = T(-s.lr)
        let useMomentum = s.momentum != 0
        param.withUnsafeMutableBufferPointer { p in
            grad.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    for i in 0..<p.count {
                        var d = s.maximize ? -g[i] : g[i]
                        if s.weightDecay != 0 { d = d.addingProduct(wd, p[i]) }   // grad.add(param, alpha=wd)
                        if useMomentum {
                            if s.firstStep {
                                b[i] = d                                        // buf = clone(grad)
                            } else {
                                b[i] = (b[i] * mom).addingProduct(keep, d)      // buf.mul_(m).add_(grad, alpha=1-d)
                            }
                            d = s.nesterov ? d.addingProduct(mom, b[i]) : b[i]
                        }
                        p[i] = p[i].addingProduct(step, d)                      // param.add_(grad, alpha=-lr)
                    }
                }
            }
        }
    }
}
