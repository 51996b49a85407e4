import Autograd
import Foundation
import GraderKit

// Checks for exercise 10. Every gradient is compared element by element with central finite
// differences of your own forward, in float64, at residuals drawn away from the kinks at ±delta.
// When they disagree, the failure names the worst element (index, residual, branch, incoming
// gradient, your value and the finite difference) and, when the pattern of wrong elements matches
// a known mistake, says which one and where to look.

// MARK: - The reference, on plain numbers

private func huberReference(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
}

private func slopeReference(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? r : delta * (r < 0 ? -1 : 1)
}

private enum Branch: Equatable {
    case quadratic, linearPositive, linearNegative

    init(_ r: Double, _ delta: Double) {
        self = abs(r) <= delta ? .quadratic : (r > 0 ? .linearPositive : .linearNegative)
    }

    var name: String {
        switch self {
        case .quadratic: return "the quadratic branch, |r| ≤ delta"
        case .linearPositive: return "the linear branch, r > delta"
        case .linearNegative: return "the linear branch, r < −delta"
        }
    }
}

private func show(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    return String(format: "%.6g", x)
}

private func close(_ a: Double, _ b: Double, tolerance: Double = 1e-6) -> Bool {
    abs(a - b) <= tolerance * (1 + abs(b))
}

// MARK: - Sample residuals

/// Residuals on both branches and both sides, at least 10% of delta from the kinks at ±delta, and
/// at least 0.05 from 0 (so that a sign mistake on the quadratic branch shows).
private func residuals(count: Int, delta: Double) -> [Double] {
    var values: [Double] = []
    for k in 0..<count {
        switch k % 3 {
        case 0: values.append(Random.double(in: -0.9 * delta...0.9 * delta, avoiding: [0], margin: 0.05 * delta))
        case 1: values.append(Random.double(in: 1.1 * delta...3 * delta))
        default: values.append(Random.double(in: -3 * delta...(-1.1 * delta)))
        }
    }
    // Shuffle deterministically, so the branches are not in a fixed pattern.
    for i in stride(from: values.count - 1, to: 0, by: -1) {
        values.swapAt(i, Random.int(in: 0...i))
    }
    return values
}

// MARK: - Known mistakes, recognised from the pattern of wrong elements

/// A wrong formula for one branch, and what to tell the student who wrote it.
private struct Suspect {
    let branches: [Branch]
    let formula: (_ r: Double, _ delta: Double) -> Double
    let diagnosis: String
    let hint: String
}

private let forwardSuspects: [Suspect] = [
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in 0.5 * r * r },
            diagnosis: "the elements with |r| > delta got 0.5·r², the quadratic formula: the loss is never switched to its linear part",
            hint: "The forward must choose, element by element, between the quadratic inside ±delta and the linear branch outside.\nTensor.where(condition, quadratic, linear), with 0.5·r² inside and delta·(|r| − 0.5·delta) outside."),
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in d * abs(r) },
            diagnosis: "the elements with |r| > delta got delta·|r|, without the − 0.5·delta: the two pieces don't meet at ±delta (the loss jumps there)",
            hint: "The linear branch is delta·(|r| − 0.5·delta); the −0.5·delta² makes it meet 0.5·r² at r = ±delta."),
    Suspect(branches: [.linearNegative], formula: { r, d in d * (r - 0.5 * d) },
            diagnosis: "the elements with r < −delta are negative: the linear branch uses r where it needs |r|",
            hint: "The linear branch is delta·(|r| − 0.5·delta), with the absolute value r.abs()."),
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in abs(r) - 0.5 * d },
            diagnosis: "the elements with |r| > delta got |r| − 0.5·delta: the factor delta in front is missing",
            hint: "The linear branch is delta · (|r| − 0.5·delta)."),
    Suspect(branches: [.quadratic], formula: { r, d in r * r },
            diagnosis: "the elements with |r| ≤ delta got r², twice the Huber value: the 0.5 of 0.5·r² is missing",
            hint: "The quadratic branch is 0.5·r²."),
    Suspect(branches: [.quadratic], formula: { r, d in d * (abs(r) - 0.5 * d) },
            diagnosis: "the elements with |r| ≤ delta got the linear formula: the two branches are swapped (the condition is the wrong way round)",
            hint: "0.5·r² where |r| ≤ delta (the small residuals), delta·(|r| − 0.5·delta) where |r| > delta."),
    Suspect(branches: [.quadratic, .linearPositive, .linearNegative], formula: { r, d in huberReference(r, 1) },
            diagnosis: "your values are those of delta = 1 although delta is different: the threshold is hard-coded in forward",
            hint: "Use self.delta (the property) everywhere delta appears, in the condition and in the linear branch."),
]

