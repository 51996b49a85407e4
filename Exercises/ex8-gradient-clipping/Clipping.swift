// Exercise 8 · Gradient clipping, by hand                       (Lesson 8: Gradient clipping)
//
// Write the library's clipGradNorm and clipGradValue yourself, then use your norm clipping in a
// training step. The checks compare your functions with the library's and with cases worked out
// by hand (lesson 8 prints several).
//
//   Part 1  totalGradNorm: the p-norm of all gradient elements of all parameters, as one vector
//           (normType 2, 1 or .infinity). Parameters whose grad is nil are skipped.
//   Part 2  myClipGradNorm: if the total norm exceeds maxNorm, multiply every gradient by
//           maxNorm / (total + 1e-6); never enlarge a gradient. Return the total before clipping.
//           If the total is inf or nan, throw NonFiniteGradientNorm and change nothing.
//   Part 3  myClipGradValue: clamp every gradient element into [-clipValue, clipValue].
//   Part 4  clippedStep: one training step (zeroGrad, forward, mseLoss, backward, step) with your
//           norm clipping in the right place.
//
// Change the gradients in place (inside noGrad { }: g.mul_(factor), g.clamp_(min:max:)), or
// assign a new tensor to p.grad.
//
// Run:   swift run grader check ex8          Stuck?   swift run grader hint ex8
import Autograd
import Foundation
import GraderKit

/// Thrown by myClipGradNorm when the total norm is inf or nan (given).
struct NonFiniteGradientNorm: Error, CustomStringConvertible {
    let norm: Double
    var description: String { "the total gradient norm is \(norm): nothing to clip, find the inf/nan first" }
}

/// Part 1. The total norm of the parameters' gradients, all elements as one vector.
func totalGradNorm(_ parameters: [Tensor], normType: Double) -> Double {
    todo("the p-norm of every gradient element of every parameter (skip nil grads); normType .infinity is the largest |g|")
}

/// Part 2. Norm clipping, in place; returns the total norm before clipping.
func myClipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2) throws -> Double {
    todo("measure the total norm; throw NonFiniteGradientNorm if it isn't finite; scale every gradient by min(1, maxNorm / (total + 1e-6))")
}

/// Part 3. Value clipping, in place: every element into [-clipValue, clipValue].
func myClipGradValue(_ parameters: [Tensor], clipValue: Double) throws {
    todo("clamp every gradient element into [-clipValue, clipValue]")
}

/// Part 4. One training step with norm clipping; returns the loss.
func clippedStep(model: Module, optimizer: Optimizer, x: Tensor, y: Tensor, maxNorm: Double) throws -> Double {
    todo("zeroGrad, loss = mseLoss(model(x), y), backward, myClipGradNorm, step; return loss.item()")
}
