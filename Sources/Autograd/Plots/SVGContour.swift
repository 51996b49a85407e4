import Foundation

extension SVGChart {
    /// A contour map of a function of two parameters, with paths drawn over it: a loss surface
    /// seen from above, and the steps an optimizer took on it.
    ///
    /// The level curves are traced by marching squares on a `resolution`×`resolution` grid; with
    /// no `levels` given, they are spaced geometrically above the minimum, so the floor of a steep valley
    /// shows as clearly as its walls. Each path is a series of (x, y) points, drawn with a marker
    /// at every point (up to 60 points), the first path on top, and its name in the legend. The ranges
    /// are widened to round tick values.
    ///
    /// - Parameters:
    ///   - f: the function, e.g. the loss at parameters (x, y).
    ///   - x, y: the ranges shown.
    ///   - levels: the values to draw level curves at (nil: 14 levels, from 10⁻⁴ of the range above the
    ///     minimum up to the maximum, each a constant factor above the last).
    ///   - paths: optimizer trajectories, coloured from `palette` in order.
    public static func contour(_ f: (Double, Double) throws -> Double, x: ClosedRange<Double>, y: ClosedRange<Double>,
                               levels: [Double]? = nil, paths: [ChartSeries] = [], title: String = "",
                               xLabel: String = "", yLabel: String = "", resolution: Int = 96,
                               width: Double = 640, height: Double = 560) rethrows -> String {
        let xAxis = ChartAxis.fitting([x.lowerBound, x.upperBound], scale: .linear, targetTicks: 6)
        let yAxis = ChartAxis.fitting([y.lowerBound, y.upperBound], scale: .linear, targetTicks: 6)
        let m = max(resolution, 8)
        func gx(_ i: Int) -> Double { xAxis.lower + (xAxis.upper - xAxis.lower) * Double(i) / Double(m) }
        func gy(_ j: Int) -> Double { yAxis.lower + (yAxis.upper - yAxis.lower) * Double(j) / Double(m) }
        let grid = try (0...m).map { j in try (0...m).map { i in try f(gx(i), gy(j)) } }
        let finite = grid.flatMap { $0 }.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        let chosen = levels ?? (0..<14).map { k -> Double in
            // Geometric above the minimum, from 10⁻⁴ of the range to all of it: dense near the floor.
            low + (high - low) * Foundation.pow(10, -4 + 4 * Double(k) / 13)
        }

        let left = (yLabel.isEmpty ? 20.0 : 44) + 36, right = paths.isEmpty ? 24.0 : 24
        let top = title.isEmpty ? 20.0 : 50
        let legendHeight = paths.isEmpty ? 0 : Double(paths.count) * 18 + 8
        let bottom = (xLabel.isEmpty ? 36.0 : 58) + legendHeight
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        func px(_ v: Double) -> Double { x0 + (v - xAxis.lower) / (xAxis.upper - xAxis.lower) * (x1 - x0) }
        func py(_ v: Double) -> Double { y1 - (v - yAxis.lower) / (yAxis.upper - yAxis.lower) * (y1 - y0) }
        let n = SVGWriter.number

        var svg = SVGWriter(width: width, height: height)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        svg.open("defs")
        svg.open("clipPath", [("id", "contour-area")])
        svg.element("rect", [("x", n(x0)), ("y", n(y0)), ("width", n(x1 - x0)), ("height", n(y1 - y0))])
        svg.close("clipPath")
        svg.close("defs")
        svg.element("rect", [("x", n(x0)), ("y", n(y0)), ("width", n(x1 - x0)), ("height", n(y1 - y0)), ("fill", "#fcfcfc")])

        // Level curves, darker for lower values.
        svg.open("g", [("clip-path", "url(#contour-area)"), ("fill", "none"), ("stroke-width", "1.2")])
        for (k, level) in chosen.enumerated() {
            let shade = chosen.count > 1 ? Double(k) / Double(chosen.count - 1) : 0
            let color = SVGChart.colourFor(0.05 + 0.85 * shade)
            var d = ""
            for j in 0..<m {
                for i in 0..<m {
                    for (a, b) in marchingSegments(grid[j][i], grid[j][i + 1], grid[j + 1][i + 1], grid[j + 1][i], level) {
                        let pa = (gx(i) + a.0 * (gx(i + 1) - gx(i)), gy(j) + a.1 * (gy(j + 1) - gy(j)))
                        let pb = (gx(i) + b.0 * (gx(i + 1) - gx(i)), gy(j) + b.1 * (gy(j + 1) - gy(j)))
                        d += "M\(n(px(pa.0))),\(n(py(pa.1)))L\(n(px(pb.0))),\(n(py(pb.1)))"
                    }
                }
            }
            if !d.isEmpty { svg.element("path", [("d", d), ("stroke", color)]) }
        }
        svg.close("g")

        // Paths with a marker at every step, a ring at the start.
        svg.open("g", [("clip-path", "url(#contour-area)")])
        for (k, path) in paths.enumerated().reversed() {
            let color = palette[k % palette.count]
            let points = zip(path.x, path.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (px($0.0), py($0.1)) }
            guard let first = points.first else { continue }
            svg.element("polyline", [("points", points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")),
                                     ("fill", "none"), ("stroke", color), ("stroke-width", "2"), ("stroke-linejoin", "round")])
            for p in points.dropFirst() where points.count <= 60 {
                svg.element("circle", [("cx", n(p.0)), ("cy", n(p.1)), ("r", "2.8"), ("fill", color)])
            }
            svg.element("circle", [("cx", n(first.0)), ("cy", n(first.1)), ("r", "5"), ("fill", "#ffffff"),
                                   ("stroke", color), ("stroke-width", "2")])
        }
        svg.close("g")

        // Frame, ticks, labels.
        svg.element("rect", [("x", n(x0)), ("y", n(y0)), ("width", n(x1 - x0)), ("height", n(y1 - y0)),
                             ("fill", "none"), ("stroke", "#444444")])
        svg.open("g", [("font-size", "12"), ("fill", "#333333")])
        for v in xAxis.ticks {
            svg.element("line", [("x1", n(px(v))), ("x2", n(px(v))), ("y1", n(y1)), ("y2", n(y1 + 5)), ("stroke", "#444444")])
            svg.text(xAxis.label(v), [("x", n(px(v))), ("y", n(y1 + 19)), ("text-anchor", "middle")])
        }
        for v in yAxis.ticks {
            svg.element("line", [("x1", n(x0 - 5)), ("x2", n(x0)), ("y1", n(py(v))), ("y2", n(py(v))), ("stroke", "#444444")])
            svg.text(yAxis.label(v), [("x", n(x0 - 8)), ("y", n(py(v))), ("dy", "0.35em"), ("text-anchor", "end")])
        }
        svg.close("g")
        if !xLabel.isEmpty {
            svg.text(xLabel, [("x", n((x0 + x1) / 2)), ("y", n(y1 + 44)), ("text-anchor", "middle"), ("font-size", "13")])
        }
        if !yLabel.isEmpty {
            let cx = 18.0, cy = (y0 + y1) / 2
            svg.text(yLabel, [("x", n(cx)), ("y", n(cy)), ("text-anchor", "middle"), ("font-size", "13"),
                              ("transform", "rotate(-90 \(n(cx)) \(n(cy)))")])
        }
        if !title.isEmpty {
            svg.text(title, [("x", n(width / 2)), ("y", "30"), ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "bold")])
        }
        for (k, path) in paths.enumerated() {
            let ly = height - legendHeight + Double(k) * 18 + 4
            svg.element("line", [("x1", n(x0)), ("x2", n(x0 + 22)), ("y1", n(ly)), ("y2", n(ly)),
                                 ("stroke", palette[k % palette.count]), ("stroke-width", "3")])
            svg.text(path.name, [("x", n(x0 + 30)), ("y", n(ly)), ("dy", "0.35em"), ("font-size", "12")])
        }
        return svg.document(title: title.isEmpty ? "Contour map" : title)
    }

