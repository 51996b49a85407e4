import Foundation
import Autograd
import GraderKit

private func fmt(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%g", x)
}
private func fmt(_ xs: [Double]) -> String { "[" + xs.map(fmt).joined(separator: ", ") + "]" }

/// A parameter whose gradient is set by hand, as if backward() had left it there.
private func parameter(_ values: [Double], grad: [Double]?) -> Tensor {
    let p = Tensor(values, requiresGrad: true)
    if let grad { p.grad = Tensor(grad) }
    return p
}

private func same(_ a: [Double], _ b: [Double], tolerance: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        (x.isNaN && y.isNaN) || x == y || abs(x - y) <= tolerance * max(1, abs(y))
    }
}

/// The fixed sequence both scalers run: gradients of (p * g).sum() are exactly g.
private let sequence: [[Double]] = [
    [1, 1], [2, -1], [0.5, 0.5], [.infinity, 1], [1, 1], [1, 1], [-.infinity, 0], [0.25, 4],
    [1, 1], [1, 1], [.nan, 1], [1, 1], [1, 1], [1, 1], [2, 2], [1, 1], [1, 1],
]

private struct Trace { var stepped: [Bool] = []; var scales: [Double] = []; var params: [[Double]] = [] }

private func runReference(initScale: Double, interval: Int) throws -> Trace {
    let p = Tensor([1.0, 2.0], requiresGrad: true)
    let opt = SGD([p], lr: 0.1)
    let scaler = GradScaler(initScale: initScale, growthFactor: 2, backoffFactor: 0.5, growthInterval: interval)
    var t = Trace()
    for g in sequence {
        try opt.zeroGrad()
        try scaler.scale((p * Tensor(g)).sum()).backward()
        t.stepped.append(try scaler.step(opt))
        try scaler.update()
        t.scales.append(scaler.scale)
        t.params.append(p.scalars)
    }
    return t
}

private func runStudent(initScale: Double, interval: Int) throws -> Trace {
    let p = Tensor([1.0, 2.0], requiresGrad: true)
    let opt = SGD([p], lr: 0.1)
    let scaler = LossScaler(initScale: initScale, growthFactor: 2, backoffFactor: 0.5, growthInterval: interval)
    var t = Trace()
    for g in sequence {
        try opt.zeroGrad()
        try scaler.scaled((p * Tensor(g)).sum()).backward()
        t.stepped.append(try scaler.step(opt))
        scaler.update()
        t.scales.append(scaler.scale)
        t.params.append(p.scalars)
    }
    return t
}

