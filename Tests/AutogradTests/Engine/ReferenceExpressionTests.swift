// Xcode's toolchains have no `_Differentiation` module (swift.org toolchains do): without it
// these cross-checks against the compiler's derivatives are left out.
#if canImport(_Differentiation)
import _Differentiation
import XCTest
@testable import Autograd

/// The expressions micrograd and tinygrad test their engines with: values used many times,
/// diamond-shaped graphs, relu kinks. Expected values come from the compiler's derivatives.
final class ReferenceExpressionTests: XCTestCase {
    @differentiable(reverse)
    static func relu(_ v: Double) -> Double { v > 0 ? v : 0 }

    /// micrograd's `test_sanity_check`.
    @differentiable(reverse)
    static func sanity(_ x: Double) -> Double {
        let z = 2 * x + 2 + x
        let q = relu(z) + z * x
        let h = relu(z * z)
        return h + q + q * x
    }

    func testMicrogradSanityCheck() throws {
        let x = Tensor(-4.0, dtype: .float64, requiresGrad: true)
        let z = 2 * x + 2 + x
        let q = z.relu() + z * x
        let h = (z * z).relu()
        let y = h + q + q * x
        try y.backward()
        XCTAssertEqual(try y.item(), Self.sanity(-4))
        XCTAssertEqual(try x.grad?.item(), gradient(at: -4.0, of: Self.sanity))
    }

    /// micrograd's `test_more_ops`, with two inputs.
    @differentiable(reverse)
    static func moreOps(_ a: Double, _ b: Double) -> Double {
        var c = a + b
        var d = a * b + b * b * b
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        let e = c - d
        let f = e * e
        var g = f / 2.0
        g = g + 10.0 / f
        return g
    }

    func testMicrogradMoreOps() throws {
        let a = Tensor(-4.0, dtype: .float64, requiresGrad: true)
        let b = Tensor(2.0, dtype: .float64, requiresGrad: true)
        var c = a + b
        var d = a * b + b ** 3
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + (b + a).relu()
        d += 3 * d + (b - a).relu()
        let e = c - d
        let f = e ** 2
        var g = f / 2.0
        g += 10.0 / f
        try g.backward()
        let (ga, gb) = gradient(at: -4.0, 2.0, of: Self.moreOps)
        XCTAssertEqual(try g.item(), Self.moreOps(-4, 2), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(a.grad).item(), ga, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(b.grad).item(), gb, accuracy: 1e-9)
    }

    func testTinygradSelfProduct() throws {
        let x = Tensor([1.5, -2.0, 3.0], dtype: .float64, requiresGrad: true)
        try ((x + x) * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, x.scalars.map { 4 * $0 })
    }

    /// Every node of a diamond graph runs exactly once, however many paths lead through it.
    func testDiamondGraphVisitsEachNodeOnce() throws {
        let x = Tensor(0.7, dtype: .float64, requiresGrad: true)
        var layer = [x]
        // Each level uses every value of the level before twice: 2^depth paths to x.
        for _ in 0..<12 {
            let a = layer[0] * layer[layer.count - 1], b = layer[0] + layer[layer.count - 1]
            layer = [a.tanh(), b.sin()]
        }
        let y = layer[0] + layer[1]
        var runs: [ObjectIdentifier: Int] = [:]
        var stack: [Node] = [y.gradFn!]
        var seen: Set<ObjectIdentifier> = []
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            node.registerHook { _, _ in runs[ObjectIdentifier(node), default: 0] += 1 }
            stack += node.nextFunctions.compactMap { $0 }.filter { !$0.isAccumulator }
        }
        try y.backward()
        XCTAssertEqual(runs.count, seen.count - 0, "every non-leaf node ran")
        XCTAssertTrue(runs.values.allSatisfy { $0 == 1 }, "a node ran more than once: \(runs.values.sorted().suffix(3))")
        XCTAssertNotNil(x.grad)
    }

    func testValueUsedManyTimesGetsTheSumOfItsGradients() throws {
        let x = Tensor(2.0, dtype: .float64, requiresGrad: true)
        let y = x * x * x + x * x + x   // 3x² + 2x + 1 = 17 at 2
        try y.backward()
        XCTAssertEqual(try x.grad?.item(), gradient(at: 2.0) { (v: Double) in v * v * v + v * v + v })
    }
}
#endif
