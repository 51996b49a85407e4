// Exercise 16 · micrograd's whole arc, part 1: the engine      (Lesson 2: The computation graph)
//
// A scalar autograd engine in the style of micrograd. `+` and the helpers at the bottom are written;
// you write:
//   1. the backward rules of `*`, `pow`, `tanh` and `relu` (lesson 2, and ex2 if you did it);
//   2. `topologicalOrder()`: every value this one depends on, each listed once and after all of its
//      parents (a depth-first search that remembers what it has visited);
//   3. `backward()`: seed this value's grad with 1, then run every `backwardStep` from the output back
//      to the inputs.
// Then go on to Network.swift.
//
// Run:   swift run grader check ex16          Stuck?   swift run grader hint ex16
import Foundation
import GraderKit

/// One number in a computation, with its gradient and the rule that sends that gradient back to the
/// values it was computed from.
final class Value {
    var data: Double
    var grad = 0.0
    let parents: [Value]
    /// Adds this value's contribution to each parent's `grad` (the chain rule for the operation that
    /// produced it). Runs once, after `grad` holds everything that flowed into this value.
    var backwardStep: () -> Void = {}

    init(_ data: Double, parents: [Value] = []) {
        self.data = data
        self.parents = parents
    }

    // MARK: Operations. `+` is done for you, as an example.

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
            todo("the backward rule of a * b: add into a.grad and b.grad")
        }
        return out
    }

    /// self raised to a constant power n.
    func pow(_ n: Double) -> Value {
        let out = Value(Foundation.pow(data, n), parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            todo("the backward rule of pow: add into self.grad")
        }
        return out
    }

    func tanh() -> Value {
        let out = Value(Foundation.tanh(data), parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            todo("the backward rule of tanh: add into self.grad")
        }
        return out
    }

    func relu() -> Value {
        let out = Value(Swift.max(0, data), parents: [self])
        out.backwardStep = { [unowned self, unowned out] in
            todo("the backward rule of relu: add into self.grad")
        }
        return out
    }

    // MARK: Backward

    /// Every value this one depends on (itself included), each once and after all of its parents.
    func topologicalOrder() -> [Value] {
        todo("list every value this one depends on, each once, after its parents")
    }

    /// Fills `grad` of every value this one depends on with d(self)/d(value).
    func backward() {
        todo("seed this value's grad, then run every backwardStep from the output back to the inputs")
    }

    // MARK: Helpers (done for you): subtraction and mixing with plain numbers.

    static prefix func - (a: Value) -> Value { a * Value(-1) }
    static func - (a: Value, b: Value) -> Value { a + (-b) }
    static func + (a: Value, b: Double) -> Value { a + Value(b) }
    static func - (a: Value, b: Double) -> Value { a + Value(-b) }
    static func * (a: Value, b: Double) -> Value { a * Value(b) }
    static func * (a: Double, b: Value) -> Value { Value(a) * b }
}