let checks = CheckSuite {
    Check("scale_loss", "scaled(loss) is the loss times the scale, so backward() scales every gradient",
          hint: "scaled(loss) must multiply the loss by the current scale, and stay a tensor in the graph.") {
        let scaler = LossScaler(initScale: 1024)
        let p = Tensor([0.5, -2.0], requiresGrad: true)
        let loss = (p * Tensor([3.0, 0.25])).sum()
        let s = scaler.scaled(loss)
        try expectClose(s.item(), loss.item() * 1024, "scaled(loss) with scale 1024")
        guard s.requiresGrad else {
            throw CheckFailure("scaled(loss) doesn't require grad: it must be computed from the loss tensor (loss * scale), not from loss.item(), so that backward() can run through it")
        }
        try s.backward()
        try expectGrad(p, [3 * 1024, 0.25 * 1024], "p (gradient of the scaled loss)")
        try expect(scaler.scale == 1024, "scaled(loss) changed the scale to \(fmt(scaler.scale)); it should only read it")
    }

    Check("unscale_values", "unscale divides every gradient by the scale and reports clean gradients as false",
          hint: "unscale must skip parameters whose gradient is nil, and divide every other gradient by the scale.\nLoop over the parameters, unwrapping each .grad and continuing when it is nil.") {
        let scaler = LossScaler(initScale: 8)
        let a = parameter([1, 2], grad: [8, -16])
        let unused = parameter([3], grad: nil)
        let b = parameter([4, 5, 6], grad: [4, 0, 2])
        let found = try scaler.unscale([a, unused, b])
        if let g = a.grad, same(g.scalars, [64, -128]) {
            throw CheckFailure("the gradients were multiplied by the scale instead of divided: unscaling undoes the scaling, g / scale")
        }
        try expectGrad(a, [1, -2], "a (gradient [8, -16] unscaled by 8)")
        try expectGrad(b, [0.5, 0, 0.25], "b (gradient [4, 0, 2] unscaled by 8)")
        try expectGradNil(unused, "a parameter that had no gradient")
        try expect(found == false, "unscale returned true for gradients that are all finite: it must return whether some value is inf or nan")
    }

    Check("unscale_detects", "unscale finds inf, -inf and nan, in any parameter",
          hint: "unscale must report inf, −inf and nan alike: test finiteness, not size.\n!g.isFinite().all() is true for all three.") {
        let cases: [(String, Double)] = [("inf", .infinity), ("-inf", -.infinity), ("nan", .nan)]
        for (name, bad) in cases {
            let scaler = LossScaler(initScale: 4)
            let clean = parameter([1, 2], grad: [4, 4])
            let broken = parameter([1, 2], grad: [2, bad])
            let found = try scaler.unscale([clean, broken])
            if !found {
                var message = "a gradient holding \(name) (in the second parameter) was not reported: unscale returned false"
                if bad.isNaN { message += ". nan is not infinite: isInfinite misses it, and so does comparing with .infinity. Use isFinite(), which is false for inf, -inf and nan" }
                else if bad < 0 { message += ". -inf is infinite too: comparing with .infinity misses it. Use isFinite()" }
                else { message += ". Look at every value of every parameter's gradient, not just the first parameter or the first element" }
                throw CheckFailure(message)
            }
            try expect(clean.grad.map { same($0.scalars, [1, 1]) } ?? false,
                       "with \(name) in the second parameter, the first parameter's gradient was not unscaled (\(fmt(clean.grad?.scalars ?? []))): unscale every gradient, even when one is broken")
            observe(clean.grad?.scalars ?? [.nan], "the clean parameter's gradient after unscale, with \(name) in the other", atol: 1e-9, rtol: 1e-6)
        }
    }

    Check("step_unscales", "step unscales the gradients before optimizer.step()",
          hint: "step must update the weights with the true (unscaled) gradients.\nUnscale the optimizer's parameters first, then call optimizer.step().") {
        let scaler = LossScaler(initScale: 8)
        let p = parameter([1, 2], grad: [8, 16])       // the true gradient [1, 2], scaled by 8
        let opt = SGD([p], lr: 0.1)
        let stepped = try scaler.step(opt)
        let values = p.scalars
        if same(values, [1 - 0.8, 2 - 1.6]) {
            throw CheckFailure("the update used the scaled gradients (p moved from [1, 2] to \(fmt(values))): step must unscale before optimizer.step(), or every update is scale (here 8) times too large")
        }
        if same(values, [1 - 0.1 / 8, 2 - 0.2 / 8]) {
            throw CheckFailure("the gradients were divided by the scale twice (p moved from [1, 2] to \(fmt(values))): unscale once per iteration")
        }
        try expect(stepped, "step returned false for clean gradients: it must return true when the optimizer stepped")
        try expectClose(p, [0.9, 1.8], "p after one SGD step (lr 0.1) with the true gradient [1, 2]")
        try expect(scaler.foundInf == false, "after a clean step, foundInf is \(scaler.foundInf.map { "\($0)" } ?? "nil"); step must record what unscale found (false)")
    }

    Check("step_skips", "step skips optimizer.step() when a gradient is inf or nan, and says so",
          hint: "step must not update the weights when the gradients held an inf or nan.\nWhen unscale found one, return false without calling optimizer.step().") {
        for bad in [Double.infinity, .nan] {
            let scaler = LossScaler(initScale: 8)
            let p = parameter([1, 2], grad: [bad, 8])
            let opt = SGD([p], lr: 0.1)
            let stepped = try scaler.step(opt)
            if !same(p.scalars, [1, 2]) {
                throw CheckFailure("with a \(fmt(bad)) gradient, step still updated the parameters (now \(fmt(p.scalars))): one broken gradient ruins the weights for good. Skip optimizer.step() when unscale finds inf or nan")
            }
            observe(p.scalars, "the parameters after a step with a \(fmt(bad)) gradient", atol: 1e-9, rtol: 1e-6)
            try expect(!stepped, "step returned true for a skipped step (gradient \(fmt(bad))): return whether the optimizer really stepped")
            try expect(scaler.foundInf == true, "after a \(fmt(bad)) gradient, foundInf is \(scaler.foundInf.map { "\($0)" } ?? "nil"): step must record what unscale found, so that update() can back off")
        }
    }

    Check("update_backoff", "update after an overflow multiplies the scale by backoffFactor and restarts the count",
          hint: "update after an overflow is wrong: the scale must shrink and the count of clean steps start again.\nMultiply the scale by backoffFactor and set cleanSteps back to 0.") {
        let scaler = LossScaler(initScale: 8, growthInterval: 3)
        scaler.cleanSteps = 2
        scaler.foundInf = true
        scaler.update()
        if scaler.scale == 16 {
            throw CheckFailure("after an overflow step the scale grew from 8 to 16: it must shrink (times backoffFactor), and never grow on an overflow step. Check foundInf before counting a clean step")
        }
        if scaler.scale == 8 {
            throw CheckFailure("after an overflow step (with 2 of 3 clean steps already counted) the scale is still 8: it must end at 8 × backoffFactor = 4, or the next iteration overflows again. If your update counts the step as clean before looking at foundInf, it grew to 16 and then halved back to 8: check foundInf first, and count only clean steps")
        }
        try expectClose(scaler.scale, 4, "scale after an overflow (8 × backoffFactor 0.5)")
        try expect(scaler.cleanSteps == 0, "after an overflow, cleanSteps is \(scaler.cleanSteps): reset it to 0, so the clean steps from before the overflow don't count towards the next growth")
    }

    Check("update_growth", "the scale grows after exactly growthInterval clean steps in a row, then counts again",
          hint: "update after a clean step is wrong: the scale grows only after growthInterval clean steps in a row.\nCount the clean step; when the count reaches growthInterval, multiply by growthFactor and restart the count.") {
        let scaler = LossScaler(initScale: 8, growthInterval: 3)
        var scales: [Double] = []
        for _ in 0..<7 {
            scaler.foundInf = false
            scaler.update()
            scales.append(scaler.scale)
        }
        let right: [Double] = [8, 8, 16, 16, 16, 32, 32]
        if scales == right { return observe(scales, "the scale after each of 7 clean steps", atol: 0, rtol: 0) }
        if scales == [8, 8, 8, 16, 16, 16, 16] {
            throw CheckFailure("the scale grew after 4 clean steps instead of 3 (scales after each of 7 clean steps: \(fmt(scales))): grow when the count reaches growthInterval, not when it exceeds it")
        }
        if scales == [8, 16, 16, 32, 32, 64, 64] {
            throw CheckFailure("the scale grew after 2 clean steps instead of 3 (scales: \(fmt(scales))): count the step first, then compare with growthInterval")
        }
        if scales.allSatisfy({ $0 == 8 }) {
            throw CheckFailure("7 clean steps with growthInterval 3 never grew the scale: count clean steps in update() and multiply by growthFactor when growthInterval of them have passed")
        }
        if scales == [8, 8, 16, 32, 64, 128, 256] {
            throw CheckFailure("after growing, the scale kept growing at every step (\(fmt(scales))): reset cleanSteps to 0 when the scale grows")
        }
        throw CheckFailure("after each of 7 clean steps with growthInterval 3, starting from 8, the scale should be \(fmt(right)); yours: \(fmt(scales))")
    }

    Check("update_reset", "an overflow in between restarts the count of clean steps",
          hint: "Two clean steps, an overflow, two clean steps: with growthInterval 3 the scale must not grow.") {
        let scaler = LossScaler(initScale: 8, growthInterval: 3)
        var scales: [Double] = []
        for found in [false, false, true, false, false] {
            scaler.foundInf = found
            scaler.update()
            scales.append(scaler.scale)
        }
        if scales.last == 8 {
            throw CheckFailure("clean, clean, overflow, clean, clean (growthInterval 3) grew the scale back to 8 (scales: \(fmt(scales))): the clean steps before the overflow were still counted. Reset cleanSteps to 0 on an overflow")
        }
        try expectClose(scales, [8, 8, 4, 4, 4], "the scale after clean, clean, overflow, clean, clean")
    }

    Check("matches_gradscaler", "side by side with GradScaler on 17 steps with inf, -inf and nan: same skips, scales and parameters",
          hint: "Compare your scale step by step with the library's GradScaler: the message names the first step where they differ.") {
        for (initScale, interval) in [(16.0, 3), (8.0, 2)] {
            let right = try runReference(initScale: initScale, interval: interval)
            let yours = try runStudent(initScale: initScale, interval: interval)
            for k in sequence.indices {
                let what = "step \(k) (gradient \(fmt(sequence[k])); initScale \(fmt(initScale)), growthInterval \(interval))"
                if yours.stepped[k] != right.stepped[k] {
                    throw CheckFailure("at \(what) GradScaler \(right.stepped[k] ? "steps" : "skips the step"), your scaler \(yours.stepped[k] ? "steps" : "skips it")")
                }
                if yours.scales[k] != right.scales[k] {
                    throw CheckFailure("at \(what) GradScaler's scale after update() is \(fmt(right.scales[k])), yours is \(fmt(yours.scales[k])). Scales up to there: GradScaler \(fmt(Array(right.scales[...k]))), yours \(fmt(Array(yours.scales[...k])))")
                }
                if !same(yours.params[k], right.params[k]) {
                    throw CheckFailure("at \(what) the parameters are \(fmt(yours.params[k])) with your scaler and \(fmt(right.params[k])) with GradScaler")
                }
            }
            observe(yours.scales + yours.params.flatMap { $0 }, "the scales and parameters of 17 steps (initScale \(fmt(initScale)))", atol: 1e-6, rtol: 1e-6)
        }
    }

    Check("float16_rescue", "your scaler rescues a float16 gradient that would flush to zero",
          hint: "This one uses everything together: scaled(loss).backward(), step, update.") {
        let w = Tensor([1.0, 1.0], requiresGrad: true)                // float32 master weights
        let x = Tensor([1e-4, 2e-4], dtype: .float16)
        func loss() -> Tensor { (w.half() * x).sum() * 1e-4 }         // the gradient passes through float16
        try loss().backward()
        let plain = w.grad!.scalars
        w.grad = nil
        let scaler = LossScaler(initScale: 4096)
        let opt = SGD([w], lr: 1)
        try scaler.scaled(loss()).backward()
        let stepped = try scaler.step(opt)
        scaler.update()
        try expect(plain == [0, 0], "setup: the unscaled float16 gradient should flush to zero")
        try expect(stepped, "the step was skipped, but the scaled gradient is finite")
        try expectClose(w.grad!, [1e-8, 2e-8], atol: 1e-10, rtol: 5e-3, "w.grad after your scaler's unscale (float16 flushes it to [0, 0] without scaling)")
    }
}
