import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Autograd

final class PlotTests: XCTestCase {
    /// A deep sigmoid network trained for a while, watched by a monitor: its early layers'
    /// gradients are orders of magnitude smaller than the last layer's, the picture the
    /// gradient-flow chart is for.
    static func trainDeepSigmoidNetwork(steps: Int = 300) throws -> (losses: [Double], monitor: GradientMonitor) {
        manualSeed(0)
        let model = Sequential(Linear(4, 16), Sigmoid(), Linear(16, 16), Sigmoid(), Linear(16, 16), Sigmoid(),
                               Linear(16, 16), Sigmoid(), Linear(16, 1))
        let x = Tensor.uniform([64, 4], from: -2, to: 2)
        let y = try (x.sum(dim: 1, keepdim: true) * 0.5).sin()
        let optimizer = SGD(model.parameters(), lr: 0.2, momentum: 0.9)
        let monitor = GradientMonitor(module: model)
        var losses: [Double] = []
        for _ in 0..<steps {
            try optimizer.zeroGrad()
            let loss = mseLoss(model(x), y)
            try loss.backward()
            monitor.record()
            try optimizer.step()
            losses.append(try loss.item())
        }
        return (losses, monitor)
    }

    /// Parses `svg` as XML, failing the test with the parser's message if it isn't well-formed.
    func assertWellFormed(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLDocument {
        do {
            let document = try XMLDocument(xmlString: svg, options: [])
            XCTAssertEqual(document.rootElement()?.name, "svg", file: file, line: line)
            return document
        } catch {
            XCTFail("not well-formed XML: \(error)", file: file, line: line)
            throw error
        }
    }

    /// The texts of all `<text>` elements, in document order.
    func texts(_ document: XMLDocument) throws -> [String] {
        try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
    }

    func testLossCurveIsWellFormedWithTitleAxesAndTicks() throws {
        let losses = (0..<30).map { 2.5 * exp(-Double($0) / 6) + 0.1 }
        let svg = SVGChart.lossCurve(losses)
        let document = try assertWellFormed(svg)
        let labels = try texts(document)
        XCTAssertTrue(labels.contains("Training loss"))
        XCTAssertTrue(labels.contains("epoch"))
        XCTAssertTrue(labels.contains("loss"))
        XCTAssertTrue(labels.contains("0.5") && labels.contains("2.5"), "\(labels)")
        XCTAssertTrue(labels.contains("10") && labels.contains("30"), "\(labels)")
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='polyline']").count, 1)
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='circle']").count, 30)
        XCTAssertEqual(try document.nodes(forXPath: "/*[local-name()='svg']/*[local-name()='title']").first?.stringValue, "Training loss")
    }

    func testTextIsEscaped() throws {
        let svg = SVGChart.line([ChartSeries("a<b & \"c\"", [1, 2, 3]), ChartSeries("d'e>", [3, 2, 1])],
                                title: "x < y && z > 'w'", xLabel: "<step>", yLabel: "\u{1}odd")
        let document = try assertWellFormed(svg)
        let labels = try texts(document)
        XCTAssertTrue(labels.contains("x < y && z > 'w'"))
        XCTAssertTrue(labels.contains("a<b & \"c\""))
        XCTAssertTrue(labels.contains("d'e>"))
        XCTAssertTrue(labels.contains("<step>"))
        XCTAssertTrue(labels.contains("odd"))
        XCTAssertFalse(svg.contains("a<b"))
    }

    func testGradientFlowUsesALogAxisAndALinePerParameter() throws {
        let (_, monitor) = try Self.trainDeepSigmoidNetwork(steps: 40)
        let weights = monitor.parameters.map(\.name).filter { $0.hasSuffix("weight") }
        let svg = SVGChart.gradientFlow(monitor, parameters: weights)
        let document = try assertWellFormed(svg)
        let labels = try texts(document)
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='polyline']").count, weights.count)
        for name in weights { XCTAssertTrue(labels.contains(name), "legend lacks \(name)") }
        XCTAssertTrue(labels.contains("gradient norm (log scale)"))
        // Decade ticks: at least two powers of ten are labelled.
        let decades = labels.filter { ["1e-5", "1e-4", "0.001", "0.01", "0.1", "1", "10"].contains($0) }
        XCTAssertGreaterThanOrEqual(decades.count, 2, "\(labels)")
        // At the start the first layer's gradient is orders of magnitude below the last's:
        // each sigmoid on the way back multiplies it by at most 1/4.
        let first = monitor.norms(of: "0.weight")[0], last = monitor.norms(of: "8.weight")[0]
        XCTAssertLessThan(first * 100, last)
    }

    func testGradientHeatmapHasACellPerLayerAndColumnAndAColourBar() throws {
        let a = Tensor([1.0], requiresGrad: true), dead = Tensor([1.0], requiresGrad: true)
        let monitor = GradientMonitor([("a", a), ("dead <layer>", dead)])
        for step in 0..<300 {
            a.grad = Tensor([step == 7 ? .nan : Foundation.pow(10, -Double(step) / 50)])
            dead.grad = Tensor([0.0])
            monitor.record()
        }
        let svg = SVGChart.gradientHeatmap(monitor, maxColumns: 100)
        let document = try assertWellFormed(svg)
        let labels = try texts(document)
        XCTAssertTrue(labels.contains("dead <layer>") && labels.contains("a") && labels.contains("step"))
        XCTAssertTrue(labels.contains("zero") && labels.contains("NaN/inf"))
        XCTAssertTrue(labels.contains("1e-6") && labels.contains("1"), "\(labels)")
        let fills = try document.nodes(forXPath: "//*[local-name()='rect']/@fill").compactMap(\.stringValue)
        XCTAssertEqual(fills.count, 2 * 100 + 2 + 3)      // cells, key swatches, background, frame, colour bar
        XCTAssertEqual(fills.filter { $0 == "#d62728" }.count, 1 + 1)  // the NaN step's column, and its key
        XCTAssertEqual(fills.filter { $0 == "#e6e6e6" }.count, 100 + 1)
        XCTAssertEqual(SVGChart.colourFor(0), "#440154")
        XCTAssertEqual(SVGChart.colourFor(1), "#fde725")
    }

    func testDeadLayerAndNaNLeaveGapsAndSayWhy() throws {
        let svg = SVGChart.line([ChartSeries("dead", [0, 0, 0]), ChartSeries("broken", [.nan, .nan, .nan]),
                                 ChartSeries("ok", [1e-3, .nan, 1e-1])], title: "gaps", yScale: .log)
        let document = try assertWellFormed(svg)
        let labels = try texts(document)
        XCTAssertTrue(labels.contains("dead (all zero)"))
        XCTAssertTrue(labels.contains("broken (not finite)"))
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='polyline']").count, 0)   // the gap splits "ok" into single points
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='circle']").count, 2)
    }

    func testAxisTicksAreRoundNumbers() {
        let linear = ChartAxis.fitting([0.13, 2.61], scale: .linear, targetTicks: 6)
        XCTAssertEqual(linear.ticks, [0, 0.5, 1, 1.5, 2, 2.5, 3])
        XCTAssertEqual(linear.ticks.map(linear.label), ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        let epochs = ChartAxis.fitting([1, 2, 3], scale: .linear, targetTicks: 8)
        XCTAssertEqual(epochs.ticks, [1, 2, 3])
        let log = ChartAxis.fitting([3e-7, 0.0, 42], scale: .log)
        // Nine decades: every other power of ten is labelled, so labels don't crowd.
        XCTAssertEqual(log.ticks.map(log.label), ["1e-8", "1e-6", "1e-4", "0.01", "1", "100"])
        let narrow = ChartAxis.fitting([3e-3, 42], scale: .log)
        XCTAssertEqual(narrow.ticks.map(narrow.label), ["0.001", "0.01", "0.1", "1", "10", "100"])
        XCTAssertEqual(narrow.minorTicks.count, 5 * 8)
        let wide = ChartAxis.fitting([1e-30, 1e10], scale: .log)
        XCTAssertLessThanOrEqual(wide.ticks.count, 9)
        XCTAssertEqual(ChartAxis.fitting([1e6, 3e6], scale: .linear).label(2e6), "2e6")
        XCTAssertEqual([1000, 0.5, 1e-7, 2.5e6].map(ChartAxis.readable), ["1000", "0.5", "1e-7", "2.5e6"])
    }

    func testTerminalLineChartHasAxesTicksAndLabels() {
        let chart = TerminalChart.line([3, 2, 1.5, 1.2, 1.1], title: "Training loss", xLabel: "epoch", yLabel: "loss",
                                       xStart: 1, width: 40, height: 9)
        XCTAssertEqual(chart, """
        Training loss
        loss
        3 ┤●··
          │  ···
          │    ····
          │       ···
        2 ┤         ·●···
          │             ······
          │                  ··●····
          │                        ·····●········
        1 ┼──────────┬─────────┬────────┬─────────●
           1         2         3        4         5
                            epoch
        """)
    }

    func testTerminalLogLineChartAndLegend() {
        let chart = TerminalChart.line([ChartSeries("train", [1, 0.1, 0.01]), ChartSeries("val", [2, 0.5, 0.2])],
                                       title: "Loss", yScale: .log, width: 30, height: 8)
        XCTAssertTrue(chart.hasPrefix("Loss (log scale)\n"))
        XCTAssertTrue(chart.contains("0.01 ┼"), chart)
        XCTAssertTrue(chart.contains("● train   ○ val"))
    }

    func testTerminalBarChartsLinearAndLog() {
        let linear = TerminalChart.bars([("a", 4), ("bb", 2), ("ccc", 0)], title: "Counts", width: 20)
        XCTAssertEqual(linear, """
        Counts
        a   │████████████████████ 4
        bb  │██████████           2
        ccc │                     0
            └────┬────┬────┬────┬
             0    1    2    3    4
        """)
        // Labels that would overlap their neighbours (1e-5, 0.001) are left out.
        let log = TerminalChart.bars([("first", 1e-6), ("last", 1e-2), ("dead", 0)], title: "Norms", scale: .log,
                                     width: 16, notes: ["", "", "dead"])
        XCTAssertEqual(log, """
        Norms (log scale)
        first │                 1e-06
        last  │████████████████ 0.01
        dead  │                 0  dead
              └───┬───┬───┬───┬
               1e-6   1e-4    0.01
        """)
    }

    func testDegenerateInputsDrawWithoutTrapping() throws {
        for scale in [AxisScale.linear, .log] {
            _ = TerminalChart.line([Double](), yScale: scale)
            _ = TerminalChart.line([5], yScale: scale)
            _ = TerminalChart.line([.nan, .infinity], yScale: scale)
            _ = TerminalChart.bars([], scale: scale)
            _ = TerminalChart.bars([("only", 0)], scale: scale)
            _ = try assertWellFormed(SVGChart.line([], title: "", yScale: scale))
            _ = try assertWellFormed(SVGChart.line([ChartSeries("one", [2])], title: "one point", yScale: scale))
        }
        _ = TerminalChart.gradientNorms(GradientMonitor([]))
    }

    func testGradientNormBarsFromAMonitor() throws {
        let (_, monitor) = try Self.trainDeepSigmoidNetwork(steps: 3)
        let chart = TerminalChart.gradientNorms(monitor)
        XCTAssertTrue(chart.hasPrefix("Gradient norms at step 2 (log scale)\n"), chart)
        XCTAssertEqual(chart.split(separator: "\n").count, 1 + monitor.parameters.count + 2)
    }

    /// Writes the README's example charts. They are regenerated only on request
    /// (`GRADLINGS_WRITE_DOC_IMAGES=1 swift test --filter PlotTests`), so ordinary test runs leave
    /// the tree alone; every run still builds them and checks they parse.
    func testDocumentationImages() throws {
        let (losses, monitor) = try Self.trainDeepSigmoidNetwork()
        let weights = monitor.parameters.map(\.name).filter { $0.hasSuffix("weight") }
        let flow = SVGChart.gradientFlow(monitor, title: "Gradient flow in a 5-layer sigmoid network", parameters: weights)
        let loss = SVGChart.lossCurve(losses, title: "Training loss of the same network", xLabel: "step", xStart: 0)
        _ = try assertWellFormed(flow)
        let heatmap = SVGChart.gradientHeatmap(monitor, title: "Gradient norms by layer in the same network")
        _ = try assertWellFormed(loss)
        _ = try assertWellFormed(heatmap)
        guard ProcessInfo.processInfo.environment["GRADLINGS_WRITE_DOC_IMAGES"] == "1" else { return }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let images = root.appendingPathComponent("docs/images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try flow.write(to: images.appendingPathComponent("gradient-flow.svg"), atomically: true, encoding: .utf8)
        try loss.write(to: images.appendingPathComponent("loss-curve.svg"), atomically: true, encoding: .utf8)
        try heatmap.write(to: images.appendingPathComponent("gradient-heatmap.svg"), atomically: true, encoding: .utf8)
    }
}
