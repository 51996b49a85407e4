import XCTest
@testable import Autograd

/// Misuse a student can commit gets PyTorch's error, thrown, never a crash.
final class EngineErrorTests: XCTestCase {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return (error as? AutogradError)?.message }
    }

    func testGradientOfWrongShapeIsRejectedWithPyTorchsMessage() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * 2
        XCTAssertEqual(message { try y.backward(gradient: Tensor([1.0, 1.0, 1.0])) },
                       "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).")
    }

    func testUnusedInputNeedsAllowUnused() throws {
        let x = Tensor(1.0, requiresGrad: true), unused = Tensor(2.0, requiresGrad: true)
        let y = x * 3
        XCTAssertEqual(message { _ = try grad(outputs: [y], inputs: [x, unused], retainGraph: true) },
                       "The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
        let grads = try grad(outputs: [y], inputs: [x, unused], allowUnused: true)
        XCTAssertEqual(try grads[0]?.item(), 3)
        XCTAssertNil(grads[1])
    }

    func testGradDoesNotTouchDotGrad() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let g = try grad(outputs: [(x * x).sum()], inputs: [x])
        XCTAssertEqual(g[0]?.scalars, [2, 4])
        XCTAssertNil(x.grad)
    }

    struct WrongCount: Function {
        func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { inputs[0] * 2 }
        func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g, g] }
    }

    func testCustomFunctionReturningTooManyGradientsIsAnError() {
        let x = Tensor([1.0], requiresGrad: true)
        XCTAssertEqual(message { try WrongCount().apply(x).backward() },
                       "function WrongCountBackward returned an incorrect number of gradients (expected 1, got 2)")
    }

    func testHookOnTensorWithoutGradIsAnError() {
        XCTAssertEqual(message { try Tensor([1.0]).registerHook { $0 } },
                       "cannot register a hook on a tensor that doesn't require gradient")
    }

    func testInPlaceChangeOfSavedLeafCopyIsDetected() throws {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let d = a.detach()          // shares storage and version counter
        let y = (a * a).sum()
        try d.mul_(3)
        XCTAssertTrue(message { try y.backward() }?.hasPrefix("one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]] is at version 1; expected version 0 instead.") ?? false)
    }

    func testSavedTensorsAreFreedAfterBackward() throws {
        let before = SavedTensorStatistics.count
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = (x.exp() * x.tanh()).sum()
        XCTAssertGreaterThan(SavedTensorStatistics.count, before)
        try y.backward()
        XCTAssertEqual(SavedTensorStatistics.count, before, "backward without retainGraph frees saved values")
    }

    func testGraphIsFreedWhenTheLossIsDropped() {
        let before = SavedTensorStatistics.count
        weak var node: Node?
        do {
            let x = Tensor([1.0, 2.0], requiresGrad: true)
            let y = (x * x).sigmoid().sum()
            node = y.gradFn
            XCTAssertNotNil(node)
        }
        XCTAssertNil(node, "no reference cycle keeps the graph alive")
        XCTAssertEqual(SavedTensorStatistics.count, before)
    }

    func testGradModeIsRestoredWhenTheBodyThrows() {
        XCTAssertTrue(isGradEnabled)
        _ = try? noGrad { throw AutogradError("boom") }
        XCTAssertTrue(isGradEnabled)
    }

    func testGradModeIsPerThread() {
        let done = expectation(description: "thread")
        noGrad {
            Thread {
                XCTAssertTrue(isGradEnabled, "a new thread starts with grad mode on")
                done.fulfill()
            }.start()
            wait(for: [done], timeout: 5)
        }
    }

    func testManualSeedReproducesPyTorchsUniformDraws() {
        manualSeed(0)
        let r = Tensor.rand([3]).scalars
        // torch.manual_seed(0); torch.rand(3) starts 0.4963, 0.7682, 0.0885.
        XCTAssertEqual(r.map { ($0 * 1e4).rounded() / 1e4 }, [0.4963, 0.7682, 0.0885])
    }

    func testFloat16OverflowsAndFlushesLikeHalfPrecision() {
        let big = Tensor([60000.0], dtype: .float16) * 2
        XCTAssertEqual(big.scalars, [.infinity])
        let tiny = Tensor([1e-8], dtype: .float16)
        XCTAssertEqual(tiny.scalars, [0])
    }

    func testBatchedMatmulBroadcastsAndDifferentiates() throws {
        manualSeed(1)
        let a = Tensor.randn([2, 3, 4], dtype: .float64, requiresGrad: true)
        let b = Tensor.randn([4, 5], dtype: .float64, requiresGrad: true)
        XCTAssertEqual(a.matmul(b).shape, [2, 3, 5])
        XCTAssertTrue(try gradcheck({ $0[0].matmul($0[1]).tanh() }, inputs: [a, b]))
    }

    func testOpsPassFiniteDifferenceChecks() throws {
        manualSeed(2)
        let x = Tensor.rand([3, 4], dtype: .float64, requiresGrad: true)
        let checks: [(String, (Tensor) throws -> Tensor)] = [
            ("softmax", { try $0.softmax(dim: 1) }), ("logSoftmax", { try $0.logSoftmax(dim: 0) }),
            ("norm dim", { try $0.norm(2, dim: 1) }), ("norm 1", { try ($0 - 0.5).norm(1) }),
            ("norm inf", { try $0.norm(.infinity) }), ("max dim", { try $0.max(dim: 1).values }),
            ("transpose", { try $0.transpose(0, 1) * Tensor.arange(3, dtype: .float64) }),
            ("slice", { try $0[1..<3] * 2 }), ("select", { try $0[2].exp() }),
            ("cat", { try Tensor.cat([$0, $0 * 2], dim: 1) }), ("stack", { try Tensor.stack([$0, $0.sin()], dim: 0) }),
            ("expand", { try $0[0..<1].expand([3, 4]) * $0 }), ("pow tensor", { $0 ** ($0 + 1) }),
            ("div", { 1 / ($0 + 1) + $0 / ($0 + 2) }), ("mean dim", { try $0.mean(dim: 0, keepdim: true) }),
            ("where", { Tensor.where($0 > 0.5, $0 * $0, -$0) }), ("clamp", { $0.clamp(min: 0.3, max: 0.7) }),
            ("unsqueeze", { try $0.unsqueeze(1).squeeze() * 3 }),
        ]
        for (name, f) in checks {
            XCTAssertTrue(try gradcheck({ try f($0[0]) }, inputs: [x], raiseException: false), name)
        }
    }
}

