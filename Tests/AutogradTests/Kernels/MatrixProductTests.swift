import XCTest
@testable import Autograd

final class MatrixProductTests: XCTestCase {
    private func reference(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, ta: Bool, tb: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            c[i * n + j] += Double(ta ? a[p * m + i] : a[i * k + p]) * Double(tb ? b[j * k + p] : b[p * n + j])
        } } }
        return c
    }

    func testKernelMatchesFloat64ReferenceForEveryTransposeAndEdgeSize() {
        manualSeed(3)
        // Sizes straddle the 6x16 tile and the 256-deep block, and cross the threading threshold.
        for (m, k, n) in [(7, 5, 13), (37, 300, 41), (130, 260, 70), (200, 300, 100)] {
            let a = Tensor.randn([m * k]).scalars.map(Float.init), b = Tensor.randn([k * n]).scalars.map(Float.init)
            for ta in [false, true] { for tb in [false, true] {
                let c = MatrixProduct.multiply(a, b, m: m, k: k, n: n, transposeA: ta, transposeB: tb)
                let r = reference(a, b, m: m, k: k, n: n, ta: ta, tb: tb)
                let worst = zip(c, r).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "m=\(m) k=\(k) n=\(n) ta=\(ta) tb=\(tb)")
            } }
        }
    }

    func testProductIsBitForBitReproducible() {
        manualSeed(4)
        let a = Tensor.randn([256, 512]), b = Tensor.randn([512, 256])
        let first = a.matmul(b).scalars
        for _ in 0..<3 { XCTAssertEqual(a.matmul(b).scalars, first) }
    }

    func testLinearLayerGradientsThroughKernelMatchFiniteDifferences() throws {
        manualSeed(5)
        let x = Tensor.randn([9, 20], dtype: .float64, requiresGrad: true)
        let w = Tensor.randn([20, 17], dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try gradcheck({ try $0[0].matmul($0[1]).sin().sum(dim: 0) }, inputs: [x, w]))
        // float32 gradients through the packed kernel agree with float64 ones.
        let x32 = try x.detach().float().requiresGrad_(), w32 = try w.detach().float().requiresGrad_()
        try (x32.matmul(w32) ** 2).sum().backward()
        try (x.matmul(w) ** 2).sum().backward()
        for (g32, g64) in [(x32.grad!, x.grad!), (w32.grad!, w.grad!)] {
            let worst = zip(g32.scalars, g64.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4)
        }
    }
}
