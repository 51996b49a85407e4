// Exercise 4 · Stopping gradients                     (Lesson 4: detach() and noGrad)
//
// Part 1: `evaluate` computes a validation loss. It must give the right numbers AND record no graph.
// Part 2: `bootstrappedLoss` builds a loss whose target comes from the model itself. The gradient
//         must flow through today's prediction only, not through the target.
//
// Replace each todo() and run:   swift run grader check ex4        Stuck?   swift run grader hint ex4
import Autograd
import GraderKit

/// The model of this exercise (done for you): one value per row of `states`, tanh(states · w).
/// states: [n, features], w: [features, 1]; the result has shape [n, 1].
func value(_ states: Tensor, _ w: Tensor) -> Tensor {
    states.matmul(w).tanh()
}

/// Part 1. Evaluates the model on held-out data: its predictions value(x, w) and their mean squared
/// error against y (as a Double). Nothing here will ever be differentiated, so record no graph.
func evaluate(x: Tensor, y: Tensor, w: Tensor) -> (predictions: Tensor, loss: Double) {
    todo("the predictions and their mean squared error, with no graph recorded")
}

/// Part 2. The training loss for a model that makes its own targets:
///     target = reward + discount · value(tomorrow, w)
///     loss   = mean((value(today, w) − target)²)
/// Training must move today's values toward the targets, never the targets toward today's values.
func bootstrappedLoss(w: Tensor, today: Tensor, tomorrow: Tensor, reward: Tensor, discount: Double) -> Tensor {
    todo("the mean squared error between today's values and targets that send no gradient back")
}
