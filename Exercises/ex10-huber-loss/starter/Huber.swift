// Exercise · Huber loss with a hand-written backward
//
// The Huber loss of a residual r is quadratic near 0 and linear far from it:
//
//     huber(r) = 0.5 · r²                 if |r| ≤ delta
//              = delta · (|r| − 0.5·delta)  otherwise
//
// Write it as a custom autograd `Function`: `forward` computes the values (its operations are not
// recorded), `backward` receives d loss / d output and returns d loss / d r — the chain rule
// written out by hand. Then write `huberLoss`, the mean Huber loss of predictions vs targets.
//
// Replace each todo(...) and run `grader check huber`.
import Autograd
import GraderKit

struct Huber: Function {
    var delta: Double

    func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
        let r = inputs[0]
        todo("compute huber(r) element-wise, and save r for backward")
    }

    func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?] {
        todo("return [d loss / d r]: gradOutput times huber'(r)")
    }
}

/// The mean Huber loss of `prediction` against `target`.
func huberLoss(prediction: Tensor, target: Tensor, delta: Double) throws -> Tensor {
    todo("apply Huber to the residuals prediction − target and take the mean")
}
