// Exercise 9 · Hooks: a clamping hook and a gradient recorder              (Lesson 9: Hooks)
//
// Part 1: `clampingHook(limit:)` returns a tensor hook (for x.registerHook) that clamps the gradient
//         into [-limit, limit]. Remember what a hook's return value means.
// Part 2: `GradientRecorder` watches a model's gradient flow, the way lesson 9 recorded its
//         five-layer network: for every parameter whose name ends in "weight", one hook appends the
//         norm of its .grad after each backward pass (after accumulation). `remove()` removes
//         every hook it registered.
//
// Run:   swift run grader check ex9          Stuck?   swift run grader hint ex9
import Autograd
import GraderKit

/// Part 1. A tensor hook that clamps the gradient into [-limit, limit].
func clampingHook(limit: Double) -> (Tensor) -> Tensor? {
    todo("return a closure { grad in ... } that returns the gradient clamped into [-limit, limit]")
}

/// Part 2. Records the gradient norm of every weight of a model after each backward pass.
final class GradientRecorder {
    /// For each parameter whose name ends in "weight": its .grad norm after each backward, in order.
    private(set) var norms: [String: [Double]] = [:]
    private var handles: [RemovableHandle] = []

    init(model: Module) throws {
        todo("for each (name, p) in model.namedParameters() whose name ends in \"weight\": set norms[name] = [] and register a hook that appends p.grad's norm; keep the handles")
    }

    /// Removes every hook: later backward passes record nothing.
    func remove() {
        todo("remove every hook this recorder registered")
    }
}
