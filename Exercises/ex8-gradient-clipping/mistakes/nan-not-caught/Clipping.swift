// Exercise 8 · Gradient clipping, by hand — a solution.
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
    let values = parameters.compactMap(\.grad).flatMap(\.scalars).map { abs($0) }
    if normType == .infinity { return values.max() ?? 0 }
    return pow(values.reduce(0) { $0 + pow($1, normType) }, 1 / normType)
}

/// Part 2. Norm clipping, in place; returns the total norm before clipping.
func myClipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2) throws -> Double {
    let total = totalGradNorm(parameters, normType: normType)
    guard !total.isInfinite else { throw NonFiniteGradientNorm(norm: total) }
    let factor = min(1, maxNorm / (total + 1e-6))
    for g in parameters.compactMap(\.grad) {
        try noGrad { try g.mul_(factor) }
    }
    return total
}

/// Part 3. Value clipping, in place: every element into [-clipValue, clipValue].
func myClipGradValue(_ parameters: [Tensor], clipValue: Double) throws {
    for g in parameters.compactMap(\.grad) {
        try noGrad { try g.clamp_(min: -clipValue, max: clipValue) }
    }
}

/// Part 4. One training step with norm clipping; returns the loss.
func clippedStep(model: Module, optimizer: Optimizer, x: Tensor, y: Tensor, maxNorm: Double) throws -> Double {
    try optimizer.zeroGrad()
    let loss = mseLoss(model(x), y)
    try loss.backward()
    try myClipGradNorm(model.parameters(), maxNorm: maxNorm)
    try optimizer.step()
    return try loss.item()
}
