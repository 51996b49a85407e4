/// Forward mode for custom functions: their `jvp` rule, as PyTorch's `autograd.Function.jvp`.
extension Function {
    public func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor {
        throw AutogradError("You must implement the jvp function for custom autograd.Function to use it with forward mode AD.")
    }

    /// Runs `jvp` when an input carries a tangent, and attaches what it returns to `output`.
    func propagateTangent(_ ctx: FunctionContext, inputs: [Tensor], output: Tensor) throws {
        guard DualLevel.isActive else { return }
        let given = inputs.map { DualLevel.tangent(of: $0) }
        guard given.contains(where: { $0 != nil }) else { return }
        let tangents = zip(inputs, given).map { input, t in t ?? Tensor.zerosLike(input) }
        ctx.inForwardRule = true
        defer { ctx.inForwardRule = false }
        let tangent = try DualLevel.withoutPropagation { try noGrad { try jvp(ctx, tangents) } }
        guard tangent.shape == output.shape else {
            throw AutogradError("Trying to set a forward gradient that has a different size than that of the original Tensor, this is not supported. Tensor is of size \(output.shape) while the given forward gradient is of size \(tangent.shape).")
        }
        DualLevel.setTangent(tangent.dtype == output.dtype ? tangent.detach() : tangent.detach().to(output.dtype), of: output)
    }
}
