/// A fully connected layer: `y = x Wᵀ + b` (`torch.nn.Linear`).
///
/// The weight has shape `[outFeatures, inFeatures]`, as in PyTorch, so each row holds the weights
/// of one output. Both are initialised as PyTorch initialises them, from the default generator and
/// in the same order (weight, then bias), each uniform in ±1/√inFeatures (`kaiming_uniform_` with
/// a = √5 for the weight): after `manualSeed(0)`, `Linear(2, 3)` has the weights
/// `torch.manual_seed(0); nn.Linear(2, 3)` has.
open class Linear: Module {
    /// The number of input features (the size of the last dimension of the input).
    public let inFeatures: Int
    /// The number of outputs.
    public let outFeatures: Int
    /// `[outFeatures, inFeatures]`.
    public var weight: Tensor
    /// `[outFeatures]`, or nil for a layer made with `bias: false`.
    public var bias: Tensor?

    /// A layer from `inFeatures` inputs to `outFeatures` outputs, with PyTorch's initialisation.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        // kaiming_uniform_(a: √5): gain √(2/(1+5)), bound gain·√3/√fanIn = 1/√fanIn. PyTorch
        // rounds the bounds to float before drawing, so do the same to get its exact values.
        let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
        let low = Double(Float(-bound)), high = Double(Float(bound))
        self.weight = Tensor.uniform([outFeatures, inFeatures], from: low, to: high, requiresGrad: true)
        self.bias = bias ? Tensor.uniform([outFeatures], from: low, to: high, requiresGrad: true) : nil
        super.init()
    }

    /// `x Wᵀ + b` over the last dimension of `x`. A matrix input records one fused node,
    /// `AddmmBackward0`, as PyTorch does; a 3-D input goes through the same node flattened
    /// (`ViewBackward0` on top), other ranks through `matmul` and `+`.
    open override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1 && input.shape[input.rank - 1] == inFeatures,
                     "addmm: mat1 and mat2 shapes cannot be multiplied (\(input.count / Swift.max(input.shape.last ?? 1, 1))x\(input.shape.last ?? 0) and \(inFeatures)x\(outFeatures))")
        guard let bias else { return input.matmul(weight.t()) }
        switch input.rank {
        case 2:
            return Tensor.linear(input, weight, bias)
        case 3:
            let flat = input.reshape([-1, inFeatures])
            return Tensor.linear(flat, weight, bias).reshape(Array(input.shape.dropLast()) + [outFeatures])
        default:
            return input.matmul(weight.t()) + bias
        }
    }

    /// `in_features=2, out_features=3, bias=True`, as PyTorch prints a linear layer.
    open override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}
