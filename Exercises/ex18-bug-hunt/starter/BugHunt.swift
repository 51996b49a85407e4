// Exercise 18 · Bug hunt                                        (Lesson 15: Autograd mechanics)
//
// This training loop runs without a single error, and it is wrong in five places. Each bug is one
// of lesson 15's: a shape that broadcasts, a gradient that is never cleared, a detach() on the path
// to a parameter, an item() inside the graph, an evaluation in the wrong mode. Each fixed bug makes
// one check pass; the last check trains the model and needs all five.
//
// Fix the code, don't rewrite it: the model, the names and what each function returns stay as they
// are. `grader check ex18` names each behaviour that is still wrong and why, never the line.
//
// Run:   swift run grader check ex18          Stuck?   swift run grader hint ex18
import Autograd

/// A small regression network: 2 inputs → 8 tanh features → dropout → 1 output.
final class Regressor: Module {
    let encoder = Linear(2, 8)
    let dropout = Dropout(p: 0.1)
    let head = Linear(8, 1)
    /// The mean feature of the last forward pass, for logging.
    var lastFeatureMean = 0.0

    override func forward(_ input: Tensor) -> Tensor {
        let features = encoder(input).tanh().detach()
        lastFeatureMean = features.mean().scalars[0]
        return head(dropout(features))                    // [N, 1]
    }
}

/// The mean squared error of the model's predictions against `targets` [N], plus an L2 penalty
/// weightDecay · Σ w² on the head's weight.
func loss(_ model: Regressor, _ inputs: Tensor, _ targets: Tensor, weightDecay: Double) throws -> Tensor {
    let predictions = model(inputs)
    let mse = ((predictions - targets) ** 2).mean()
    let penalty = try Tensor(weightDecay * (model.head.weight ** 2).sum().item())
    return mse + penalty
}

/// One step of training; returns the loss before the update.
func trainStep(_ model: Regressor, _ optimizer: SGD, _ inputs: Tensor, _ targets: Tensor) throws -> Double {
    let current = try loss(model, inputs, targets, weightDecay: 0.01)
    try current.backward()
    try optimizer.step()
    return try current.item()
}

/// The loss on held-out data (without the penalty), as the model predicts after training.
func evaluate(_ model: Regressor, _ inputs: Tensor, _ targets: Tensor) throws -> Double {
    try noGrad { try loss(model, inputs, targets, weightDecay: 0).item() }
}
