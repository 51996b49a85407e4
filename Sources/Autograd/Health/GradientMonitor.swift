/// Watches the gradients of named parameters during training and flags the classic failures:
/// vanishing, exploding, dead (all zero), non-finite (NaN/inf) and missing gradients.
///
/// Call `record()` after each `backward()` and before the optimizer step (and before
/// `zeroGrad()`), once per step:
///
/// ```swift
/// let monitor = GradientMonitor(module: model)
/// for step in 0..<100 {
///     try optimizer.zeroGrad()
///     try loss(model(x), y).backward()
///     monitor.record()                    // reads every parameter's .grad
///     try optimizer.step()
/// }
/// print(monitor)                          // the latest step as a table, problems flagged
/// let norms = monitor.norms(of: "0.weight")   // one value per recorded step, for a chart
/// ```
///
/// Recording is an explicit call rather than a backward hook on purpose: with gradient
/// accumulation several backward passes make one step, and only the training loop knows when
/// the gradient is complete. The monitor only reads `.grad`; it never changes a gradient.
public final class GradientMonitor: CustomStringConvertible {
    /// The watched parameters and the names they are reported under, in order.
    public let parameters: [(name: String, parameter: Tensor)]
    /// A non-zero gradient whose norm is below this is flagged `.vanishing` (default 1e-6, the threshold lesson 7 and exercise 7 use).
    public var vanishingThreshold: Double
    /// A gradient whose norm is above this is flagged `.exploding` (default 1e3).
    public var explodingThreshold: Double
    /// Every reading so far, one array per recorded step, parameters in order.
    public private(set) var history: [[GradientStatistics]] = []

    /// Watches `parameters`, each under its name.
    public init(_ parameters: [(name: String, parameter: Tensor)], vanishingThreshold: Double = 1e-6,
                explodingThreshold: Double = 1e3) {
        precondition(vanishingThreshold < explodingThreshold,
                     "the vanishing threshold must be below the exploding threshold")
        self.parameters = parameters
        self.vanishingThreshold = vanishingThreshold
        self.explodingThreshold = explodingThreshold
    }

    /// Watches every parameter of `module`, under its dotted name (`"0.weight"`).
    public convenience init(module: Module, vanishingThreshold: Double = 1e-6, explodingThreshold: Double = 1e3) {
        self.init(module.namedParameters(), vanishingThreshold: vanishingThreshold,
                  explodingThreshold: explodingThreshold)
    }

    /// Reads every parameter's current `.grad` and appends the readings to `history`.
    ///
    /// - Parameter step: the number to file the readings under; by default the number of steps
    ///   recorded before (0, 1, 2, ...).
    /// - Returns: this step's readings, parameters in order.
    @discardableResult
    public func record(step: Int? = nil) -> [GradientStatistics] {
        let number = step ?? (history.last.map { ($0.first?.step ?? history.count - 1) + 1 } ?? 0)
        let readings = parameters.map { name, p in
            GradientStatistics(name: name, step: number, shape: p.shape, gradient: p.grad,
                               vanishingBelow: vanishingThreshold, explodingAbove: explodingThreshold)
        }
        history.append(readings)
        return readings
    }

    /// The readings of the last recorded step (empty before the first `record()`).
    public var latest: [GradientStatistics] { history.last ?? [] }

    /// The readings of the last step that raised a flag.
    public var flagged: [GradientStatistics] { latest.filter { !$0.isHealthy } }

    /// The readings of one parameter across all recorded steps.
    public func history(of name: String) -> [GradientStatistics] {
        history.compactMap { step in step.first { $0.name == name } }
    }

    /// The gradient norm of one parameter at each recorded step: the series a gradient-flow
    /// chart draws.
    public func norms(of name: String) -> [Double] { history(of: name).map(\.norm) }

    /// The recorded step numbers, in order.
    public var steps: [Int] { history.map { $0.first?.step ?? 0 } }

    /// The first reading of any parameter that raised `flag`, if any did: when training went wrong.
    public func firstOccurrence(of flag: GradientFlag) -> GradientStatistics? {
        for step in history { if let hit = step.first(where: { $0.flags.contains(flag) }) { return hit } }
        return nil
    }

    /// Forgets the recorded history (the watched parameters and thresholds stay).
    public func reset() { history = [] }

    /// The latest step as an aligned table (see `GradientReport`).
    public func report() -> String {
        GradientReport.table(latest, vanishingThreshold: vanishingThreshold, explodingThreshold: explodingThreshold)
    }

    /// `report()`, so `print(monitor)` shows the table.
    public var description: String { report() }
}
