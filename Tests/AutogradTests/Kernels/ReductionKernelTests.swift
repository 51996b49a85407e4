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
}
