import Foundation

extension SVGChart {
    /// The gradient flow of a training run as a heatmap: one row per parameter (first layer on
    /// top), one column per step (neighbouring steps averaged when there are more than
    /// `maxColumns`), coloured by the gradient norm on a log scale with a colour bar. A band of
    /// dark rows at the top is the vanishing-gradient picture; exactly-zero gradients are light
    /// grey and NaN/inf red, both named in a key under the colour bar.
    ///
    /// - Parameter parameters: the names to show, in order (all watched parameters by default).
    public static func gradientHeatmap(_ monitor: GradientMonitor, title: String = "Gradient norms by layer",
                                       parameters: [String]? = nil, maxColumns: Int = 150,
                                       width: Double = 760, height: Double = 440) -> String {
        let names = parameters ?? monitor.parameters.map(\.name)
        let steps = monitor.steps.map(Double.init)
        let norms = names.map { monitor.norms(of: $0) }
        let columns = Swift.max(1, Swift.min(steps.count, maxColumns))
        let perColumn = Double(steps.count) / Double(columns)
        let colour = ChartAxis.fitting(norms.flatMap { $0 }, scale: .log, targetTicks: 6)

        // One cell per parameter and column: the mean log-norm of its steps, or a special state.
        enum Cell { case value(Double), zero, nonFinite, empty }
        func cell(_ values: ArraySlice<Double>) -> Cell {
            if values.isEmpty { return .empty }
            if values.contains(where: { !$0.isFinite }) { return .nonFinite }
            let positive = values.filter { $0 > 0 }
            if positive.isEmpty { return .zero }
            let meanLog = positive.map(Foundation.log10).reduce(0, +) / Double(positive.count)
            return .value(Foundation.pow(10, meanLog))
        }
        let grid: [[Cell]] = norms.map { row in
            (0..<columns).map { c in
                let start = Int((Double(c) * perColumn).rounded(.down))
                let end = Swift.min(row.count, Swift.max(start + 1, Int((Double(c + 1) * perColumn).rounded(.down))))
                return start < end ? cell(row[start..<end]) : .empty
            }
        }

        let tickFont = 12.0
        let left = 16 + (names.map { Double($0.count) }.max() ?? 4) * tickFont * 0.6 + 10
        let right = 120.0, top = title.isEmpty ? 20.0 : 50, bottom = 58.0
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        let cellWidth = (x1 - x0) / Double(columns), cellHeight = (y1 - y0) / Double(Swift.max(names.count, 1))
        let n = SVGWriter.number

        var svg = SVGWriter(width: width, height: height)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        svg.open("defs")
        svg.open("linearGradient", [("id", "norm-scale"), ("x1", "0"), ("y1", "1"), ("x2", "0"), ("y2", "0")])
        for (i, stop) in viridis.enumerated() {
            svg.element("stop", [("offset", n(Double(i) / Double(viridis.count - 1))), ("stop-color", stop)])
        }
        svg.close("linearGradient")
        svg.close("defs")

        // The cells, without gaps (shape-rendering crispEdges avoids hairlines between them).
        svg.open("g", [("shape-rendering", "crispEdges")])
        for (r, row) in grid.enumerated() {
            for (c, state) in row.enumerated() {
                let fill: String
                switch state {
                case .value(let v): fill = colourFor(colour.position(v) ?? 0)
                case .zero: fill = "#e6e6e6"
                case .nonFinite: fill = "#d62728"
                case .empty: continue
                }
                svg.element("rect", [("x", n(x0 + Double(c) * cellWidth)), ("y", n(y0 + Double(r) * cellHeight)),
                                     ("width", n(cellWidth + 0.5)), ("height", n(cellHeight + 0.5)), ("fill", fill)])
            }
        }
        svg.close("g")
        svg.element("rect", [("x", n(x0)), ("y", n(y0)), ("width", n(x1 - x0)), ("height", n(y1 - y0)),
                             ("fill", "none"), ("stroke", "#444444")])

        // Row labels, the step axis, the title.
        svg.open("g", [("font-size", n(tickFont)), ("fill", "#333333")])
        for (r, name) in names.enumerated() {
            svg.text(name, [("x", n(x0 - 8)), ("y", n(y0 + (Double(r) + 0.5) * cellHeight)), ("dy", "0.35em"),
                            ("text-anchor", "end")])
        }
        if let firstStep = steps.first, let lastStep = steps.last {
            let axis = ChartAxis.fitting([firstStep, lastStep], scale: .linear, targetTicks: 8)
            // Column c covers steps c·perColumn ..< (c+1)·perColumn: place ticks by step index.
            for tick in axis.ticks {
                guard let index = steps.firstIndex(where: { $0 >= tick }), tick <= lastStep else { continue }
                let x = x0 + (Double(index) + 0.5) / perColumn * cellWidth
                svg.element("line", [("x1", n(x)), ("y1", n(y1)), ("x2", n(x)), ("y2", n(y1 + 5)), ("stroke", "#444444")])
                svg.text(axis.label(tick), [("x", n(x)), ("y", n(y1 + 19)), ("text-anchor", "middle")])
            }
        }
        svg.close("g")
        svg.text("step", [("x", n((x0 + x1) / 2)), ("y", n(y1 + 44)), ("text-anchor", "middle"), ("font-size", "13"),
                          ("fill", "#222222")])
        if !title.isEmpty {
            svg.text(title, [("x", n((x0 + x1) / 2)), ("y", "30"), ("text-anchor", "middle"), ("font-size", "16"),
                             ("font-weight", "bold"), ("fill", "#111111")])
        }

        // The colour bar with decade labels, and the key for the special cells.
        let barX = x1 + 24, barWidth = 14.0, barBottom = y1 - 50
        svg.element("rect", [("x", n(barX)), ("y", n(y0)), ("width", n(barWidth)), ("height", n(barBottom - y0)),
                             ("fill", "url(#norm-scale)"), ("stroke", "#444444")])
        svg.open("g", [("font-size", "11"), ("fill", "#333333")])
        for tick in colour.ticks {
            guard let p = colour.position(tick) else { continue }
            let y = barBottom - p * (barBottom - y0)
            svg.element("line", [("x1", n(barX + barWidth)), ("y1", n(y)), ("x2", n(barX + barWidth + 4)), ("y2", n(y)),
                                 ("stroke", "#444444")])
            svg.text(colour.label(tick), [("x", n(barX + barWidth + 7)), ("y", n(y)), ("dy", "0.35em")])
        }
        svg.text("norm", [("x", n(barX + barWidth / 2)), ("y", n(y0 - 8)), ("text-anchor", "middle")])
        for (i, (fill, label)) in [("#e6e6e6", "zero"), ("#d62728", "NaN/inf")].enumerated() {
            let y = barBottom + 16 + Double(i) * 18
            svg.element("rect", [("x", n(barX)), ("y", n(y - 6)), ("width", n(barWidth)), ("height", "12"),
                                 ("fill", fill), ("stroke", "#444444")])
            svg.text(label, [("x", n(barX + barWidth + 7)), ("y", n(y)), ("dy", "0.35em")])
        }
        svg.close("g")
        return svg.document(title: title.isEmpty ? "Gradient norms" : title)
    }

    /// Five stops of the viridis colour map: dark (small norms) to yellow (large), even in
    /// brightness so the order reads in grey too.
    static let viridis = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]

    /// The viridis colour at a position from 0 to 1, interpolated between the stops.
    static func colourFor(_ position: Double) -> String {
        let p = Swift.min(Swift.max(position, 0), 1) * Double(viridis.count - 1)
        let i = Swift.min(Int(p), viridis.count - 2), t = p - Double(i)
        func rgb(_ hex: String) -> [Double] {
            let value = Int(hex.dropFirst(), radix: 16)!
            return [Double((value >> 16) & 0xFF), Double((value >> 8) & 0xFF), Double(value & 0xFF)]
        }
        let a = rgb(viridis[i]), b = rgb(viridis[i + 1])
        let mixed = zip(a, b).map { Int(($0 + t * ($1 - $0)).rounded()) }
        return "#" + mixed.map { String(format: "%02x", $0) }.joined()
    }
}
