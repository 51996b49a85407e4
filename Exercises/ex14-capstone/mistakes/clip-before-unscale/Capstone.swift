// Exercise 14 · Capstone: a training loop that watches its gradients   (Lessons 3–13)
//
// Train a small network to a target loss with everything from the course in one loop:
//   • gradient accumulation over micro-batches            (lesson 3)
//   • mixed precision: autocast + GradScaler               (lesson 12)
//   • clipping of the true (unscaled) gradients            (lessons 8 and 12)
//   • a GradientMonitor reading every step's gradients     (lesson 7)
// The grader replays your loop and inspects the gradients along the way: accumulation equals the
// full batch, clipped norms stay ≤ maxNorm, the monitor sees true gradients, a corrupted batch's
// overflow is skipped without touching the weights, and the loss ends below the target.
//
// Run:   swift run grader check ex14          Stuck?   swift run grader hint ex14
import Autograd
import GraderKit

struct CapstoneConfig {
    var microBatches = 4
    var maxNorm = 0.25
    var maxSteps = 200
    var targetLoss = 0.02
}

/// What one training step did, for the grader (and for you: print them).
struct StepRecord {
    /// The full batch's loss (the mean squared error over all rows), before the update.
    var loss: Double
    /// The total 2-norm of the true (unscaled) gradients, before clipping.
    var normBeforeClip: Double
    /// The total 2-norm of the gradients after clipping.
    var normAfterClip: Double
    /// The scale the scaler used in this step (read it before update()).
    var scale: Double
    /// Whether the optimizer stepped (false: the scaler skipped an overflow).
    var stepped: Bool
}

/// The total 2-norm of the parameters' gradients (done for you).
func totalGradNorm(_ parameters: [Tensor]) -> Double {
    parameters.compactMap(\.grad).map { g in g.scalars.reduce(0) { $0 + $1 * $1 } }.reduce(0, +).squareRoot()
}

/// Part 1. Clears the model's gradients, then accumulates the gradient of the full batch's mean
/// squared error over `microBatches` equal micro-batches of rows: for each one, the forward pass
/// under autocast (float16 products), MSELoss, and backward on the *scaled* share of the loss.
/// Afterwards every .grad holds scaler.scale × the full batch's gradient. Returns the full
/// batch's loss (the mean of the micro-batch losses).
func accumulateGradients(model: Module, scaler: GradScaler, inputs: Tensor, targets: Tensor,
                         microBatches: Int) throws -> Double {
    model.zeroGrad()
    let size = inputs.shape[0] / microBatches
    var total = 0.0
    for k in 0..<microBatches {
        let rows = (k * size)..<((k + 1) * size)
        let loss = try autocast(.float16) { MSELoss()(model(try inputs[rows]), try targets[rows]) }
        try scaler.scale(loss / Double(microBatches)).backward()
        total += try loss.item()
    }
    return total / Double(microBatches)
}

/// Part 2. One optimizer step: accumulate, unscale, record the monitor, clip to config.maxNorm,
/// step through the scaler, update the scaler. Returns what happened.
func trainingStep(model: Module, optimizer: Optimizer, scaler: GradScaler, monitor: GradientMonitor,
                  inputs: Tensor, targets: Tensor, config: CapstoneConfig) throws -> StepRecord {
    let scale = scaler.scale
    let loss = try accumulateGradients(model: model, scaler: scaler, inputs: inputs, targets: targets,
                                       microBatches: config.microBatches)
    let before = try clipGradNorm(model.parameters(), maxNorm: config.maxNorm).item()
    let after = totalGradNorm(model.parameters())
    try scaler.unscale(optimizer)
    monitor.record()
    let stepped = try scaler.step(optimizer)
    try scaler.update()
    return StepRecord(loss: loss, normBeforeClip: before, normAfterClip: after, scale: scale, stepped: stepped)
}

/// Part 3. Trains until a step's loss is below config.targetLoss (that step included) or
/// config.maxSteps steps have run. `batch(step)` gives the inputs and targets of each step.
/// Returns one record per step.
func train(model: Module, optimizer: Optimizer, scaler: GradScaler, monitor: GradientMonitor,
           config: CapstoneConfig, batch: (Int) -> (inputs: Tensor, targets: Tensor)) throws -> [StepRecord] {
    var records: [StepRecord] = []
    for step in 0..<config.maxSteps {
        let (inputs, targets) = batch(step)
        let record = try trainingStep(model: model, optimizer: optimizer, scaler: scaler, monitor: monitor,
                                      inputs: inputs, targets: targets, config: config)
        records.append(record)
        if record.loss < config.targetLoss { break }
    }
    return records
}
