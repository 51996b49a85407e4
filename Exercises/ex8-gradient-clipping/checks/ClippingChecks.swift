import Autograd
import Foundation
import GraderKit

// Checks for exercise 8. Hand cases first (each known wrong answer is recognised and explained),
// then random cases against the library's clipGradNorm / clipGradValue.

// MARK: - Helpers

/// Float64 parameters whose .grad is set to the given values (nil: no gradient).
private func parameters(_ grads: [[Double]?]) -> [Tensor] {
    grads.map { g in
        let p = Tensor.zeros([max(g?.count ?? 1, 1)], dtype: .float64, requiresGrad: true)
        if let g { p.grad = Tensor(g, dtype: .float64) }
        return p
    }
}

private func grads(_ ps: [Tensor]) -> [[Double]?] { ps.map { $0.grad?.scalars } }

private func show(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.6g", x)
}

private func show(_ gs: [[Double]?]) -> String {
    gs.map { g in g.map { "[" + $0.map(show).joined(separator: ", ") + "]" } ?? "nil" }.joined(separator: ", ")
}

private func close(_ a: Double, _ b: Double, rtol: Double = 1e-9) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= 1e-12 + rtol * abs(b)
}

private func close(_ a: [[Double]?], _ b: [[Double]?], rtol: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        switch (x, y) {
        case (nil, nil): return true
        case let (x?, y?): return x.count == y.count && zip(x, y).allSatisfy { close($0, $1, rtol: rtol) }
        default: return false
        }
    }
}

private func label(_ normType: Double) -> String {
    normType == .infinity ? ".infinity" : show(normType)
}

/// The norm of a list of values, by definition.
private func norm(_ xs: [Double], _ p: Double) -> Double {
    if p == .infinity { return xs.map { abs($0) }.max() ?? 0 }
    return pow(xs.reduce(0) { $0 + pow(abs($1), p) }, 1 / p)
}

/// What the library does with the same gradients (copied, so the originals stay untouched).
private func library(_ gs: [[Double]?], maxNorm: Double, normType: Double) throws -> (total: Double, grads: [[Double]?]) {
    let ps = parameters(gs)
    let total = try clipGradNorm(ps, maxNorm: maxNorm, normType: normType).item()
    return (total, grads(ps))
}

/// Recognises the usual wrong totals for gradients `gs`.
private func diagnoseTotal(_ yours: Double, _ gs: [[Double]?], normType: Double) throws {
    let present = gs.compactMap { $0 }
    let all = present.flatMap { $0 }
    let right = norm(all, normType)
    if close(yours, right, rtol: 1e-9) {
        return observe(yours, "totalGradNorm(gradients \(show(gs)), normType: \(label(normType)))", atol: 1e-12, rtol: 1e-9)
    }
    let call = "totalGradNorm(gradients \(show(gs)), normType: \(label(normType)))"
    let perTensor = present.map { norm($0, normType) }
    if present.count > 1, close(yours, perTensor.max() ?? 0) {
        throw CheckFailure("\(call) is \(show(yours)), the largest single tensor's norm; the total is the norm of all the elements of all the gradients together: \(show(right))",
                           hint: "Put every element of every gradient in one array, then take the norm of that array.")
    }
    if present.count > 1, close(yours, perTensor.reduce(0, +)), normType != 1 {
        throw CheckFailure("\(call) is \(show(yours)), the sum of the per-tensor norms; the total is the norm of all the elements together (for p = 2: √ of the sum of all squares), \(show(right))",
                           hint: "(Σ |g|^p)^(1/p) over all elements at once, not Σ of per-tensor norms.")
    }
    if let first = present.first, present.count > 1, close(yours, norm(first, normType)) {
        throw CheckFailure("\(call) is \(show(yours)), the norm of the first gradient only; expected \(show(right)), over all of them",
                           hint: "Loop over every parameter (skipping nil grads), not just the first.")
    }
    if normType == 2, close(yours, right * right) {
        throw CheckFailure("\(call) is \(show(yours)), the sum of squares; the 2-norm is its square root, \(show(right))",
                           hint: "Take the square root at the end: pow(sum, 1 / normType).")
    }
    if normType == .infinity {
        if close(yours, all.max() ?? 0) {
            throw CheckFailure("\(call) is \(show(yours)), the largest value; the ∞-norm is the largest *absolute* value, \(show(right)) (the biggest element here is negative)",
                               hint: "The infinity norm is the largest absolute value.\nTake abs of every element, then the maximum.")
        }
        if close(yours, norm(all, 2)) {
            throw CheckFailure("\(call) is \(show(yours)), the 2-norm: normType .infinity means the largest absolute value, \(show(right))",
                               hint: "Handle normType == .infinity separately: pow(x, .infinity) doesn't give the maximum.")
        }
    }
    if normType == 1, close(yours, all.reduce(0, +)) {
        throw CheckFailure("\(call) is \(show(yours)), the plain sum; the 1-norm is the sum of absolute values, \(show(right))",
                           hint: "Σ |g|, with abs.")
    }
    throw CheckFailure("\(call) is \(show(yours)), expected \(show(right))")
}