/// Slope suspects, as functions of (r, delta): the student's backward returned gradOutput · formula.
private let slopeSuspects: [Suspect] = [
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in r },
            diagnosis: "on the linear branch (|r| > delta) your slope is r, the slope of the squared error: it must be capped at ±delta",
            hint: "The backward is wrong beyond ±delta, where the loss is a straight line.\nIts slope there is delta·sign(r); inside it is r: choose element by element with Tensor.where."),
    Suspect(branches: [.linearNegative], formula: { r, d in d },
            diagnosis: "on the linear branch your slope is +delta for every element, so residuals below −delta are pushed the wrong way: the sign of r is lost",
            hint: "d/dr of delta·|r| is delta·sign(r): +delta for r > delta, −delta for r < −delta. Multiply by r.sign()."),
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in -d * (r < 0 ? -1 : 1) },
            diagnosis: "on the linear branch your slope has the wrong sign: −delta·sign(r) instead of delta·sign(r), so gradient descent would push large residuals further out",
            hint: "For r > delta the loss grows with r, so the slope is +delta; for r < −delta it is −delta: delta·sign(r)."),
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in r < 0 ? -1 : 1 },
            diagnosis: "on the linear branch your slope is sign(r), ±1: the factor delta is missing (invisible with delta = 1, this check uses delta ≠ 1)",
            hint: "The linear branch is delta·(|r| − 0.5·delta); its slope is delta·sign(r), not sign(r)."),
    Suspect(branches: [.linearPositive, .linearNegative], formula: { r, d in 0 },
            diagnosis: "on the linear branch your slope is 0: a straight line with slope ±delta is not flat",
            hint: "The linear branch's slope is delta·sign(r)."),
    Suspect(branches: [.quadratic], formula: { r, d in 2 * r },
            diagnosis: "on the quadratic branch (|r| ≤ delta) your slope is 2r: the derivative of 0.5·r² is r (the 0.5 cancels the 2)",
            hint: "d/dr (0.5·r²) = r."),
    Suspect(branches: [.quadratic], formula: { r, d in 0.5 * r },
            diagnosis: "on the quadratic branch (|r| ≤ delta) your slope is 0.5·r: the derivative of 0.5·r² is r",
            hint: "d/dr (0.5·r²) = r: bring the exponent 2 down, and 2 · 0.5 = 1."),
    Suspect(branches: [.quadratic], formula: { r, d in -r },
            diagnosis: "on the quadratic branch (|r| ≤ delta) your slope is −r: the derivative of 0.5·r² is +r",
            hint: "d/dr (0.5·r²) = r, positive for positive r."),
    Suspect(branches: [.quadratic], formula: { r, d in d * (r < 0 ? -1 : 1) },
            diagnosis: "on the quadratic branch (|r| ≤ delta) your slope is delta·sign(r): the branches of the backward are swapped",
            hint: "r where |r| ≤ delta, delta·sign(r) where |r| > delta: check the condition in your Tensor.where."),
    Suspect(branches: [.quadratic, .linearPositive, .linearNegative], formula: { r, d in slopeReference(r, 1) },
            diagnosis: "your slopes are those of delta = 1 although delta is different: the threshold is hard-coded in backward",
            hint: "Use self.delta (the property) in backward too, in the condition and in delta·sign(r)."),
]

