import Foundation
import Autograd
import GraderKit

// A fixed problem: a 4-16-1 tanh network fitting a smooth function of 4 inputs, 64 rows.
private struct Setup {
    let model: Sequential
    let inputs: Tensor
    let targets: Tensor
    init(seed: UInt64) {
        manualSeed(seed)
        model = Sequential(Linear(4, 16), Tanh(), Linear(16, 1))
        inputs = Tensor.uniform([64, 4], from: -1, to: 1)
        targets = (inputs.matmul(Tensor([[1.0], [-2.0], [0.5], [1.5]])) * 0.5).tanh()
    }
    func optimizer() -> SGD { SGD(model.parameters(), lr: 0.2, momentum: 0.9) }
}

private func values(_ m: Module) -> [Double] { m.parameters().flatMap(\.scalars) }
private func grads(_ m: Module) -> [Double] { m.parameters().flatMap { $0.grad?.scalars ?? [Double](repeating: .nan, count: $0.count) } }
private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
private func fmt(_ x: Double) -> String { x.isNaN ? "nan" : String(format: "%.4g", x) }
/// How far `a` is from `b`, relative to b's size.
private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    norm(zip(a, b).map { $0 - $1 }) / max(norm(b), 1e-12)
}
/// a ≈ ratio · b: the least-squares ratio.
private func ratio(_ a: [Double], _ b: [Double]) -> Double { dot(a, b) / max(dot(b, b), 1e-300) }

/// The reference step (what the solution does), on a twin model.
private func referenceStep(_ model: Module, _ optimizer: Optimizer, _ scaler: GradScaler, inputs: Tensor,
                           targets: Tensor, microBatches: Int, maxNorm: Double) throws -> (before: Double, stepped: Bool) {
    model.zeroGrad()
    let size = inputs.shape[0] / microBatches
    for k in 0..<microBatches {
        let rows = (k * size)..<((k + 1) * size)
        let loss = try autocast(.float16) { MSELoss()(model(try inputs[rows]), try targets[rows]) }
        try scaler.scale(loss / Double(microBatches)).backward()
    }
    try scaler.unscale(optimizer)
    let before = try clipGradNorm(model.parameters(), maxNorm: maxNorm).item()
    let stepped = try scaler.step(optimizer)
    try scaler.update()
    return (before, stepped)
}

