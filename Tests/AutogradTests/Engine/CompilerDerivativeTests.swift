// Xcode's toolchains have no `_Differentiation` module (swift.org toolchains do): without it
// these cross-checks against the compiler's derivatives are left out.
#if canImport(_Differentiation)
import _Differentiation
import XCTest
import Foundation
@testable import Autograd

/// Two independent ways of differentiating must agree: the library's reverse-mode autograd on
/// float64 tensors, and the Swift compiler's own derivatives (`gradient(at:of:)`).
final class CompilerDerivativeTests: XCTestCase {
    /// One scalar function written twice: for the compiler and for tensors.
    struct Case {
        let name: String
        let compiler: @differentiable(reverse) (Double) -> Double
        let tensor: (Tensor) -> Tensor
        let points: [Double]
    }

    static let cases: [Case] = [
        Case(name: "x^3 - 4x + 2", compiler: { x in x * x * x - 4 * x + 2 }, tensor: { x in x ** 3 - 4 * x + 2 },
             points: [-2, -0.5, 0, 1.5, 3]),
        Case(name: "exp(x) sin(x)", compiler: { x in exp(x) * sin(x) }, tensor: { x in x.exp() * x.sin() },
             points: [-1, 0, 0.5, 2]),
        Case(name: "tanh(2x) / (1 + x^2)", compiler: { x in tanh(2 * x) / (1 + x * x) },
             tensor: { x in (2 * x).tanh() / (1 + x * x) }, points: [-1.5, 0.25, 1]),
        Case(name: "log(1 + exp(x))", compiler: { x in log(1 + exp(x)) }, tensor: { x in (1 + x.exp()).log() },
             points: [-3, 0, 4]),
        Case(name: "sqrt(x) cos(x)", compiler: { x in x.squareRoot() * cos(x) }, tensor: { x in x.sqrt() * x.cos() },
             points: [0.3, 1, 5]),
        Case(name: "1 / (1 + exp(-x))", compiler: { x in 1 / (1 + exp(-x)) }, tensor: { x in x.sigmoid() },
             points: [-2, 0, 3]),
        Case(name: "(x + x) * x", compiler: { x in (x + x) * x }, tensor: { x in (x + x) * x }, points: [-4, 0.5, 2]),
    ]

    func testAutogradAgreesWithCompilerDerivatives() throws {
        for c in Self.cases {
            for point in c.points {
                let expected = gradient(at: point, of: c.compiler)
                let x = Tensor(point, dtype: .float64, requiresGrad: true)
                try c.tensor(x).backward()
                let got = try XCTUnwrap(x.grad).item()
                XCTAssertEqual(got, expected, accuracy: 1e-12 * max(1, abs(expected)), "\(c.name) at \(point)")
            }
        }
    }

    func testSecondDerivativesAgreeWithCompilerDerivatives() throws {
        for c in Self.cases {
            for point in c.points {
                // A central difference of the compiler's exact first derivative.
                let h = 1e-5
                let expected = (gradient(at: point + h, of: c.compiler) - gradient(at: point - h, of: c.compiler)) / (2 * h)
                let x = Tensor(point, dtype: .float64, requiresGrad: true)
                let dy = try grad(c.tensor(x), x, createGraph: true)
                let d2y = try grad(dy, x).item()
                XCTAssertEqual(d2y, expected, accuracy: 1e-5 * max(1, abs(expected)), "\(c.name)'' at \(point)")
            }
        }
    }
}
#endif
