/// Activation functions as modules, so they can sit in a `Sequential` between layers. Each calls
/// the tensor method of the same name, so the graph shows the same node (`ReluBackward0`, …).

/// `max(x, 0)` elementwise (`torch.nn.ReLU`); its gradient is 0 at 0, as in PyTorch.
open class ReLU: Module {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// `tanh(x)` elementwise (`torch.nn.Tanh`).
open class Tanh: Module {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// `1 / (1 + e^-x)` elementwise (`torch.nn.Sigmoid`).
open class Sigmoid: Module {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}
