import XCTest
@testable import Autograd

/// Printing beyond the parity cases: line wrapping, summaries, deep nesting, suffix wrapping and
/// Python's float repr. The expected text was printed by PyTorch (`Fixtures/printing/generate.py`).
final class TensorPrintingTests: XCTestCase {
    private func expectedBlocks() throws -> (tensors: [String], floats: [String]) {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "printing", withExtension: "out", subdirectory: "Fixtures/printing"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var parts = text.components(separatedBy: "\n====\n")
        let floats = parts.removeLast().split(separator: "\n").map(String.init)
        return (parts, floats)
    }

    func testReprMatchesPyTorchForWrappingSummariesNestingAndSuffixes() throws {
        let (expected, _) = try expectedBlocks()
        let tensors: [Tensor] = [
            Tensor.arange(30).reshape(2, 15) * 1.5,
            Tensor.arange(2500).reshape(50, 50) / 7,
            Tensor.arange(1000),
            Tensor.arange(1001) / 3,
            Tensor.arange(16).reshape(2, 2, 2, 2) - 8,
            Tensor(2.5, dtype: .float64),
            Tensor([[-0.0, 1.5], [2.25, -3.0]]),
            try Tensor.arange(12).requiresGrad_() * 1.001,
            Tensor([123456789.0, 1.0]),
            Tensor([0.5, 1e-5]),
            Tensor([], shape: [0, 3]),
        ]
        XCTAssertEqual(tensors.count, expected.count)
        for (tensor, text) in zip(tensors, expected) {
            let got = normalizedForParity(tensor.description)
            XCTAssertEqual(got, normalizedForParity(text), unifiedDiff(expected: text, actual: got))
        }
    }

    func testPythonReprMatchesPython() throws {
        let (_, expected) = try expectedBlocks()
        let values: [Double] = [47.25, 0.0, 1e-05, 0.0001, 1e16, 9e15, 123456.789, 1.5e-07, 65504.0,
                                6.103515625e-05, -2.5, 1e22, 0.1 + 0.2]
        XCTAssertEqual(values.map(pythonRepr), expected)
    }

    func testNegativeNaNPrintsAsNaN() {
        XCTAssertEqual(Tensor([-Double.nan]).description, "tensor([nan])")
        XCTAssertEqual(pythonRepr(-Double.nan), "nan")
    }
}
