import XCTest
@testable import Autograd

/// Forward pre-hooks, forward hooks and full backward hooks, called and removed as PyTorch does.
final class ModuleHookTests: XCTestCase {
    private func fixedLinear() throws -> Linear {
        let lin = Linear(2, 2)
        try noGrad {
            try lin.weight.copy_(Tensor([[1.0, 2.0], [-1.0, 0.5]]))
            try lin.bias!.copy_(Tensor([0.0, 1.0]))
        }
        return lin
    }

    func testForwardHooksSeeInputAndOutputAndStopWhenRemoved() throws {
        let lin = try fixedLinear()
        var log: [String] = []
        let pre = lin.registerForwardPreHook { _, input in log.append("pre \(input.shape)") }
        let post = lin.registerForwardHook { module, _, output in
            XCTAssertTrue(module === lin)
            log.append("post \(output.gradFn?.name ?? "-")")
        }
        _ = lin(Tensor([[1.0, 1.0]]))
        XCTAssertEqual(log, ["pre [1, 2]", "post AddmmBackward0"])
        pre.remove()
        _ = lin(Tensor([[1.0, 1.0]]))
        XCTAssertEqual(log.count, 3)
        post.remove()
        post.remove()  // a second remove does nothing
        _ = lin(Tensor([[1.0, 1.0]]))
        XCTAssertEqual(log.count, 3)
    }

    func testDroppingTheHandleKeepsTheHook() {
        let relu = ReLU()
        var calls = 0
        do { _ = relu.registerForwardHook { _, _, _ in calls += 1 } }
        _ = relu(Tensor([1.0]))
        XCTAssertEqual(calls, 1)
    }

    func testHooksCanReplaceInputAndOutput() {
        let tanh = Tanh()
        tanh.registerForwardPreHookReplacingInput({ _, input in input * 0 })
        tanh.registerForwardHookReplacingOutput({ _, _, output in output + 5 })
        XCTAssertEqual(tanh(Tensor([3.0])).scalars, [5.0])
    }

    func testFullBackwardHookGetsInputAndOutputGradients() throws {
        let lin = try fixedLinear()
        var seen: [(input: [Double]?, output: [Double]?)] = []
        let handle = lin.registerFullBackwardHook { module, gradInput, gradOutput in
            XCTAssertTrue(module === lin)
            XCTAssertEqual(gradInput.count, 1)
            XCTAssertEqual(gradOutput.count, 1)
            seen.append((gradInput[0]?.scalars, gradOutput[0]?.scalars))
        }
        let x = Tensor([[1.0, 1.0]], requiresGrad: true)
        let y = lin(x)
        XCTAssertEqual(y.gradFn?.name, "BackwardHookFunctionBackward")
        try (y * Tensor([[2.0, 3.0]])).sum().backward()
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen[0].output, [2, 3])
        XCTAssertEqual(seen[0].input, [-1, 5.5])
        XCTAssertEqual(x.grad?.scalars, [-1, 5.5], "the hook only watches: gradients are unchanged")
        XCTAssertEqual(lin.weight.grad?.scalars, [2, 2, 3, 3])

        handle.remove()
        let z = lin(x)
        XCTAssertEqual(z.gradFn?.name, "AddmmBackward0", "no wiring once the hook is gone")
        try z.sum().backward()
        XCTAssertEqual(seen.count, 1)
    }

    func testInputWithoutGradientGivesNilGradInput() throws {
        let lin = try fixedLinear()
        var gradInputs: [Tensor?] = []
        var gradOutputs: [Tensor?] = []
        lin.registerFullBackwardHook { _, gi, go in gradInputs = gi; gradOutputs = go }
        try lin(Tensor([[1.0, 1.0]])).sum().backward()
        XCTAssertEqual(gradInputs.count, 1)
        XCTAssertNil(gradInputs[0] ?? nil)
        XCTAssertEqual(gradOutputs[0]?.scalars, [1, 1])
    }

    func testBackwardHookFiresOncePerCallAndInsideSequential() throws {
        let first = Linear(2, 3), second = Linear(3, 1)
        let model = Sequential(first, Tanh(), second)
        var order: [String] = []
        first.registerFullBackwardHook { _, gi, go in
            order.append("first in=\(gi[0]?.shape ?? []) out=\(go[0]?.shape ?? [])")
        }
        second.registerFullBackwardHook { _, gi, go in
            order.append("second in=\(gi[0]?.shape ?? []) out=\(go[0]?.shape ?? [])")
        }
        model.registerFullBackwardHook { _, _, _ in order.append("model") }
        let x = Tensor([[1.0, 2.0]], requiresGrad: true)
        try (model(x) + model(x)).sum().backward()
        // Backward visits the second call first; within a call, the last layer first.
        XCTAssertEqual(order, [
            "second in=[1, 3] out=[1, 1]", "first in=[1, 2] out=[1, 3]", "model",
            "second in=[1, 3] out=[1, 1]", "first in=[1, 2] out=[1, 3]", "model",
        ])
    }

    func testNoWiringWithoutGradMode() {
        let lin = Linear(2, 2)
        lin.registerFullBackwardHook { _, _, _ in XCTFail("no backward without a graph") }
        let y = noGrad { lin(Tensor([[1.0, 1.0]], requiresGrad: true)) }
        XCTAssertNil(y.gradFn)
    }

    func testHookRegisteredAfterTheCallDoesNotFireForIt() throws {
        let lin = Linear(2, 2)
        let x = Tensor([[1.0, 1.0]], requiresGrad: true)
        let y = lin(x)
        lin.registerFullBackwardHook { _, _, _ in XCTFail("registered after the forward pass") }
        try y.sum().backward()
    }
}
