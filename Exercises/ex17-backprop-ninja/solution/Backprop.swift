// Exercise 17 · Backprop by hand ("backprop ninja")          (Lesson 5: Non-scalar backward)
//
// A two-layer network classifies N examples into C classes with a cross-entropy loss. Its forward
// pass, written out one tensor at a time, is `forward` at the bottom of this file (done for you):
//
//   hPre = x @ w1 + b1            [N, H]      b1 [H] is broadcast over the N rows
//   h = tanh(hPre)                [N, H]
//   logits = h @ w2 + b2          [N, C]
//   norm = logits − logitMax      [N, C]      logitMax [N, 1], a constant (detached): it keeps exp finite
//   counts = exp(norm)            [N, C]
//   countsSum = Σ_c counts        [N, 1]
//   countsSumInv = countsSum⁻¹    [N, 1]
//   probs = counts * countsSumInv [N, C]      countsSumInv is broadcast over the C columns
//   logprobs = log(probs)         [N, C]
//   loss = −Σ (logprobs * oneHot) / N         the mean over the examples of −log p(right class)
//
// Your job: the backward pass, one tensor at a time, from the loss down to w1 and b1. Each function
// receives the forward pass and the gradient of the loss with respect to its output (the checks pass
// autograd's true one, so each step is checked on its own) and returns the gradient of the loss with
// respect to its inputs. Every gradient has exactly the shape of its tensor.
//
// The rule for broadcasting: a tensor that was broadcast (repeated) along a dimension in the forward
// pass was used once per repeat, so its gradient sums the incoming gradient over that dimension:
// `sum(dim: 0)` for b1 and b2, `sum(dim: 1, keepdim: true)` for a [N, 1] column.
//
// Use the library's tensor operations (matmul, t(), sum(dim:keepdim:), exp, *, /, ...), never
// backward(): the point is to write the chain rule yourself. `grader check ex17` compares every
// gradient with autograd's.
//
// Run:   swift run grader check ex17          Stuck?   swift run grader hint ex17
import Autograd
import GraderKit

/// d loss / d logprobs. The loss picks one logprob per row (where oneHot is 1), negates it and
/// divides by N.
func gradLogprobs(_ f: Forward) throws -> Tensor {
    -f.oneHot / Double(try f.x.size(0))
}

/// d loss / d probs, from logprobs = log(probs).
func gradProbs(_ f: Forward, dlogprobs: Tensor) -> Tensor {
    dlogprobs / f.probs
}

/// d loss / d countsSumInv [N, 1], from probs = counts * countsSumInv (broadcast over the columns).
func gradCountsSumInv(_ f: Forward, dprobs: Tensor) throws -> Tensor {
    try (f.counts * dprobs).sum(dim: 1, keepdim: true)
}

/// d loss / d countsSum [N, 1], from countsSumInv = countsSum⁻¹.
func gradCountsSum(_ f: Forward, dcountsSumInv: Tensor) -> Tensor {
    -(f.countsSum ** -2) * dcountsSumInv
}

/// d loss / d counts [N, C]: counts reaches the loss along two paths, through probs directly and
/// through countsSum; the gradient is the sum of both.
func gradCounts(_ f: Forward, dprobs: Tensor, dcountsSum: Tensor) -> Tensor {
    f.countsSumInv * dprobs + dcountsSum.expand(f.counts.shape)
}

/// d loss / d norm, from counts = exp(norm).
func gradNorm(_ f: Forward, dcounts: Tensor) -> Tensor {
    f.counts * dcounts
}

/// d loss / d logits, from norm = logits − logitMax (logitMax is a constant).
func gradLogits(_ f: Forward, dnorm: Tensor) -> Tensor {
    dnorm
}

/// d loss / d h, w2 and b2, from logits = h @ w2 + b2.
func gradSecondLayer(_ f: Forward, dlogits: Tensor) throws -> (dh: Tensor, dw2: Tensor, db2: Tensor) {
    (dlogits.matmul(f.w2.t()), f.h.t().matmul(dlogits), try dlogits.sum(dim: 0))
}

/// d loss / d hPre, from h = tanh(hPre).
func gradHPre(_ f: Forward, dh: Tensor) -> Tensor {
    (1 - f.h * f.h) * dh
}

/// d loss / d w1 and b1, from hPre = x @ w1 + b1.
func gradFirstLayer(_ f: Forward, dhPre: Tensor) throws -> (dw1: Tensor, db1: Tensor) {
    (f.x.t().matmul(dhPre), try dhPre.sum(dim: 0))
}

/// All of softmax and cross-entropy in one step: d loss / d logits = (probs − oneHot) / N.
/// Work it out on paper from the steps above (or look at what your gradLogits returns).
func gradLogitsFused(_ f: Forward) throws -> Tensor {
    (f.probs - f.oneHot) / Double(try f.x.size(0))
}

// MARK: Done for you: the forward pass

/// Every tensor of the forward pass, kept for the backward pass.
struct Forward {
    let x, w1, b1, w2, b2, oneHot: Tensor
    let hPre, h, logits, logitMax, norm, counts, countsSum, countsSumInv, probs, logprobs, loss: Tensor
}

/// The forward pass, one tensor at a time: x [N, D], w1 [D, H], b1 [H], w2 [H, C], b2 [C], one
/// label per example.
func forward(x: Tensor, labels: [Int], w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) throws -> Forward {
    let n = try x.size(0), classes = try w2.size(1)
    var hot = [Double](repeating: 0, count: n * classes)
    for (row, label) in labels.enumerated() { hot[row * classes + label] = 1 }
    let oneHot = Tensor(hot, shape: [n, classes], dtype: x.dtype)
    let hPre = x.matmul(w1) + b1
    let h = hPre.tanh()
    let logits = h.matmul(w2) + b2
    let logitMax = try logits.max(dim: 1, keepdim: true).values.detach()
    let norm = logits - logitMax
    let counts = norm.exp()
    let countsSum = try counts.sum(dim: 1, keepdim: true)
    let countsSumInv = countsSum ** -1
    let probs = counts * countsSumInv
    let logprobs = probs.log()
    let loss = -(logprobs * oneHot).sum() / Double(n)
    return Forward(x: x, w1: w1, b1: b1, w2: w2, b2: b2, oneHot: oneHot, hPre: hPre, h: h, logits: logits,
                   logitMax: logitMax, norm: norm, counts: counts, countsSum: countsSum,
                   countsSumInv: countsSumInv, probs: probs, logprobs: logprobs, loss: loss)
}
