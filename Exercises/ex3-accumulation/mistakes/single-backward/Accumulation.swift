// Exercise 3 · Gradient accumulation — a known mistake: single-backward.
import Autograd
import GraderKit

/// The mean squared error of the linear model x·w + b on a batch (done for you).
/// x: [n, features], y: [n, 1], w: [features, 1], b: [1].
func mse(_ x: Tensor, _ y: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    ((x.matmul(w) + b - y) ** 2).mean()
}

/// Part 1. One training step's gradient, computed `microBatches` rows at a time: afterwards w.grad
/// and b.grad hold the gradient of mse over the whole batch, as if it had been computed at once.
/// Start from cleared gradients. x has n rows, n divisible by microBatches; micro-batch k is the rows
/// k·size ..< (k+1)·size with size = n / microBatches (x[rows] and y[rows] select rows), and each one
/// gets its own backward() call, so only one micro-batch's graph exists at a time.
func accumulateGradients(x: Tensor, y: Tensor, w: Tensor, b: Tensor, microBatches: Int) throws {
    let n = x.shape[0]
    let size = n / microBatches
    w.grad = nil
    b.grad = nil
    var total = Tensor(0.0, dtype: x.dtype)
    for k in 0..<microBatches {
        let rows = (k * size)..<((k + 1) * size)
        total = try total + mse(x[rows], y[rows], w, b) / Double(microBatches)
    }
    try total.backward()
}

/// Part 2. Gradient descent for `steps` steps; returns each step's loss.
func train(x: Tensor, y: Tensor, w: Tensor, b: Tensor, steps: Int, learningRate: Double) throws -> [Double] {
    var losses: [Double] = []
    for _ in 0..<steps {
        w.grad = nil
        b.grad = nil
        let loss = mse(x, y, w, b)
        try loss.backward()
        try noGrad {
            try w.sub_(w.grad!, alpha: learningRate)
            try b.sub_(b.grad!, alpha: learningRate)
        }
        losses.append(try loss.item())
    }
    return losses
}
