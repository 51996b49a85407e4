import Autograd
import Foundation
import GraderKit

// Every check builds a small expression, runs the student's backward(), and compares the gradients
// with finite differences and with the library's autograd. Known wrong rules are recognised first,
// so the message names the mistake.

/// `v · k` with a correct backward rule written here, so that a rule under test sees an incoming
/// gradient out.grad = k ≠ 1 (a rule that forgets `* out.grad` is then caught).
private func scaled(_ v: Value, _ k: Double) -> Value {
    let out = Value(v.data * k, parents: [v])
    out.backwardStep = { [unowned out] in v.grad += k * out.grad }
    return out
}

private func close(_ a: Double, _ b: Double) -> Bool {
    a.isFinite && abs(a - b) <= 1e-6 + 1e-6 * abs(b)
}

/// The gradient of `build(x)` with respect to x, by the student's engine.
private func engineGradient(_ x: Double, _ build: (Value) -> Value) -> Double {
    let v = Value(x)
    build(v).backward()
    return v.grad
}

/// Fails with the message of the first known mistake that `actual` reproduces, then checks `actual`
/// against finite differences of `build`.
private func checkRule(_ name: String, at x: Double, _ build: @escaping (Value) -> Value,
                       expected: Double, mistakes: [(Double, String)]) throws {
    let actual = engineGradient(x, build)
    if !close(actual, expected) {
        if let known = mistakes.first(where: { close(actual, $0.0) }) {
            throw CheckFailure("\(name) at x = \(Format6.value(x)): your gradient is \(Format6.value(actual)), expected \(Format6.value(expected)). \(known.1)")
        }
        if actual == 0 {
            throw CheckFailure("\(name) at x = \(Format6.value(x)): the gradient is 0, so your rule added nothing into the parent's grad (is the rule still empty, or does it write into out.grad instead?)")
        }
    }
    try GradCheck.assertDerivative(of: { build(Value($0)).data }, derivative: { engineGradient($0, build) },
                                   at: [x], name: name)
}

/// The name of the first single-operation rule that is wrong, if any: later checks, which combine
/// operations, then point at it instead of guessing.
private func firstBrokenRule() -> String? {
    let x = 0.7, k = 1.75
    let rules: [(String, (Value) -> Value, Double)] = [
        ("mul", { $0 * Value(-1.3) }, -1.3),
        ("pow", { $0.pow(3) }, 3 * x * x),
        ("exp", { $0.exp() }, Foundation.exp(x)),
        ("tanh", { $0.tanh() }, 1 - Foundation.tanh(x) * Foundation.tanh(x)),
    ]
    for (name, build, local) in rules where !close(engineGradient(x, { scaled(build($0), k) }), k * local) {
        return name
    }
    return nil
}

/// Fails pointing at a broken single rule, when there is one.
private func blameBrokenRule(_ what: String) throws {
    if let rule = firstBrokenRule() {
        throw CheckFailure("\(what) is wrong because the rule of \(rule) is: fix the check \"\(rule)\" above first",
                           hint: "Work through the checks in order: each single-operation check names its mistake.")
    }
}

/// Short number formatting for messages.
private enum Format6 {
    static func value(_ x: Double) -> String { String(format: "%.6g", x) }
}

