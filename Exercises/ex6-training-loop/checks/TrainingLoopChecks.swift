import Autograd
import Foundation
import GraderKit

// The lesson's linear regression, made fresh for every use (fit changes its parameters in place).
private struct Regression {
    let X = Tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], dtype: .float64)
    let Y = Tensor([[3.0], [5.0], [7.0], [9.0]], dtype: .float64)
    let w = Tensor([[0.5], [-0.5]], dtype: .float64, requiresGrad: true)
    let b = Tensor([0.0], dtype: .float64, requiresGrad: true)
    var parameters: [Tensor] { [w, b] }
    func loss() -> Tensor { ((X.matmul(w) + b - Y) ** 2).mean() }
}

/// What fit must do, written with the library: the reference every answer is compared with.
private func referenceFit(_ parameters: [Tensor], learningRate: Double, target: Double, maxSteps: Int,
                          loss: () -> Tensor) throws -> [Double] {
    var losses: [Double] = []
    for _ in 0..<maxSteps {
        for p in parameters { p.grad = nil }
        let l = loss()
        losses.append(try l.item())
        if try l.item() < target { break }
        try l.backward()
        try noGrad { for p in parameters { try p.sub_(p.grad!, alpha: learningRate) } }
    }
    return losses
}

private func close(_ a: [Double], _ b: [Double], tol: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol + tol * abs($1) }
}

private func num(_ x: Double) -> String { String(format: "%.6g", x) }

private func fmt(_ xs: [Double]) -> String { "[" + xs.map { num($0) }.joined(separator: ", ") + "]" }

/// Runs the student's fit, turning the errors this exercise provokes into explanations.
private func runFit(_ what: String, _ body: () throws -> [Double]) throws -> [Double] {
    do {
        return try body()
    } catch let error as AutogradError {
        if error.message.contains("leaf Variable that requires grad is being used in an in-place operation") {
            throw CheckFailure("\(what) threw \"\(error.message)\": the update p.sub_(...) ran while autograd was recording. A parameter is a leaf that requires grad, and changing it in place would corrupt the graph that uses it, so autograd refuses. Put the update inside try noGrad { ... }")
        }
        if error.message.contains("backward through the graph a second time") {
            throw CheckFailure("\(what) threw \"Trying to backward through the graph a second time\": call loss() again in every step, so that each step has its own graph; backward frees the previous one")
        }
        throw CheckFailure("\(what) threw an error: \(error.message)")
    }
}

