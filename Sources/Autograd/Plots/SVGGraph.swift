import Foundation

/// The computation graph behind a tensor, drawn as an SVG picture, in the manner of micrograd's
/// `draw_dot`: every tensor you name is a box with its value and its gradient, every recorded
/// operation a rounded node with its `grad_fn` name, and arrows run the way the values flowed
/// (inputs on the left, the result on the right). Backward runs the arrows in reverse.
///
/// ```swift
/// let x = Tensor(2.0, requiresGrad: true), y = Tensor(3.0, requiresGrad: true)
/// let z = x * y + x.tanh()
/// try z.backward()
/// let svg = SVGGraph.draw(z, names: ["x": x, "y": y, "z": z])
/// try svg.write(toFile: "graph.svg", atomically: true, encoding: .utf8)
/// ```
///
/// Leaves come from the graph itself (each `AccumulateGrad` node knows its tensor); an
/// intermediate result is shown as a box only when it is named (a node does not keep its output),
/// with its gradient if it called `retainGrad()` before backward.
public enum SVGGraph {
    /// The picture of `root`'s graph. `names` labels tensors; unnamed leaves are called `leaf`.
    public static func draw(_ root: Tensor, names: KeyValuePairs<String, Tensor> = [:], title: String = "") -> String {
        var graph = Layout()
        graph.build(root: root, names: Array(names))
        return graph.render(title: title)
    }

    /// Short text for a tensor's values: one number, up to four, or its shape.
    static func summary(_ t: Tensor?) -> String {
        guard let t else { return "None" }
        let values = t.scalars
        func one(_ v: Double) -> String {
            if v == 0 { return "0" }
            return String(format: "%.4g", v)
        }
        if t.rank == 0 { return one(values[0]) }
        if values.count <= 4 && t.rank == 1 { return "[" + values.map(one).joined(separator: ", ") + "]" }
        if values.count <= 4 { return TensorFormatter.pythonTuple(t.shape) + " [" + values.map(one).joined(separator: ", ") + "]" }
        return "shape " + TensorFormatter.pythonTuple(t.shape)
    }

    /// One box of the picture: a tensor (name, data, grad) or an operation; or an invisible
    /// waypoint that carries an arrow spanning several columns past the boxes in between.
    struct Item {
        enum Kind { case tensor, operation, waypoint }
        let kind: Kind
        var lines: [String]
        var column = 0
        var row = 0.0
        var width: Double { kind == .waypoint ? 0 : Double(lines.map(\.count).max() ?? 1) * 7.2 + 22 }
        var height: Double { kind == .tensor ? Double(lines.count) * 17 + 8 : (kind == .waypoint ? 0 : 30) }
    }

    struct Layout {
        var items: [Item] = []
        var edges: [(from: Int, to: Int)] = []

        mutating func build(root: Tensor, names: [(String, Tensor)]) {
            func name(of t: Tensor) -> String? { names.first { $0.1 === t }?.0 }
            func tensorItem(_ label: String, _ t: Tensor) -> Int {
                items.append(Item(kind: .tensor, lines: [label, "data " + SVGGraph.summary(t), "grad " + SVGGraph.summary(t.grad)]))
                return items.count - 1
            }
            // Named intermediates, found by their node.
            var namedOutputs: [ObjectIdentifier: (String, Tensor)] = [:]
            for (label, t) in names { if let fn = t.gradFn { namedOutputs[ObjectIdentifier(fn)] = (label, t) } }
            var output: [ObjectIdentifier: Int] = [:]   // node → the item standing for its output
            var operation: [ObjectIdentifier: Int] = [:]
            var visiting: [Node] = []

            // The item a node's output is drawn as, creating it (and everything before it) on first use.
            func itemFor(_ node: Node) -> Int {
                let id = ObjectIdentifier(node)
                if let done = output[id] { return done }
                if let leaf = node.variable {
                    let index = tensorItem(name(of: leaf) ?? "leaf", leaf)
                    output[id] = index
                    return index
                }
                items.append(Item(kind: .operation, lines: [node.name]))
                let op = items.count - 1
                operation[id] = op
                var result = op
                if let (label, t) = namedOutputs[id] {
                    result = tensorItem(label, t)
                    edges.append((op, result))
                }
                output[id] = result
                visiting.append(node)
                for next in node.nextFunctions.compactMap({ $0 }) {
                    edges.append((itemFor(next), op))
                }
                visiting.removeLast()
                return result
            }
            if let fn = root.gradFn {
                let last = itemFor(fn)
                if items[last].kind == .operation {
                    let box = tensorItem(name(of: root) ?? "output", root)
                    edges.append((last, box))
                }
            } else {
                _ = tensorItem(name(of: root) ?? "output", root)
            }
            place()
        }