let checks = CheckSuite {
    Check("mul", "a * b sends b · out.grad to a and a · out.grad to b",
          hint: "The backward rule of * in Value: each parent's gradient is its local derivative times out.grad.\nd(a·b)/da = b and d(a·b)/db = a; multiply each by out.grad and add (+=) into a.grad and b.grad.") {
        let k = 3.0
        for (a0, b0) in [(2.0, -1.5), (-0.5, 4.0)] {
            let a = Value(a0), b = Value(b0)
            scaled(a * b, k).backward()
            let expectA = b0 * k, expectB = a0 * k
            if close(a.grad, b0) && close(b.grad, a0) {
                throw CheckFailure("(a * b) · \(Int(k)) with a = \(a0), b = \(b0): your gradients are a.grad = \(Format6.value(a.grad)), b.grad = \(Format6.value(b.grad)), exactly 1/\(Int(k)) of the right ones (\(Format6.value(expectA)), \(Format6.value(expectB))). Your rule forgot the chain-rule factor: multiply the local derivative by out.grad, the gradient arriving from above")
            }
            if close(a.grad, a0 * k) && close(b.grad, b0 * k) {
                throw CheckFailure("(a * b) · \(Int(k)) with a = \(a0), b = \(b0): a.grad is \(Format6.value(a.grad)) = a · out.grad, but d(a·b)/da is b, the *other* factor: a.grad += b.data * out.grad (and b.grad += a.data * out.grad)")
            }
            try expectClose(a.grad, expectA, "a.grad for (a * b) · \(Int(k)) with a = \(a0), b = \(b0)")
            try expectClose(b.grad, expectB, "b.grad for (a * b) · \(Int(k)) with a = \(a0), b = \(b0)")
        }
        try GradCheck.assertDerivative(of: { x in (Value(x) * Value(1.7)).data },
                                       derivative: { x in engineGradient(x) { $0 * Value(1.7) } },
                                       at: Random.doubles(4, in: -2...2), name: "x * 1.7")
    }

    Check("pow", "x.pow(n) sends n · xⁿ⁻¹ · out.grad to x",
          hint: "The backward rule of pow in Value: the power rule, times out.grad.\nd(xⁿ)/dx = n · xⁿ⁻¹ (Foundation.pow(self.data, n - 1)); multiply by out.grad.") {
        let k = 2.0
        for (x, n) in [(1.5, 3.0), (0.8, -2.0), (2.5, 0.5)] {
            let right = k * n * Foundation.pow(x, n - 1)
            try checkRule("d/dx of x.pow(\(n)) · 2", at: x, { scaled($0.pow(n), k) }, expected: right, mistakes: [
                (n * Foundation.pow(x, n - 1), "That is n · xⁿ⁻¹ without out.grad: multiply by out.grad, the gradient arriving from above (the chain rule)"),
                (k * Foundation.pow(x, n - 1), "The power rule brings the exponent down as a factor: n · xⁿ⁻¹, not xⁿ⁻¹"),
                (k * n * Foundation.pow(x, n), "The exponent drops by one: n · xⁿ⁻¹, not n · xⁿ"),
                (k * Foundation.pow(x, n), "That is the value xⁿ (times out.grad), not its derivative n · xⁿ⁻¹"),
                (k * (n - 1) * Foundation.pow(x, n - 1), "The factor is n, not n − 1: d(xⁿ)/dx = n · xⁿ⁻¹"),
            ])
        }
    }

    Check("exp", "x.exp() sends eˣ · out.grad to x",
          hint: "d(eˣ)/dx = eˣ, which is the output's own value: out.data. Multiply by out.grad.") {
        let k = -1.5
        for x in [0.7, -1.2] {
            let e = Foundation.exp(x)
            try checkRule("d/dx of x.exp() · (−1.5)", at: x, { scaled($0.exp(), k) }, expected: k * e, mistakes: [
                (e, "That is eˣ without out.grad: multiply by out.grad, the gradient arriving from above (the chain rule)"),
                (k * x, "You used the input x; the derivative of eˣ is eˣ itself, the output: out.data"),
                (k * x * Foundation.exp(x - 1), "exp is not a power of x: d(eˣ)/dx = eˣ (out.data)"),
                (-k * e, "The sign is flipped: d(eˣ)/dx = +eˣ"),
            ])
        }
    }

    Check("tanh", "x.tanh() sends (1 − tanh²x) · out.grad to x",
          hint: "With t = tanh(x), the output: d(tanh x)/dx = 1 − t². Use t, not x. Multiply by out.grad.") {
        let k = 2.5
        for x in [0.6, -1.1] {
            let t = Foundation.tanh(x)
            try checkRule("d/dx of x.tanh() · 2.5", at: x, { scaled($0.tanh(), k) }, expected: k * (1 - t * t), mistakes: [
                (1 - t * t, "That is 1 − t² without out.grad: multiply by out.grad, the gradient arriving from above (the chain rule)"),
                (k * (1 - x * x), "You squared the input x; the formula squares the output t = tanh(x): 1 − t²"),
                (k * (1 + t * t), "The sign inside is flipped: d(tanh x)/dx = 1 − t², not 1 + t²"),
                (k * (t * t - 1), "The sign is flipped: d(tanh x)/dx = 1 − t², not t² − 1"),
                (k * (1 - t), "Square the output: 1 − t², not 1 − t"),
                (k * t * t, "d(tanh x)/dx = 1 − t², not t²"),
            ])
        }
    }

    Check("reuse", "a value used several times receives the sum of its gradients",
          hint: "Every rule must add (+=) into the parents' grad. With =, a value used twice keeps only the last contribution.") {
        let x0 = 1.3
        try blameBrokenRule("the gradient of expressions that reuse x")
        let cases: [(String, (Value) -> Value, Double, Double)] = [
            ("x * x", { $0 * $0 }, 2 * x0, x0),
            ("x.exp() * x", { $0.exp() * $0 }, Foundation.exp(x0) * (1 + x0), Foundation.exp(x0)),
            ("x.pow(2) * x.tanh()", { $0.pow(2) * $0.tanh() },
             2 * x0 * Foundation.tanh(x0) + x0 * x0 * (1 - Foundation.tanh(x0) * Foundation.tanh(x0)), .nan),
        ]
        for (text, build, right, oneSideOnly) in cases {
            let g = engineGradient(x0, build)
            if !close(g, right) && close(g, oneSideOnly) {
                throw CheckFailure("d/dx of \(text) at x = \(x0): your gradient is \(Format6.value(g)), expected \(Format6.value(right)). x is used twice, and only one of its two contributions survived: a rule assigns (=) where it must add (+=) into the parent's grad")
            }
            if !close(g, right) {
                throw CheckFailure("d/dx of \(text) at x = \(x0): your gradient is \(Format6.value(g)), expected \(Format6.value(right)). x is used twice: each use must add (+=) its own contribution into x.grad")
            }
            try expectClose(g, right, atol: 1e-6, rtol: 1e-6, "d/dx of \(text) at x = \(x0)")
        }
    }

    Check("finite_differences", "f(x) = tanh(x·eˣ)² + (tanh(x·eˣ) + x)³ · x: its gradient matches finite differences",
          hint: "If the single-operation checks pass and this fails, look for = instead of += in a rule.") {
        try blameBrokenRule("the gradient of a whole expression")
        let build: (Value) -> Value = { x in
            let h = (x * x.exp()).tanh()
            return h * h + (h + x).pow(3) * x
        }
        try GradCheck.assertDerivative(of: { build(Value($0)).data }, derivative: { engineGradient($0, build) },
                                       at: Random.doubles(6, in: -1.5...1.5), name: "f")
    }

    Check("library", "your engine agrees with the library's autograd on random expressions",
          hint: "Each failure names the expression: try it by hand in a Swift file with both engines, as lesson 2 does.") {
        // The same expression in both engines, through generic closures.
        func expression<T>(_ a: T, _ b: T, _ c: T, mul: (T, T) -> T, add: (T, T) -> T, pow: (T, Double) -> T,
                           exp: (T) -> T, tanh: (T) -> T) -> T {
            let u = mul(a, b)
            let v = tanh(add(u, c))
            return add(mul(v, v), mul(pow(add(a, exp(mul(v, c))), 2), b))
        }
        try blameBrokenRule("the comparison with the library")
        try forAll("the gradients of tanh(a·b + c)² + (a + e^(tanh(a·b + c)·c))² · b", trials: 20) { _ in
            let xs = Random.doubles(3, in: -1.5...1.5)
            let vs = xs.map { Value($0) }
            expression(vs[0], vs[1], vs[2], mul: *, add: +, pow: { $0.pow($1) }, exp: { $0.exp() }, tanh: { $0.tanh() }).backward()
            let ts = xs.map { Tensor($0, dtype: .float64, requiresGrad: true) }
            try expression(ts[0], ts[1], ts[2], mul: *, add: +, pow: { $0.pow($1) }, exp: { $0.exp() }, tanh: { $0.tanh() }).backward()
            for (i, name) in ["a", "b", "c"].enumerated() {
                let mine = vs[i].grad, library = try ts[i].grad!.item()
                guard close(mine, library) || abs(mine - library) <= 1e-6 * max(1, abs(library)) else {
                    throw CheckFailure("at a = \(Format6.value(xs[0])), b = \(Format6.value(xs[1])), c = \(Format6.value(xs[2])): d out/d \(name) is \(Format6.value(mine)) in your engine, \(Format6.value(library)) in the library")
                }
                try expectClose(mine, library, atol: 1e-6, rtol: 1e-6, "d out/d \(name) in your engine")
            }
        }
    }
}
