import Autograd
import Foundation
import GraderKit

// References written with the library directly, on plain float64 values.

private func modelValue(_ states: Tensor, _ w: Tensor) -> Tensor { states.matmul(w).tanh() }

private struct Batch {
    let x, y, w: Tensor
    init(rows: Int = 5, features: Int = 3) {
        x = Random.tensor([rows, features], in: -1.5...1.5)
        y = Random.tensor([rows, 1], in: -1...1)
        w = Random.tensor([features, 1], in: -1...1, requiresGrad: true)
    }
}

private struct Episode {
    let w, today, tomorrow, reward: Tensor
    let discount = 0.9
    init(rows: Int = 4, features: Int = 3) {
        w = Random.tensor([features, 1], in: -1...1, requiresGrad: true)
        today = Random.tensor([rows, features], in: -1.5...1.5)
        tomorrow = Random.tensor([rows, features], in: -1.5...1.5)
        reward = Random.tensor([rows, 1], in: -1...1)
    }

    /// A fresh copy of w, so references never touch the student's tensors.
    func freshW() -> Tensor { Tensor(w.scalars, shape: w.shape, dtype: .float64, requiresGrad: true) }

    /// The gradient with respect to w of mean((value(today) − target)²), with the target detached
    /// (`detachTarget`) or not, and/or the prediction detached (`detachPrediction`).
    func referenceGradient(detachTarget: Bool, detachPrediction: Bool = false) throws -> [Double]? {
        let w2 = freshW()
        var target = reward + discount * modelValue(tomorrow, w2)
        if detachTarget { target = target.detach() }
        var prediction = modelValue(today, w2)
        if detachPrediction { prediction = prediction.detach() }
        let loss = ((prediction - target) ** 2).mean()
        guard loss.requiresGrad else { return nil }
        try loss.backward()
        return w2.grad!.scalars
    }

    /// The loss value at w with the target held fixed at its current value.
    func frozenTargetLoss(at values: [Double], target: Tensor) throws -> Double {
        let wv = Tensor(values, shape: w.shape, dtype: .float64)
        return try ((modelValue(today, wv) - target) ** 2).mean().item()
    }
}

private func isClose(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-9 + 1e-7 * abs($1) }
}

/// Runs the student's loss and backward, explaining the errors this exercise provokes.
private func studentGradient(_ e: Episode) throws -> (loss: Tensor, grad: [Double]) {
    let loss = bootstrappedLoss(w: e.w, today: e.today, tomorrow: e.tomorrow, reward: e.reward, discount: e.discount)
    guard loss.requiresGrad else {
        throw CheckFailure("bootstrappedLoss returned a loss that doesn't require grad (backward() would throw \"element 0 of tensors does not require grad\"): nothing connects it to w any more. Was it computed inside noGrad, or were both the prediction and the target detached? Only the target must be cut from the graph")
    }
    try loss.backward()
    guard let g = e.w.grad else { throw CheckFailure("after backward(), w.grad is nil: the loss must be computed from value(today, w)") }
    return (loss, g.scalars)
}

let checks = CheckSuite {
    Check("evaluate_values", "evaluate returns the model's predictions and their mean squared error",
          hint: "The evaluation's loss is the mean squared error of value(x, w) against y, returned as a Double.\nSquare the differences, take mean(), then item().") {
        let b = Batch()
        let (predictions, loss) = try evaluate(x: b.x, y: b.y, w: b.w)
        let reference = noGrad { modelValue(b.x, b.w) }
        try expectClose(predictions, reference, "predictions")
        try expectClose(loss, noGrad { try ((reference - b.y) ** 2).mean().item() }, "the validation loss")
    }

    Check("evaluate_no_graph", "evaluate records no graph",
          hint: "Wrap the computation in noGrad { ... }: it returns what its block returns.") {
        let b = Batch()
        let (predictions, _) = try evaluate(x: b.x, y: b.y, w: b.w)
        if let node = predictions.gradFn {
            throw CheckFailure("the predictions were recorded for backward (their gradFn is \(node.name)): evaluate built a graph that nobody will ever use, which costs memory and time. Compute inside noGrad { }")
        }
        try expectNoGraph(predictions, "the predictions")
        observe(predictions, "the predictions")
    }

    Check("evaluate_then_train", "after evaluate, training records gradients as before",
          hint: "noGrad { } restores recording when its block ends and never changes the tensors. Don't switch off w's requiresGrad.") {
        let b = Batch()
        let (_, validationLoss) = try evaluate(x: b.x, y: b.y, w: b.w)
        guard b.w.requiresGrad else {
            throw CheckFailure("after evaluate, w no longer requires grad: the next training step can't compute its gradient. Leave w alone and use noGrad { }, which stops recording without changing any tensor")
        }
        try expect(isGradEnabled, "after evaluate, recording is still switched off")
        try expectGraph(modelValue(b.x, b.w), "a training forward pass after evaluate")
        try expectGradNil(b.w, "w")
        // Evidence for grading: evaluate's loss, and the gradient a training step then reaches w with.
        observe(validationLoss, "the validation loss")
        try? ((modelValue(b.x, b.w) - b.y) ** 2).mean().backward()
        observe(b.w.grad?.scalars ?? [.nan], "w.grad after a training step that follows evaluate")
    }

    Check("target_gets_no_gradient", "bootstrappedLoss sends gradient through today's prediction only",
          hint: "The self-made target must not be trained: gradients may flow through today's prediction only.\nBuild the target first, then cut it from the graph with .detach(); leave value(today, w) as it is.") {
        let e = Episode()
        let (_, yours) = try studentGradient(e)
        let right = try e.referenceGradient(detachTarget: true)!
        if isClose(yours, right) { return try expectClose(yours, right, atol: 1e-9, rtol: 1e-7, "w.grad") }
        if let leaky = try e.referenceGradient(detachTarget: false), isClose(yours, leaky) {
            throw CheckFailure("gradient flows into the target too: w.grad includes the path through value(tomorrow, w), so training would also drag tomorrow's values toward today's. Detach the target: (reward + discount * value(tomorrow, w)).detach()")
        }
        if let wrong = try e.referenceGradient(detachTarget: false, detachPrediction: true), isClose(yours, wrong) {
            throw CheckFailure("you detached the wrong tensor: the gradient flows only through the target, so training would move the targets toward the predictions. Detach the target, not value(today, w)")
        }
        try expectClose(yours, right, atol: 1e-9, rtol: 1e-7, "w.grad")
    }

    Check("target_finite_differences", "w.grad matches finite differences of the loss with the target held fixed",
          hint: "With the target detached, the loss is an ordinary function of w through today's values only.") {
        let e = Episode()
        let (loss, yours) = try studentGradient(e)
        let frozen = noGrad { e.reward + e.discount * modelValue(e.tomorrow, e.w) }
        try expectClose(loss.item(), e.frozenTargetLoss(at: e.w.scalars, target: frozen), atol: 1e-9, rtol: 1e-7,
                        "the loss value")
        let h = 1e-6
        var numeric: [Double] = []
        for j in 0..<e.w.count {
            var plus = e.w.scalars, minus = e.w.scalars
            plus[j] += h
            minus[j] -= h
            numeric.append((try e.frozenTargetLoss(at: plus, target: frozen) - e.frozenTargetLoss(at: minus, target: frozen)) / (2 * h))
        }
        try expectClose(yours, numeric, atol: 1e-5, rtol: 1e-3, "w.grad (against finite differences with the target fixed)")
    }
}