    /// The pieces of the level curve `f = level` inside one grid cell whose corners (counter-
    /// clockwise from the lower left) have values `a, b, c, d`; points are in cell units.
    static func marchingSegments(_ a: Double, _ b: Double, _ c: Double, _ d: Double,
                                 _ level: Double) -> [((Double, Double), (Double, Double))] {
        guard a.isFinite, b.isFinite, c.isFinite, d.isFinite else { return [] }
        func t(_ p: Double, _ q: Double) -> Double { p == q ? 0.5 : (level - p) / (q - p) }
        // Crossings on the four edges: bottom (a-b), right (b-c), top (d-c), left (a-d).
        var crossings: [(Double, Double)] = []
        if (a < level) != (b < level) { crossings.append((t(a, b), 0)) }
        if (b < level) != (c < level) { crossings.append((1, t(b, c))) }
        if (d < level) != (c < level) { crossings.append((t(d, c), 1)) }
        if (a < level) != (d < level) { crossings.append((0, t(a, d))) }
        switch crossings.count {
        case 2: return [(crossings[0], crossings[1])]
        case 4:
            // A saddle: pair the crossings by the value at the cell's centre.
            let centre = (a + b + c + d) / 4
            if (centre < level) == (a < level) {
                return [(crossings[0], crossings[1]), (crossings[2], crossings[3])]
            }
            return [(crossings[0], crossings[3]), (crossings[1], crossings[2])]
        default: return []
        }
    }
}
