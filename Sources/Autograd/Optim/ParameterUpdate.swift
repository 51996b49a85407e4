/// Shared plumbing for optimizers: updating a parameter's values in place, straight in its
/// storage, as PyTorch's `param.add_(...)` does under `no_grad`.
enum ParameterUpdate {
    /// The gradient of `parameter` in the parameter's type (gradients normally have it already).
    static func gradient(of parameter: Tensor) -> Tensor? {
        guard let g = parameter.grad else { return nil }
        precondition(g.shape == parameter.shape,
                     "the gradient of a parameter of shape \(parameter.shape) has shape \(g.shape)")
        return g.dtype == parameter.dtype ? g : noGrad { g.detach().to(parameter.dtype) }
    }

    /// A zero-filled buffer like `parameter` for optimizer state (`torch.zeros_like(param)`).
    static func zeros(like parameter: Tensor) -> Tensor {
        Tensor.zeros(parameter.shape, dtype: parameter.dtype)
    }

    /// After an update: a float16 tensor goes back on the half grid, and the version counter moves
    /// on, so that a graph which saved the old values refuses to use them.
    static func finish(_ tensors: Tensor...) {
        for t in tensors {
            if t.dtype == .float16 { t.storage.roundToHalf() }
            t.storage.version += 1
        }
    }
}
