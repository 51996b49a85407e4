// Exercise 15 · A stable logsumexp with a backward and a forward-mode rule — a known mistake.
import Autograd
import GraderKit

struct LogSumExp: Function {
    func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
        let x = inputs[0]
        // Shift by the row's maximum: every exponent is ≤ 0 and one of them is exactly 0.
        let m = try x.max(dim: -1, keepdim: true).values
        let out = try m + (x - m).exp().sum(dim: -1, keepdim: true).log()
        let softmax = (x - out).exp()
        ctx.saveForBackward(softmax)
        ctx.saveForForward(softmax)
        return try out.squeeze(-1)
    }

    func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?] {
        let p = try ctx.savedTensors[0]
        return try [gradOutput.unsqueeze(-1) * p]          // ∂out/∂xⱼ = softmax(x)ⱼ, per row
    }

    func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor {
        let p = try ctx.savedTensors[0]
        return p * tangents[0]
    }
}

func stableSoftmax(_ x: Tensor) throws -> Tensor {
    (try x - (try LogSumExp().apply(x)).unsqueeze(-1)).exp()
}
