import XCTest
@testable import Autograd

/// Forward-mode tangents agree with reverse mode and with finite differences, for every kind of
/// tangent rule (elementwise, products, linear maps, the transposed backward rule).
final class ForwardADTests: XCTestCase {
    /// J v by forward mode, for a function of one tensor.
    private func forwardJVP(_ f: (Tensor) throws -> Tensor, _ x: Tensor, _ v: Tensor) throws -> Tensor {
        try dualLevel { unpackDual(try f(try makeDual(x, v))).tangent! }
    }

    /// J v by central differences, in float64.
    private func finiteJVP(_ f: (Tensor) throws -> Tensor, _ x: Tensor, _ v: Tensor, eps: Double = 1e-6) throws -> [Double] {
        let plus = try f(x + v * eps).scalars, minus = try f(x - v * eps).scalars
        return zip(plus, minus).map { ($0 - $1) / (2 * eps) }
    }

    private func assertClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-6,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (u, w) in zip(a, b) { XCTAssertEqual(u, w, accuracy: tolerance * (1 + abs(w)), file: file, line: line) }
    }

    func testTangentsMatchFiniteDifferencesForEveryKindOfRule() throws {
        manualSeed(3)
        let x = Tensor.uniform([3, 4], from: 0.5, to: 2, dtype: .float64)
        let v = Tensor.uniform([3, 4], from: -1, to: 1, dtype: .float64)
        let other = Tensor.uniform([4, 3], from: -1, to: 1, dtype: .float64)
        let functions: [(String, (Tensor) throws -> Tensor)] = [
            ("pow with a tensor exponent", { $0 ** ($0 * 0.5) }),
            ("where", { Tensor.where($0 > 1, $0 * $0, $0.sin()) }),
            ("cat and slices", { try Tensor.cat([$0[0..<1] * 2, $0[1...].exp()], dim: 0) }),
            ("max and norm", { try $0.max() * $0.norm() + $0.max(dim: 1).values.sum() }),
            ("log-softmax and expand", { try $0.logSoftmax(dim: 1) + $0.mean(dim: 0, keepdim: true).expand([3, 4]) }),
            ("matmul of two duals", { $0.matmul($0.T) }),
            ("matmul with a constant", { other.matmul($0).tanh() }),
            ("division and reciprocal", { ($0 / ($0.sum() - $0)).reciprocal() + 1 / $0 }),
            ("transpose, sqrt, abs, clamp", { $0.T.sqrt().abs().clamp(min: 0.9, max: 1.3) }),
        ]
        for (name, f) in functions {
            let tangent = try forwardJVP(f, x, v)
            assertClose(tangent.scalars, try finiteJVP(f, x, v))
            XCTAssertEqual(tangent.shape, try f(x).shape, name)
        }
    }

    /// The special functions, reductions and indexing operations carry tangents too, through the
    /// elementwise rule or the transposed backward rule.
    func testNewOperationsCarryTangents() throws {
        manualSeed(9)
        let x = Tensor.uniform([3, 4], from: 0.5, to: 2, dtype: .float64)
        let v = Tensor.uniform([3, 4], from: -1, to: 1, dtype: .float64)
        let other = Tensor.uniform([3, 4], from: -1, to: 1, dtype: .float64)
        let index = Tensor([[2.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 1.0]], dtype: .float64)
        let functions: [(String, (Tensor) throws -> Tensor)] = [
            ("log1p, expm1, rsqrt, erf", { $0.log1p() + ($0 * 0.3).expm1() + $0.rsqrt() + $0.erf() }),
            ("activations", { ($0 - 1).leakyRelu(negativeSlope: 0.1) + $0.gelu() + $0.gelu(approximate: .tanh)
                + ($0 - 1).softplus(beta: 2) + $0.silu() + ($0 - 1).logSigmoid() }),
            ("atan2, maximum, minimum, clamp", { try $0.atan2(other) + $0.maximum(other + 1) + $0.minimum(other + 1)
                + $0.clamp(min: other + 0.5, max: other + 1.5) }),
            ("amax, logsumexp, prod", { try $0.amax(dim: 1) + $0.logsumexp(dim: 1) + $0.prod(dim: 1) }),
            ("var, std, cumsum", { try $0.var(dim: 0).sum() + $0.std() + $0.cumsum(dim: 1).sum() }),
            ("permute, flip, repeat, mT", { try $0.permute(1, 0).flip(0).repeat(2, 1).mT }),
            ("gather, indexSelect, select, slice", { try $0.gather(dim: 0, index: index).sum()
                + $0.indexSelect(dim: 1, index: [3, 0, 3]).sum() + $0.select(dim: 1, index: -1).sum()
                + $0.slice(dim: 1, start: 1, end: nil, step: 2).sum() }),
        ]
        for (name, f) in functions {
            let g: (Tensor) -> Tensor = { try! f($0) }
            let tangent = try forwardJVP(g, x, v)
            assertClose(tangent.scalars, try finiteJVP(g, x, v))
            XCTAssertEqual(tangent.shape, g(x).shape, name)
        }
    }

    func testForwardModeAgreesWithTheDoubleBackwardTrick() throws {
        manualSeed(4)
        let x = Tensor.uniform([5], from: -1, to: 1, dtype: .float64)
        let v = Tensor.uniform([5], from: -1, to: 1, dtype: .float64)
        let f: (Tensor) throws -> Tensor = { try ($0.sigmoid() * $0.exp()).cumulative() }
        let forward = try forwardJVP(f, x, v)
        let trick = try jvp(f, x, v: v).jvp
        assertClose(forward.scalars, trick.scalars, tolerance: 1e-12)
    }

    func testLinearLayerTangentsCoverInputWeightAndBias() throws {
        manualSeed(5)
        let layer = Linear(3, 2)
        layer.weight = try Tensor.uniform([2, 3], from: -1, to: 1, dtype: .float64).requiresGrad_()
        layer.bias = try Tensor.uniform([2], from: -1, to: 1, dtype: .float64).requiresGrad_()
        let x = Tensor.uniform([4, 3], from: -1, to: 1, dtype: .float64)
        let tx = Tensor.uniform([4, 3], from: -1, to: 1, dtype: .float64)
        let tw = Tensor.uniform([2, 3], from: -1, to: 1, dtype: .float64)
        let tb = Tensor.uniform([2], from: -1, to: 1, dtype: .float64)
        let tangent = try dualLevel { () throws -> Tensor in
            let out = try Tensor.linear(makeDual(x, tx), makeDual(layer.weight, tw), makeDual(layer.bias!, tb))
            return unpackDual(out).tangent!
        }
        let expected = noGrad { tx.matmul(layer.weight.T) + x.matmul(tw.T) + tb }
        assertClose(tangent.scalars, expected.scalars, tolerance: 1e-12)
        // Through the module (recording a graph, since its parameters require grad) too.
        let viaModule = try dualLevel { unpackDual(layer(try makeDual(x, tx))).tangent! }
        assertClose(viaModule.scalars, noGrad { tx.matmul(layer.weight.T) }.scalars, tolerance: 1e-12)
    }

    func testTangentsAreForgottenWhenTheLevelEnds() throws {
        let x = Tensor([1.0, 2.0])
        var dual: Tensor? = nil
        try dualLevel { dual = try makeDual(x, Tensor([1.0, 1.0])) }
        XCTAssertNil(dual!.tangent)
        XCTAssertEqual(dual!.description, "tensor([1., 2.])")
        XCTAssertFalse(isDualLevelActive)
        try dualLevel { XCTAssertNil((dual! * 2).tangent) }
    }

    func testALevelEndsEvenWhenItsBodyThrows() {
        XCTAssertThrowsError(try dualLevel { throw AutogradError("stop") })
        XCTAssertFalse(isDualLevelActive)
    }

    func testDualOfATensorThatRequiresGradKeepsItsGraph() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        try dualLevel {
            let d = try makeDual(x, Tensor([1.0, 0.0]))
            XCTAssertEqual(d.description, "tensor([1., 2.], grad_fn=<ViewBackward0>, tangent=tensor([1., 0.]))")
            let y = (d * d).sum()
            XCTAssertEqual(try y.tangent?.item(), 2)
            try y.backward()
        }
        XCTAssertEqual(x.grad?.scalars, [2, 4])
    }

    func testForwardOverReverseHessianEqualsReverseOverReverse() throws {
        manualSeed(6)
        let x = Tensor.uniform([3], from: -1, to: 1, dtype: .float64)
        let f: (Tensor) throws -> Tensor = { try ($0.tanh() * $0.roll()).sum() + ($0 ** 3).sum() }
        let reverse = try hessian(f, x)
        let forward = try hessian(f, x, outerStrategy: .forwardMode)
        XCTAssertEqual(reverse.shape, [3, 3])
        assertClose(forward.scalars, reverse.scalars, tolerance: 1e-12)
        assertClose(reverse.scalars, reverse.T.scalars, tolerance: 1e-12)
    }

    func testJacobianStrategiesAgreeOnAWideAndATallFunction() throws {
        manualSeed(7)
        let w = Tensor.uniform([2, 6], from: -1, to: 1, dtype: .float64)
        let wide: (Tensor) -> Tensor = { w.matmul($0).tanh() }           // 6 inputs, 2 outputs
        let tall: (Tensor) -> Tensor = { w.T.matmul($0).sigmoid() }      // 2 inputs, 6 outputs
        let x6 = Tensor.uniform([6], from: -1, to: 1, dtype: .float64)
        let x2 = Tensor.uniform([2], from: -1, to: 1, dtype: .float64)
        assertClose(try jacobian(wide, x6, strategy: .forwardMode).scalars, try jacobian(wide, x6).scalars, tolerance: 1e-12)
        assertClose(try jacobian(tall, x2, strategy: .forwardMode).scalars, try jacobian(tall, x2).scalars, tolerance: 1e-12)
        XCTAssertEqual(try jacobian(tall, x2).shape, [6, 2])
    }

    func testFunctionalResultsAreDetachedUnlessAGraphIsAskedFor() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let plain = try vjp({ ($0 * $0).sum() }, x)
        XCTAssertFalse(plain.vjp.requiresGrad)
        XCTAssertFalse(plain.output.requiresGrad)
        let graph = try vjp({ ($0 * $0).sum() }, x, createGraph: true)
        XCTAssertTrue(graph.vjp.requiresGrad)
        try graph.vjp.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2, 2])
    }
}

