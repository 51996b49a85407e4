// Exercise 9 · Hooks: a clamping hook and a gradient recorder — a solution.
import Autograd
import GraderKit

/// Part 1. A tensor hook that clamps the gradient into [-limit, limit].
func clampingHook(limit: Double) -> (Tensor) -> Tensor? {
    { grad in grad.clamp(min: -limit, max: limit) }
}

/// Part 2. Records the gradient norm of every weight of a model after each backward pass.
final class GradientRecorder {
    /// For each parameter whose name ends in "weight": its .grad norm after each backward, in order.
    private(set) var norms: [String: [Double]] = [:]
    private var handles: [RemovableHandle] = []

    init(model: Module) throws {
        for (name, p) in model.namedParameters() where name.hasSuffix("weight") {
            norms[name] = []
            handles.append(try p.registerHook { [unowned self] grad in   // runs before accumulation
                self.norms[name]!.append(try grad.norm().item())
                return nil
            })
        }
    }

    /// Removes every hook: later backward passes record nothing.
    func remove() {
        for handle in handles { handle.remove() }
        handles = []
    }
}
