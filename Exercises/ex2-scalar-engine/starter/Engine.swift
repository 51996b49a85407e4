// Exercise 2 · Backward rules of a scalar engine                (Lesson 2: The computation graph)
//
// This is lesson 2's `Value` engine. Its forward computations are written; `+` and `backward()` are
// complete. Your job: the backward rule (`backwardStep`) of `*`, `pow`, `exp` and `tanh`.
//
// Each rule adds, into each parent's `grad`, (the local derivative) × out.grad:
//   - `+=`, never `=`: a value used several times must receive the sum of all its contributions;
//   - `× out.grad`: the gradient that arrived from above. That product is the chain rule.
// Start each closure with `[unowned out] in` (and `[unowned self, unowned out] in` in pow, exp and
// tanh), as `+` does: a value's closure must not keep the value itself alive.
//
// Run:   swift run grader check ex2          Stuck?   swift run grader hint ex2
import Foundation
import GraderKit

/// One number in a computation, with its gradient and the rule that sends that gradient back to the
/// values it was computed from (lesson 2, "Build it yourself").
final class Value {
    var data: Double
    var grad = 0.0
    let parents: [Value]
    /// Adds this value's contribution to each parent's `grad`: the chain rule for the operation
    /// that produced it. Runs once, after `grad` holds the sum of everything that flowed into it.
    var backwardStep: () -> Void = {}

    init(_ data: Double, parents: [Value] = []) {
        self.data = data
        self.parents = parents
    }

    // MARK: The operations. `+` is done for you, as an example.

    static func + (a: Value, b: Value) -> Value {
        let out = Value(a.data + b.data, parents: [a, b])
        out.backwardStep = { [unowned out] in
            a.grad += 1 * out.grad
            b.grad += 1 * out.grad
        }
        return out
    }

    static func * (a: Value, b: Value) -> Value {
        let out = Value(a.data * b.data, parents: [a, b])
        out.backwardStep = {
            todo("the backward rule of a * b: add d(a·b)/da · out.grad into a.grad, and d(a·b)/db · out.grad into b.grad")
        }
        return out
    }

    /// self raised to a constant power n.
    func pow(_ n: Double) -> Value {
        let out = Value(Foundation.pow(data, n), parents: [self])
        out.backwardStep = {
            todo("the backward rule of pow: add d(xⁿ)/dx · out.grad into self.grad")
        }
        return out
    }

    func exp() -> Value {
        let out = Value(Foundation.exp(data), parents: [self])
        out.backwardStep = {
            todo("the backward rule of exp: add d(eˣ)/dx · out.grad into self.grad")
        }
        return out
    }

    func tanh() -> Value {
        let t = Foundation.tanh(data)
        let out = Value(t, parents: [self])
        out.backwardStep = {
            todo("the backward rule of tanh: add d(tanh x)/dx · out.grad into self.grad")
        }
        return out
    }

    // MARK: Backward (done for you)

    /// Every value this one depends on, each after all the values it depends on.
    func topologicalOrder() -> [Value] {
        var order: [Value] = []
        var visited = Set<ObjectIdentifier>()
        func visit(_ v: Value) {
            guard visited.insert(ObjectIdentifier(v)).inserted else { return }
            for parent in v.parents { visit(parent) }
            order.append(v)
        }
        visit(self)
        return order
    }

    /// Fills `grad` of every value this one depends on with d(self)/d(value).
    func backward() {
        grad = 1
        for v in topologicalOrder().reversed() { v.backwardStep() }
    }
}
