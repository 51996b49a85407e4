import Autograd
import GraderWire

/// The values each check compares, collected while it runs and sent with its verdict.
///
/// When grading, a check passes only if these agree with the same check's values run against the
/// reference solution, so every comparison in the kit records what it compared. A check that
/// compares something the kit cannot see (a condition it tests itself) should `observe` the
/// numbers behind it.
enum Evidence {
    private(set) static var observations: [Observation] = []

    static func reset() { observations = [] }

    static func value(_ what: String, actual: [Double], expected: [Double], atol: Double, rtol: Double) {
        observations.append(Observation(kind: .value, what: what, actual: actual, expected: expected, atol: atol, rtol: rtol))
    }

    static func fact(_ what: String, actual: [Double], expected: [Double]) {
        observations.append(Observation(kind: .fact, what: what, actual: actual, expected: expected))
    }

    static func fact(_ what: String, _ holds: Bool) {
        fact(what, actual: [holds ? 1 : 0], expected: [1])
    }
}

/// Records numbers the student's code computed, as evidence for grading, without comparing them.
///
/// Use it where a check tests a property itself (`if loss > previous { throw … }`): when grading,
/// the observed numbers must agree with the reference solution's within `atol + rtol·|value|`.
public func observe(_ values: [Double], _ what: String, atol: Double = 1e-6, rtol: Double = 1e-5) {
    Evidence.value(what, actual: values, expected: values, atol: atol, rtol: rtol)
}

/// Records one number; see `observe(_:_:atol:rtol:)`.
public func observe(_ value: Double, _ what: String, atol: Double = 1e-6, rtol: Double = 1e-5) {
    observe([value], what, atol: atol, rtol: rtol)
}

/// Records a tensor's values; see `observe(_:_:atol:rtol:)`.
public func observe(_ tensor: Tensor, _ what: String, atol: Double = 1e-6, rtol: Double = 1e-5) {
    observe(tensor.scalars, what, atol: atol, rtol: rtol)
}