/// The element-wise comparison of `yours` with `expected`, and a failure naming the worst element
/// and, when every wrong element fits one suspect, the mistake.
private func diagnose(rs: [Double], delta: Double, yours: [Double], expected: [Double], numeric: [Double]? = nil,
                      gradOutput: [Double]? = nil, suspects: [Suspect], what: String) throws {
    let wrong = rs.indices.filter { !close(yours[$0], expected[$0]) }
    guard let worst = wrong.max(by: { abs(yours[$0] - expected[$0]) < abs(yours[$1] - expected[$1]) || yours[$1].isNaN }) else {
        return observe(yours, "\(what) at delta = \(show(delta))", atol: 1e-6, rtol: 1e-6)
    }
    let branchesWrong = Set(wrong.map { "\(Branch(rs[$0], delta))" })
    let counts = Dictionary(grouping: wrong, by: { Branch(rs[$0], delta).name }).map { "\($0.value.count) on \($0.key)" }.sorted()

    // The worst element, spelled out.
    let i = worst, r = rs[i]
    var detail: String
    if let numeric {
        detail = "d out[\(i)] / d r[\(i)] at r[\(i)] = \(show(r)) (\(Branch(r, delta).name), delta = \(show(delta)))"
        if let v = gradOutput { detail += " with gradOutput[\(i)] = \(show(v[i]))" }
        detail += ": your backward gives \(show(yours[i])), finite differences \(show(numeric[i]))"
        if yours[i].isFinite { detail += " (|diff| \(String(format: "%.1e", abs(yours[i] - numeric[i]))))" }
    } else {
        detail = "\(what)[\(i)] at r = \(show(r)) (\(Branch(r, delta).name), delta = \(show(delta))) is \(show(yours[i])), expected \(show(expected[i]))"
    }
    let summary = "\(wrong.count) of \(rs.count) elements disagree (\(counts.joined(separator: ", ")))"

    // A known mistake: every wrong element fits the suspect, and the suspect explains only wrong elements.
    for suspect in suspects {
        let scale = gradOutput ?? [Double](repeating: 1, count: rs.count)
        let fits = wrong.allSatisfy { k in
            suspect.branches.contains(Branch(rs[k], delta)) && close(yours[k], scale[k] * suspect.formula(rs[k], delta))
        }
        let covers = rs.indices.allSatisfy { k in
            !suspect.branches.contains(Branch(rs[k], delta)) || wrong.contains(k)
                || close(scale[k] * suspect.formula(rs[k], delta), expected[k])
        }
        if fits && covers && !wrong.isEmpty {
            throw CheckFailure("\(suspect.diagnosis). Worst element: \(detail). \(summary).", hint: suspect.hint)
        }
    }
    var hint = ""
    if branchesWrong.count == 1, let only = wrong.first {
        hint = "Every wrong element is on \(Branch(rs[only], delta).name): look at that branch of your \(numeric == nil ? "forward" : "backward")."
    }
    throw CheckFailure("\(detail). \(summary).", hint: hint.isEmpty ? nil : hint)
}

/// Your gradient of Huber(delta:) at `rs` for the incoming gradient `v`, and the finite differences
/// of your forward, element by element (the function is element-wise, so the Jacobian is diagonal).
private func gradients(rs: [Double], delta: Double, gradOutput v: [Double]) throws -> (yours: [Double], numeric: [Double]) {
    let r = Tensor(rs, dtype: .float64, requiresGrad: true)
    let out = try Huber(delta: delta).apply(r)
    guard out.shape == r.shape else {
        throw CheckFailure("Huber(delta:).apply(r) has shape \(out.shape) for r of shape \(r.shape): Huber is element-wise (one loss per residual); huberLoss takes the mean")
    }
    guard out.requiresGrad else {
        throw CheckFailure("Huber(delta:).apply(r) does not require grad for an r that does: call it with apply(r), which records the HuberBackward node")
    }
    try out.backward(gradient: Tensor(v, dtype: .float64))
    guard let g = r.grad else {
        throw CheckFailure("after backward, r.grad is nil: backward must return [gradient for r]")
    }
    guard g.shape == r.shape else {
        throw CheckFailure("your backward's gradient has shape \(g.shape), but r has shape \(r.shape): d loss / d r has one entry per residual (return gradOutput * slope, not its sum)")
    }
    let eps = 1e-6
    let numeric = try noGrad { () throws -> [Double] in
        let plus = try Huber(delta: delta).apply(Tensor(rs.map { $0 + eps }, dtype: .float64)).scalars
        let minus = try Huber(delta: delta).apply(Tensor(rs.map { $0 - eps }, dtype: .float64)).scalars
        return rs.indices.map { v[$0] * (plus[$0] - minus[$0]) / (2 * eps) }
    }
    return (g.scalars, numeric)
}

// MARK: - The checks

private let readTheReport = "The report names one element of the Jacobian, d out[i] / d r[j]: if i ≠ j it should be 0 (out[i] depends on r[i] only), so gradOutput was not multiplied in; if i = j, work out huber'(r[j]) by hand for that r[j] and compare it with your backward's branch for it (backward_slopes says which branch)."


