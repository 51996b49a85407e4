// Exercise 10 · Huber loss with a hand-written backward        (Lesson 10: Custom functions)
//
// The Huber loss of a residual r is quadratic near 0 and linear far from it:
//
//     huber(r) = 0.5 · r²                  if |r| ≤ delta
//              = delta · (|r| − 0.5·delta)  otherwise
//
// Write it as a custom autograd `Function`: `forward` computes the values (its operations are not
// recorded), `backward` receives gradOutput = d loss / d output and returns [d loss / d r]: the
// chain rule, written out by hand. Then write `huberLoss`, the mean Huber loss of predictions
// against targets, using your function.
//
// Run:   swift run grader check ex10          Stuck?   swift run grader hint ex10
import Autograd
import GraderKit

struct Huber: Function {
    var delta: Double

    func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
        let r = inputs[0]
        todo("compute huber(r) element-wise, and save r for backward")
    }

    func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) throws -> [Tensor?] {
        todo("return [d loss / d r]: gradOutput times huber'(r), element by element")
    }
}

/// The mean Huber loss of `prediction` against `target`.
func huberLoss(prediction: Tensor, target: Tensor, delta: Double) throws -> Tensor {
    todo("apply your Huber to the residuals prediction − target and take the mean")
}
