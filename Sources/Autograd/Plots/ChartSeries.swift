/// One line of a chart: a name for the legend and its points. Points whose y is NaN or infinite
/// (or not positive, on a log axis) can't be drawn and leave a gap.
public struct ChartSeries: Sendable {
    /// The name shown in the legend.
    public var name: String
    /// The x coordinates (steps, epochs), one per value.
    public var x: [Double]
    /// The values.
    public var y: [Double]

    /// A series with explicit x coordinates, e.g. the steps a `GradientMonitor` recorded.
    public init(_ name: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "a series needs one x per y (got \(x.count) and \(y.count))")
        self.name = name
        self.x = x
        self.y = y
    }

    /// A series of `values` at x = `xStart`, `xStart + xStep`, ...: `ChartSeries("loss", losses, xStart: 1)`
    /// for one loss per epoch counted from 1.
    public init(_ name: String, _ values: [Double], xStart: Double = 0, xStep: Double = 1) {
        self.init(name, x: values.indices.map { xStart + Double($0) * xStep }, y: values)
    }
}

/// How an axis maps values to positions.
public enum AxisScale: Sendable {
    /// Equal distances for equal differences: losses, accuracies.
    case linear
    /// Equal distances for equal ratios (one step per power of ten): gradient norms, and losses
    /// that fall by orders of magnitude. Values that aren't positive can't be shown.
    case log
}
