import XCTest
@testable import Autograd

final class ReductionKernelTests: XCTestCase {
    /// Row sums, column sums and a middle-dimension sum all add in row-major order in Double, then round once.
    func testSumsAlongAnyDimensionAddInRowMajorOrderInDouble() {
        manualSeed(21)
        let x = Tensor.randn([3, 37, 53])
        let v = x.scalars
        func expected(_ keep: (Int, Int, Int) -> Int, count: Int) -> [Double] {
            var acc = [Double](repeating: 0, count: count)
            for a in 0..<3 { for b in 0..<37 { for c in 0..<53 { acc[keep(a, b, c)] += v[(a * 37 + b) * 53 + c] } } }
            return acc.map { Double(Float($0)) }
        }
        XCTAssertEqual(try x.sum(dim: 2).scalars, expected({ a, b, _ in a * 37 + b }, count: 111))   // trailing
        XCTAssertEqual(try x.sum(dim: 0).scalars, expected({ _, b, c in b * 53 + c }, count: 1961))  // leading
        XCTAssertEqual(try x.sum(dim: 1).scalars, expected({ a, _, c in a * 53 + c }, count: 159))   // middle
    }

    /// The 2-norm of a long vector sums squares in Double (in blocks and lanes), then rounds once.
    func testNormOfALongVectorIsTheSquareRootOfTheSumOfSquaresInDouble() {
        manualSeed(22)
        let x = Tensor.randn([100_003])
        let exact = x.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(try x.norm().item(), Double(Float(exact)), accuracy: Double(Float(exact).ulp))
    }

    /// `mul_` and `add_` by a number do one operation per element, as PyTorch 2.15 does:
    /// `-0.0 * 1` stays `-0.0` while `-0.0 + 0` is `0.0` (recorded with torch).
    func testInPlaceMulAndAddByANumberKeepTheSignOfZeroAsPyTorch() throws {
        for dtype in [DType.float32, .float64] {
            let x = Tensor([-0.0, 1.5, -2.0], dtype: dtype), y = Tensor([-0.0, 1.5, -2.0], dtype: dtype)
            try noGrad { try x.mul_(1.0); try y.add_(0.0) }
            XCTAssertEqual(x.scalars.map(\.sign), [.minus, .plus, .minus], "\(dtype)")
            XCTAssertEqual(y.scalars.map(\.sign), [.plus, .plus, .minus], "\(dtype)")
            XCTAssertEqual(x.scalars, [0, 1.5, -2]); XCTAssertEqual(y.scalars, [0, 1.5, -2])
        }
    }
}
