/// Dynamic loss scaling for mixed-precision training (`torch.amp.GradScaler`).
///
/// In float16 a gradient smaller than about 6e-8 flushes to zero and one larger than 65504
/// overflows to infinity. Multiplying the loss by a large factor before `backward()` lifts small
/// gradients out of the underflow zone (every gradient is scaled by the same factor, by the chain
/// rule); dividing them by it again before the optimizer step ("unscaling") restores their true
/// size in float32. When the factor is too large some gradient becomes inf or NaN: the scaler then
/// skips that optimizer step, so the weights stay clean, and halves the factor. After
/// `growthInterval` clean steps in a row it doubles the factor again, so the scale hovers near the
/// largest value that doesn't overflow.
///
/// The training loop, as in PyTorch:
///
/// ```swift
/// let scaler = GradScaler()
/// for batch in batches {
///     try optimizer.zeroGrad()
///     let loss = try autocast { try lossFunction(model(batch)) }
///     try scaler.scale(loss).backward()
///     try scaler.step(optimizer)      // unscales, checks for inf/NaN, maybe steps
///     try scaler.update()             // adjusts the scale for the next iteration
/// }
/// ```
///
/// Call `unscale(_:)` yourself between `backward()` and `step(_:)` when you need the true
/// gradients, for example to clip them. Each optimizer goes through the stages ready → unscaled →
/// stepped once per iteration; `update()` starts the next iteration for all of them. Using a stage
/// twice throws PyTorch's error.
public final class GradScaler {
    /// Where an optimizer is in the current iteration (PyTorch's `OptState`).
    enum Stage { case ready, unscaled, stepped }

    /// What the scaler knows about one optimizer in the current iteration.
    struct OptimizerState {
        var stage = Stage.ready
        /// Whether the last inf/NaN check found a non-finite gradient; nil when no check ran
        /// (or it had no gradients to look at).
        var foundInf: Bool? = nil
    }

    /// Whether the scaler does anything: when false, `scale` returns the loss unchanged, `step`
    /// just calls `optimizer.step()`, and `unscale`/`update` do nothing, so one loop serves both.
    public let isEnabled: Bool
    /// The factor the scale is multiplied by after `growthInterval` clean steps in a row.
    public var growthFactor: Double
    /// The factor the scale is multiplied by after a step with inf/NaN gradients.
    public var backoffFactor: Double
    /// How many consecutive clean steps it takes before the scale grows.
    public var growthInterval: Int

    private let initScale: Double
    /// The scale, kept as a float32 value as PyTorch keeps it; nil until the first `scale(_:)`.
    private var currentScale: Float?
    /// Consecutive clean steps since the scale last changed.
    public private(set) var growthTracker = 0
    private var states: [ObjectIdentifier: OptimizerState] = [:]

    /// A scaler starting at `initScale` (PyTorch's defaults: 2¹⁶, doubling after 2000 clean
    /// steps, halving after an overflow).
    public init(initScale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5,
                growthInterval: Int = 2000, enabled: Bool = true) {
        if enabled {
            precondition(growthFactor > 1, "The growth factor must be > 1.0.")
            precondition(backoffFactor < 1, "The backoff factor must be < 1.0.")
        }
        self.isEnabled = enabled
        self.initScale = initScale
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
    }

    /// The current scale factor (`get_scale()`): the initial scale before the first `scale(_:)`,
    /// and 1 when the scaler is disabled.
    public var scale: Double {
        guard isEnabled else { return 1 }
        return currentScale.map(Double.init) ?? initScale
    }

    /// The loss multiplied by the current scale (`scaler.scale(loss)`), to call `backward()` on.
    ///
    /// The scale is a float32 zero-dimensional tensor, as in PyTorch, so the usual type promotion
    /// applies: a scalar float16 loss gives a float32 scaled loss, while a float16 tensor with
    /// dimensions stays float16 (the multiplication itself runs in float32 and rounds once).
    public func scale(_ outputs: Tensor) -> Tensor {
        guard isEnabled else { return outputs }
        if currentScale == nil { currentScale = Float(initScale) }
        let s = Double(currentScale!)
        return outputs.rank == 0 ? outputs * Tensor(s) : outputs * s
    }

