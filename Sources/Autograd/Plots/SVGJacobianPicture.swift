import Foundation

extension SVGChart {
    /// A picture of what a Jacobian does to vectors, for a map `f` from the plane to the plane.
    ///
    /// Left, the input plane: a grid around `x`, the direction `v` and the pulled-back `Jᵀu`.
    /// Right, the output plane: the same grid lines after `f` (curves), the pushed-forward `J v`
    /// (tangent to the image of the line through `x` along `v`) and the covector `u`. The dashed
    /// lines are where `⟨u, ·⟩` stays constant to first order: on the right the line across `u`, on
    /// the left the line across `Jᵀu`, which `J` maps onto it. `J v` is computed in forward mode
    /// (`makeDual`), `Jᵀu` in reverse mode (`vjp`), and their values are printed on the arrows.
    ///
    /// - Parameters:
    ///   - f: a function of a 2-element tensor returning a 2-element tensor, in float64.
    ///   - x: the point, `[2]`.
    ///   - v: a direction in the input plane (JVP).
    ///   - u: a direction in the output plane (VJP).
    ///   - spread: half the width of the input grid around `x`.
    public static func jacobianProducts(_ f: (Tensor) throws -> Tensor, at x: Tensor, v: Tensor, u: Tensor,
                                        spread: Double = 0.5, title: String = "",
                                        width: Double = 820, height: Double = 440) throws -> String {
        precondition(x.shape == [2] && v.shape == [2] && u.shape == [2], "jacobianProducts draws maps from the plane to the plane")
        let x64 = x.double().detach(), v64 = v.double().detach(), u64 = u.double().detach()
        let fx = try noGrad { try f(x64) }.scalars
        precondition(fx.count == 2, "jacobianProducts draws maps from the plane to the plane")
        let jv = try dualLevel { unpackDual(try f(try makeDual(x64, v64))).tangent ?? Tensor.zeros([2], dtype: .float64) }.scalars
        let jtu = try vjp(f, x64, v: u64).vjp.scalars
        let xs = x64.scalars, vs = v64.scalars, us = u64.scalars

        // The grid: 5 lines each way through the square of half-width `spread` around x.
        let steps = 24
        let offsets = (0...4).map { -spread + Double($0) * spread / 2 }
        var inputLines: [[(Double, Double)]] = []
        for o in offsets {
            inputLines.append((0...steps).map { k in (xs[0] + o, xs[1] - spread + 2 * spread * Double(k) / Double(steps)) })
            inputLines.append((0...steps).map { k in (xs[0] - spread + 2 * spread * Double(k) / Double(steps), xs[1] + o) })
        }
        let outputLines = try noGrad {
            try inputLines.map { line in try line.map { p -> (Double, Double) in
                let y = try f(Tensor([p.0, p.1], dtype: .float64)).scalars
                return (y[0], y[1])
            } }
        }
        // Arrows are drawn at a quarter of the grid's size for the longest of them.
        let longestIn = max(hypot(vs[0], vs[1]), hypot(jtu[0], jtu[1]), 1e-12)
        let inScale = spread * 0.8 / longestIn
        let outSpan = outputLines.flatMap { $0 }.reduce(0.0) { max($0, abs($1.0 - fx[0]), abs($1.1 - fx[1])) }
        let longestOut = max(hypot(jv[0], jv[1]), hypot(us[0], us[1]), 1e-12)
        let outScale = outSpan * 0.8 / longestOut

        let n = SVGWriter.number
        var svg = SVGWriter(width: width, height: height)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        svg.open("defs")
        for (id, color) in [("blue", palette[0]), ("orange", palette[1])] {
            svg.open("marker", [("id", "head-\(id)"), ("viewBox", "0 0 10 10"), ("refX", "8"), ("refY", "5"),
                                ("markerWidth", "6"), ("markerHeight", "6"), ("orient", "auto")])
            svg.element("path", [("d", "M0,0 L10,5 L0,10 z"), ("fill", color)])
            svg.close("marker")
        }
        svg.close("defs")
        let top = title.isEmpty ? 20.0 : 50
        if !title.isEmpty {
            svg.text(title, [("x", n(width / 2)), ("y", "30"), ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "bold")])
        }
        let panelSize = min((width - 60) / 2, height - top - 70)
        let panels = [(x0: 20.0, caption: "input space: v and Jᵀu", center: (xs[0], xs[1]), half: spread * 1.25),
                      (x0: width - 20 - panelSize, caption: "output space: J v and u", center: (fx[0], fx[1]), half: outSpan * 1.15)]
        func point(_ panel: Int, _ p: (Double, Double)) -> (Double, Double) {
            let box = panels[panel]
            return (box.x0 + panelSize / 2 + (p.0 - box.center.0) / box.half * panelSize / 2,
                    top + panelSize / 2 - (p.1 - box.center.1) / box.half * panelSize / 2)
        }
        for (k, box) in panels.enumerated() {
            svg.element("rect", [("x", n(box.x0)), ("y", n(top)), ("width", n(panelSize)), ("height", n(panelSize)),
                                 ("fill", "#fafafa"), ("stroke", "#bbbbbb")])
            svg.text(box.caption, [("x", n(box.x0 + panelSize / 2)), ("y", n(top + panelSize + 20)), ("text-anchor", "middle"), ("font-size", "13")])
            let lines = k == 0 ? inputLines : outputLines
            svg.open("g", [("fill", "none"), ("stroke", "#c8c8c8"), ("stroke-width", "1")])
            for line in lines {
                svg.element("polyline", [("points", line.map { let q = point(k, $0); return "\(n(q.0)),\(n(q.1))" }.joined(separator: " "))])
            }
            svg.close("g")
        }
        // The map's arrow between the panels.
        let midY = top + panelSize / 2
        svg.element("path", [("d", "M\(n(panels[0].x0 + panelSize + 6)),\(n(midY)) L\(n(panels[1].x0 - 6)),\(n(midY))"),
                             ("stroke", "#888888"), ("stroke-width", "1.5"), ("fill", "none")])
        svg.text("f", [("x", n((panels[0].x0 + panelSize + panels[1].x0) / 2)), ("y", n(midY - 6)), ("text-anchor", "middle"),
                       ("font-size", "14"), ("font-style", "italic")])