/// What PyTorch frees after a backward pass, and what it lets you run through again.
final class GraphReleaseTests: XCTestCase {
    func testNodesThatSavedNothingCanBeBackpropagatedTwice() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = (-((x + 1) - 2.0)).sum()
        try y.backward()
        try y.backward()
        XCTAssertEqual(x.grad?.scalars, [-2, -2])
    }

    /// PyTorch saves the Python number of `x * 2.0` (as a 0-d tensor), so that graph is freed.
    func testScalarProductsAndQuotientsRefuseASecondPass() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        for y in [(x * 2.0).sum(), (5 * x).sum(), (x / 2).sum(), (3 / x).sum()] {
            try y.backward()
            XCTAssertThrowsError(try y.backward()) { error in
                XCTAssertEqual((error as? AutogradError)?.message, Engine.freedGraphMessage)
            }
        }
    }

    func testNodesThatSavedTensorsRefuseASecondPass() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = (x * x).sum()
        try y.backward()
        XCTAssertThrowsError(try y.backward()) { error in
            XCTAssertEqual((error as? AutogradError)?.message, Engine.freedGraphMessage)
        }
    }

    /// Ops that save and then compute further (norm) and custom functions (which save in forward)
    /// release what they saved, and refuse a second pass, as in PyTorch.
    func testNormAndCustomFunctionsFreeWhatTheySaved() throws {
        struct Square: Function {
            func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
                ctx.saveForBackward(inputs[0])
                return (inputs[0] * inputs[0]).sum()
            }
            func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g * 2 * (try ctx.savedTensors[0])] }
        }
        let before = SavedTensorStatistics.count
        let x = Tensor([3.0, 4.0], requiresGrad: true)
        for y in [x.norm(), try Square().apply(x)] {
            try y.backward()
            XCTAssertThrowsError(try y.backward(), "\(y.gradFn!.name) was not freed")
        }
        XCTAssertEqual(SavedTensorStatistics.count, before)
    }

    func testSoftmaxRecordsOneFusedNodeWithRightGradients() throws {
        let x = Tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype: .float64, requiresGrad: true)
        XCTAssertEqual(try x.softmax(dim: 1).gradFn?.name, "SoftmaxBackward0")
        XCTAssertEqual(try x.logSoftmax(dim: 1).gradFn?.name, "LogSoftmaxBackward0")
        let w = Tensor([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]], dtype: .float64)
        XCTAssertTrue(try gradcheck({ (try $0[0].softmax(dim: 1) * w).sum() }, inputs: [x]))
        XCTAssertTrue(try gradcheck({ (try $0[0].logSoftmax(dim: 0) * w).sum() }, inputs: [x]))
        // Second order through the fused nodes (createGraph recomputes them differentiably).
        let g = try grad(outputs: [(x.softmax(dim: 1) * w).sum()], inputs: [x], createGraph: true)[0]!
        let h = try grad(outputs: [(g * g).sum()], inputs: [x])[0]!
        XCTAssertEqual(h.shape, [2, 3])
    }
}

final class GradcheckModeTests: XCTestCase {
    /// A gradient penalty calls grad() inside the checked function: gradcheck must evaluate it
    /// with grad mode on and inputs that require grad, as PyTorch does.
    func testGradcheckChecksAFunctionThatCallsGradInside() throws {
        let W = Tensor([[0.5, -1.0], [2.0, 0.25]], dtype: .float64)
        let x = Tensor([[1.0, 0.5], [-0.5, 2.0]], dtype: .float64, requiresGrad: true)
        func penalty(_ inputs: [Tensor]) throws -> Tensor {
            let x = inputs[0]
            let score = try x.matmul(W).tanh().sum(dim: 1)
            let g = try grad(outputs: [score], inputs: [x], gradOutputs: [Tensor.onesLike(score)], createGraph: true)[0]!
            return try ((g.norm(2, dim: 1) - 1) ** 2).mean()
        }
        XCTAssertTrue(try noGrad { try gradcheck(penalty, inputs: [x]) })
    }
}
