import XCTest
@testable import Autograd

/// Swift twins of the PyTorch parity cases for mixed precision and checkpointing: each does the
/// same steps as `../shared/parity/cases/NN_name.py` and must print exactly the same text.
final class AMPParityTests: XCTestCase {
    func testCase22GradScaler() throws {
        try assertTwin("22_grad_scaler") { out in
            let p = Tensor([1.0, 2.0], requiresGrad: true)
            let opt = SGD([p], lr: 0.1)
            let scaler = GradScaler(initScale: 8.0, growthFactor: 2.0, backoffFactor: 0.5, growthInterval: 2)
            let grads: [[Double]] = [[1, 1], [.infinity, 1], [0.5, 0.5], [0.5, 0.5], [.nan, 0], [1, 1]]
            for (step, g) in grads.enumerated() {
                try opt.zeroGrad()
                let loss = (p * Tensor(g)).sum()
                try scaler.scale(loss).backward()
                out.print(step, "scaled grad", p.grad)
                try scaler.unscale(opt)
                out.print(step, "unscaled grad", p.grad)
                try scaler.step(opt)
                try scaler.update()
                out.print(step, "param", p.data, "scale", scaler.scale)
            }
        }
    }

    func testCase23Float16Underflow() throws {
        try assertTwin("23_float16_underflow") { out in
            let w = Tensor([1.0, 1.0], dtype: .float16, requiresGrad: true)
            let x = Tensor([1e-4, 3e-8], dtype: .float16)
            out.print(x)
            let loss = (w * x).sum() * 1e-4
            try loss.backward()
            out.print(w.grad)
            w.grad = nil
            try ((w * x).sum() * 1e-4 * 1024).backward()
            out.print(w.grad)
            out.print(w.grad!.float() / 1024)
            out.print(DType.float16.max, DType.float16.tiny)
            out.print(Tensor([60000.0], dtype: .float16) * 2)
        }
    }

    func testCase24Checkpoint() throws {
        try assertTwin("24_checkpoint") { out in
            let W1 = Tensor([[0.5, -0.25], [1.0, 0.75]], requiresGrad: true)
            let W2 = Tensor([[1.5], [-2.0]], requiresGrad: true)
            let x = Tensor([[1.0, 2.0], [0.5, -1.0]])
            var calls = 0
            func block(_ h: Tensor) -> Tensor {
                calls += 1
                return h.matmul(W1).tanh()
            }
            let result = try checkpoint(block, x).matmul(W2).sum()
            try result.backward()
            out.print(calls)
            out.print(W1.grad)
            out.print(W2.grad)
            let (g1, g2) = (W1.grad!.clone(), W2.grad!.clone())
            W1.grad = nil; W2.grad = nil
            try block(x).matmul(W2).sum().backward()
            out.print(g1.equal(W1.grad!), g2.equal(W2.grad!))
        }
    }
}
