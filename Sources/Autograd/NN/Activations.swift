/// Activation functions as modules, so they can sit in a `Sequential` between layers. Each calls
/// the tensor method of the same name, so the graph shows the same node (`ReluBackward0`, …).

/// `max(x, 0)` elementwise (`torch.nn.ReLU`); its gradient is 0 at 0, as in PyTorch.
open class ReLU: Module {
    /// The activation; it has no parameters.
    public override init() { super.init() }
    /// `input.relu()`.
    open override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// `tanh(x)` elementwise (`torch.nn.Tanh`).
open class Tanh: Module {
    /// The activation; it has no parameters.
    public override init() { super.init() }
    /// `input.tanh()`.
    open override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// `1 / (1 + e^-x)` elementwise (`torch.nn.Sigmoid`).
open class Sigmoid: Module {
    /// The activation; it has no parameters.
    public override init() { super.init() }
    /// `input.sigmoid()`.
    open override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}