let checks = CheckSuite {
    Check("one_step", "one step on the lesson's regression: the loss 47.25, then w and b move against their gradients",
          hint: "After backward, w.grad is [[-37.5], [-50.5]] and b.grad is [-13]. Against the gradient means subtracting: with learningRate 0.01, w becomes [[0.875], [0.005]] and b [0.13].") {
        let r = Regression()
        let losses = try runFit("fit(maxSteps: 1)") { try fit(r.parameters, learningRate: 0.01, target: 0, maxSteps: 1, loss: r.loss) }
        try expect(losses.count == 1, "fit with maxSteps: 1 returned \(losses.count) losses \(fmt(losses)), expected exactly one: the loss of the single step, computed before its update")
        try expectClose(losses[0], 47.25, atol: 1e-6, "the first loss")
        let w = r.w.scalars, b = r.b.scalars[0]
        if close(w, [0.5, -0.5]) && abs(b) < 1e-12 {
            throw CheckFailure("after one step w and b have not moved (w = \(fmt(w)), b = \(num(b))). Either no update ran, or the gradients were cleared between backward() and the update, so the update subtracted zeros. Clear at the top of the step, update after backward")
        }
        if close(w, [0.125, -1.005]) && abs(b + 0.13) < 1e-9 {
            throw CheckFailure("w and b moved the wrong way: w = \(fmt(w)), b = \(num(b)), which is w + learningRate · grad. The gradient points uphill (towards a larger loss); gradient descent subtracts it: p.sub_(p.grad!, alpha: learningRate)")
        }
        if close(w, [1.25, 0.51]) && abs(b - 0.26) < 1e-9 {
            throw CheckFailure("w and b moved twice as far as they should: w = \(fmt(w)), b = \(num(b)). Each step subtracts learningRate · grad exactly once")
        }
        try expectClose(r.w, [0.875, 0.005], atol: 1e-9, rtol: 1e-7, "w after one step")
        try expectClose(r.b, [0.13], atol: 1e-9, rtol: 1e-7, "b after one step")
    }

    Check("parameters_stay_leaves", "after fit, every parameter is still a leaf that requires grad, with no graph attached",
          hint: "Update in place (p.sub_) inside noGrad { }: the tensor stays the same leaf, and the next step's loss can reach it.") {
        let r = Regression()
        _ = try runFit("fit(maxSteps: 3)") { try fit(r.parameters, learningRate: 0.01, target: 0, maxSteps: 3, loss: r.loss) }
        for (name, p) in [("w", r.w), ("b", r.b)] {
            try expect(p.isLeaf, "\(name) is no longer a leaf (its gradFn is \(p.gradFn.map { "\($0)" } ?? "nil")): the update was recorded in the graph. Do it inside noGrad { }")
            try expect(p.requiresGrad, "\(name) no longer requires grad: don't switch it off to update it; keep requiresGrad and update inside noGrad { }")
        }
        // Evidence for grading: where three in-place steps took the parameters.
        observe(r.w.scalars + r.b.scalars, "w and b after 3 steps", atol: 1e-9, rtol: 1e-7)
    }

    Check("clears_between_steps", "every step starts from cleared gradients: four steps match gradient descent",
          hint: "The gradients are never cleared, so each step uses the sum of all earlier gradients.\nAt the top of every step, before loss(), set every parameter's .grad to nil (or zero it).") {
        let r = Regression(), ref = Regression()
        let expected = try referenceFit(ref.parameters, learningRate: 0.01, target: 0, maxSteps: 4, loss: ref.loss)
        let losses = try runFit("fit(maxSteps: 4)") { try fit(r.parameters, learningRate: 0.01, target: 0, maxSteps: 4, loss: r.loss) }
        if losses.count == 4 && close(Array(losses.prefix(2)), Array(expected.prefix(2))) && !close(losses, expected) {
            throw CheckFailure("the first two losses are right but later ones are not: your losses \(fmt(losses)), expected \(fmt(expected)). The gradients are not cleared between steps: backward adds into .grad, so step 2's update used the sum of steps 1 and 2's gradients. Clear every parameter's .grad at the top of each step")
        }
        try expectClose(losses, expected, atol: 1e-6, rtol: 1e-6, "the losses of 4 steps")
    }

    Check("clears_before_first_step", "a gradient left in .grad before fit was called does not leak into the first update",
          hint: "Clear at the top of each step, not at the end: then whatever was in .grad before (another computation, a previous call) never reaches an update.") {
        let r = Regression(), ref = Regression()
        let expected = try referenceFit(ref.parameters, learningRate: 0.01, target: 0, maxSteps: 2, loss: ref.loss)
        r.w.grad = Tensor([[100.0], [100.0]], dtype: .float64)    // a stale gradient from earlier work
        r.b.grad = Tensor([100.0], dtype: .float64)
        let losses = try runFit("fit(maxSteps: 2)") { try fit(r.parameters, learningRate: 0.01, target: 0, maxSteps: 2, loss: r.loss) }
        if losses.count == 2 && abs(losses[0] - expected[0]) < 1e-9 && !close(losses, expected) {
            throw CheckFailure("w and b already held a gradient when fit started, and your first update used it: your losses \(fmt(losses)), expected \(fmt(expected)). Clear at the TOP of every step, before backward (clearing at the end of a step is not enough), so only this step's gradient is in .grad")
        }
        try expectClose(losses, expected, atol: 1e-6, rtol: 1e-6, "the losses of 2 steps")
    }

    Check("stops_at_target", "fit stops at the first loss below target, without updating after it",
          hint: "fit must stop at the first step whose loss is below the target, and not update after it.\nCheck the loss right after computing it: record it, and stop before backward when it is below the target.") {
        let r = Regression(), ref = Regression()
        let expected = try referenceFit(ref.parameters, learningRate: 0.01, target: 1e-3, maxSteps: 100, loss: ref.loss)
        let losses = try runFit("fit(target: 1e-3, maxSteps: 100)") { try fit(r.parameters, learningRate: 0.01, target: 1e-3, maxSteps: 100, loss: r.loss) }
        if losses.count == 100 {
            throw CheckFailure("fit ran all 100 steps although the loss fell below 1e-3 at step \(expected.count - 1) (\(num(expected.last!))): stop as soon as a loss is below target")
        }
        if losses.count == expected.count + 1 {
            throw CheckFailure("fit ran one step too many: your last two losses are \(fmt(Array(losses.suffix(2)))). The loss \(num(expected.last!)) was already below target; return right after recording it")
        }
        try expect(losses.count == expected.count, "fit returned \(losses.count) losses, expected \(expected.count) (the last one the first below 1e-3): your losses \(fmt(losses))")
        try expectClose(losses, expected, atol: 1e-6, rtol: 1e-6, "the losses")
        let extra = Regression()
        _ = try referenceFit(extra.parameters, learningRate: 0.01, target: 0, maxSteps: expected.count, loss: extra.loss)
        if close(r.w.scalars, extra.w.scalars, tol: 1e-9) {
            throw CheckFailure("the losses are right, but w and b were updated once more after the loss fell below target: check the loss before backward and the update, and break right there")
        }
        try expectClose(r.w, ref.w.scalars, atol: 1e-9, rtol: 1e-7, "w when fit stops (no update after the last loss)")
    }

    Check("any_model", "fit trains any parameters and any scalar loss: a tiny tanh network",
          hint: "Nothing in fit may depend on the regression: loop over `parameters`, whatever they are, and call `loss()` for the loss.") {
        let x = Random.tensor([6, 1], in: -2...2), y = (x * 1.5).tanh() * 2
        func make() -> (a: Tensor, c: Tensor, loss: () -> Tensor) {
            let a = Tensor([0.5], dtype: .float64, requiresGrad: true)
            let c = Tensor([[0.3]], dtype: .float64, requiresGrad: true)
            return (a, c, { ((x.matmul(c).tanh() * a - y) ** 2).mean() })
        }
        let mine = make(), ref = make()
        let expected = try referenceFit([ref.a, ref.c], learningRate: 0.2, target: 1e-4, maxSteps: 40, loss: ref.loss)
        let losses = try runFit("fit on a·tanh(c·x)") { try fit([mine.a, mine.c], learningRate: 0.2, target: 1e-4, maxSteps: 40, loss: mine.loss) }
        try expectClose(losses, expected, atol: 1e-6, rtol: 1e-5, "the losses of a·tanh(c·x)")
        try expectClose(mine.a, ref.a.scalars, atol: 1e-9, rtol: 1e-6, "a after training")
    }

    Check("learning_rate", "regressionLearningRate brings the regression below 1e-3 within 8 steps",
          hint: "The lesson's learning-rate table: too small crawls, too large overshoots further every step. Something between 0.015 and 0.04 works.") {
        let lr = regressionLearningRate
        try expect(lr > 0, "regressionLearningRate is \(num(lr)): it must be positive (the update subtracts learningRate · grad; a negative rate climbs the loss)")
        let r = Regression()
        let losses = try referenceFit(r.parameters, learningRate: lr, target: 1e-3, maxSteps: 9, loss: r.loss)
        let last = losses.last!
        if !last.isFinite || (losses.count > 2 && losses[2] > losses[0]) {
            throw CheckFailure("with learningRate \(num(lr)) the loss grows: \(fmt(Array(losses.prefix(4)))) ... Each step jumps past the bottom of the loss and lands higher on the other side. Use a smaller learning rate")
        }
        if last >= 1e-3 {
            throw CheckFailure("with learningRate \(num(lr)) the loss is still \(num(last)) after 8 steps (\(fmt(losses))): the steps are too small. Try a larger learning rate")
        }
        // Any good rate passes, so the evidence is the loss it reaches, to the check's own 1e-3.
        observe(last, "the loss that regressionLearningRate reaches within 8 steps", atol: 1e-3, rtol: 0)
    }
}