private extension Tensor {
    /// Running sums along the only dimension (a lower-triangular linear map).
    func cumulative() throws -> Tensor {
        try Tensor.stack((0..<count).map { try self[0..<($0 + 1)].sum() })
    }

    /// The elements shifted by one place, cyclically.
    func roll() throws -> Tensor { try Tensor.cat([self[1...], self[0..<1]]) }
}

extension ForwardADTests {
    /// The values PyTorch 2.15 prints for the same steps.
    func testInPlaceOperationsUpdateTheTangent() throws {
        try dualLevel {
            let x = try makeDual(Tensor([1.0, 2.0]), Tensor([1.0, 0.5]))
            try x.mul_(3)
            XCTAssertEqual(x.tangent?.scalars, [3, 1.5])
            try x.add_(try makeDual(Tensor([0.0, 0.0]), Tensor([1.0, 1.0])))
            XCTAssertEqual(x.tangent?.scalars, [4, 2.5])
            try x.clamp_(max: 4)                       // x is [3, 6]: the second element is clamped
            XCTAssertEqual(x.tangent?.scalars, [4, 0])
            try x.zero_()
            XCTAssertEqual(x.tangent?.scalars, [0, 0])
            let plain = Tensor([1.0, 1.0])
            try plain.mul_(try makeDual(Tensor([2.0, 3.0]), Tensor([1.0, -1.0])))
            XCTAssertEqual(plain.tangent?.scalars, [1, -1])
        }
    }
}

