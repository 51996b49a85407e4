// Exercise 12 · A dynamic loss scaler             (Lesson 12: Mixed precision and loss scaling)
//
// Write the heart of GradScaler yourself. One iteration of training uses it like this:
//
//     try optimizer.zeroGrad()
//     try scaler.scaled(loss).backward()      // every gradient is now `scale` times too large
//     let stepped = try scaler.step(optimizer)  // unscale, check for inf/nan, step only if clean
//     scaler.update()                         // skip → backoff; enough clean steps → growth
//
// The grader runs your scaler side by side with the library's GradScaler on a fixed sequence of
// gradients with inf and nan in it, and compares the scale and the parameters after every step.
//
// Run:   swift run grader check ex12          Stuck?   swift run grader hint ex12
import Autograd
import GraderKit

final class LossScaler {
    /// The factor the loss is multiplied by.
    var scale: Double
    let growthFactor: Double
    let backoffFactor: Double
    let growthInterval: Int
    /// Clean steps in a row since the scale last changed.
    var cleanSteps = 0
    /// What the last unscale found: true if some gradient was inf or nan, nil before any check.
    var foundInf: Bool? = nil

    init(initScale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5, growthInterval: Int = 2000) {
        self.scale = initScale
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
    }

    /// Part 1. The loss multiplied by the current scale, to call backward() on.
    func scaled(_ loss: Tensor) -> Tensor {
        todo("multiply the loss by the scale")
    }

    /// Part 2. Divides the gradient of every parameter (those whose grad is not nil) by the scale,
    /// in place, and returns true if any gradient holds inf, -inf or nan.
    func unscale(_ parameters: [Tensor]) throws -> Bool {
        todo("divide each gradient by the scale and report whether any value is not finite")
    }

    /// Part 3. Unscales the optimizer's gradients, records what was found in `foundInf`, and runs
    /// optimizer.step() only if every gradient is finite. Returns whether the step ran.
    func step(_ optimizer: Optimizer) throws -> Bool {
        todo("unscale, remember foundInf, and step only when the gradients are clean")
    }

    /// Part 4. Ends the iteration: after an overflow, multiply the scale by backoffFactor and start
    /// counting clean steps from zero; after a clean step, count it, and when growthInterval clean
    /// steps in a row have passed, multiply the scale by growthFactor and start counting again.
    func update() {
        todo("backoff after an overflow, growth after growthInterval clean steps in a row")
    }
}
