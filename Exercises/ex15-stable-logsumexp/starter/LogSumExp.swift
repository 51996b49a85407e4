// Exercise 15 · A stable logsumexp with a backward and a forward-mode rule   (Lesson 14: Forward mode)
//
// logsumexp(x) = log(Σⱼ exp(xⱼ)) along the last dimension, a smooth maximum used by softmax,
// cross-entropy and attention. Computed as written it breaks: exp(1000) is inf in any float type, and
// exp(-1000) is 0, so log(Σ exp) gives inf or -inf where the true answer is about 1000 or -1000.
//
// Write it as a custom `Function` that never overflows, with both of its derivative rules:
//   - `forward`: logsumexp along the last dimension of x ([n] → [], [batch, n] → [batch]), stably;
//   - `backward`: reverse mode, gradOutput (one value per row) → [d loss / d x];
//   - `jvp`: forward mode, the tangent of x → the tangent of the output.
// Then write `stableSoftmax` with it. The grader checks the values at huge and tiny inputs, and both
// rules against finite differences (backward with `backward`, jvp inside a `dualLevel`).
//
// Run:   swift run grader check ex15          Stuck?   swift run grader hint ex15
import Autograd
import GraderKit

struct LogSumExp: Function {
    func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
        let x = inputs[0]
        todo("compute logsumexp(x) along the last dimension without overflow, and save what backward and jvp need")
    }

    func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?] {
        todo("return [d loss / d x]: gradOutput, one value per row, times the softmax of that row")
    }

    func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor {
        todo("return the output's tangent: the softmax-weighted sum of x's tangent along the last dimension")
    }
}

/// softmax(x) along the last dimension, computed as exp(x − logsumexp(x)) with your function.
func stableSoftmax(_ x: Tensor) throws -> Tensor {
    todo("exp(x − logsumexp(x)), with LogSumExp().apply(x)")
}