/// Recognises the usual wrong clippings of `gs` to maxNorm (2-norm unless said otherwise).
private func diagnoseClip(yours: [[Double]?], returned: Double, gs: [[Double]?], maxNorm: Double, normType: Double = 2) throws {
    let (total, right) = try library(gs, maxNorm: maxNorm, normType: normType)
    let call = "myClipGradNorm(gradients \(show(gs)), maxNorm: \(show(maxNorm))\(normType == 2 ? "" : ", normType: \(label(normType))"))"
    if close(yours, right, rtol: 1e-10) {
        if !close(returned, total) {
            if close(returned, norm(right.compactMap { $0 }.flatMap { $0 }, normType), rtol: 1e-6) {
                throw CheckFailure("\(call) returned \(show(returned)), the norm *after* clipping; it must return the norm measured before, \(show(total)): the number worth logging, since it tells how big the gradient really was",
                                   hint: "Measure, keep the value, then scale; return the value you measured first.")
            }
            throw CheckFailure("\(call) clipped correctly but returned \(show(returned)); it must return the total norm before clipping, \(show(total))")
        }
        // Evidence for grading: the clipped gradients (nil as nan) and the norm returned.
        return observe(yours.flatMap { $0 ?? [.nan] } + [returned], "\(call): the gradients and the norm returned", atol: 1e-12, rtol: 1e-9)
    }
    let present = gs.compactMap { $0 }
    // Without the 1e-6: factor maxNorm / total.
    let exact: [[Double]?] = gs.map { g in g.map { $0.map { $0 * min(1, maxNorm / total) } } }
    if close(yours, exact, rtol: 1e-12) && !close(yours, right, rtol: 1e-12) {
        throw CheckFailure("\(call): your gradients are scaled by exactly maxNorm / total = \(show(maxNorm / total)); PyTorch's factor is maxNorm / (total + 1e-6), a hair smaller, which also keeps the division finite when the norm is 0. Your total norm after clipping is exactly \(show(maxNorm)); it should be just under",
                           hint: "The scaling factor is wrong: it is maxNorm over the total norm (plus 1e-6), capped at 1.")
    }
    // Per-tensor clipping: each gradient clipped to maxNorm on its own.
    let perTensor: [[Double]?] = gs.map { g in
        g.map { g in let n = norm(g, normType); return g.map { $0 * min(1, maxNorm / (n + 1e-6)) } }
    }
    if present.count > 1, close(yours, perTensor, rtol: 1e-6), !close(perTensor, right, rtol: 1e-6) {
        throw CheckFailure("\(call) gave \(show(yours)): each gradient was clipped to maxNorm on its own. Clipping uses one factor for all of them, from the total norm \(show(total)), which keeps the direction of the whole update: expected \(show(right))",
                           hint: "Each gradient was scaled by a factor of its own: clipping scales all of them by one common factor.\nCompute the total norm over all parameters first, then one factor, min(1, maxNorm / (total + 1e-6)), applied to every gradient.")
    }
    // Scaling always, even when the gradient is already small (enlarging it).
    let always: [[Double]?] = gs.map { g in g.map { $0.map { $0 * maxNorm / (total + 1e-6) } } }
    if total < maxNorm, close(yours, always, rtol: 1e-6) {
        throw CheckFailure("\(call) gave \(show(yours)): the total norm \(show(total)) was already below maxNorm, and you scaled the gradients *up* to it. Clipping only ever shrinks: the factor is min(1, maxNorm / (total + 1e-6)), so small gradients are left exactly as they are",
                           hint: "min(1, …): never enlarge.")
    }
    if close(yours, gs) {
        throw CheckFailure("\(call) left the gradients unchanged (\(show(yours))), but their total norm \(show(total)) is over \(show(maxNorm)): expected \(show(right)). Did you scale a copy (g * factor) without storing it back into p.grad? mul_ works in place",
                           hint: "The gradients were not changed: scaling must happen in place, on .grad itself.\nAn in-place multiply inside noGrad changes the gradient; `let h = g * factor` makes a new tensor that nobody uses.")
    }
    if present.count > 1, let firstIndex = gs.firstIndex(where: { $0 != nil }),
       close([yours[firstIndex]], [right[firstIndex]], rtol: 1e-9), !close(yours, right) {
        throw CheckFailure("\(call) gave \(show(yours)): only the first gradient was scaled; expected \(show(right))",
                           hint: "Scale every gradient, with the same factor.")
    }
    throw CheckFailure("\(call) gave \(show(yours)), expected \(show(right)) (total norm before: \(show(total)))")
}

