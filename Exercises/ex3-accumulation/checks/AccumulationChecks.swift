import Autograd
import GraderKit

// Reference computations, written with the library directly (not with the student's functions).

private func referenceLoss(_ x: Tensor, _ y: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    ((x.matmul(w) + b - y) ** 2).mean()
}

/// The gradient of `loss(w, b)` with respect to fresh copies of w and b: (w.grad, b.grad).
private func gradients(_ w: Tensor, _ b: Tensor, _ loss: (Tensor, Tensor) throws -> Tensor) throws -> [Double] {
    let w2 = Tensor(w.scalars, shape: w.shape, dtype: .float64, requiresGrad: true)
    let b2 = Tensor(b.scalars, shape: b.shape, dtype: .float64, requiresGrad: true)
    try loss(w2, b2).backward()
    return w2.grad!.scalars + b2.grad!.scalars
}

private struct Problem {
    let x, y, w, b: Tensor
    init(rows: Int, features: Int) {
        x = Random.tensor([rows, features], in: -2...2)
        y = Random.tensor([rows, 1], in: -3...3)
        w = Random.tensor([features, 1], in: -1...1, requiresGrad: true)
        b = Random.tensor([1], in: -1...1, requiresGrad: true)
    }
}

private func isClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance + 1e-7 * abs($1) }
}

/// The student's accumulated gradients as one list (w then b), with a helpful failure when missing.
private func accumulated(_ p: Problem) throws -> [Double] {
    guard let gw = p.w.grad, let gb = p.b.grad else {
        throw CheckFailure("after accumulateGradients, \(p.w.grad == nil ? "w.grad" : "b.grad") is nil: call backward() on each micro-batch's loss (mse of its rows, with w and b)")
    }
    return gw.scalars + gb.scalars
}

/// Recognises the usual mistakes of part 1, given the right answer.
private func diagnoseAccumulation(_ p: Problem, microBatches k: Int, yours: [Double], right: [Double], stale: [Double]) throws {
    if isClose(yours, right) { return try expectClose(yours, right, atol: 1e-9, rtol: 1e-7, "[w.grad…, b.grad] after \(k) micro-batches") }
    let n = p.x.shape[0], size = n / k
    let lastRows = ((k - 1) * size)..<n
    let last = try gradients(p.w, p.b) { referenceLoss(try p.x[lastRows], try p.y[lastRows], $0, $1) }
    if isClose(yours, right.map { $0 * Double(k) }) {
        throw CheckFailure("your gradient is exactly \(k) times the full batch's (\(k) micro-batches): each micro-batch's mean loss must be divided by the number of micro-batches before backward(), since the full batch's mean is the average of the micro-batch means")
    }
    if isClose(yours, last.map { $0 / Double(k) }) || isClose(yours, last) {
        throw CheckFailure("only the last micro-batch's gradient survived: the gradients are cleared inside the loop. Clear once, before the loop, and let backward() add up the micro-batches")
    }
    if isClose(yours, zip(right, stale).map { $0 + $1 }) || isClose(yours, zip(right.map { $0 * Double(k) }, stale).map { $0 + $1 }) {
        throw CheckFailure("your gradient is the right one plus what w.grad and b.grad held before the call: clear them (w.grad = nil, b.grad = nil) before accumulating")
    }
    try expectClose(yours, right, atol: 1e-9, rtol: 1e-7, "[w.grad…, b.grad] after \(k) micro-batches")
}