    /// Divides the gradients of `optimizer`'s parameters by the scale, in place, and records
    /// whether any of them is inf or NaN (`unscale_`).
    ///
    /// Optional: `step(_:)` does it when you haven't. Call it yourself to look at or clip the true
    /// gradients before stepping, at most once per optimizer per iteration. Gradients must be
    /// float32 or float64 (keep float32 master weights), as PyTorch requires.
    public func unscale(_ optimizer: Optimizer) throws {
        guard isEnabled else { return }
        let scale = try checkScale("unscale_")
        let id = ObjectIdentifier(optimizer)
        switch states[id, default: OptimizerState()].stage {
        case .unscaled:
            throw AutogradError("unscale_() has already been called on this optimizer since the last update().")
        case .stepped:
            throw AutogradError("unscale_() is being called after step().")
        case .ready:
            break
        }
        // The reciprocal is taken in float64 and rounded to float32, as PyTorch does.
        let inverse = Float(1 / Double(scale))
        let found = try Self.unscaleGradients(of: optimizer, by: inverse)
        states[id] = OptimizerState(stage: .unscaled, foundInf: found)
    }

    /// Unscales the gradients if that hasn't happened yet, then runs `optimizer.step()` only when
    /// every gradient is finite (`scaler.step(optimizer)`). Returns whether the step ran.
    @discardableResult
    public func step(_ optimizer: Optimizer) throws -> Bool {
        guard isEnabled else {
            try optimizer.step()
            return true
        }
        _ = try checkScale("step")
        let id = ObjectIdentifier(optimizer)
        if states[id]?.stage == .stepped {
            throw AutogradError("step() has already been called since the last update().")
        }
        if states[id, default: OptimizerState()].stage == .ready {
            try unscale(optimizer)
        }
        guard let foundInf = states[id]?.foundInf else {
            throw AutogradError("No inf checks were recorded for this optimizer.")
        }
        if !foundInf { try optimizer.step() }
        states[id]?.stage = .stepped
        return !foundInf
    }

    /// Ends the iteration: halves the scale (times `backoffFactor`) if any optimizer found inf or
    /// NaN gradients, otherwise counts a clean step and grows the scale (times `growthFactor`)
    /// after `growthInterval` of them in a row. With `newScale`, sets the scale to it instead.
    public func update(newScale: Double? = nil) throws {
        guard isEnabled else { return }
        let scale = try checkScale("update")
        if let newScale {
            currentScale = Float(newScale)
        } else {
            let checks = states.values.compactMap(\.foundInf)
            guard !checks.isEmpty else {
                throw AutogradError("No inf checks were recorded prior to update.")
            }
            // PyTorch's `_amp_update_scale_`, with the scale held in float32.
            if checks.contains(true) {
                currentScale = Float(Double(scale) * backoffFactor)
                growthTracker = 0
            } else {
                let successful = growthTracker + 1
                if successful == growthInterval {
                    let grown = Float(Double(scale) * growthFactor)
                    if grown.isFinite { currentScale = grown }
                    growthTracker = 0
                } else {
                    growthTracker = successful
                }
            }
        }
        states = [:]
    }

    /// Whether the inf/NaN check of this iteration found a non-finite gradient in `optimizer`'s
    /// parameters: nil before `unscale`/`step` checked it (and after `update()`).
    public func foundInf(for optimizer: Optimizer) -> Bool? {
        states[ObjectIdentifier(optimizer)]?.foundInf
    }

    /// The scale, or PyTorch's error when `scale(_:)` was never called.
    private func checkScale(_ function: String) throws -> Float {
        guard let currentScale else {
            throw AutogradError("Attempted \(function) but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.")
        }
        return currentScale
    }

    /// Multiplies every gradient by `inverse` in place (PyTorch's
    /// `_amp_foreach_non_finite_check_and_unscale_`) and reports whether any value was inf or NaN;
    /// nil when no parameter has a gradient.
    static func unscaleGradients(of optimizer: Optimizer, by inverse: Float) throws -> Bool? {
        var found: Bool? = nil
        for p in optimizer.parameters {
            guard let g = p.grad else { continue }
            if g.dtype == .float16 { throw AutogradError("Attempting to unscale FP16 gradients.") }
            var nonFinite = false
            if g.dtype == .float64 {
                let s = Double(inverse)
                g.storage.doubles.withUnsafeMutableBufferPointer { v in
                    for i in v.indices {
                        if !v[i].isFinite { nonFinite = true }
                        if s != 1 { v[i] *= s }
                    }
                }
            } else {
                g.storage.floats.withUnsafeMutableBufferPointer { v in
                    for i in v.indices {
                        if !v[i].isFinite { nonFinite = true }
                        if inverse != 1 { v[i] *= inverse }
                    }
                }
            }
            g.storage.version += 1
            found = (found ?? false) || nonFinite
        }
        return found
    }
}
