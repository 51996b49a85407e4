import Foundation

/// Charts drawn with text, for a terminal or a test log: a line chart (loss per epoch) and a
/// horizontal bar chart (one bar per layer, e.g. gradient norms). Both have axes with labelled
/// ticks and an optional log scale, and return a `String` to print.
///
/// ```text
/// Training loss
/// loss
///  2.5 ┤●
///      │ ·
///    2 ┤  ·
///  ...
///    0 ┼─────────┬─────────┬─────────┬
///      0         10        20        30
///                    epoch
/// ```
public enum TerminalChart {
    /// The marks of successive series at their data points (other columns get `·`).
    static let markers: [Character] = ["●", "○", "▲", "■", "◆", "×", "+", "□"]

    /// A line chart of one or more series.
    ///
    /// - Parameters:
    ///   - series: the lines; their points are joined across the columns between them.
    ///   - title: printed above the chart.
    ///   - xLabel, yLabel: names of the axes (`"epoch"`, `"loss"`).
    ///   - yScale: `.log` for values spanning orders of magnitude.
    ///   - width, height: the plotting area in characters (without labels).
    public static func line(_ series: [ChartSeries], title: String? = nil, xLabel: String = "",
                            yLabel: String = "", yScale: AxisScale = .linear, width: Int = 60,
                            height: Int = 16) -> String {
        let width = Swift.max(width, 10), height = Swift.max(height, 4)
        let xAxis = ChartAxis.fitting(series.flatMap(\.x), scale: .linear, targetTicks: Swift.max(2, width / 8))
        let yAxis = ChartAxis.fitting(series.flatMap(\.y), scale: yScale, targetTicks: Swift.max(3, height / 3))
        // The last row is the x axis itself, so the lowest y tick is labelled on it.
        var grid = Array(repeating: Array(repeating: Character(" "), count: width), count: height)
        grid[height - 1] = Array(repeating: Character("─"), count: width)

        func row(_ position: Double) -> Int { Int(((1 - position) * Double(height - 1)).rounded()) }
        func column(_ position: Double) -> Int { Int((position * Double(width - 1)).rounded()) }

        for (s, line) in series.enumerated() {
            let marker = markers[s % markers.count]
            // Points in axis coordinates, in x order; undrawable values are gaps.
            let points = zip(line.x, line.y).sorted { $0.0 < $1.0 }
                .map { (x: xAxis.position($0.0), y: yAxis.position($0.1)) }
            // Interpolate between neighbouring drawable points, column by column.
            for (a, b) in zip(points, points.dropFirst()) {
                guard let ax = a.x, let ay = a.y, let bx = b.x, let by = b.y else { continue }
                let c0 = column(ax), c1 = column(bx)
                guard c1 > c0 + 1 else { continue }
                var previous = row(ay)
                for c in (c0 + 1)..<c1 {
                    let t = (Double(c) / Double(width - 1) - ax) / (bx - ax)
                    let r = row(ay + t * (by - ay))
                    // Fill a steep drop so the line stays connected.
                    for fill in Swift.min(previous, r)...Swift.max(previous, r) where grid[fill][c] == " " {
                        grid[fill][c] = "·"
                    }
                    previous = r
                }
            }
            for p in points {
                guard let x = p.x, let y = p.y else { continue }
                grid[row(y)][column(x)] = marker
            }
        }

        // Labels of y ticks at their rows.
        var yLabels: [Int: String] = [:]
        for tick in yAxis.ticks { if let p = yAxis.position(tick) { yLabels[row(p)] = yAxis.label(tick) } }
        let labelWidth = yLabels.values.map(\.count).max() ?? 0
        let pad = String(repeating: " ", count: labelWidth)

        var lines: [String] = []
        if let title { lines.append(yScale == .log ? "\(title) (log scale)" : title) }
        if !yLabel.isEmpty { lines.append(yLabel) }
        // Tick labels of the x axis, each centred under its tick unless it would overlap.
        var labelLine = Array(repeating: Character(" "), count: width + 8)
        var nextFree = 0
        for tick in xAxis.ticks {
            guard let p = xAxis.position(tick) else { continue }
            let c = column(p)
            if c > 0 && grid[height - 1][c] == "─" { grid[height - 1][c] = "┬" }
            let text = Array(xAxis.label(tick))
            let start = Swift.max(0, c - (text.count - 1) / 2)
            guard start >= nextFree, start + text.count <= labelLine.count else { continue }
            for (i, ch) in text.enumerated() { labelLine[start + i] = ch }
            nextFree = start + text.count + 1
        }
        for r in 0..<height {
            let rowText = String(grid[r]).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            let isAxis = r == height - 1
            if let label = yLabels[r] {
                lines.append(String(repeating: " ", count: labelWidth - label.count) + label + (isAxis ? " ┼" : " ┤") + rowText)
            } else {
                lines.append(pad + (isAxis ? " └" : " │") + rowText)
            }
        }
        lines.append(pad + "  " + String(labelLine).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        if !xLabel.isEmpty {
            let indent = Swift.max(0, (width - xLabel.count) / 2)
            lines.append(pad + "  " + String(repeating: " ", count: indent) + xLabel)
        }
        if series.count > 1 {
            let legend = series.enumerated().map { "\(markers[$0.offset % markers.count]) \($0.element.name)" }
            lines.append(pad + "  " + legend.joined(separator: "   "))
        }
        return lines.joined(separator: "\n")
    }

    /// A line chart of one series of values, at x = `xStart`, `xStart + 1`, ...: a loss per epoch.
    public static func line(_ values: [Double], title: String? = nil, xLabel: String = "", yLabel: String = "",
                            yScale: AxisScale = .linear, xStart: Double = 0, width: Int = 60, height: Int = 16) -> String {
        line([ChartSeries(yLabel, values, xStart: xStart)], title: title, xLabel: xLabel, yLabel: yLabel,
             yScale: yScale, width: width, height: height)
    }

    /// A horizontal bar chart: one labelled bar per value, the value printed after it, and an axis
    /// with ticks below. Values that can't be drawn (zero or negative on a log scale, NaN, inf)
    /// get no bar, only their value, followed by `notes` for that bar if given.
    ///
    /// - Parameters:
    ///   - bars: the labels and values, drawn top to bottom.
    ///   - scale: `.log` when values span orders of magnitude (gradient norms per layer).
    ///   - width: the length of the longest possible bar in characters.
    ///   - notes: optional text per bar, printed after the value (`"dead"`, `"exploding"`).
    public static func bars(_ bars: [(label: String, value: Double)], title: String? = nil,
                            scale: AxisScale = .linear, width: Int = 40, notes: [String]? = nil) -> String {
        let width = Swift.max(width, 10)
        let axis: ChartAxis
        switch scale {
        case .linear:
            axis = ChartAxis.fitting(bars.map(\.value) + [0], scale: .linear, targetTicks: Swift.max(2, width / 5))
        case .log:
            axis = ChartAxis.fitting(bars.map(\.value), scale: .log, targetTicks: 5)
        }
        let labelWidth = bars.map(\.label.count).max() ?? 0
        let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
        var lines: [String] = []
        if let title { lines.append(scale == .log ? "\(title) (log scale)" : title) }
        for (i, bar) in bars.enumerated() {
            var text = ""
            // The bar starts at the axis's low end (0 on a linear axis of non-negative values).
            let base = axis.position(scale == .linear ? Swift.max(axis.lower, 0) : axis.lower) ?? 0
            if let p = axis.position(bar.value), p > base {
                let cells = (p - base) / (1 - base) * Double(width)
                let full = Int(cells), part = Int(((cells - Double(full)) * 8).rounded())
                text = String(repeating: "█", count: Swift.min(full, width))
                if part > 0 && full < width { text.append(eighths[part - 1]) }
            }
            text += String(repeating: " ", count: Swift.max(0, width - text.count))
            var value = ChartAxis.compact(bar.value)
            if let note = notes?[i], !note.isEmpty { value += "  " + note }
            lines.append(bar.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + " │" + text + " " + value)
        }
        // The axis below the bars.
        var axisLine = Array(repeating: Character("─"), count: width + 1)
        var labelLine = Array(repeating: Character(" "), count: width + 10)
        var nextFree = 0
        let base = axis.position(scale == .linear ? Swift.max(axis.lower, 0) : axis.lower) ?? 0
        for tick in axis.ticks {
            guard let p = axis.position(tick), p >= base - 1e-9 else { continue }
            let c = Int(((p - base) / (1 - base) * Double(width)).rounded())
            axisLine[Swift.min(c, width)] = "┬"
            let label = Array(axis.label(tick))
            let start = Swift.max(0, c - (label.count - 1) / 2)
            guard start >= nextFree, start + label.count <= labelLine.count else { continue }
            for (k, ch) in label.enumerated() { labelLine[start + k] = ch }
            nextFree = start + label.count + 1
        }
        let pad = String(repeating: " ", count: labelWidth)
        lines.append(pad + " └" + String(axisLine.dropFirst()))
        lines.append(pad + "  " + String(labelLine).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        return lines.joined(separator: "\n")
    }

    /// The gradient norm of each watched parameter at the latest recorded step, as bars on a log
    /// scale, with each parameter's flags after its value: where the gradient dies or explodes.
    public static func gradientNorms(_ monitor: GradientMonitor, title: String? = nil, width: Int = 40) -> String {
        let latest = monitor.latest
        let step = latest.first.map { "step \($0.step)" } ?? "nothing recorded"
        return bars(latest.map { ($0.name, $0.norm) }, title: title ?? "Gradient norms at \(step)",
                    scale: .log, width: width, notes: latest.map { $0.flags.map(\.description).joined(separator: ", ") })
    }
}
