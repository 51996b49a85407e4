import Autograd
import Foundation
import GraderKit

private func t(_ values: [Double]) -> Tensor { Tensor(values, dtype: .float64) }

private func name(_ h: GradientHealth) -> String { ".\(h)" }

/// Grading evidence for answers that are categories: their position in the enum's declaration.
/// Unlike a measured value a lying program could guess these; diagnose computes no other number.
private func caseNumbers(_ hs: [GradientHealth]) -> [Double] {
    hs.map { h in Double([GradientHealth.missing, .nonFinite, .dead, .vanishing, .exploding, .healthy].firstIndex(of: h) ?? -1) }
}

/// Expects `diagnose(gradient)` to be `expected`; `why` explains a known wrong answer.
private func expectDiagnosis(_ gradient: Tensor?, _ expected: GradientHealth, _ what: String,
                             _ why: [GradientHealth: String] = [:]) throws {
    let got = try diagnose(gradient)
    observe(caseNumbers([got]), "diagnose(\(what)), as a case number", atol: 0, rtol: 0)
    guard got != expected else { return }
    if let reason = why[got] {
        throw CheckFailure("diagnose(\(what)) is \(name(got)), expected \(name(expected)): \(reason)")
    }
    throw CheckFailure("diagnose(\(what)) is \(name(got)), expected \(name(expected))")
}

/// A layer whose units `dead` never fire on `x` (a bias far below zero), trained one backward pass.
private func layerWithDeadUnits(_ dead: Set<Int>, inputs: [[Double]], units: Int) throws -> Linear {
    let layer = Linear(inputs[0].count, units)
    try noGrad {
        try layer.weight.copy_(Random.tensor([units, inputs[0].count], in: 0.5...1.5).float())
        let bias = (0..<units).map { dead.contains($0) ? -100.0 : 1.0 }
        try layer.bias!.copy_(Tensor(bias))
    }
    let x = Tensor(inputs)
    try (layer(x).relu() * Random.tensor([inputs.count, units], in: 0.5...1.5).float()).sum().backward()
    return layer
}

final class Probe: Module {
    var unused = Tensor([1.0, 2.0], requiresGrad: true)
    let first = Linear(2, 3)
    let second = Linear(3, 1)
    override func forward(_ x: Tensor) -> Tensor { second(first(x).relu()) }
}