        /// Columns by longest path to the result; rows ordered by the rows of what they feed.
        mutating func place() {
            var depth = [Int](repeating: 0, count: items.count)
            var changed = true
            while changed {
                changed = false
                for e in edges where depth[e.from] < depth[e.to] + 1 {
                    depth[e.from] = depth[e.to] + 1
                    changed = true
                }
            }
            let maxDepth = depth.max() ?? 0
            for i in items.indices { items[i].column = maxDepth - depth[i] }
            // An arrow that skips columns goes through a waypoint in each, so that rows are found
            // for it too and it runs between boxes instead of through them.
            var split: [(from: Int, to: Int)] = []
            for e in edges {
                var from = e.from
                for column in (items[e.from].column + 1)..<max(items[e.to].column, items[e.from].column + 1) {
                    var waypoint = Item(kind: .waypoint, lines: [])
                    waypoint.column = column
                    items.append(waypoint)
                    split.append((from, items.count - 1))
                    from = items.count - 1
                }
                split.append((from, e.to))
            }
            edges = split
            // Right to left: each column sorted by the mean row of its successors.
            for column in stride(from: maxDepth, through: 0, by: -1) {
                let members = items.indices.filter { items[$0].column == column }
                var keyed: [(Int, Double)] = []
                for i in members {
                    let targets: [Double] = edges.filter { $0.from == i }.map { items[$0.to].row }
                    let mean: Double = targets.isEmpty ? 0 : targets.reduce(0, +) / Double(targets.count)
                    keyed.append((i, mean))
                }
                keyed.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
                let center = (Double(keyed.count) - 1) / 2
                for (rank, (i, wanted)) in keyed.enumerated() {
                    items[i].row = column == maxDepth ? Double(rank) - center : wanted
                }
                // Spread items that landed on the same row.
                let ordered = members.sorted { items[$0].row < items[$1].row }
                for k in ordered.indices.dropFirst() where items[ordered[k]].row < items[ordered[k - 1]].row + 1 {
                    items[ordered[k]].row = items[ordered[k - 1]].row + 1
                }
            }
        }

        func render(title: String) -> String {
            let columns = (items.map(\.column).max() ?? 0) + 1
            let columnWidth = (0..<columns).map { c in items.filter { $0.column == c }.map(\.width).max() ?? 0 }
            let gap = 46.0, rowHeight = 84.0, margin = 20.0
            let minRow = items.map(\.row).min() ?? 0, maxRow = items.map(\.row).max() ?? 0
            let top = title.isEmpty ? margin : margin + 30
            var x = [Double](repeating: margin, count: columns)
            for c in 1..<max(columns, 1) { x[c] = x[c - 1] + columnWidth[c - 1] + gap }
            let width = (x.last ?? margin) + (columnWidth.last ?? 0) + margin
            let height = top + (maxRow - minRow) * rowHeight + 60 + margin
            func center(_ item: Item) -> (Double, Double) {
                (x[item.column] + columnWidth[item.column] / 2, top + 30 + (item.row - minRow) * rowHeight)
            }
            let n = SVGWriter.number
            var svg = SVGWriter(width: width, height: height)
            svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
            svg.open("defs")
            svg.open("marker", [("id", "arrow"), ("viewBox", "0 0 10 10"), ("refX", "9"), ("refY", "5"),
                                ("markerWidth", "7"), ("markerHeight", "7"), ("orient", "auto")])
            svg.element("path", [("d", "M0,0 L10,5 L0,10 z"), ("fill", "#555555")])
            svg.close("marker")
            svg.close("defs")
            if !title.isEmpty {
                svg.text(title, [("x", n(width / 2)), ("y", "28"), ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "bold")])
            }
            svg.open("g", [("fill", "none"), ("stroke", "#555555"), ("stroke-width", "1.4")])
            for e in edges {
                let a = items[e.from], b = items[e.to]
                let (ax, ay) = center(a), (bx, by) = center(b)
                let sx = ax + a.width / 2, tx = bx - b.width / 2 - (b.kind == .waypoint ? 0 : 2)
                let bend = (tx - sx) / 2
                var attributes = [("d", "M\(n(sx)),\(n(ay)) C\(n(sx + bend)),\(n(ay)) \(n(tx - bend)),\(n(by)) \(n(tx)),\(n(by))")]
                if b.kind != .waypoint { attributes.append(("marker-end", "url(#arrow)")) }
                svg.element("path", attributes)
            }
            svg.close("g")
            for item in items where item.kind != .waypoint {
                let (cx, cy) = center(item)
                let w = item.width, h = item.height
                switch item.kind {
                case .operation:
                    svg.element("rect", [("x", n(cx - w / 2)), ("y", n(cy - h / 2)), ("width", n(w)), ("height", n(h)),
                                         ("rx", "15"), ("fill", "#fdf0e0"), ("stroke", "#D55E00"), ("stroke-width", "1.4")])
                    svg.text(item.lines[0], [("x", n(cx)), ("y", n(cy + 4.5)), ("text-anchor", "middle"), ("font-size", "12"),
                                             ("font-family", "DejaVu Sans Mono, Menlo, monospace")])
                case .waypoint:
                    break
                case .tensor:
                    let y0 = cy - h / 2
                    svg.element("rect", [("x", n(cx - w / 2)), ("y", n(y0)), ("width", n(w)), ("height", n(h)), ("rx", "3"),
                                         ("fill", "#e8f1f8"), ("stroke", "#0072B2"), ("stroke-width", "1.4")])
                    for (k, line) in item.lines.enumerated() {
                        if k > 0 {
                            svg.element("line", [("x1", n(cx - w / 2)), ("x2", n(cx + w / 2)), ("y1", n(y0 + 4 + Double(k) * 17)),
                                                 ("y2", n(y0 + 4 + Double(k) * 17)), ("stroke", "#9cc3de"), ("stroke-width", "1")])
                        }
                        var attributes: [(String, String)] = [("x", n(cx)), ("y", n(y0 + 17 + Double(k) * 17)), ("text-anchor", "middle"),
                                                              ("font-size", "12"), ("font-family", "DejaVu Sans Mono, Menlo, monospace")]
                        if k == 0 { attributes.append(("font-weight", "bold")) }
                        if k == 2 { attributes.append(("fill", "#D55E00")) }
                        svg.text(line, attributes)
                    }
                }
            }
            return svg.document(title: title.isEmpty ? "Computation graph" : title)
        }
    }
}
