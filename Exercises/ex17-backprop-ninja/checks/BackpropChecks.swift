import Autograd
import Foundation
import GraderKit

// Every check builds the same small network with random weights (float64), runs the forward pass,
// lets autograd compute the gradient of every intermediate tensor (retainGrad), then hands the
// student's function autograd's gradient of its output and compares what it returns with autograd's
// gradient of its inputs. So each step is checked on its own, whatever the others do.

private let n = 5, d = 4, hidden = 6, classes = 3

/// The forward pass with every intermediate's gradient filled in by autograd.
private func reference() throws -> Forward {
    let x = Random.tensor([n, d], in: -2...2)
    let w1 = Random.tensor([d, hidden], in: -1...1, requiresGrad: true)
    let b1 = Random.tensor([hidden], in: -0.5...0.5, requiresGrad: true)
    let w2 = Random.tensor([hidden, classes], in: -1.5...1.5, requiresGrad: true)
    let b2 = Random.tensor([classes], in: -0.5...0.5, requiresGrad: true)
    let labels = (0..<n).map { _ in Random.int(in: 0...(classes - 1)) }
    let f = try forward(x: x, labels: labels, w1: w1, b1: b1, w2: w2, b2: b2)
    for t in [f.hPre, f.h, f.logits, f.norm, f.counts, f.countsSum, f.countsSumInv, f.probs, f.logprobs] {
        t.retainGrad()
    }
    try f.loss.backward()
    return f
}

/// Runs the student's step without recording a graph (their tensors are compared by value only).
private func student<T>(_ body: () throws -> T) rethrows -> T { try noGrad(body) }

private func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

/// Compares one gradient, explaining a wrong shape first (the usual broadcasting mistake).
private func compare(_ mine: Tensor, _ expected: Tensor, _ name: String, of tensor: String,
                     known: [(Tensor, String)] = []) throws {
    if mine.shape != expected.shape {
        var text = "\(name) has shape \(shapeText(mine.shape)), but \(tensor) has shape \(shapeText(expected.shape)): a gradient always has the shape of its tensor."
        if mine.count > expected.count {
            let summed = zip(mine.shape, expected.shape.count == mine.shape.count ? expected.shape : [1] + expected.shape)
                .enumerated().filter { $0.element.0 != $0.element.1 }.map { String($0.offset) }
            text += " \(tensor) was broadcast in the forward pass, so each of its elements was used many times: sum the incoming gradient over dimension \(summed.joined(separator: ", "))"
            text += expected.shape.count == mine.shape.count ? " with keepdim: true" : ""
        }
        throw CheckFailure(text)
    }
    let atol = 1e-9, rtol = 1e-7
    func matches(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
    }
    if !matches(mine, expected) {
        for (wrong, why) in known where matches(mine, wrong) {
            throw CheckFailure("\(name) is not autograd's gradient: \(why)")
        }
    }
    try expectClose(mine, expected, atol: atol, rtol: rtol, name)
}

