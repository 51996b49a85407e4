// Exercise 7 · Diagnosing gradients                              (Lesson 7: Gradient health)
//
// Part 1: `diagnose(_:)` reads one parameter's gradient and says what state it is in:
//   .missing     the gradient is nil: no backward pass reached this parameter
//   .nonFinite   some entry is nan or ±inf
//   .dead        every entry is exactly 0
//   .vanishing   the norm √(Σ g²) is below `vanishingBelow` (but not exactly 0)
//   .exploding   the norm is above `explodingAbove`
//   .healthy     anything else
// The order of the tests matters (lesson 7: what does a comparison with nan return?).
//
// Part 2: `deadUnits(of:)` takes a Linear layer after a backward pass and returns the indices of its
// dead output units: unit i is dead when row i of weight.grad and entry i of bias.grad are all
// exactly 0 (no gradient reaches it, so it can never change). Sorted, from 0. A layer whose
// gradients are nil has no dead units to report: return [].
//
// Part 3: `healthReport(of:)` diagnoses every parameter of a model, in namedParameters() order.
//
// Replace each todo(...) and run:   swift run grader check ex7        Stuck?   swift run grader hint ex7
import Autograd
import GraderKit

enum GradientHealth: Equatable {
    case missing, nonFinite, dead, vanishing, exploding, healthy
}

let vanishingBelow = 1e-6
let explodingAbove = 1e3

func diagnose(_ gradient: Tensor?) -> GradientHealth {
    todo("classify the gradient: missing, nonFinite, dead, vanishing, exploding or healthy")
}

func deadUnits(of layer: Linear) -> [Int] {
    todo("the rows i where weight.grad's row and bias.grad[i] are all exactly 0")
}

func healthReport(of model: Module) -> [(name: String, health: GradientHealth)] {
    todo("diagnose the gradient of every named parameter, in order")
}
