import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Autograd

/// The course's pictures: a tensor's graph, the JVP/VJP picture, contour maps and timelines are
/// well-formed SVG showing the numbers they were drawn from.
final class FigureTests: XCTestCase {
    private func texts(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let document = try XMLDocument(xmlString: svg, options: [])
        XCTAssertEqual(document.rootElement()?.name, "svg", file: file, line: line)
        return try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
    }

    func testGraphShowsEveryNodeNamedTensorsValuesAndGradients() throws {
        let x = Tensor(2.0, requiresGrad: true), y = Tensor(-3.0, requiresGrad: true)
        let xy = x * y
        xy.retainGrad()
        let z = xy + x.tanh()
        try z.backward()
        let labels = try texts(SVGGraph.draw(z, names: ["x": x, "y": y, "x·y": xy, "z": z], title: "graph"))
        for expected in ["graph", "MulBackward0", "TanhBackward0", "AddBackward0", "x", "y", "x·y", "z",
                         "data 2", "data -3", "grad 2", "grad -2.929", "data -6", "grad 1", "data -5.036"] {
            XCTAssertTrue(labels.contains(expected), "\(expected) missing from \(labels)")
        }
        // x feeds two operations: one box for x, two arrows out of it.
        XCTAssertEqual(labels.filter { $0 == "x" }.count, 1)
    }

    func testGraphOfATensorWithoutHistoryIsOneBox() throws {
        let labels = try texts(SVGGraph.draw(Tensor([1.0, 2.0]), names: ["a": Tensor([0.0])]))
        XCTAssertEqual(labels, ["output", "data [1, 2]", "grad None"])
    }

    func testJacobianPictureLabelsTheProductsItComputed() throws {
        let f: (Tensor) throws -> Tensor = { p in try Tensor.stack([p[0] * p[0] - p[1], p[0] * p[1]]) }
        let svg = try SVGChart.jacobianProducts(f, at: Tensor([1.0, 0.5]), v: Tensor([1.0, 0.0]), u: Tensor([0.0, 1.0]))
        let labels = try texts(svg)
        XCTAssertTrue(labels.contains("J v = (2, 0.5)"), "\(labels)")
        XCTAssertTrue(labels.contains("Jᵀu = (0.5, 1)"), "\(labels)")
        XCTAssertTrue(labels.contains("v = (1, 0)") && labels.contains("u = (0, 1)"), "\(labels)")
    }

    func testMarchingSquaresFindsALevelCurveCrossingACell() {
        // f = x + y on the unit cell: the level 1 runs from (1, 0) to (0, 1).
        let segments = SVGChart.marchingSegments(0, 1, 2, 1, 1)
        XCTAssertEqual(segments.count, 1)
        let points = [segments[0].0, segments[0].1].map { [$0.0, $0.1] }.sorted { $0[0] < $1[0] }
        XCTAssertEqual(points, [[0, 1], [1, 0]])
        XCTAssertTrue(SVGChart.marchingSegments(0, 0, 0, 0, 1).isEmpty)
        XCTAssertEqual(SVGChart.marchingSegments(2, 0, 2, 0, 1).count, 2, "a saddle has two pieces")
    }

    func testContourOfABowlDrawsClosedLevelsAndThePath() throws {
        let path = ChartSeries("descent", x: [1, 0.5, 0.25], y: [1, 0.5, 0.25])
        let svg = SVGChart.contour({ $0 * $0 + $1 * $1 }, x: -1...1, y: -1...1, levels: [0.25, 0.5], paths: [path],
                                   title: "bowl", xLabel: "a", yLabel: "b", resolution: 40)
        let labels = try texts(svg)
        XCTAssertTrue(labels.contains("bowl") && labels.contains("descent") && labels.contains("a"), "\(labels)")
        let document = try XMLDocument(xmlString: svg, options: [])
        let curves = try document.nodes(forXPath: "//*[local-name()='path']")
        XCTAssertEqual(curves.count, 2, "one path element per level")
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='polyline']").count, 1)
    }

    func testTimelineHasACellPerEventAndALegendPerKind() throws {
        let events = [TimelineEvent(row: 0, kind: "forward"), TimelineEvent(row: 1, kind: "forward"),
                      TimelineEvent(row: 1, kind: "backward"), TimelineEvent(row: 0, kind: "backward")]
        let svg = SVGChart.timeline(rows: ["one", "two"], events: events, title: "t", series: [1, 2, 1, 0],
                                    seriesName: "memory", phases: [("fwd", 0..<2), ("bwd", 2..<4)])
        let labels = try texts(svg)
        for expected in ["t", "one", "two", "forward", "backward", "memory", "fwd", "bwd"] {
            XCTAssertTrue(labels.contains(expected), "\(expected) missing from \(labels)")
        }
        let document = try XMLDocument(xmlString: svg, options: [])
        let cells = try document.nodes(forXPath: "//*[local-name()='rect'][@rx='2']")
        XCTAssertEqual(cells.count, events.count + 2, "a cell per event and a swatch per kind")
    }
}