let checks = CheckSuite {
    Check("accumulation_equals_full", "accumulateGradients leaves scale × the full batch's gradient in .grad, and returns the full batch's loss",
          hint: "The accumulated gradient differs from the full batch's: clear once per step, and divide each micro-batch's loss by the number of micro-batches.\nEach micro-batch's loss is computed under autocast(.float16), divided by K, scaled by the scaler, then backward.") {
        let s = Setup(seed: 11), twin = Setup(seed: 11)
        // The full batch at once, unscaled, on the twin.
        let fullLoss = autocast(.float16) { MSELoss()(twin.model(twin.inputs), twin.targets) }
        try fullLoss.backward()
        let full = grads(twin.model)
        // Last micro-batch alone, for a diagnosis.
        twin.model.zeroGrad()
        try (autocast(.float16) { MSELoss()(twin.model(try twin.inputs[48..<64]), try twin.targets[48..<64]) } / 4).backward()
        let lastOnly = grads(twin.model)
        // Stale gradients from an earlier step, which must be cleared.
        for p in s.model.parameters() { p.grad = Tensor.full(p.shape, 0.5) }
        let scaler = GradScaler(initScale: 256)
        let loss = try accumulateGradients(model: s.model, scaler: scaler, inputs: s.inputs, targets: s.targets, microBatches: 4)
        let yours = grads(s.model)
        guard !yours.contains(where: \.isNaN) else {
            throw CheckFailure("after accumulateGradients some parameter has no gradient: call backward on each micro-batch's scaled loss")
        }
        let r = ratio(yours, full)
        if relativeError(yours, full.map { $0 * 256 }) > 2e-2 {
            if relativeError(yours, full) < 2e-2 {
                throw CheckFailure("your gradients equal the full batch's gradient, not scale × it (scale 256): the loss was not scaled. Call backward on scaler.scale(loss / K), so that small float16 gradients don't flush to zero")
            }
            if abs(r / 256 - 4) < 0.1 {
                throw CheckFailure("your gradients are 4 × (scale × full batch) for 4 micro-batches: divide each micro-batch's loss by the number of micro-batches before scaling it")
            }
            if relativeError(yours, lastOnly.map { $0 * 256 }) < 2e-2 || relativeError(yours, lastOnly.map { $0 * 1024 }) < 2e-2 {
                throw CheckFailure("only the last micro-batch's gradient is left: the gradients are cleared inside the micro-batch loop. Clear once, before it")
            }
            if relativeError(yours, full.map { $0 * 256 + 0.5 }) < 2e-2 {
                throw CheckFailure("your gradients are the right ones plus what .grad held before the call: clear the gradients (model.zeroGrad()) before accumulating")
            }
            throw CheckFailure("your accumulated gradients differ from 256 × the full batch's gradient (relative error \(fmt(relativeError(yours, full.map { $0 * 256 }))); best-fitting ratio \(fmt(r)) instead of 256)")
        }
        try expectClose(loss, fullLoss.item(), atol: 1e-4, rtol: 1e-2, "the loss accumulateGradients returns (the full batch's mean squared error)")
    }

    Check("one_step_matches", "trainingStep unscales, clips and steps like the reference (clipping active, scale 1024)",
          hint: "The stages of a step run in the wrong order.\nAccumulate, unscale, record, clip, step with the scaler, update the scaler.") {
        let s = Setup(seed: 12), twin = Setup(seed: 12)
        let config = CapstoneConfig(microBatches: 4, maxNorm: 0.05, maxSteps: 1, targetLoss: 0)
        let start = values(s.model)
        let scaler = GradScaler(initScale: 1024), twinScaler = GradScaler(initScale: 1024)
        let record = try trainingStep(model: s.model, optimizer: s.optimizer(), scaler: scaler,
                                      monitor: GradientMonitor(module: s.model), inputs: s.inputs, targets: s.targets, config: config)
        let ref = try referenceStep(twin.model, twin.optimizer(), twinScaler, inputs: twin.inputs, targets: twin.targets,
                                    microBatches: 4, maxNorm: 0.05)
        let yourMove = zip(values(s.model), start).map { $0 - $1 }
        let rightMove = zip(values(twin.model), start).map { $0 - $1 }
        let r = norm(yourMove) / max(norm(rightMove), 1e-300)
        if relativeError(yourMove, rightMove) > 2e-2 {
            if norm(yourMove) == 0 {
                throw CheckFailure("the parameters did not move: the step was skipped or never taken. Call try scaler.step(optimizer) (it returns whether it stepped)")
            }
            if abs(r * 1024 - 1) < 0.05 {
                throw CheckFailure("the update is 1024 times too small (scale 1024): the gradients were clipped while still scaled, so clipping cut them to maxNorm in scaled units and the unscale divided them again. Call scaler.unscale(optimizer) before clipGradNorm")
            }
            if abs(r - ref.before / 0.05) < 0.05 * ref.before / 0.05 {
                throw CheckFailure("the update is \(fmt(r)) times the reference's: the gradients were not clipped (their norm \(fmt(ref.before)) is above maxNorm 0.05). Call clipGradNorm(model.parameters(), maxNorm: config.maxNorm) after unscaling")
            }
            if abs(r / 1024 - 1) < 0.05 || abs(r / 1024 - ref.before / 0.05) < 0.05 * ref.before / 0.05 {
                throw CheckFailure("the update is about 1024 times too large: the optimizer stepped on scaled gradients. Unscale them (scaler.unscale) and step with scaler.step(optimizer)")
            }
            throw CheckFailure("after one step, your parameters moved \(fmt(norm(yourMove))), the reference's \(fmt(norm(rightMove))) (relative difference \(fmt(relativeError(yourMove, rightMove))))")
        }
        if abs(record.normBeforeClip / ref.before - 1024) < 20 {
            throw CheckFailure("record.normBeforeClip is \(fmt(record.normBeforeClip)), 1024 times the true norm \(fmt(ref.before)): record the norm after unscaling (clipGradNorm's return value, called after scaler.unscale)")
        }
        try expectClose(record.normBeforeClip, ref.before, atol: 1e-6, rtol: 1e-2, "record.normBeforeClip (the true gradient norm before clipping)")
        try expectClose(record.normAfterClip, 0.05, atol: 1e-6, rtol: 1e-3, "record.normAfterClip (after clipping to maxNorm 0.05)")
        try expect(record.scale == 1024, "record.scale is \(fmt(record.scale)); the scale used in this step was 1024 (read scaler.scale before update() changes it)")
        try expect(record.stepped, "record.stepped is false, but the step ran")
        try expectClose(record.loss, autocast(.float16) { MSELoss()(Setup(seed: 12).model(s.inputs), s.targets) }.item(),
                        atol: 1e-4, rtol: 1e-2, "record.loss (the full batch's loss before the update)")
    }

    Check("monitor_true_gradients", "the monitor records once per step, after unscaling and before clipping",
          hint: "monitor.record() goes right after scaler.unscale(optimizer), before clipGradNorm: it must see the true, unclipped gradients.") {
        let s = Setup(seed: 13)
        let monitor = GradientMonitor(module: s.model)
        let config = CapstoneConfig(microBatches: 4, maxNorm: 0.05, maxSteps: 3, targetLoss: 0)
        let scaler = GradScaler(initScale: 1024)
        let opt = s.optimizer()
        var records: [StepRecord] = []
        for _ in 0..<3 {
            records.append(try trainingStep(model: s.model, optimizer: opt, scaler: scaler, monitor: monitor,
                                            inputs: s.inputs, targets: s.targets, config: config))
        }
        let count = monitor.history.count
        if count == 0 { throw CheckFailure("the monitor recorded nothing: call monitor.record() once per step, after unscaling") }
        if count == 12 { throw CheckFailure("the monitor recorded 12 readings in 3 steps: once per micro-batch. Record once per step, when the accumulated gradient is complete (after unscaling)") }
        try expect(count == 3, "the monitor recorded \(count) readings in 3 steps; it should record exactly once per step")
        for (k, readings) in monitor.history.enumerated() {
            let total = readings.map { $0.norm * $0.norm }.reduce(0, +).squareRoot()
            let before = records[k].normBeforeClip, scale = records[k].scale
            if abs(total / before - scale) < 0.02 * scale {
                throw CheckFailure("at step \(k) the monitor saw a total gradient norm of \(fmt(total)), \(fmt(scale)) times the true one (\(fmt(before))): it recorded the scaled gradients. Call monitor.record() after scaler.unscale(optimizer)")
            }
            if abs(total - 0.05) < 1e-4 && before > 0.06 {
                throw CheckFailure("at step \(k) the monitor saw a total norm of \(fmt(total)) = maxNorm: it recorded the clipped gradients, hiding how large they really were (\(fmt(before))). Record before clipping")
            }
            try expectClose(total, before, atol: 1e-6, rtol: 1e-3, "the monitor's total gradient norm at step \(k) (the true norm before clipping)")
        }
    }

    Check("overflow_skipped", "a corrupted batch overflows: the step is skipped, the weights are untouched, the scale halves",
          hint: "Step with try scaler.step(optimizer) and end the step with try scaler.update(); never call optimizer.step() yourself.") {
        let s = Setup(seed: 14)
        let config = CapstoneConfig(microBatches: 4, maxNorm: 0.25, maxSteps: 5, targetLoss: 0)
        let scaler = GradScaler(initScale: 4096)
        let opt = s.optimizer()
        let monitor = GradientMonitor(module: s.model)
        var firstLoss = Double.nan
        for step in 0..<2 {
            let clean = try trainingStep(model: s.model, optimizer: opt, scaler: scaler, monitor: monitor, inputs: s.inputs, targets: s.targets, config: config)
            if step == 0 { firstLoss = clean.loss }
        }
        let before = values(s.model), scaleBefore = scaler.scale
        let corrupted = s.targets * 1e7
        let record = try trainingStep(model: s.model, optimizer: opt, scaler: scaler, monitor: monitor, inputs: s.inputs, targets: corrupted, config: config)
        let after = values(s.model)
        if after.contains(where: { !$0.isFinite }) {
            throw CheckFailure("after the corrupted batch the weights hold inf or nan: the optimizer stepped on overflowed gradients. Step with scaler.step(optimizer), which skips such steps")
        }
        try expect(after == before, "the corrupted batch's gradients overflowed, yet the weights changed: that step must be skipped (scaler.step does it)")
        // Evidence for grading: the first step's loss (before any update; the updates are one_step_matches').
        observe(firstLoss, "the loss of the first clean step", atol: 1e-6, rtol: 1e-4)
        try expect(!record.stepped, "record.stepped is true for the skipped step: store what scaler.step(optimizer) returns")
        try expect(scaler.scale == scaleBefore / 2, "after the overflow the scale is \(fmt(scaler.scale)) (it was \(fmt(scaleBefore))): call try scaler.update() at the end of every step, so it backs off")
        let next = try trainingStep(model: s.model, optimizer: opt, scaler: scaler, monitor: monitor, inputs: s.inputs, targets: s.targets, config: config)
        try expect(next.stepped, "the clean step after the overflow was skipped too: use a fresh set of gradients each step (accumulateGradients clears them)")
    }

    Check("reaches_target", "train reaches the target loss (a corrupted batch at step 5 on the way), stops there, and every clipped norm ≤ maxNorm",
          hint: "Stop as soon as a step's loss is below config.targetLoss, after recording that step.") {
        let s = Setup(seed: 1)
        let config = CapstoneConfig()
        let scaler = GradScaler(growthInterval: 10)
        let monitor = GradientMonitor(module: s.model)
        let corrupted = s.targets * 1e7
        let records = try train(model: s.model, optimizer: s.optimizer(), scaler: scaler, monitor: monitor, config: config) { step in
            (s.inputs, step == 5 ? corrupted : s.targets)
        }
        guard let last = records.last else { throw CheckFailure("train returned no records: one StepRecord per step") }
        try expect(records.count <= config.maxSteps, "train ran \(records.count) steps; at most maxSteps = \(config.maxSteps)")
        try expect(last.loss < config.targetLoss, "after \(records.count) steps the loss is \(fmt(last.loss)), not below the target \(fmt(config.targetLoss)). Losses: \(records.prefix(12).map { fmt($0.loss) }.joined(separator: ", "))…")
        if let first = records.firstIndex(where: { $0.loss < config.targetLoss }), first != records.count - 1 {
            throw CheckFailure("the loss was below the target at step \(first), but train went on to step \(records.count - 1): stop right after recording the first step below the target")
        }
        try expect(records.count > 5 && !records[5].stepped, "the corrupted batch at step 5 should have been skipped (records[5].stepped is \(records.count > 5 ? "\(records[5].stepped)" : "missing"))")
        for (k, r) in records.enumerated() where r.stepped {
            if r.normAfterClip > config.maxNorm * (1 + 1e-4) {
                throw CheckFailure("at step \(k) the gradient norm after clipping is \(fmt(r.normAfterClip)), above maxNorm \(fmt(config.maxNorm)): clip with clipGradNorm(model.parameters(), maxNorm: config.maxNorm) after unscaling, before stepping")
            }
            try expectClose(r.normAfterClip, min(r.normBeforeClip, config.maxNorm), atol: 1e-6, rtol: 1e-3, "step \(k)'s norm after clipping (min of the norm before and maxNorm)")
        }
        try expect(monitor.history.count == records.count, "the monitor holds \(monitor.history.count) readings for \(records.count) steps: record once per step")
    }
}