        func arrow(_ panel: Int, from p: (Double, Double), _ d: [Double], scale: Double, color: String, id: String, label: String) {
            let a = point(panel, p), b = point(panel, (p.0 + d[0] * scale, p.1 + d[1] * scale))
            svg.element("line", [("x1", n(a.0)), ("y1", n(a.1)), ("x2", n(b.0)), ("y2", n(b.1)), ("stroke", color),
                                 ("stroke-width", "2.5"), ("marker-end", "url(#head-\(id))")])
            // The label just past the tip, kept inside the panel: above the tip when it would run out.
            let dx = b.0 - a.0, dy = b.1 - a.1, length = max(hypot(dx, dy), 1e-9)
            let room = panels[panel].x0 + panelSize - b.0
            let fits = dx < 0 || room > Double(label.count) * 7.2 + 14
            svg.text(label, [("x", n(fits ? b.0 + dx / length * 10 : min(b.0, panels[panel].x0 + panelSize - 4))),
                             ("y", n(fits ? b.1 + dy / length * 10 + 4 : b.1 - 12)),
                             ("text-anchor", dx < 0 || !fits ? "end" : "start"), ("font-size", "12"), ("fill", color)])
        }
        func dashedAcross(_ panel: Int, at p: (Double, Double), normal d: [Double], half: Double, color: String) {
            let length = max(hypot(d[0], d[1]), 1e-12)
            let t = (-d[1] / length * half, d[0] / length * half)
            let a = point(panel, (p.0 - t.0, p.1 - t.1)), b = point(panel, (p.0 + t.0, p.1 + t.1))
            svg.element("line", [("x1", n(a.0)), ("y1", n(a.1)), ("x2", n(b.0)), ("y2", n(b.1)), ("stroke", color),
                                 ("stroke-width", "1.5"), ("stroke-dasharray", "5 4")])
        }
        func pair(_ d: [Double]) -> String { "(" + d.map { String(format: "%.3g", $0) }.joined(separator: ", ") + ")" }
        dashedAcross(1, at: (fx[0], fx[1]), normal: us, half: outSpan * 0.9, color: palette[1])
        dashedAcross(0, at: (xs[0], xs[1]), normal: jtu, half: spread * 0.9, color: palette[1])
        arrow(0, from: (xs[0], xs[1]), vs, scale: inScale, color: palette[0], id: "blue", label: "v = " + pair(vs))
        arrow(1, from: (fx[0], fx[1]), jv, scale: outScale, color: palette[0], id: "blue", label: "J v = " + pair(jv))
        arrow(1, from: (fx[0], fx[1]), us, scale: outScale, color: palette[1], id: "orange", label: "u = " + pair(us))
        arrow(0, from: (xs[0], xs[1]), jtu, scale: inScale, color: palette[1], id: "orange", label: "Jᵀu = " + pair(jtu))
        for (k, p) in [(0, (xs[0], xs[1])), (1, (fx[0], fx[1]))] {
            let q = point(k, p)
            svg.element("circle", [("cx", n(q.0)), ("cy", n(q.1)), ("r", "4"), ("fill", "#000000")])
        }
        let legendY = top + panelSize + 46
        svg.text("blue: JVP, forward mode pushes an input direction v forward to J v (one forward pass per v)",
                 [("x", "20"), ("y", n(legendY)), ("font-size", "12"), ("fill", palette[0])])
        svg.text("orange: VJP, reverse mode pulls an output covector u back to Jᵀu (one backward pass per u)",
                 [("x", "20"), ("y", n(legendY + 18)), ("font-size", "12"), ("fill", palette[1])])
        return svg.document(title: title.isEmpty ? "Jacobian-vector and vector-Jacobian products" : title)
    }
}
