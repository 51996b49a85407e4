import Foundation

/// Line charts as standalone SVG documents, for lessons, READMEs and reports: the loss curve of a
/// training run, and the gradient flow across layers (each parameter's gradient norm against the
/// step, on a log scale, so layers whose gradients differ by orders of magnitude share one chart).
///
/// Every chart has a title, axes with labelled ticks and grid lines, axis labels, and a legend
/// when it shows more than one line. The result is a well-formed XML document with all text
/// escaped; write it to a `.svg` file and open it in a browser:
///
/// ```swift
/// try SVGChart.lossCurve(losses).write(toFile: "loss.svg", atomically: true, encoding: .utf8)
/// try SVGChart.gradientFlow(monitor).write(toFile: "gradients.svg", atomically: true, encoding: .utf8)
/// ```
public enum SVGChart {
    /// A labelled horizontal line across the plot, e.g. a threshold; drawn dashed, and only when
    /// its value lies inside the axis range.
    public struct ReferenceLine: Sendable {
        public var label: String
        public var value: Double
        /// Any SVG colour (`"#999"`, `"crimson"`).
        public var color: String

        public init(_ label: String, at value: Double, color: String = "#888888") {
            self.label = label
            self.value = value
            self.color = color
        }
    }

    /// Colours for successive lines: the Okabe–Ito palette, distinguishable with the common
    /// forms of colour blindness, then a few darker extras.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                 "#000000", "#8C564B", "#7F7F7F", "#BCBD22"]