let checks = CheckSuite {
    Check("dlogprobs", "d loss / d logprobs: −oneHot / N",
          hint: "loss = −Σ(logprobs · oneHot) / N: each logprob's derivative is −oneHot / N (zero where oneHot is 0).") {
        let f = try reference()
        let mine = try student { try gradLogprobs(f) }
        try compare(mine, f.logprobs.grad!, "your dlogprobs", of: "logprobs", known: [
            (-f.oneHot, "it is N = \(n) times too large. The loss is a mean over the N examples: divide by N"),
            (f.oneHot / Double(n), "its sign is flipped: the loss is minus the mean log-probability"),
        ])
    }

    Check("dprobs", "d loss / d probs, through log",
          hint: "d log(p)/dp = 1/p: dprobs = dlogprobs / probs.") {
        let f = try reference()
        let mine = student { gradProbs(f, dlogprobs: f.logprobs.grad!) }
        try compare(mine, f.probs.grad!, "your dprobs", of: "probs", known: [
            (1 / f.probs.detach(), "it is 1/probs alone: multiply by the incoming gradient dlogprobs (the chain rule)"),
            (f.logprobs.grad! * f.probs.detach(), "you multiplied by probs; the derivative of log p is 1/p, so divide"),
        ])
    }

    Check("dcountsSumInv", "d loss / d countsSumInv [N, 1]: the sum over the broadcast columns",
          hint: "probs = counts * countsSumInv, and countsSumInv [N, 1] was repeated along the C columns. Its local derivative is counts; multiply by dprobs, then sum over dimension 1 with keepdim: true.") {
        let f = try reference()
        let mine = try student { try gradCountsSumInv(f, dprobs: f.probs.grad!) }
        try compare(mine, f.countsSumInv.grad!, "your dcountsSumInv", of: "countsSumInv", known: [
            (f.probs.grad!.sum(dim: 1, keepdim: true), "you summed dprobs alone: multiply by counts (the other factor of the product) before summing"),
        ])
    }

    Check("dcountsSum", "d loss / d countsSum, through x⁻¹",
          hint: "d(x⁻¹)/dx = −x⁻²: dcountsSum = −countsSum⁻² · dcountsSumInv.") {
        let f = try reference()
        let mine = student { gradCountsSum(f, dcountsSumInv: f.countsSumInv.grad!) }
        try compare(mine, f.countsSum.grad!, "your dcountsSum", of: "countsSum", known: [
            ((f.countsSum.detach() ** -2) * f.countsSumInv.grad!, "its sign is flipped: d(x⁻¹)/dx = −x⁻²"),
        ])
    }

    Check("dcounts", "d loss / d counts: the two paths, through probs and through countsSum, add up",
          hint: "counts is used twice: in probs = counts * countsSumInv and in countsSum = Σ counts. The first path gives countsSumInv · dprobs; the second gives dcountsSum copied to every column (a sum's gradient is broadcast back). Add the two.") {
        let f = try reference()
        let mine = student { gradCounts(f, dprobs: f.probs.grad!, dcountsSum: f.countsSum.grad!) }
        let throughProbs = f.countsSumInv.detach() * f.probs.grad!
        try compare(mine, f.counts.grad!, "your dcounts", of: "counts", known: [
            (throughProbs, "it holds only the path through probs. counts also reaches the loss through countsSum: add dcountsSum, broadcast to [N, C]"),
            (f.countsSum.grad!.expand([n, classes]), "it holds only the path through countsSum. Add the path through probs: countsSumInv · dprobs"),
        ])
    }

    Check("dnorm", "d loss / d norm, through exp",
          hint: "d(eˣ)/dx = eˣ, which is counts: dnorm = counts · dcounts.") {
        let f = try reference()
        let mine = student { gradNorm(f, dcounts: f.counts.grad!) }
        try compare(mine, f.norm.grad!, "your dnorm", of: "norm", known: [
            (f.norm.detach() * f.counts.grad!, "you multiplied by norm (the input); the derivative of exp is exp itself: counts"),
        ])
    }

    Check("dlogits", "d loss / d logits, through the subtraction of the (constant) row maximum",
          hint: "norm = logits − logitMax and logitMax is a constant here: the gradient passes through unchanged.") {
        let f = try reference()
        let mine = student { gradLogits(f, dnorm: f.norm.grad!) }
        try compare(mine, f.logits.grad!, "your dlogits", of: "logits", known: [
            (-f.norm.grad!, "its sign is flipped: logits enters norm with a plus sign"),
        ])
    }

    Check("second_layer", "d loss / d h, w2 and b2, through h @ w2 + b2",
          hint: "For y = h @ w2: dh = dy @ w2ᵀ and dw2 = hᵀ @ dy (check the shapes: dh is [N, H], dw2 is [H, C]). b2 [C] was broadcast over the N rows: db2 sums dlogits over dimension 0.") {
        let f = try reference()
        let dy = f.logits.grad!
        let (dh, dw2, db2) = try student { try gradSecondLayer(f, dlogits: dy) }
        try compare(dh, f.h.grad!, "your dh", of: "h")
        try compare(dw2, f.w2.grad!, "your dw2", of: "w2")
        try compare(db2, f.b2.grad!, "your db2", of: "b2", known: [
            (dy.mean(dim: 0), "you averaged over the rows: b2 was used once per row, so its gradient is the sum, not the mean (the 1/N is already inside dlogits)"),
        ])
    }

    Check("dhPre", "d loss / d hPre, through tanh",
          hint: "d tanh(x)/dx = 1 − tanh²(x), and tanh(hPre) is h: dhPre = (1 − h²) · dh.") {
        let f = try reference()
        let mine = student { gradHPre(f, dh: f.h.grad!) }
        let hp = f.hPre.detach()
        try compare(mine, f.hPre.grad!, "your dhPre", of: "hPre", known: [
            ((1 - hp * hp) * f.h.grad!, "you used 1 − hPre² (the input); the formula squares the output h = tanh(hPre)"),
            (1 - f.h.detach() * f.h.detach(), "it is 1 − h² alone: multiply by the incoming gradient dh"),
        ])
    }

    Check("first_layer", "d loss / d w1 and b1, through x @ w1 + b1",
          hint: "The same rules as the second layer: dw1 = xᵀ @ dhPre, and db1 sums dhPre over the broadcast dimension 0.") {
        let f = try reference()
        let (dw1, db1) = try student { try gradFirstLayer(f, dhPre: f.hPre.grad!) }
        try compare(dw1, f.w1.grad!, "your dw1", of: "w1")
        try compare(db1, f.b1.grad!, "your db1", of: "b1")
    }

    Check("whole_chain", "your steps chained from the loss down give autograd's gradients of w1, b1, w2, b2",
          hint: "If every step above passes, this one does too; it runs your functions one after another, from gradLogprobs to gradFirstLayer.") {
        let f = try reference()
        let (dw1, db1, dw2, db2) = try student { () -> (Tensor, Tensor, Tensor, Tensor) in
            let dlogprobs = try gradLogprobs(f)
            let dprobs = gradProbs(f, dlogprobs: dlogprobs)
            let dcountsSum = gradCountsSum(f, dcountsSumInv: try gradCountsSumInv(f, dprobs: dprobs))
            let dcounts = gradCounts(f, dprobs: dprobs, dcountsSum: dcountsSum)
            let dlogits = gradLogits(f, dnorm: gradNorm(f, dcounts: dcounts))
            let (dh, dw2, db2) = try gradSecondLayer(f, dlogits: dlogits)
            let (dw1, db1) = try gradFirstLayer(f, dhPre: gradHPre(f, dh: dh))
            return (dw1, db1, dw2, db2)
        }
        for (mine, p, name) in [(dw1, f.w1, "w1"), (db1, f.b1, "b1"), (dw2, f.w2, "w2"), (db2, f.b2, "b2")] {
            try compare(mine, p.grad!, "d loss / d \(name) through your whole chain", of: name)
        }
    }

    Check("fused", "softmax and cross-entropy in one step: d loss / d logits = (probs − oneHot) / N",
          hint: "Chain the steps from logprobs to logits on paper for one row: almost everything cancels. What is left is probs minus the one-hot row, divided by N.") {
        let f = try reference()
        let mine = try student { try gradLogitsFused(f) }
        try compare(mine, f.logits.grad!, "your fused dlogits", of: "logits", known: [
            (f.probs.detach() - f.oneHot, "it is N = \(n) times too large: the loss is a mean over the N rows"),
            (f.oneHot / Double(n) - f.probs.detach() / Double(n), "its sign is flipped: probs − oneHot, not oneHot − probs"),
        ])
    }
}
