/// What every optimizer offers a training loop (`torch.optim.Optimizer`).
///
/// `step()` updates each parameter from its `.grad` (skipping parameters whose grad is nil) under
/// `noGrad`, and `zeroGrad()` clears the gradients before the next backward pass, since backward
/// adds into `.grad` rather than replacing it.
public protocol Optimizer: AnyObject {
    /// The tensors this optimizer updates.
    var parameters: [Tensor] { get }
    /// The learning rate, settable for schedules.
    var learningRate: Double { get set }
    /// Updates every parameter that has a gradient.
    func step() throws
}

extension Optimizer {
    /// Clears the gradients of all parameters: to nil by default (PyTorch's default since 2.0),
    /// or to zeros in place with `setToNone: false`.
    public func zeroGrad(setToNone: Bool = true) throws {
        for p in parameters {
            if setToNone { p.grad = nil } else { try p.grad?.zero_() }
        }
    }
}
