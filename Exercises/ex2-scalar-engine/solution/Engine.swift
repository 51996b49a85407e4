// Exercise 2 · Backward rules of a scalar engine — reference solution.
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
        out.backwardStep = { [unowned out] in
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad
        }
        return out
    }

    /// self raised to a constant power n.
    func pow(_ n: Double) -> Value {
        let out = Value(Foundation.pow(data, n), parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            self.grad += n * Foundation.pow(self.data, n - 1) * out.grad
        }
        return out
    }

    func exp() -> Value {
        let out = Value(Foundation.exp(data), parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            self.grad += out.data * out.grad
        }
        return out
    }

    func tanh() -> Value {
        let t = Foundation.tanh(data)
        let out = Value(t, parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            self.grad += (1 - t * t) * out.grad
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
