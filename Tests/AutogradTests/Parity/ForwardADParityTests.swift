import XCTest
@testable import Autograd

/// Swift twins of the forward-mode and `torch.autograd.functional` parity cases
/// (`Fixtures/parity/61…63_*.py`, recorded with PyTorch 2.15).
final class ForwardADParityTests: XCTestCase {
    func testCase61ForwardAD() throws {
        try assertTwin("61_forward_ad") { out in
            let x = Tensor([1.0, 2.0])
            out.printingErrors { _ = try makeDual(x, Tensor.ones([2])) }
            var y: Tensor? = nil
            try dualLevel {
                let d = try makeDual(x, Tensor([1.0, 0.5]))
                out.print(d)
                out.print(unpackDual(d * d + 3 * d - 1).tangent as Any)
                out.print(unpackDual(d / (d + 1) - 2 / d).tangent as Any)
                out.print(unpackDual(d ** 3).tangent as Any, unpackDual(2 ** d).tangent as Any)
                out.print(unpackDual(d.exp()).tangent as Any, unpackDual(d.log()).tangent as Any)
                out.print(unpackDual(d.tanh()).tangent as Any, unpackDual(d.sigmoid()).tangent as Any)
                out.print(unpackDual((d - 1.5).relu()).tangent as Any)
                out.print(d.sum(), d.mean())
                let m = try makeDual(Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[0.0, 1.0], [1.0, 0.0]]))
                let w = Tensor([[0.5, -1.0], [2.0, 0.25]])
                out.print(m.matmul(w))
                out.print(unpackDual(w.matmul(m)).tangent as Any)
                out.print(unpackDual(m.reshape(4)).tangent as Any, unpackDual(m.t()).tangent as Any)
                out.print(unpackDual(try m.sum(dim: 0)).tangent as Any, unpackDual(try m.mean(dim: 1)).tangent as Any)
                out.print(unpackDual(try m.unsqueeze(0).squeeze()).tangent as Any)
                out.print(unpackDual(try m.softmax(dim: 1)).tangent as Any)
                out.print(unpackDual(try d.unsqueeze(1) * Tensor([1.0, 10.0])).tangent as Any)
                let (p, t) = { (u: UnpackedDual) in (u.primal, u.tangent as Any) }(unpackDual((d * d).sum()))
                out.print(p, t as Any)
                out.print(unpackDual(x))
                out.print(unpackDual(d.detach()).tangent as Any)
                out.printingErrors { _ = try makeDual(x, Tensor.ones([3])) }
                out.printingErrors { try dualLevel {} }
                y = d * d
            }
            out.print(unpackDual(y!).tangent as Any)
        }
    }

    struct Cube: Function {
        func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
            ctx.saveForBackward(inputs[0])
            ctx.saveForForward(inputs[0])
            return inputs[0] ** 3
        }
        func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] {
            let x = try ctx.savedTensors[0]
            return [g * 3 * x ** 2]
        }
        func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor {
            let x = try ctx.savedTensors[0]
            return tangents[0] * 3 * x ** 2
        }
    }

    struct NoJvp: Function {
        func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { inputs[0] * 2 }
        func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g * 2] }
    }

    struct WrongShape: Function {
        func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { inputs[0] * 2 }
        func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g * 2] }
        func jvp(_ ctx: FunctionContext, _ tangents: [Tensor]) throws -> Tensor { tangents[0].sum() }
    }

    func testCase62ForwardADCustomFunction() throws {
        try assertTwin("62_forward_ad_custom_function") { out in
            try dualLevel {
                let d = try makeDual(Tensor([1.0, -2.0]), Tensor([1.0, 0.5]))
                out.print(try Cube().apply(d))
                out.print(unpackDual(try Cube().apply(d).sin()).tangent as Any)
                out.print(try Cube().apply(Tensor([2.0])))
                out.printingErrors { _ = try NoJvp().apply(d) }
                out.printingErrors { _ = try WrongShape().apply(d) }
            }
        }
    }

    func testCase63Functional() throws {
        try assertTwin("63_functional") { out in
            func f(_ x: Tensor) throws -> Tensor {
                try Tensor.stack([x[0] * x[1], x[0].exp() + x[1] ** 2, x[1].tanh()])
            }
            func pair(_ r: (Tensor, Tensor)) -> String { "(\(r.0), \(r.1))" }
            let x = Tensor([0.5, -1.0])
            out.print(pair(try vjp(f, x, v: Tensor([1.0, 2.0, 3.0]))))
            out.print(pair(try jvp(f, x, v: Tensor([1.0, 0.0]))))
            out.print(pair(try jvp(f, x, v: Tensor([0.0, 1.0]))))
            out.print(try jacobian(f, x))
            out.print(try jacobian(f, x, strategy: .forwardMode))
            func g(_ x: Tensor) throws -> Tensor { try (x[0] ** 2 * x[1] + x[1].sin() * 3).reshape([]) }
            out.print(try hessian(g, x))
            out.print(pair(try hvp(g, x, v: Tensor([1.0, 2.0]))))
            out.print(pair(try vhp(g, x, v: Tensor([1.0, 2.0]))))
            func two(_ t: [Tensor]) -> Tensor { t[0].matmul(t[1]).sum() }
            let a = Tensor([[1.0, 2.0], [3.0, 4.0]]), b = Tensor([0.5, -1.0])
            let r = try vjp(two, [a, b])
            out.print("(\(r.output), (\(r.vjp[0]), \(r.vjp[1])))")
            let j = try jacobian(two, [a, b])
            out.print("(\(j[0]), \(j[1]))")
            let h = try hessian(two, [a, b])
            out.print(Tensor.sizeText(h[0][1].shape), Tensor.sizeText(h[1][0].shape))
            out.print(h[1][0])
            out.print(Tensor.sizeText(try jacobian({ $0.t().matmul(b) }, a).shape))
            let calls: [() throws -> Void] = [
                { _ = try vjp(f, x) }, { _ = try jvp(f, x) }, { _ = try vjp(f, x, v: Tensor.ones([2])) },
                { _ = try hvp({ $0 * 2 }, x, v: Tensor.ones([2])) },
                { _ = try jacobian({ _ in Tensor.ones([2]) }, x, strict: true) },
            ]
            for call in calls { out.printingErrors(call) }
            out.print(try jacobian({ try Tensor.ones([2]) + $0[0] * 0 }, x))
        }
    }
}
