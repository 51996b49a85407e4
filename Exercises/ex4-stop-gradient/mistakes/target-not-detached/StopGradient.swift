// Exercise 4 · Stopping gradients — a known mistake: target-not-detached.
import Autograd
import GraderKit

/// The model of this exercise (done for you): one value per row of `states`, tanh(states · w).
/// states: [n, features], w: [features, 1]; the result has shape [n, 1].
func value(_ states: Tensor, _ w: Tensor) -> Tensor {
    states.matmul(w).tanh()
}

/// Part 1. Evaluates the model on held-out data: its predictions value(x, w) and their mean squared
/// error against y (as a Double). Nothing here will ever be differentiated, so record no graph.
func evaluate(x: Tensor, y: Tensor, w: Tensor) throws -> (predictions: Tensor, loss: Double) {
    try noGrad {
        let predictions = value(x, w)
        let loss = ((predictions - y) ** 2).mean()
        return try (predictions, loss.item())
    }
}

/// Part 2. The training loss for a model that makes its own targets:
///     target = reward + discount · value(tomorrow, w)
///     loss   = mean((value(today, w) − target)²)
/// Training must move today's values toward the targets, never the targets toward today's values.
func bootstrappedLoss(w: Tensor, today: Tensor, tomorrow: Tensor, reward: Tensor, discount: Double) -> Tensor {
    let target = reward + discount * value(tomorrow, w)
    return ((value(today, w) - target) ** 2).mean()
}
