/// A differentiable operation with a hand-written backward rule (`torch.autograd.Function`).
///
/// Write `forward` with ordinary tensor operations (they are not recorded) and `backward` to
/// return one gradient per input tensor, nil where an input needs none. Non-tensor parameters are
/// properties of the conforming type:
///
/// ```swift
/// struct Huber: Function {
///     var delta: Double
///     func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { ... }
///     func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?] { ... }
/// }
/// let loss = try Huber(delta: 1).apply(r)   // grad_fn=<HuberBackward>
/// ```
public protocol Function {
    func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor
    func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?]
    /// The forward-mode rule (PyTorch's `jvp` staticmethod): the output's tangent from one tangent
    /// per input (zeros for an input without one). Tensors it needs are saved in `forward` with
    /// `ctx.saveForForward`. Optional: without it, the function can't be used under `dualLevel`.
    func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor
    /// The name shown in `grad_fn=<...>`; by default the type's name followed by `Backward`.
    var nodeName: String { get }
}

extension Function {
    /// The node's name: the type's name followed by `Backward`, as PyTorch names custom functions.
    public var nodeName: String { "\(type(of: self))Backward" }

    /// Runs `forward` without recording and records one node whose backward is `backward`.
    public func apply(_ inputs: Tensor...) throws -> Tensor { try apply(inputs) }

    public func apply(_ inputs: [Tensor]) throws -> Tensor {
        let ctx = FunctionContext(needsInputGrad: inputs.map(\.requiresGrad))
        let output = try noGrad { try DualLevel.withoutPropagation { try forward(ctx, inputs) } }
        let result = DualLevel.withoutPropagation {
            Tensor.result(output.storage, output.shape, output.dtype, inputs: inputs, name: nodeName,
                          saving: ctx.saved) { g in
                try self.backward(ctx, g)
            }
        }
        try propagateTangent(ctx, inputs: inputs, output: result)
        return result
    }
}

/// What a custom function's forward pass leaves for its backward pass (PyTorch's `ctx`).
public final class FunctionContext {
    /// For each input, whether it requires a gradient: backward may skip the others.
    public let needsInputGrad: [Bool]
    private(set) var saved: [SavedTensor] = []
    private var savedForForward: [SavedTensor] = []
    /// While `jvp` runs, `savedTensors` are those given to `saveForForward`, as in PyTorch.
    var inForwardRule = false

    init(needsInputGrad: [Bool]) { self.needsInputGrad = needsInputGrad }

    /// Keeps tensors for backward; they are checked for in-place changes when read back.
    public func saveForBackward(_ tensors: Tensor...) {
        saved = tensors.map { SavedTensor($0) }
    }

    /// Keeps tensors for the forward-mode rule `jvp` (`ctx.save_for_forward`).
    public func saveForForward(_ tensors: Tensor...) {
        // Read by `jvp` itself, never by a node: they are this context's to read.
        savedForForward = tensors.map { SavedTensor($0) }
        for s in savedForForward { s.claimed = true }
    }

    /// The tensors given to `saveForBackward`, in order; inside `jvp`, those given to
    /// `saveForForward`.
    public var savedTensors: [Tensor] {
        get throws { try (inForwardRule ? savedForForward : saved).map { try $0.unpack() } }
    }
}
