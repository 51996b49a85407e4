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

    /// One parameter's update, in the element type, in PyTorch's order of roundings (fused
    /// multiply-adds, in C so they run as hardware FMA: see `AutogradKernels/optim.c`). `buffer`
    /// is empty without momentum.
    static func update(_ param: inout [Float], _ grad: [Float], _ buffer: inout [Float], _ s: Settings) {
        param.withUnsafeMutableBufferPointer { p in
            grad.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    guard let pp = p.baseAddress, let gp = g.baseAddress else { return }
                    let bp = b.baseAddress
                    Parallel.forEachRange(count: p.count) { r in
                        CKernels.sgdUpdate(r.count, pp + r.lowerBound, gp + r.lowerBound, bp.map { $0 + r.lowerBound },
                                           lr: Float(s.lr), weightDecay: Float(s.weightDecay), momentum: Float(s.momentum),
                                           dampening: Float(s.dampening), nesterov: s.nesterov, maximize: s.maximize,
                                           first: s.firstStep)
                    }
                }
            }
        }
    }

    static func update(_ param: inout [Double], _ grad: [Double], _ buffer: inout [Double], _ s: Settings) {
        param.withUnsafeMutableBufferPointer { p in
            grad.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    guard let pp = p.baseAddress, let gp = g.baseAddress else { return }
                    let bp = b.baseAddress
                    Parallel.forEachRange(count: p.count) { r in
                        CKernels.sgdUpdate(r.count, pp + r.lowerBound, gp + r.lowerBound, bp.map { $0 + r.lowerBound },
                                           lr: s.lr, weightDecay: s.weightDecay, momentum: s.momentum,
                                           dampening: s.dampening, nesterov: s.nesterov, maximize: s.maximize,
                                           first: s.firstStep)
                    }
                }
            }
        }
    }
}