    /// A line chart of one or more series.
    ///
    /// - Parameters:
    ///   - series: the lines, coloured from `palette` in order.
    ///   - title: shown above the chart and as the document's `<title>`.
    ///   - xLabel, yLabel: names of the axes.
    ///   - yScale: `.log` for values spanning orders of magnitude; values that aren't positive
    ///     then leave gaps (and the legend says so when a line has nothing to draw).
    ///   - referenceLines: dashed horizontal lines such as thresholds.
    ///   - width, height: the size of the picture in pixels.
    public static func line(_ series: [ChartSeries], title: String, xLabel: String = "", yLabel: String = "",
                            yScale: AxisScale = .linear, referenceLines: [ReferenceLine] = [],
                            width: Double = 760, height: Double = 440) -> String {
        let xAxis = ChartAxis.fitting(series.flatMap(\.x), scale: .linear, targetTicks: 8)
        let yAxis = ChartAxis.fitting(series.flatMap(\.y), scale: yScale, targetTicks: 6)
        let references = referenceLines.filter { r in yAxis.position(r.value).map { $0 >= 0 && $0 <= 1 } ?? false }
        let showLegend = series.count > 1
        let legendNames = series.map { legendName($0, scale: yScale) }

        // Layout, with text widths estimated at 0.6 em per character.
        let tickFont = 12.0, labelFont = 13.0, titleFont = 16.0
        let yTickWidth = (yAxis.ticks.map { Double(yAxis.label($0).count) }.max() ?? 1) * tickFont * 0.6
        let left = (yLabel.isEmpty ? 12 : 34) + yTickWidth + 10
        let legendWidth = showLegend ? 48 + (legendNames.map { Double($0.count) }.max() ?? 0) * tickFont * 0.6 : 0
        let right = showLegend ? legendWidth + 12 : 28
        let top = title.isEmpty ? 20.0 : 50
        let bottom = xLabel.isEmpty ? 36.0 : 58
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        func px(_ p: Double) -> Double { x0 + p * (x1 - x0) }
        func py(_ p: Double) -> Double { y1 - p * (y1 - y0) }
        let n = SVGWriter.number

        var svg = SVGWriter(width: width, height: height)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        svg.open("defs")
        svg.open("clipPath", [("id", "plot-area")])
        svg.element("rect", [("x", n(x0)), ("y", n(y0 - 4)), ("width", n(x1 - x0)), ("height", n(y1 - y0 + 8))])
        svg.close("clipPath")
        svg.close("defs")

        // Grid: faint minor lines (log axis), light major lines.
        svg.open("g", [("stroke", "#f0f0f0"), ("stroke-width", "1")])
        for v in yAxis.minorTicks { if let p = yAxis.position(v) { svg.element("line", hLine(n(py(p)), n(x0), n(x1))) } }
        svg.close("g")
        svg.open("g", [("stroke", "#dcdcdc"), ("stroke-width", "1")])
        for v in yAxis.ticks { if let p = yAxis.position(v) { svg.element("line", hLine(n(py(p)), n(x0), n(x1))) } }
        for v in xAxis.ticks { if let p = xAxis.position(v) { svg.element("line", vLine(n(px(p)), n(y0), n(y1))) } }
        svg.close("g")

        for r in references {
            guard let p = yAxis.position(r.value) else { continue }
            svg.element("line", hLine(n(py(p)), n(x0), n(x1)) + [("stroke", r.color), ("stroke-width", "1.5"), ("stroke-dasharray", "6 4")])
            svg.text(r.label, [("x", n(x1 - 6)), ("y", n(py(p) - 5)), ("text-anchor", "end"), ("font-size", "11"), ("fill", r.color)])
        }

        // The lines, split at undrawable points, with markers when there are few points.
        svg.open("g", [("clip-path", "url(#plot-area)"), ("fill", "none"), ("stroke-width", "2"),
                       ("stroke-linejoin", "round"), ("stroke-linecap", "round")])
        for (i, s) in series.enumerated() {
            let color = palette[i % palette.count]
            let points = zip(s.x, s.y).sorted { $0.0 < $1.0 }.map { p -> (Double, Double)? in
                guard let x = xAxis.position(p.0), let y = yAxis.position(p.1) else { return nil }
                return (px(x), py(y))
            }
            var segment: [(Double, Double)] = []
            func flush() {
                if segment.count > 1 {
                    svg.element("polyline", [("points", segment.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")),
                                             ("stroke", color)])
                }
                segment = []
            }
            for point in points { if let point { segment.append(point) } else { flush() } }
            flush()
            if s.x.count <= 40 {
                for point in points.compactMap({ $0 }) {
                    svg.element("circle", [("cx", n(point.0)), ("cy", n(point.1)), ("r", "3.5"), ("fill", color),
                                           ("stroke", "#ffffff"), ("stroke-width", "1")])
                }
            }
        }
        svg.close("g")

        // Axes, tick marks and tick labels.
        svg.open("g", [("stroke", "#444444"), ("stroke-width", "1")])
        svg.element("line", hLine(n(y1), n(x0), n(x1)))
        svg.element("line", vLine(n(x0), n(y0), n(y1)))
        for v in yAxis.ticks { if let p = yAxis.position(v) { svg.element("line", hLine(n(py(p)), n(x0 - 5), n(x0))) } }
        for v in xAxis.ticks { if let p = xAxis.position(v) { svg.element("line", vLine(n(px(p)), n(y1), n(y1 + 5))) } }
        svg.close("g")
        svg.open("g", [("font-size", n(tickFont)), ("fill", "#333333")])
        for v in yAxis.ticks {
            guard let p = yAxis.position(v) else { continue }
            svg.text(yAxis.label(v), [("x", n(x0 - 8)), ("y", n(py(p))), ("dy", "0.35em"), ("text-anchor", "end")])
        }
        for v in xAxis.ticks {
            guard let p = xAxis.position(v) else { continue }
            svg.text(xAxis.label(v), [("x", n(px(p))), ("y", n(y1 + 19)), ("text-anchor", "middle")])
        }
        svg.close("g")

        // Axis labels and title.
        if !xLabel.isEmpty {
            svg.text(xLabel, [("x", n((x0 + x1) / 2)), ("y", n(y1 + 44)), ("text-anchor", "middle"),
                              ("font-size", n(labelFont)), ("fill", "#222222")])
        }
        if !yLabel.isEmpty {
            let cx = 18.0, cy = (y0 + y1) / 2
            svg.text(yLabel, [("x", n(cx)), ("y", n(cy)), ("text-anchor", "middle"), ("font-size", n(labelFont)),
                              ("fill", "#222222"), ("transform", "rotate(-90 \(n(cx)) \(n(cy)))")])
        }
        if !title.isEmpty {
            svg.text(title, [("x", n((x0 + x1) / 2)), ("y", "30"), ("text-anchor", "middle"),
                             ("font-size", n(titleFont)), ("font-weight", "bold"), ("fill", "#111111")])
        }

        if showLegend {
            let lx = x1 + 18
            svg.open("g", [("font-size", n(tickFont)), ("fill", "#222222")])
            for (i, name) in legendNames.enumerated() {
                let ly = y0 + 8 + Double(i) * 20
                svg.element("line", hLine(n(ly), n(lx), n(lx + 22)) + [("stroke", palette[i % palette.count]), ("stroke-width", "3")])
                svg.text(name, [("x", n(lx + 30)), ("y", n(ly)), ("dy", "0.35em")])
            }
            svg.close("g")
        }
        return svg.document(title: title.isEmpty ? "Chart" : title)
    }

    /// The loss of each epoch (and optionally a validation loss) as a line chart.
    ///
    /// - Parameters:
    ///   - losses: one value per epoch.
    ///   - validation: an optional second curve of the same length or shorter.
    ///   - xStart: the number of the first epoch (1 by default, as training logs count).
    ///   - yScale: `.log` when the loss falls by orders of magnitude.
    public static func lossCurve(_ losses: [Double], validation: [Double]? = nil, title: String = "Training loss",
                                 xLabel: String = "epoch", yLabel: String = "loss", xStart: Double = 1,
                                 yScale: AxisScale = .linear, width: Double = 760, height: Double = 440) -> String {
        var series = [ChartSeries(validation == nil ? yLabel : "training", losses, xStart: xStart)]
        if let validation { series.append(ChartSeries("validation", validation, xStart: xStart)) }
        return line(series, title: title, xLabel: xLabel, yLabel: yLabel, yScale: yScale, width: width, height: height)
    }

    /// The gradient flow of a training run: each watched parameter's gradient norm at every
    /// recorded step, one line per parameter, on a log scale. Layers whose line sits far below
    /// the others learn slowly (vanishing); a line that shoots up is exploding. With
    /// `showThresholds`, the monitor's thresholds are drawn when they fall inside the range.
    ///
    /// - Parameter parameters: the names to draw (all watched parameters by default), e.g. only
    ///   the weights: `monitor.parameters.map(\.name).filter { $0.hasSuffix("weight") }`.
    public static func gradientFlow(_ monitor: GradientMonitor, title: String = "Gradient flow",
                                    parameters: [String]? = nil, showThresholds: Bool = true,
                                    width: Double = 760, height: Double = 440) -> String {
        let names = parameters ?? monitor.parameters.map(\.name)
        let steps = monitor.steps.map(Double.init)
        let series = names.map { ChartSeries($0, x: steps, y: monitor.norms(of: $0)) }
        let thresholds = showThresholds
            ? [ReferenceLine("exploding above \(ChartAxis.readable(monitor.explodingThreshold))", at: monitor.explodingThreshold, color: "#C0392B"),
               ReferenceLine("vanishing below \(ChartAxis.readable(monitor.vanishingThreshold))", at: monitor.vanishingThreshold, color: "#7F8C8D")]
            : []
        return line(series, title: title, xLabel: "step", yLabel: "gradient norm (log scale)", yScale: .log,
                    referenceLines: thresholds, width: width, height: height)
    }

    /// The legend entry: the name, with a note when nothing of the line can be drawn.
    static func legendName(_ s: ChartSeries, scale: AxisScale) -> String {
        let finite = s.y.filter(\.isFinite)
        let drawable = scale == .log ? finite.filter { $0 > 0 } : finite
        guard drawable.isEmpty, !s.y.isEmpty else { return s.name }
        if scale == .log && !finite.isEmpty && finite.allSatisfy({ $0 == 0 }) { return s.name + " (all zero)" }
        return s.name + " (not finite)"
    }

    private static func hLine(_ y: String, _ xa: String, _ xb: String) -> [(String, String)] {
        [("x1", xa), ("y1", y), ("x2", xb), ("y2", y)]
    }

    private static func vLine(_ x: String, _ ya: String, _ yb: String) -> [(String, String)] {
        [("x1", x), ("y1", ya), ("x2", x), ("y2", yb)]
    }
}