let checks = CheckSuite {
    Check("forward_values", "Huber(delta:).apply(r) computes the Huber loss element-wise, on both branches",
          hint: "0.5·r² where |r| ≤ delta, delta·(|r| − 0.5·delta) where |r| > delta.") {
        for delta in [1.0, 0.5, 2.0] {
            let rs = [-3.0, -1.5, -0.75, -0.25, 0.0, 0.4, 0.9, 1.75, 4.0].map { $0 * delta }
            let out = try Huber(delta: delta).apply(Tensor(rs, dtype: .float64))
            guard out.shape == [rs.count] else {
                throw CheckFailure("Huber(delta: \(show(delta))).apply(r) for \(rs.count) residuals has shape \(out.shape), expected [\(rs.count)]: Huber is element-wise, one loss per residual (huberLoss, later, takes the mean)")
            }
            let expected = rs.map { huberReference($0, delta) }
            try diagnose(rs: rs, delta: delta, yours: out.scalars, expected: expected, suspects: forwardSuspects,
                         what: "Huber(delta: \(show(delta))).apply(r)")
        }
    }

    Check("records_graph", "apply records one HuberBackward node, and nothing under noGrad",
          hint: "Call Huber(delta:).apply(r), never forward directly: apply records the node.") {
        let r = Tensor([0.5, -2], dtype: .float64, requiresGrad: true)
        let recorded = try Huber(delta: 1).apply(r)
        try expectGraph(recorded, "Huber(delta: 1).apply(r)", gradFn: "HuberBackward")
        let plain = try noGrad { try Huber(delta: 1).apply(r) }
        try expectNoGraph(plain, "Huber(delta: 1).apply(r) under noGrad")
        // Evidence for grading: the quadratic branch's value, recorded and not (forward_values judges the rest).
        observe([recorded.scalars[0], plain.scalars[0]], "Huber(delta: 1).apply(0.5), with and without recording", atol: 1e-9, rtol: 1e-7)
    }

    Check("backward_slopes", "backward returns gradOutput · huber'(r): r inside ±delta, delta·sign(r) outside",
          hint: "Huber's backward does not return huber'(r) · gradOutput.\nhuber'(r) is r where |r| ≤ delta and delta·sign(r) elsewhere; multiply it by gradOutput.") {
        for delta in [1.0, 0.7, 2.0] {
            let rs = residuals(count: 9, delta: delta)
            // A random incoming gradient (never all ones: that would hide a forgotten gradOutput).
            let v = rs.map { _ in Random.double(in: 0.5...2) * (Random.int(in: 0...1) == 0 ? -1 : 1) }
            let (yours, numeric) = try gradients(rs: rs, delta: delta, gradOutput: v)
            let expected = rs.indices.map { v[$0] * slopeReference(rs[$0], delta) }
            let bare = rs.map { slopeReference($0, delta) }
            if !rs.indices.allSatisfy({ close(yours[$0], expected[$0]) }), rs.indices.allSatisfy({ close(yours[$0], bare[$0]) }) {
                let i = rs.indices.max { abs(yours[$0] - expected[$0]) < abs(yours[$1] - expected[$1]) }!
                throw CheckFailure("your backward returns huber'(r) itself and ignores gradOutput, the gradient arriving from above: d out[\(i)] / d r[\(i)] at r[\(i)] = \(show(rs[i])) with gradOutput[\(i)] = \(show(v[i])) should be gradOutput · huber'(r) = \(show(expected[i])), yours is \(show(yours[i])) (finite differences \(show(numeric[i]))). Under a plain sum() gradOutput is all ones, which hides this; anywhere else in a model it is wrong",
                                   hint: "The chain rule: return [gradOutput * slope], where slope is huber'(r) element by element.")
            }
            try diagnose(rs: rs, delta: delta, yours: yours, expected: expected, numeric: numeric, gradOutput: v,
                         suspects: slopeSuspects, what: "r.grad")
        }
    }

    Check("backward_gradcheck", "the full Jacobian of Huber matches finite differences (one-hot gradOutputs)",
          hint: readTheReport) {
        for delta in [1.0, 0.7] {
            let r = Tensor(residuals(count: 8, delta: delta), dtype: .float64, requiresGrad: true)
            try GradCheck.assertGradients(of: { try Huber(delta: delta).apply($0) }, at: r, name: "r",
                                          output: "huber(r; delta \(show(delta)))", options: GradCheckOptions(mode: .full))
        }
    }

    Check("backward_many_elements", "backward is right for a 12×12 batch (fast gradient check)",
          hint: "Every element gets its own slope: use Tensor.where on the whole tensor, not one value for all. " + readTheReport) {
        let r = Random.tensor([12, 12], in: -3...3, avoiding: [-1, 1], margin: 0.05, requiresGrad: true)
        try GradCheck.assertGradients(of: { try Huber(delta: 1).apply($0) }, at: r, name: "r",
                                      options: GradCheckOptions(mode: .fast))
    }

    Check("loss_values", "huberLoss is the mean Huber loss of prediction − target",
          hint: "huberLoss must average your Huber function over the residuals prediction − target.\nGo through apply(…) on the residuals, then mean().") {
        let prediction = Tensor([1, 2, 3, 4, -1], dtype: .float64), target = Tensor([0.5, 4, 3, 0, 0.25], dtype: .float64)
        let each = zip(prediction.scalars, target.scalars).map { huberReference($0 - $1, 1) }
        let expected = each.reduce(0, +) / Double(each.count)
        let loss = try huberLoss(prediction: prediction, target: target, delta: 1)
        guard loss.shape == [] else {
            throw CheckFailure("huberLoss returned shape \(loss.shape), expected a single number (shape []): take the mean of the per-element losses")
        }
        let value = try loss.item()
        if close(value, expected * Double(each.count)) {
            throw CheckFailure("huberLoss(prediction: [1, 2, 3, 4, -1], target: [0.5, 4, 3, 0, 0.25], delta: 1) is \(show(value)), exactly \(each.count) × the expected mean \(show(expected)): you summed the per-element losses. The loss is their mean (so it doesn't grow with the batch size)",
                               hint: ".mean(), not .sum()")
        }
        try expectClose(value, expected, "huberLoss(prediction: [1, 2, 3, 4, -1], target: [0.5, 4, 3, 0, 0.25], delta: 1)")
    }

    Check("loss_uses_your_huber", "huberLoss goes through your Huber function (its graph has a HuberBackward node)",
          hint: "huberLoss must call Huber(delta: delta).apply(...): the point is that your backward runs.") {
        let prediction = Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        let loss = try huberLoss(prediction: prediction, target: Tensor([0, 0, 0], dtype: .float64), delta: 1)
        var seen: [String] = []
        var stack = [loss.gradFn].compactMap { $0 }
        while let node = stack.popLast(), seen.count < 100 {
            seen.append(node.name)
            stack += node.nextFunctions.compactMap { $0 }
        }
        if !seen.contains("HuberBackward") {
            let found = seen.isEmpty ? "no graph at all" : "the nodes \(seen.joined(separator: ", "))"
            throw CheckFailure("the graph of huberLoss(prediction:target:delta:) has \(found), but no HuberBackward: it doesn't use your Huber function (the library's built-in huberLoss(_:_:delta:) computes the same numbers, but then your backward is never exercised)")
        }
        observe(loss, "huberLoss(prediction: [1, 2, 3], target: [0, 0, 0], delta: 1)", atol: 1e-9, rtol: 1e-7)
    }

    Check("loss_gradcheck", "huberLoss's gradient with respect to the prediction matches finite differences",
          hint: "The gradient flows through the mean (÷ count), your Huber backward, then prediction − target.") {
        let target = Random.tensor([6])
        let rs = residuals(count: 6, delta: 1)
        let prediction = Tensor(zip(target.scalars, rs).map { $0 + $1 }, shape: [6], dtype: .float64, requiresGrad: true)
        try GradCheck.assertGradients(of: { try huberLoss(prediction: $0, target: target, delta: 1) }, at: prediction,
                                      name: "prediction", output: "huberLoss")
    }

    Check("grad_accumulates", "two backward passes add up in .grad, and r itself is left unchanged",
          hint: "backward returns a new tensor (gradOutput * slope); it must not return, or change in place, the saved r.") {
        let values = [0.5, -2, 3]
        let r = Tensor(values, dtype: .float64, requiresGrad: true)
        try expectGradNil(r, "r")
        let loss = try Huber(delta: 1).apply(r).sum()
        try loss.backward(retainGraph: true)
        guard let first = r.grad?.scalars else { throw CheckFailure("after backward, r.grad is nil: backward must return [gradient for r]") }
        try loss.backward()
        try expectClose(r.grad!, first.map { 2 * $0 }, "r.grad after two backward passes (twice the first pass's \(first.map(show)))")
        try expectClose(r.detach(), values, "r after two backward passes (backward must not change its input)")
    }
}