let checks = CheckSuite {
    Check("missing", "a nil gradient is .missing", hint: "diagnose must answer .missing when there is no gradient at all (nil), before any other test.\nUnwrap the gradient first and return .missing when it is nil.") {
        try expectDiagnosis(nil, .missing, "nil")
    }

    Check("healthy", "moderate gradients are .healthy",
          hint: "Healthy is what is left when no other test matched: finite, not all zero, norm between the two thresholds.") {
        try expectDiagnosis(t([0.01, -0.02, 0.0, 0.03]), .healthy, "[0.01, -0.02, 0, 0.03]",
                            [.dead: "one zero entry doesn't make a gradient dead: dead means EVERY entry is exactly 0"])
        try expectDiagnosis(Random.tensor([3, 4], in: -2...2), .healthy, "a random 3×4 gradient in [-2, 2]")
    }

    Check("dead", "all-zero gradients are .dead, whatever their shape",
          hint: "Test 'every entry is exactly 0' before the vanishing threshold: the norm of zeros is 0, which is below any threshold.") {
        let zeroWhy: [GradientHealth: String] = [
            .vanishing: "the norm of an all-zero gradient is 0, which is below vanishingBelow too, so test for 'every entry is exactly 0' BEFORE the vanishing threshold. The difference matters: a vanishing gradient still moves the parameter a little; a dead one never will",
        ]
        try expectDiagnosis(Tensor.zeros([2, 2], dtype: .float64), .dead, "zeros [2, 2]", zeroWhy)
        try expectDiagnosis(Tensor.zeros([5], dtype: .float64), .dead, "zeros [5]", zeroWhy)
    }

    Check("vanishing", "tiny but non-zero gradients are .vanishing",
          hint: "Use the norm √(Σ g²) (g.norm().item()) and compare it with vanishingBelow; a single tiny non-zero entry means the gradient is not dead.") {
        try expectDiagnosis(t([3e-8, -4e-8]), .vanishing, "[3e-08, -4e-08]",
                            [.dead: "tiny is not zero: dead means every entry is EXACTLY 0 (== 0), not 'close to 0'"])
        try expectDiagnosis(t([0, 0, 0, 2e-9]), .vanishing, "[0, 0, 0, 2e-09]",
                            [.dead: "one entry is 2e-09, not 0: the gradient is tiny, not dead. Dead means every entry is exactly 0"])
        try expectDiagnosis(t([6e-7, 6e-7, 6e-7, 6e-7]), .healthy, "[6e-07, 6e-07, 6e-07, 6e-07] (norm 1.2e-06)",
                            [.vanishing: "each entry is below 1e-6 but the norm √(Σ g²) is 1.2e-06, above the threshold. Compare the NORM with vanishingBelow, not the largest or a typical entry"])
    }

    Check("exploding", "gradients whose norm is above explodingAbove are .exploding",
          hint: "The norm √(Σ g²): g.norm().item() > explodingAbove. A mean can cancel: +10⁴ and −10⁴ average to 0.") {
        try expectDiagnosis(t([1e4, -2e4]), .exploding, "[10000, -20000]")
        try expectDiagnosis(t([1e4, -1e4]), .exploding, "[10000, -10000]",
                            [.dead: "the entries are huge, but their mean is 0: positive and negative entries cancel in a mean (or a sum). Use the norm √(Σ g²), which only grows with the size of the entries",
                             .vanishing: "the entries are huge, but their mean is 0: positive and negative entries cancel in a mean (or a sum). Use the norm √(Σ g²)",
                             .healthy: "the entries are huge, but they cancel in a mean or sum. Use the norm √(Σ g²)"])
        try expectDiagnosis(t([600, 600, 600, 600]), .exploding, "[600, 600, 600, 600] (norm 1200)",
                            [.healthy: "every entry is below 1000, but the norm √(Σ g²) is 1200, above explodingAbove. Compare the NORM with the thresholds: it is the length of the whole step the update will take"])
    }

    Check("non_finite", "gradients holding nan or inf are .nonFinite, whatever the other entries",
          hint: "First test: g.isFinite().all(). Every comparison with nan is false, so threshold tests would never notice it; and inf is not 'large', it is broken.") {
        try expectDiagnosis(t([0.5, .nan, 2.0]), .nonFinite, "[0.5, nan, 2]",
                            [.healthy: "one nan makes the norm nan, and every comparison with nan is false (nan < 1e-6 and nan > 1e3 are both false), so it slipped through as healthy. Test g.isFinite().all() FIRST, before any threshold",
                             .vanishing: "the norm is nan and comparisons with nan are false: test g.isFinite().all() first",
                             .exploding: "the norm is nan: test g.isFinite().all() first"])
        try expectDiagnosis(t([.infinity, 1.0]), .nonFinite, "[inf, 1]",
                            [.exploding: "inf is not a big number, it is a broken one: one update writes it into the parameter and the next pass turns it into nan. Test g.isFinite().all() (false for nan AND ±inf; isNaN alone misses infinities) before any threshold",
                             .healthy: "inf slipped through: use g.isFinite().all() as the first test"])
        try expectDiagnosis(t([0, -.infinity]), .nonFinite, "[0, -inf]",
                            [.exploding: "−inf is not finite: test g.isFinite().all() first (isNaN misses infinities)",
                             .dead: "−inf is not finite: test g.isFinite().all() first"])
        try expectDiagnosis(t([.nan, .nan]), .nonFinite, "[nan, nan]",
                            [.dead: "nan is not 0, it is not a number at all: test g.isFinite().all() first", .healthy: "every comparison with nan is false: test g.isFinite().all() first"])
    }

    Check("dead_units", "deadUnits finds the units of a Linear layer whose weights and bias get no gradient",
          hint: "weight.grad has shape [outFeatures, inFeatures]: unit i is ROW i, the values i·inFeatures ..< (i+1)·inFeatures of .scalars. Unit i is dead when that whole row AND bias.grad[i] are exactly 0.") {
        let inputs = [[0.5, 1.0, 2.0], [1.5, 0.5, 1.0], [1.0, 2.0, 0.5], [2.0, 1.0, 1.0], [0.5, 0.5, 0.5]]
        let layer = try layerWithDeadUnits([1, 3], inputs: inputs, units: 4)
        let got = deadUnits(of: layer)
        observe(got.map(Double.init), "deadUnits", atol: 0, rtol: 0)
        if got.contains(where: { $0 >= 4 }) || (got.count == 2 && got != [1, 3]) {
            throw CheckFailure("deadUnits is \(got), expected [1, 3]: weight.grad has shape [outFeatures, inFeatures] = [4, 3], one ROW per unit. Unit i is the values i·3 ..< (i+1)·3 of weight.grad!.scalars, not a column")
        }
        try expect(got == [1, 3], "deadUnits is \(got), expected [1, 3] (units 1 and 3 have a bias of −100, so ReLU outputs 0 for every input and no gradient reaches them). weight.grad has shape [outFeatures, inFeatures] = [4, 3]: unit i is row i, the values i·3 ..< (i+1)·3 of weight.grad!.scalars")
        try expect(deadUnits(of: Linear(2, 2)) == [], "deadUnits of a layer that no backward pass has reached (weight.grad is nil) must be [], not crash or report every unit")
    }

    Check("dead_units_need_bias", "a unit whose inputs are all 0 still learns through its bias: not dead",
          hint: "A weight row can be all zeros while the unit is alive: its gradient is (incoming gradient) × (input), and the inputs may be 0. The bias gradient has no input factor: check it too.") {
        // Every input is 0, so every weight gradient is 0, but the live units' biases get gradient.
        let inputs = [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
        let layer = try layerWithDeadUnits([2], inputs: inputs, units: 3)
        let got = deadUnits(of: layer)
        observe(got.map(Double.init), "deadUnits", atol: 0, rtol: 0)
        if got == [0, 1, 2] {
            throw CheckFailure("deadUnits reports every unit, but only unit 2 is dead: the inputs are all 0, so every weight gradient is 0 — yet units 0 and 1 still receive gradient through their biases and keep learning. A unit is dead only when its weight row AND its bias gradient are all 0")
        }
        try expect(got == [2], "deadUnits is \(got), expected [2]")
    }

    Check("dead_units_partial_row", "a row with some zero entries is not a dead unit",
          hint: "Dead means the WHOLE row is zero (allSatisfy), not that it contains a zero (contains).") {
        let inputs = [[1.0, 0.0, 2.0], [2.0, 0.0, 1.0]]      // feature 1 is always 0
        let layer = try layerWithDeadUnits([0], inputs: inputs, units: 3)
        let got = deadUnits(of: layer)
        observe(got.map(Double.init), "deadUnits", atol: 0, rtol: 0)
        if got == [0, 1, 2] {
            throw CheckFailure("deadUnits reports every unit, but only unit 0 is dead. Feature 1 is 0 in every example, so column 1 of weight.grad is 0 for every unit: a unit is dead only if its WHOLE row is 0 (allSatisfy), not if the row contains a 0")
        }
        try expect(got == [0], "deadUnits is \(got), expected [0]")
    }

    Check("health_report", "healthReport diagnoses every named parameter, in order, missing gradients included",
          hint: "The report needs one entry per parameter, in order, even when its gradient is nil.\nMap over model.namedParameters(), diagnosing each parameter's .grad.") {
        manualSeed(UInt64(Random.int(in: 0...1000)))
        let probe = Probe()
        try (probe(Tensor([[1.0, 2.0], [0.5, -1.0]])) ** 2).sum().backward()
        let names = probe.namedParameters().map(\.name)
        let report = try healthReport(of: probe)
        observe(caseNumbers(report.map(\.health)), "healthReport's diagnoses, as case numbers", atol: 0, rtol: 0)
        if report.count == names.count - 1 && !report.contains(where: { $0.name == "unused" }) {
            throw CheckFailure("healthReport skipped \"unused\", the parameter no backward pass reached: report it as .missing. A parameter the loss never uses is exactly what a health report is for")
        }
        try expect(report.map(\.name) == names, "healthReport's names are \(report.map(\.name)), expected \(names) (namedParameters() order)")
        let expected = try probe.namedParameters().map { try diagnose($0.parameter.grad) }
        try expect(report[0].health == .missing, "\"unused\" is reported as \(name(report[0].health)), expected .missing")
        try expect(report.map(\.health) == expected, "healthReport's diagnoses \(report.map { name($0.health) }) differ from diagnose() of each gradient \(expected.map(name))")
    }
}
