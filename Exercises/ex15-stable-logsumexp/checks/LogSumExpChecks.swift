import Autograd
import Foundation
import GraderKit

// Checks for exercise 15. Values are compared with logsumexp computed in Double on plain numbers;
// backward is compared with central finite differences of your forward (GradCheck), and jvp with
// central differences along a random direction, both in float64.

// MARK: - The reference, on plain numbers

private func referenceLSE(_ row: [Double]) -> Double {
    let m = row.max()!
    return m + log(row.map { exp($0 - m) }.reduce(0, +))
}

private func rows(_ t: Tensor) -> [[Double]] {
    let n = t.shape.last ?? 1
    let values = t.scalars
    return stride(from: 0, to: values.count, by: n).map { Array(values[$0..<($0 + n)]) }
}

private func show(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.6g", x)
}

/// Your logsumexp of `values` (shape `shape`), with a clear failure when it isn't usable at all.
private func yours(_ values: [Double], shape: [Int], dtype: DType = .float64) throws -> Tensor {
    let out = try LogSumExp().apply(Tensor(values, shape: shape, dtype: dtype))
    let expected = Array(shape.dropLast())
    guard out.shape == expected else {
        throw CheckFailure("LogSumExp().apply(x) for x of shape \(shape) has shape \(out.shape), expected \(expected): logsumexp reduces the last dimension (one value per row; squeeze the kept dimension away)")
    }
    return out
}

/// Fails with the row, your value and the right one for the worst row.
private func compareRows(_ x: [Double], shape: [Int], dtype: DType = .float64, what: String, rtol: Double = 1e-9) throws {
    let out = try yours(x, shape: shape, dtype: dtype).scalars
    let expected = rows(Tensor(x, shape: shape, dtype: .float64)).map(referenceLSE)
    for (i, (a, e)) in zip(out, expected).enumerated() where !(abs(a - e) <= 1e-9 + rtol * abs(e)) {
        let row = rows(Tensor(x, shape: shape, dtype: .float64))[i].map(show).joined(separator: ", ")
        var message = "\(what): logsumexp of row \(i), [\(row)], is \(show(a)); it should be \(show(e))"
        if a.isInfinite || a.isNaN {
            message += ". exp of a large element overflowed (or of a very negative one underflowed to 0): subtract the row's maximum m before exp and add it back, m + log(Σ exp(x − m))"
        }
        throw CheckFailure(message)
    }
    observe(out, what, atol: 1e-9, rtol: rtol)
}

/// x and a direction, in float64, away from ties (logsumexp is smooth everywhere anyway).
private func sample(_ shape: [Int], scale: Double = 3) -> (Tensor, Tensor) {
    (Random.tensor(shape, in: -scale...scale), Random.tensor(shape, in: -1...1))
}

/// Your forward-mode tangent of `f` at `x` along `v`, or a failure that says why there is none.
private func forwardTangent(_ f: (Tensor) throws -> Tensor, at x: Tensor, along v: Tensor, what: String) throws -> Tensor {
    try dualLevel { () throws -> Tensor in
        let out: Tensor
        do {
            out = try f(try makeDual(x, v))
        } catch let error as AutogradError where error.message.contains("forward gradient that has a different size") {
            throw CheckFailure("your jvp returned a tangent whose shape is not the output's (the library says: \(error.message)) The output's tangent has the output's shape: one number per row, the softmax-weighted sum of the row's tangent", hint: jvpHint)
        } catch let error as AutogradError where error.message.contains("You must implement the jvp function") {
            throw CheckFailure("\(what) inside a dualLevel threw \"\(error.message)\": LogSumExp needs a jvp method, its forward-mode rule", hint: jvpHint)
        }
        guard let tangent = unpackDual(out).tangent else {
            throw CheckFailure("\(what) has no tangent inside a dualLevel although x has one: LogSumExp must give its output a tangent (jvp)")
        }
        return tangent
    }
}

/// Central differences of `f` along `v`.
private func finiteDifference(_ f: (Tensor) throws -> Tensor, at x: Tensor, along v: Tensor, eps: Double = 1e-6) throws -> [Double] {
    let plus = try noGrad { try f(x + v * eps) }.scalars, minus = try noGrad { try f(x - v * eps) }.scalars
    return zip(plus, minus).map { ($0 - $1) / (2 * eps) }
}

