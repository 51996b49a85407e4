import Autograd
import Foundation
import GraderKit

// One check per bug, each built so that the other bugs do not change its verdict (it compares the
// student's code with itself where it can), then a check that trains the model.

/// A fresh model, the same on every run.
private func model(seed: UInt64 = 18) -> Regressor {
    manualSeed(seed)
    return Regressor()
}

/// The data: y = sin(2·x₀) + 0.5·x₁ on points drawn in [−1, 1]², as a plain vector [N].
private func data(_ count: Int, seed: UInt64) -> (x: Tensor, y: Tensor) {
    manualSeed(seed)
    let x = Tensor.uniform([count, 2], from: -1, to: 1)
    let v = x.scalars
    let y = (0..<count).map { Foundation.sin(2 * v[2 * $0]) + 0.5 * v[2 * $0 + 1] }
    return (x, Tensor(y))
}

private func num(_ x: Double) -> String { String(format: "%.6g", x) }

private func grads(_ m: Regressor) -> [[Double]] {
    m.parameters().map { $0.grad?.scalars ?? [Double](repeating: 0, count: $0.count) }
}

let checks = CheckSuite {
    Check("loss_shapes", "the loss compares each prediction with its own target",
          hint: "print the shape of predictions - targets: the model outputs [N, 1], the targets are [N]. What does broadcasting make of that?") {
        let m = model().eval()
        let (x, y) = data(6, seed: 1)
        let mine = try noGrad { try loss(m, x, y, weightDecay: 0) }
        let p = noGrad { m(x) }.scalars
        let right = zip(p, y.scalars).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 6
        var all = 0.0
        for a in p { for b in y.scalars { all += (a - b) * (a - b) } }
        if abs(try mine.item() - all / 36) < 1e-5 && abs(right - all / 36) > 1e-4 {
            throw CheckFailure("with weightDecay 0 your loss is \(num(try mine.item())): the mean over all 6 × 6 pairs of a prediction and a target, not over the 6 examples (\(num(right))). predictions [6, 1] minus targets [6] broadcasts to [6, 6]")
        }
        try expectShape(mine, [], "the loss")
        try expectClose(mine.item(), right, atol: 1e-5, rtol: 1e-4, "the loss with weightDecay 0 (the mean of (prediction − target)² over the 6 examples)")
    }

    Check("penalty_gradient", "the L2 penalty reaches the head's gradient",
          hint: "Compute the loss with and without the penalty and compare head.weight.grad: the penalty weightDecay · Σ w² should add 2 · weightDecay · w. Does it? What does item() return?") {
        let m = model().eval()
        let (x, y) = data(6, seed: 2)
        let w = m.head.weight
        m.zeroGrad()
        let without = try loss(m, x, y, weightDecay: 0)
        try without.backward()
        let g0 = w.grad!.scalars
        m.zeroGrad()
        let with = try loss(m, x, y, weightDecay: 0.5)
        try with.backward()
        let g1 = w.grad!.scalars
        let expectedValue = 0.5 * w.scalars.map { $0 * $0 }.reduce(0, +)
        try expectClose(with.item() - without.item(), expectedValue, atol: 1e-5, rtol: 1e-4, "the penalty's value (loss with weightDecay 0.5 minus loss with 0)")
        let added = zip(g1, g0).map { $0 - $1 }
        if added.allSatisfy({ abs($0) < 1e-7 }) {
            throw CheckFailure("the penalty adds \(num(expectedValue)) to the loss but nothing to head.weight.grad (expected 2 · 0.5 · w = \(num(w.scalars[0])), ... per weight): it enters the loss as a constant. item() turns a tensor into a Swift number, which has no graph; keep the penalty a tensor")
        }
        try expectClose(added, w.scalars, atol: 1e-5, rtol: 1e-4, "what the penalty adds to head.weight.grad (2 · 0.5 · w)")
    }

    Check("encoder_learns", "gradients reach the encoder",
          hint: "After backward, look at model.encoder.weight.grad. If it is nil, something between the encoder and the loss cut the graph.") {
        let m = model().eval()
        let (x, y) = data(6, seed: 3)
        try loss(m, x, y, weightDecay: 0).backward()
        guard let g = m.encoder.weight.grad else {
            throw CheckFailure("after backward, encoder.weight.grad is nil: no gradient reached the encoder, so it never learns. A detach() on the way from the encoder to the loss cuts it off; detach only the value you log")
        }
        try expect(g.scalars.contains { $0 != 0 }, "encoder.weight.grad is all zeros")
        let expected = noGrad { m.head(m.encoder(x).tanh()) }
        try expectClose(noGrad { m(x) }, expected, atol: 1e-6, rtol: 1e-5, "the model's output in eval mode (head(tanh(encoder(x))))")
    }

    Check("clears_gradients", "each trainStep updates with its own gradient only",
          hint: "Run trainStep twice and compare the second update with the gradient of the loss at that point. .grad adds up across backward calls.") {
        let m = model()
        let (x, y) = data(8, seed: 4)
        let optimizer = SGD(m.parameters(), lr: 0.1)
        _ = try trainStep(m, optimizer, x, y)
        // The second step's own gradient, computed from the student's loss with the same dropout mask.
        let leftover = m.parameters().map { $0.grad?.clone() }
        let leftoverValues = leftover.map { $0?.scalars }    // backward may add into the tensors themselves
        m.zeroGrad()
        manualSeed(77)
        try loss(m, x, y, weightDecay: 0.01).backward()
        let own = grads(m)
        for (p, g) in zip(m.parameters(), leftover) { p.grad = g }
        let before = m.parameters().map(\.scalars)
        manualSeed(77)
        _ = try trainStep(m, optimizer, x, y)
        let moved = zip(m.parameters().map(\.scalars), before).map { after, b in zip(b, after).map { ($0 - $1) / 0.1 } }
        if moved.allSatisfy({ $0.allSatisfy { abs($0) < 1e-9 } }) {
            throw CheckFailure("the second trainStep did not move any parameter: the gradients were cleared after backward() and before optimizer.step(). Clear them before backward")
        }
        let stale = zip(own, leftoverValues).map { o, l in zip(o, l ?? o.map { _ in 0 }).map { $0 + $1 } }
        let flat = moved.flatMap { $0 }, right = own.flatMap { $0 }, wrong = stale.flatMap { $0 }
        if flat.count == wrong.count && zip(flat, wrong).allSatisfy({ abs($0 - $1) < 1e-4 + 1e-3 * abs($1) })
            && !zip(flat, right).allSatisfy({ abs($0 - $1) < 1e-4 + 1e-3 * abs($1) }) {
            throw CheckFailure("the second step moved the parameters by the sum of the first step's gradient and its own: .grad accumulates across backward() calls. Clear the gradients (optimizer.zeroGrad()) at the start of every step")
        }
        try expectClose(flat, right, atol: 1e-4, rtol: 1e-3, "the second update divided by −lr (it should be the second step's own gradient)")
    }

    Check("evaluation_mode", "evaluate uses the model in eval mode and leaves it training",
          hint: "The model holds a Dropout layer. Is it active while evaluate runs? Call evaluate twice on the same data: the numbers should be equal. And in which mode is the model afterwards?") {
        let m = model()
        let (x, y) = data(16, seed: 5)
        let first = try evaluate(m, x, y)
        try expect(m.isTraining, "after evaluate the model is still in eval mode, so the training that follows runs without dropout: switch it back with model.train() (a defer right after model.eval() does it even on an early return)")
        let second = try evaluate(m, x, y)
        m.eval()
        let expected = try noGrad { try loss(m, x, y, weightDecay: 0).item() }
        m.train()
        if abs(first - second) > 1e-9 {
            throw CheckFailure("evaluate gave \(num(first)), then \(num(second)) on the same data: dropout is active during evaluation. Call model.eval() before evaluating")
        }
        try expectClose(first, expected, atol: 1e-6, rtol: 1e-5, "evaluate's loss (with the model in eval mode)")
    }

    Check("trains", "300 steps of training bring the held-out loss below 0.025",
          hint: "This check needs all the others to pass first.") {
        let m = model()
        let (x, y) = data(64, seed: 6)
        let (testX, testY) = data(32, seed: 7)
        let optimizer = SGD(m.parameters(), lr: 0.3)
        let start = try evaluate(m, testX, testY)
        var losses: [Double] = []
        for _ in 0..<300 { losses.append(try trainStep(m, optimizer, x, y)) }
        let end = try evaluate(m, testX, testY)
        try expect(end.isFinite && end < 0.025, "the held-out loss went from \(num(start)) to \(num(end)) in 300 steps (the training loss from \(num(losses[0])) to \(num(losses.last!))); it should fall below 0.025")
        // Evidence for grading: the held-out loss before training, and after it to the check's own 0.025.
        observe(start, "the held-out loss before training", atol: 1e-6, rtol: 1e-4)
        observe(end, "the held-out loss after 300 steps", atol: 0.025, rtol: 0)
    }
}
