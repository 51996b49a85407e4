import XCTest
@testable import Autograd

final class ElementwiseKernelTests: XCTestCase {
    /// A row or a column broadcast against a full operand, on either side, gives each element's
    /// value as the general broadcast does (compared with explicitly expanded operands).
    func testRowAndColumnBroadcastsMatchExpandedOperands() {
        manualSeed(41)
        for dtype in [DType.float32, .float64] {
            for (full, small) in [([5, 7], [7]), ([5, 7], [5, 1]), ([2, 3, 4], [4]), ([2, 3, 4], [2, 3, 1]),
                                  ([2, 3, 4], [1, 1, 4]), ([2, 3, 4], [3, 1])] {
                let a = Tensor.randn(full, dtype: dtype), b = Tensor.randn(small, dtype: dtype) + 2
                let e = b.expand(full)
                for (got, want) in [(a + b, a + e), (a - b, a - e), (b - a, e - a), (a * b, a * e),
                                    (a / b, a / e), (b / a, e / a)] {
                    XCTAssertEqual(got.shape, full)
                    XCTAssertEqual(got.scalars.map(\.bitPattern), want.scalars.map(\.bitPattern), "\(full) \(small) \(dtype)")
                }
            }
        }
    }
}