private func compareTangent(_ tangent: Tensor, _ numeric: [Double], shape: [Int], what: String, hint: String) throws {
    guard tangent.shape == shape else {
        throw CheckFailure("the tangent of \(what) has shape \(tangent.shape), the output has shape \(shape): jvp returns one tangent per output element (sum the weighted tangent over the last dimension)", hint: hint)
    }
    for (i, (a, n)) in zip(tangent.scalars, numeric).enumerated() where !(abs(a - n) <= 1e-6 + 1e-5 * abs(n)) {
        throw CheckFailure("the tangent of \(what)[\(i)] is \(show(a)), but finite differences along the same direction give \(show(n)) (|diff| \(String(format: "%.1e", abs(a - n))))", hint: hint)
    }
    observe(tangent, "the tangent of \(what)")
}

private let jvpHint = "jvp gets ẋ, shaped like x, and returns Σⱼ softmax(x)ⱼ · ẋⱼ for each row: (p * tangents[0]).sum(dim: -1), with p the softmax saved by forward (ctx.saveForForward)."

let checks = CheckSuite {
    Check("forward_values", "LogSumExp().apply(x) is log Σ exp(x) along the last dimension, for vectors and matrices",
          hint: "m + log(Σ exp(x − m)), with m the maximum of each row (x.max(dim: -1, keepdim: true).values).") {
        try compareRows([0.5, -1, 2], shape: [3], what: "LogSumExp().apply([0.5, -1, 2])")
        try compareRows([1, 2, 3, 4, -2, 0, 0.25, 7], shape: [2, 4], what: "LogSumExp().apply(a 2×4 matrix)")
        try compareRows([3, 3, 3], shape: [3], what: "LogSumExp().apply([3, 3, 3]) (log 3 above 3)")
    }

    Check("forward_no_overflow", "large inputs give finite, exact values (exp(1000) overflows)",
          hint: "Subtract each row's maximum before exp: no exponent is then above 0, and one term is exp(0) = 1.") {
        try compareRows([1000, 1000.5, 999], shape: [3], what: "LogSumExp().apply([1000, 1000.5, 999])")
        try compareRows([1000, 1000.5, 999], shape: [3], dtype: .float32, what: "the same in float32", rtol: 1e-6)
        try compareRows([88.5, 90, 10, -5, 89], shape: [5], dtype: .float32, what: "LogSumExp().apply([88.5, 90, 10, -5, 89]) in float32 (exp(89) overflows float32)", rtol: 1e-6)
    }

    Check("forward_no_underflow", "very negative inputs give finite, exact values (exp(-1000) is 0)",
          hint: "The same shift by the maximum: exp(x − m) has one term equal to 1, so the sum is never 0 and its log never −inf.") {
        try compareRows([-1000, -1001, -1000.5], shape: [3], what: "LogSumExp().apply([-1000, -1001, -1000.5])")
        try compareRows([-1000, 5, -2000, 4], shape: [2, 2], what: "LogSumExp().apply([[-1000, 5], [-2000, 4]])")
    }

    Check("records_graph", "apply records one LogSumExpBackward node when x requires grad",
          hint: "Call LogSumExp().apply(x); never call forward yourself.") {
        let x = Tensor([0.5, 1], dtype: .float64, requiresGrad: true)
        let out = try LogSumExp().apply(x)
        try expectGraph(out, "LogSumExp().apply(x)", gradFn: "LogSumExpBackward")
        observe(out.detach(), "LogSumExp().apply([0.5, 1])", atol: 1e-9, rtol: 1e-9)
    }

    Check("backward_gradcheck", "backward matches finite differences of your forward (a 3×5 batch, random gradOutputs)",
          hint: "∂ logsumexp(x) / ∂xⱼ = softmax(x)ⱼ = exp(xⱼ − logsumexp(x)). Backward gets one gradOutput per row: [gradOutput.unsqueeze(-1) * softmax].") {
        let x = Random.tensor([3, 5], in: -3...3, requiresGrad: true)
        try GradCheck.assertGradients(of: { try LogSumExp().apply($0) }, at: x, name: "x", output: "logsumexp(x)",
                                      options: GradCheckOptions(mode: .full))
        let v = Random.tensor([4], in: -3...3, requiresGrad: true)
        try GradCheck.assertGradients(of: { try LogSumExp().apply($0) }, at: v, name: "x", output: "logsumexp(x) of a vector",
                                      options: GradCheckOptions(mode: .full))
    }

    Check("backward_large_inputs", "the gradient at large inputs is the softmax: finite, and each row sums to 1",
          hint: "Compute the softmax from the shifted values (or as exp(x − out)): exp(x) / Σ exp(x) is inf / inf = nan at x = 1000.") {
        let x = Tensor([1000, 1001, 999, -1000, -999, -1001], shape: [2, 3], dtype: .float64, requiresGrad: true)
        try LogSumExp().apply(x).sum().backward()
        guard let g = x.grad else { throw CheckFailure("after backward, x.grad is nil: backward must return [gradient for x]") }
        let e = [exp(-1.0), 1, exp(-2.0)], total = e.reduce(0, +)
        let p = e.map { $0 / total }
        try expectClose(g, p + p, atol: 1e-12, "x.grad for x = [[1000, 1001, 999], [-1000, -999, -1001]] (each row's softmax)")
    }

    Check("jvp_finite_differences", "jvp (forward mode) matches finite differences along a random direction",
          hint: jvpHint) {
        for shape in [[4, 6], [5]] {
            let (x, v) = sample(shape)
            let tangent = try forwardTangent({ try LogSumExp().apply($0) }, at: x, along: v, what: "LogSumExp().apply(x)")
            let numeric = try finiteDifference({ try LogSumExp().apply($0) }, at: x, along: v)
            try compareTangent(tangent, numeric, shape: Array(shape.dropLast()), what: "logsumexp(x) of shape \(shape)", hint: jvpHint)
        }
    }

    Check("jvp_agrees_with_backward", "forward mode's J v equals the J v of your backward (by the double-backward trick)",
          hint: "Both rules differentiate the same function: backward gives uᵀJ, jvp gives J v, with the same softmax in J. " + jvpHint) {
        let (x, v) = sample([3, 4])
        let tangent = try forwardTangent({ try LogSumExp().apply($0) }, at: x, along: v, what: "LogSumExp().apply(x)")
        let viaBackward = try jvp({ try LogSumExp().apply($0) }, x, v: v).jvp
        try expectClose(tangent, viaBackward, atol: 1e-9, "your jvp's tangent (expected: J v from your backward)")
    }

    Check("jvp_large_inputs", "jvp is finite and right at large inputs",
          hint: "Use the same stable softmax in jvp as in backward (save it in forward with ctx.saveForForward).") {
        let x = Tensor([1000, 1001, 999], dtype: .float64), v = Tensor([1, -2, 0.5], dtype: .float64)
        let tangent = try forwardTangent({ try LogSumExp().apply($0) }, at: x, along: v, what: "LogSumExp().apply(x)")
        let e = [exp(-1.0), 1, exp(-2.0)], total = e.reduce(0, +)
        let expected = zip(e, v.scalars).map { $0 / total * $1 }.reduce(0, +)
        try expectClose(tangent, expected, atol: 1e-12, "the tangent of logsumexp([1000, 1001, 999]) along [1, -2, 0.5]")
    }

    Check("softmax_values", "stableSoftmax gives rows that sum to 1, also at large inputs",
          hint: "exp(x − logsumexp(x)): (x - LogSumExp().apply(x).unsqueeze(-1)).exp().") {
        let x = Tensor([1000, 1001, 999, 0.5, -1, 2], shape: [2, 3], dtype: .float64)
        let p = try stableSoftmax(x)
        try expectShape(p, [2, 3], "stableSoftmax(x) for x of shape [2, 3]")
        let expected = rows(x).flatMap { row -> [Double] in
            let l = referenceLSE(row)
            return row.map { exp($0 - l) }
        }
        try expectClose(p, expected, atol: 1e-12, "stableSoftmax([[1000, 1001, 999], [0.5, -1, 2]])")
    }

    Check("softmax_both_modes", "stableSoftmax's gradient and tangent match finite differences (through your two rules)",
          hint: "stableSoftmax must use LogSumExp().apply, so its derivatives come from your backward and your jvp.") {
        let (x, v) = sample([2, 4])
        try GradCheck.assertGradients(of: { try stableSoftmax($0) }, at: try x.requiresGrad_(), name: "x", output: "stableSoftmax(x)")
        let tangent = try forwardTangent({ try stableSoftmax($0) }, at: x.detach(), along: v, what: "stableSoftmax(x)")
        try compareTangent(tangent, try finiteDifference({ try stableSoftmax($0) }, at: x.detach(), along: v), shape: [2, 4],
                           what: "stableSoftmax(x)", hint: jvpHint)
    }
}