extension ForwardADTests {
    func testACheckpointedBlockPassesTheTangentOfItsFirstRun() throws {
        let w = Tensor([[0.5, -0.25], [1.0, 0.75]], requiresGrad: true)
        let x = Tensor([[1.0, 2.0], [0.5, -1.0]]), v = Tensor([[1.0, 0.0], [0.5, -2.0]])
        let block: (Tensor) -> Tensor = { $0.matmul(w).tanh() }
        let (checkpointed, plain) = try dualLevel { () throws -> (Tensor, Tensor) in
            let d = try makeDual(x, v)
            return try (checkpoint(block, d).tangent!, block(d).tangent!)
        }
        XCTAssertEqual(checkpointed.scalars, plain.scalars)
    }
}

extension ForwardADTests {
    func testLossesCarryTangentsOfTheirInputAndTarget() throws {
        manualSeed(8)
        let input = Tensor.uniform([3, 4], from: -2, to: 2, dtype: .float64)
        let target = Tensor.uniform([3, 4], from: -2, to: 2, dtype: .float64)
        let v = Tensor.uniform([3, 4], from: -1, to: 1, dtype: .float64)
        let classes = Tensor([0.0, 3.0, 1.0], dtype: .float64)
        let probabilities = Tensor.uniform([3, 4], from: 0.1, to: 0.9, dtype: .float64)
        let losses: [(String, (Tensor) throws -> Tensor)] = [
            ("mse", { mseLoss($0, target) }),
            ("mse, target dual", { mseLoss(target, $0, reduction: .sum) }),
            ("l1", { l1Loss($0, target) }),
            ("huber", { huberLoss($0, target, reduction: .none) }),
            ("bce with logits", { binaryCrossEntropyWithLogits($0, probabilities) }),
            ("cross-entropy", { try crossEntropy($0, classes) }),
        ]
        for (name, f) in losses {
            let tangent = try forwardJVP(f, input, v)
            assertClose(tangent.scalars, try finiteJVP(f, input, v))
            XCTAssertEqual(tangent.shape, try f(input).shape, name)
        }
    }
}

extension ForwardADTests {
    func testAModuleWithABackwardHookKeepsTheTangent() throws {
        manualSeed(9)
        let layer = Linear(2, 2)
        _ = layer.registerFullBackwardHook { _, _, _ in }
        let x = Tensor([[1.0, -1.0]]), v = Tensor([[0.5, 2.0]])
        let tangent = try dualLevel { layer(try makeDual(x, v)).tangent }
        let expected = noGrad { v.matmul(layer.weight.T) }
        XCTAssertEqual(try XCTUnwrap(tangent).scalars, expected.scalars)
    }
}