// MARK: - The checks

let checks = CheckSuite {
    Check("total_norm_2", "totalGradNorm with normType 2: all elements of all gradients as one vector",
          hint: "√(Σ g²) over every element of every gradient; parameters whose grad is nil are skipped.") {
        try diagnoseTotal(totalGradNorm(parameters([[3, 4], [12, 0]]), normType: 2), [[3, 4], [12, 0]], normType: 2)
        try diagnoseTotal(totalGradNorm(parameters([[1, -2], nil, [2]]), normType: 2), [[1, -2], nil, [2]], normType: 2)
        try expect(totalGradNorm(parameters([nil, nil]), normType: 2) == 0,
                   "totalGradNorm of parameters with no gradients is \(show(totalGradNorm(parameters([nil, nil]), normType: 2))), expected 0 (nothing to measure)")
    }

    Check("total_norm_1_inf", "totalGradNorm with normType 1 (Σ |g|) and .infinity (max |g|)",
          hint: "normType 1: the sum of absolute values. normType .infinity: the largest absolute value, which pow() cannot compute: handle it separately.") {
        let gs: [[Double]?] = [[3, -4], [1, 2]]
        try diagnoseTotal(totalGradNorm(parameters(gs), normType: 1), gs, normType: 1)
        try diagnoseTotal(totalGradNorm(parameters(gs), normType: .infinity), gs, normType: .infinity)
        let negative: [[Double]?] = [[0.5, -7], [2, 3]]
        try diagnoseTotal(totalGradNorm(parameters(negative), normType: .infinity), negative, normType: .infinity)
        let three: [[Double]?] = [[1, -2], [2]]
        try diagnoseTotal(totalGradNorm(parameters(three), normType: 3), three, normType: 3)
    }

    Check("clip_norm_hand", "myClipGradNorm on [3, 4] and [12, 0] with maxNorm 1: both divided by 13 (+1e-6), returns 13",
          hint: "One factor for all: min(1, maxNorm / (total + 1e-6)). Return the total measured before scaling.") {
        let gs: [[Double]?] = [[3, 4], [12, 0]]
        let ps = parameters(gs)
        let returned = try myClipGradNorm(ps, maxNorm: 1)
        try diagnoseClip(yours: grads(ps), returned: returned, gs: gs, maxNorm: 1)
    }

    Check("clip_norm_small_untouched", "gradients already within maxNorm are left exactly as they are",
          hint: "The factor is capped at 1: clipping never enlarges a gradient.") {
        for gs in [[[0.3, 0.4], [0, 0]], [[0.01, -0.02], [0.03]]] as [[[Double]?]] {
            let ps = parameters(gs)
            let returned = try myClipGradNorm(ps, maxNorm: 1)
            try diagnoseClip(yours: grads(ps), returned: returned, gs: gs, maxNorm: 1)
        }
        let zero = parameters([[0, 0], [0]])
        let returned = try myClipGradNorm(zero, maxNorm: 1)
        try expect(grads(zero).allSatisfy { $0!.allSatisfy { $0 == 0 } } && returned == 0,
                   "clipping all-zero gradients gave \(show(grads(zero))) and returned \(show(returned)); expected zeros and 0 (a zero norm must not become a division by zero: that is one reason for the 1e-6)")
    }

    Check("clip_norm_skips_nil", "parameters without a gradient are skipped (and keep grad nil)",
          hint: "parameters.compactMap(\\.grad) gives only the gradients that exist.") {
        let gs: [[Double]?] = [[6, 8], nil, [0]]
        let ps = parameters(gs)
        let returned = try myClipGradNorm(ps, maxNorm: 5)
        try diagnoseClip(yours: grads(ps), returned: returned, gs: gs, maxNorm: 5)
    }

    Check("clip_norm_types", "myClipGradNorm with normType 1 and .infinity scales by maxNorm / (that norm + 1e-6)",
          hint: "The same factor formula, with the total measured in the requested norm.") {
        let gs: [[Double]?] = [[3, -4], [1, 2]]
        for normType in [1.0, .infinity] {
            let ps = parameters(gs)
            let returned = try myClipGradNorm(ps, maxNorm: 2, normType: normType)
            try diagnoseClip(yours: grads(ps), returned: returned, gs: gs, maxNorm: 2, normType: normType)
        }
    }

    Check("clip_norm_matches_library", "myClipGradNorm matches the library's clipGradNorm on random gradients (normType 2, 1, .infinity)",
          hint: "Compare with lesson 8's examples: clipGradNorm(params, maxNorm:, normType:) does the same thing.") {
        try forAll("random gradients", trials: 30) { trial in
            let count = Random.int(in: 1...4)
            let gs: [[Double]?] = (0..<count).map { _ in
                Random.int(in: 0...4) == 0 ? nil : Random.doubles(Random.int(in: 1...5), in: -3...3)
            }
            let normType = Random.element(of: [2.0, 1.0, .infinity])
            let maxNorm = Random.double(in: 0.1...4)
            let ps = parameters(gs)
            let returned = try myClipGradNorm(ps, maxNorm: maxNorm, normType: normType)
            try diagnoseClip(yours: grads(ps), returned: returned, gs: gs, maxNorm: maxNorm, normType: normType)
        }
    }

    Check("clip_norm_nonfinite", "an inf or nan gradient: myClipGradNorm throws NonFiniteGradientNorm and changes nothing",
          hint: "With errorIfNonfinite, a nan or inf total norm must throw before anything is scaled (nan > maxNorm is false, so a comparison never notices).\nTest total.isFinite and throw NonFiniteGradientNorm(norm: total) before scaling.") {
        for bad in [Double.infinity, -Double.infinity, Double.nan] {
            let gs: [[Double]?] = [[0.5, -0.5], [bad]]
            let ps = parameters(gs)
            var thrown: Error?
            do { _ = try myClipGradNorm(ps, maxNorm: 1) } catch { thrown = error }
            guard let thrown else {
                let after = grads(ps)
                var message = "with a gradient element equal to \(show(bad)), myClipGradNorm returned normally, leaving the gradients \(show(after)). The total norm is \(show(bad.isNaN ? bad : .infinity)): clipping can't repair that, so throw NonFiniteGradientNorm(norm: total) before changing anything"
                if bad.isNaN && close(after, gs) {
                    message += ". (A check like `if total > maxNorm` is false for nan, because every comparison with nan is false: test total.isFinite)"
                } else if after[0]!.allSatisfy({ $0 == 0 || $0.isNaN }) {
                    message += ". (Scaling by maxNorm / (inf + 1e-6) = 0 zeroed the healthy gradients and turned the inf into nan, ∞ · 0)"
                }
                throw CheckFailure(message)
            }
            observe((thrown as? NonFiniteGradientNorm)?.norm ?? 0, "the norm NonFiniteGradientNorm carries for a \(show(bad)) gradient", atol: 0, rtol: 0)
            try expect(thrown is NonFiniteGradientNorm,
                       "with a \(show(bad)) gradient, myClipGradNorm threw \(type(of: thrown)) (\(thrown)); throw NonFiniteGradientNorm(norm: total)")
            try expect(close(grads(ps), gs),
                       "myClipGradNorm threw for a \(show(bad)) gradient, good, but first changed the gradients to \(show(grads(ps))): check the norm before scaling anything")
        }
    }

    Check("clip_value", "myClipGradValue clamps every element into [-clipValue, clipValue], skipping nil grads",
          hint: "clipGradValue must clamp every element of every existing gradient into [−clipValue, clipValue], in place.\nAn in-place clamp_ inside noGrad, for each gradient that is not nil.") {
        let gs: [[Double]?] = [[-3, 0.25, 0.5, 9], nil, [-0.4, -0.6]]
        let ps = parameters(gs)
        try myClipGradValue(ps, clipValue: 0.5)
        let yours = grads(ps)
        let reference = parameters(gs)
        clipGradValue(reference, clipValue: 0.5)
        let right = grads(reference)
        if close(yours, right) { return observe(yours.flatMap { $0 ?? [.nan] }, "the gradients after myClipGradValue", atol: 1e-12, rtol: 1e-9) }
        let call = "myClipGradValue(gradients \(show(gs)), clipValue: 0.5)"
        let upperOnly: [[Double]?] = gs.map { $0.map { $0.map { min($0, 0.5) } } }
        let lowerZero: [[Double]?] = gs.map { $0.map { $0.map { min(max($0, 0), 0.5) } } }
        if close(yours, upperOnly) {
            throw CheckFailure("\(call) gave \(show(yours)): only the upper limit was applied, so −3 stayed −3. Clamp on both sides, into [−0.5, 0.5]: expected \(show(right))",
                               hint: "Every element must end up inside [−clipValue, clipValue], on both sides.\nclamp_(min: -clipValue, max: clipValue)")
        }
        if close(yours, lowerZero) {
            throw CheckFailure("\(call) gave \(show(yours)): the range was [0, 0.5], so every negative gradient became 0. The range is symmetric, [−clipValue, clipValue]: expected \(show(right))",
                               hint: "Every element must end up inside [−clipValue, clipValue], on both sides.\nclamp_(min: -clipValue, max: clipValue)")
        }
        let scaled = try library(gs, maxNorm: 0.5, normType: .infinity).grads
        if close(yours, scaled, rtol: 1e-6) {
            throw CheckFailure("\(call) gave \(show(yours)): that is norm clipping with the ∞-norm (everything scaled by one factor). Value clipping clamps each element on its own: expected \(show(right))")
        }
        throw CheckFailure("\(call) gave \(show(yours)), expected \(show(right))")
    }

    Check("clipped_step", "clippedStep clips after backward() and before step(): the update uses the clipped gradient",
          hint: "Clipping edits .grad: after backward() (which fills it), before step() (which reads it).") {
        manualSeed(5)
        func model() -> Sequential { manualSeed(5); return Sequential(Linear(3, 4), Tanh(), Linear(4, 1)) }
        let x = Tensor([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]]), y = Tensor([[40.0], [-30.0]])   // large targets: a large gradient
        let lr = 0.1, maxNorm = 0.5
        // The reference step, and the unclipped one.
        func reference(clip: Bool) throws -> (before: [Double], after: [Double], loss: Double) {
            let m = model(), opt = SGD(m.parameters(), lr: lr)
            let before = m.parameters().flatMap(\.scalars)
            try opt.zeroGrad()
            let loss = mseLoss(m(x), y)
            try loss.backward()
            if clip { try clipGradNorm(m.parameters(), maxNorm: maxNorm) }
            try opt.step()
            return try (before, m.parameters().flatMap(\.scalars), loss.item())
        }
        let right = try reference(clip: true), unclipped = try reference(clip: false)
        let m = model(), opt = SGD(m.parameters(), lr: lr)
        // Stale gradients from an earlier step, which the step must clear.
        for p in m.parameters() { p.grad = Tensor.onesLike(p) }
        let loss = try clippedStep(model: m, optimizer: opt, x: x, y: y, maxNorm: maxNorm)
        let after = m.parameters().flatMap(\.scalars)
        func moved(_ a: [Double]) -> Double { zip(a, right.before).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }
        try expect(abs(loss - right.loss) <= 1e-4 * abs(right.loss),
                   "clippedStep returned the loss \(show(loss)); expected mseLoss(model(x), y) before the update, \(show(right.loss))")
        observe(after + [loss], "the parameters after clippedStep, and its loss", atol: 1e-5, rtol: 1e-4)
        if zip(after, right.after).allSatisfy({ abs($0 - $1) <= 1e-5 }) { return }
        if zip(after, unclipped.after).allSatisfy({ abs($0 - $1) <= 1e-5 }) {
            throw CheckFailure("the step moved the parameters by \(show(moved(after))), as far as an unclipped step (the gradient norm here is far over maxNorm \(show(maxNorm)); a clipped step moves them by \(show(moved(right.after))) = lr · maxNorm). Your clipping had no effect on the update: it runs before backward() (there is nothing to clip yet, and backward then stores the full gradient) or after step() (the update already happened)",
                               hint: "zeroGrad, forward, loss, backward, then myClipGradNorm, then step.")
        }
        throw CheckFailure("the step moved the parameters by \(show(moved(after))); a step with the gradient clipped to maxNorm \(show(maxNorm)) moves them by \(show(moved(right.after))) (lr · maxNorm). Check the order: zeroGrad, forward, backward, clip, step")
    }
}
