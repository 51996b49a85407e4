import Foundation

/// One event of a timeline: something that happened to one row (a layer) at one moment.
public struct TimelineEvent: Sendable {
    /// The row, counting from 0 at the top.
    public var row: Int
    /// What happened; events with the same kind share a colour and a legend entry.
    public var kind: String

    public init(row: Int, kind: String) {
        self.row = row
        self.kind = kind
    }
}

extension SVGChart {
    /// A timeline: one column per event in the order they happened, one row per layer, each event
    /// a coloured cell. Below it, an optional line of a quantity sampled at every event (the
    /// memory held), on its own axis. Made for showing what a training step does when: which
    /// layers run forward, which are recomputed, and when each one's gradient arrives.
    ///
    /// - Parameters:
    ///   - rows: the row labels, top to bottom.
    ///   - events: in order; each becomes one column.
    ///   - series: a value per event (nil: no line), named `seriesName` on its axis.
    ///   - phases: labelled spans of columns, drawn as brackets above the grid (`("forward", 0..<8)`).
    public static func timeline(rows: [String], events: [TimelineEvent], title: String = "",
                                series: [Double]? = nil, seriesName: String = "",
                                phases: [(label: String, columns: Range<Int>)] = [],
                                width: Double = 820) -> String {
        let kinds = events.reduce(into: [String]()) { if !$0.contains($1.kind) { $0.append($1.kind) } }
        let labelWidth = (rows.map { Double($0.count) }.max() ?? 4) * 7.2 + 16
        let left = 20 + labelWidth, right = 20.0
        let top = (title.isEmpty ? 16.0 : 48) + (phases.isEmpty ? 0 : 26)
        let cellHeight = 22.0
        let gridHeight = Double(rows.count) * cellHeight
        let chartHeight = series == nil ? 0.0 : 110
        let legendTop = top + gridHeight + (series == nil ? 16 : chartHeight + 40)
        let height = legendTop + Double(kinds.count) * 18 + 12
        let cellWidth = (width - left - right) / Double(max(events.count, 1))
        let n = SVGWriter.number

        var svg = SVGWriter(width: width, height: height)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        if !title.isEmpty {
            svg.text(title, [("x", n(width / 2)), ("y", "30"), ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "bold")])
        }
        for phase in phases {
            let a = left + Double(phase.columns.lowerBound) * cellWidth, b = left + Double(phase.columns.upperBound) * cellWidth
            svg.element("path", [("d", "M\(n(a + 1)),\(n(top - 6)) L\(n(a + 1)),\(n(top - 12)) L\(n(b - 1)),\(n(top - 12)) L\(n(b - 1)),\(n(top - 6))"),
                                 ("fill", "none"), ("stroke", "#666666")])
            svg.text(phase.label, [("x", n((a + b) / 2)), ("y", n(top - 16)), ("text-anchor", "middle"), ("font-size", "12")])
        }
        svg.open("g", [("font-size", "12"), ("fill", "#333333")])
        for (r, label) in rows.enumerated() {
            svg.text(label, [("x", n(left - 8)), ("y", n(top + (Double(r) + 0.5) * cellHeight)), ("dy", "0.35em"), ("text-anchor", "end")])
        }
        svg.close("g")
        svg.open("g", [("stroke", "#eeeeee")])
        for r in 0...rows.count {
            svg.element("line", [("x1", n(left)), ("x2", n(width - right)), ("y1", n(top + Double(r) * cellHeight)),
                                 ("y2", n(top + Double(r) * cellHeight))])
        }
        svg.close("g")
        for (c, event) in events.enumerated() where rows.indices.contains(event.row) {
            let color = palette[(kinds.firstIndex(of: event.kind) ?? 0) % palette.count]
            svg.element("rect", [("x", n(left + Double(c) * cellWidth + 1)), ("y", n(top + Double(event.row) * cellHeight + 2)),
                                 ("width", n(max(cellWidth - 2, 1))), ("height", n(cellHeight - 4)), ("rx", "2"), ("fill", color)])
        }
        if let series, !series.isEmpty {
            let axis = ChartAxis.fitting(series + [0], scale: .linear, targetTicks: 3)
            let c0 = top + gridHeight + 24, c1 = c0 + chartHeight
            func py(_ v: Double) -> Double { c1 - (axis.position(v) ?? 0) * (c1 - c0) }
            svg.open("g", [("font-size", "11"), ("fill", "#333333")])
            for v in axis.ticks {
                svg.element("line", [("x1", n(left)), ("x2", n(width - right)), ("y1", n(py(v))), ("y2", n(py(v))), ("stroke", "#e4e4e4")])
                svg.text(axis.label(v), [("x", n(left - 8)), ("y", n(py(v))), ("dy", "0.35em"), ("text-anchor", "end")])
            }
            svg.close("g")
            let points = series.enumerated().flatMap { c, v -> [String] in
                let xa = left + Double(c) * cellWidth, xb = xa + cellWidth
                return ["\(n(xa)),\(n(py(v)))", "\(n(xb)),\(n(py(v)))"]
            }
            svg.element("polyline", [("points", points.joined(separator: " ")), ("fill", "none"), ("stroke", "#222222"), ("stroke-width", "1.8")])
            svg.text(seriesName, [("x", n(left + 4)), ("y", n(c0 - 6)), ("font-size", "12"), ("fill", "#222222")])
        }
        for (k, kind) in kinds.enumerated() {
            let y = legendTop + Double(k) * 18
            svg.element("rect", [("x", n(left)), ("y", n(y - 6)), ("width", "18"), ("height", "12"), ("rx", "2"), ("fill", palette[k % palette.count])])
            svg.text(kind, [("x", n(left + 26)), ("y", n(y)), ("dy", "0.35em"), ("font-size", "12")])
        }
        return svg.document(title: title.isEmpty ? "Timeline" : title)
    }
}