let checks = CheckSuite {
    Check("micro_equals_full", "4 micro-batches accumulate exactly the full batch's gradient",
          hint: "Full-batch mean = (1/K)·Σ micro-batch means: backward() on each micro-batch's mse divided by K, without clearing in between.") {
        let p = Problem(rows: 8, features: 3)
        let right = try gradients(p.w, p.b) { referenceLoss(p.x, p.y, $0, $1) }
        // Stale gradients from an earlier step, which the function must clear first.
        p.w.grad = Tensor.full(p.w.shape, 0.5, dtype: .float64)
        p.b.grad = Tensor.full(p.b.shape, 0.5, dtype: .float64)
        try accumulateGradients(x: p.x, y: p.y, w: p.w, b: p.b, microBatches: 4)
        try diagnoseAccumulation(p, microBatches: 4, yours: try accumulated(p), right: right, stale: [Double](repeating: 0.5, count: 4))
    }

    Check("one_backward_each", "accumulateGradients calls backward once per micro-batch",
          hint: "Call try loss.backward() inside the loop over micro-batches, not once on a sum after it: one graph at a time is what saves memory.") {
        let p = Problem(rows: 6, features: 2)
        let spy = HookSpy("the gradient arriving at w")
        _ = try p.w.registerHook(spy.hook)
        try accumulateGradients(x: p.x, y: p.y, w: p.w, b: p.b, microBatches: 3)
        if spy.calls == 1 {
            throw CheckFailure("backward() reached w once for 3 micro-batches: you summed the micro-batch losses and called backward() once. The gradient is right, but all three graphs existed at the same time, which is the memory micro-batching exists to save. Call backward() inside the loop, on each micro-batch's loss")
        }
        try spy.expectCalled(times: 3)
        // Evidence for grading: the direction of what reached w over the three passes, added up (the
        // full batch's gradient, whatever the scaling checked by micro_equals_full).
        let total = spy.received.reduce([0, 0]) { total, g in zip(total, g.scalars).map { $0 + $1 } }
        let length = total.reduce(0) { $0 + $1 * $1 }.squareRoot()
        observe(total.map { $0 / length }, "the direction of the gradients that reached w, added up", atol: 1e-9, rtol: 1e-7)
    }

    Check("any_micro_count", "the same holds for 1, 2, 3, 4, 6 and 12 micro-batches of 12 rows",
          hint: "size = n / microBatches rows per micro-batch; divide each micro-batch's loss by microBatches.") {
        for k in [1, 2, 3, 4, 6, 12] {
            let p = Problem(rows: 12, features: 2)
            let right = try gradients(p.w, p.b) { referenceLoss(p.x, p.y, $0, $1) }
            try accumulateGradients(x: p.x, y: p.y, w: p.w, b: p.b, microBatches: k)
            do {
                try diagnoseAccumulation(p, microBatches: k, yours: try accumulated(p), right: right, stale: [0, 0, 0])
            } catch let failure as CheckFailure {
                throw CheckFailure("with \(k) micro-batch\(k == 1 ? "" : "es"): \(failure.message)")
            }
        }
    }

    Check("training_loop", "train() takes each step with that step's gradient only",
          hint: "backward() adds into .grad. Where does this loop clear the gradients of w and b?") {
        let x = Tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], dtype: .float64)
        let y = Tensor([[3.0], [5.0], [7.0], [9.0]], dtype: .float64)
        func run(_ body: (Tensor, Tensor) throws -> [Double]) rethrows -> [Double] {
            let w = Tensor([[0.5], [-0.5]], dtype: .float64, requiresGrad: true)
            let b = Tensor([0.0], dtype: .float64, requiresGrad: true)
            return try body(w, b)
        }
        let steps = 8, lr = 0.01
        let yours = try run { try train(x: x, y: y, w: $0, b: $1, steps: steps, learningRate: lr) }
        // Reference trajectories: the right loop, and the two classic wrong ones.
        func reference(clear: String) throws -> [Double] {
            try run { w, b in
                var losses: [Double] = []
                for _ in 0..<steps {
                    if clear == "before" { w.grad = nil; b.grad = nil }
                    let loss = referenceLoss(x, y, w, b)
                    try loss.backward()
                    if clear == "between" { try w.grad!.zero_(); try b.grad!.zero_() }
                    try noGrad {
                        try w.sub_(w.grad!, alpha: lr)
                        try b.sub_(b.grad!, alpha: lr)
                    }
                    losses.append(try loss.item())
                }
                return losses
            }
        }
        let right = try reference(clear: "before")
        guard yours.count == steps else {
            throw CheckFailure("train returned \(yours.count) losses for \(steps) steps: append one loss.item() per step")
        }
        if isClose(yours, right, tolerance: 1e-6) { return try expectClose(yours, right, atol: 1e-6, rtol: 1e-7, "train's losses") }
        let fmt = { (xs: [Double]) in xs.map { Format6.value($0) }.joined(separator: ", ") }
        if isClose(yours, try reference(clear: "never"), tolerance: 1e-6) {
            throw CheckFailure("the gradients are never cleared, so every update uses the sum of all the previous steps' gradients. Your losses: \(fmt(yours)); with the gradients cleared at the top of each step: \(fmt(right)). Clear w.grad and b.grad (set them to nil) before each backward()")
        }
        if isClose(yours, try reference(clear: "between"), tolerance: 1e-6) {
            throw CheckFailure("the loss never changes (\(fmt(yours))): the gradients are cleared between backward() and the update, so every update subtracts zeros. Clear them at the top of the step instead, before the forward pass")
        }
        try expectClose(yours, right, atol: 1e-6, rtol: 1e-6, "train's losses")
    }
}

/// Short number formatting for messages.
private enum Format6 {
    static func value(_ x: Double) -> String { String(format: "%.4g", x) }
}
