import XCTest
@testable import Autograd

/// The Swift twin of `Scripts/parity/edge_inputs.py`: 0-d tensors, empty dimensions, negative and
/// out-of-range dimensions and indices give PyTorch's value or throw PyTorch's message. None of
/// them may stop the program (a trap would end this test run).
final class EdgeInputParityTests: XCTestCase {
    func testEdgeInputsGivePyTorchsValueOrThrowItsMessage() throws {
        try assertTwin("edge_inputs") { out in
            let s = Tensor(2.0)
            let v = Tensor([1.0, 2.0, 3.0])
            let m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
            let e = Tensor.zeros([0]), e03 = Tensor.zeros([0, 3]), e20 = Tensor.zeros([2, 0])
            func show(_ label: String, _ f: () throws -> Any) {
                do { out.print("\(label):", try f()) } catch { out.print("\(label): error: \(error)") }
            }
            show("s[0]") { try s[0] }
            show("v[3]") { try v[3] }
            show("v[-3]") { try v[-3] }
            show("v[-4]") { try v[-4] }
            show("s[0:1]") { try s[0..<1] }
            show("v[-2:]") { try v[(-2)...] }
            show("e[0]") { try e[0] }
            show("e.max()") { try e.max() }
            show("e.min()") { try e.min() }
            show("e03.max(0)") { try e03.max(dim: 0).values }
            show("e03.max(1)") { try e03.max(dim: 1).values }
            show("e03.min(-2)") { try e03.min(dim: -2).values }
            show("s.max(0)") { try s.max(dim: 0).values }
            show("s.max(1)") { try s.max(dim: 1).values }
            show("v.sum(1)") { try v.sum(dim: 1) }
            show("s.sum(0)") { try s.sum(dim: 0) }
            show("s.sum(-1)") { try s.sum(dim: -1) }
            show("m.sum(-3)") { try m.sum(dim: -3) }
            show("e.sum()") { e.sum() }
            show("e.mean()") { e.mean() }
            show("e03.sum(0)") { try e03.sum(dim: 0) }
            show("e03.mean(0)") { try e03.mean(dim: 0) }
            show("e20.mean(1)") { try e20.mean(dim: 1) }
            show("s.softmax(0)") { try s.softmax(dim: 0) }
            show("e03.softmax(0)") { try e03.softmax(dim: 0) }
            show("e03.log_softmax(1)") { try e03.logSoftmax(dim: 1) }
            show("v.softmax(1)") { try v.softmax(dim: 1) }
            show("s.unsqueeze(0)") { try s.unsqueeze(0) }
            show("s.unsqueeze(-1)") { try s.unsqueeze(-1) }
            show("v.unsqueeze(2)") { try v.unsqueeze(2) }
            show("s.squeeze(0)") { try s.squeeze(0) }
            show("v.squeeze(1)") { try v.squeeze(1) }
            show("m.transpose(0, 2)") { try m.transpose(0, 2) }
            show("s.transpose(0, -1)") { try s.transpose(0, -1) }
            show("cat([s])") { try Tensor.cat([s]) }
            show("cat([e, v])") { try Tensor.cat([e, v]) }
            show("cat([e, m], 1)") { try Tensor.cat([e, m], dim: 1) }
            show("cat([m, m], 2)") { try Tensor.cat([m, m], dim: 2) }
            show("cat([m, v])") { try Tensor.cat([m, v]) }
            show("cat([])") { try Tensor.cat([]) }
            show("stack([v, v], 2)") { try Tensor.stack([v, v], dim: 2) }
            show("stack([v, e])") { try Tensor.stack([v, e]) }
            show("stack([s, s])") { try Tensor.stack([s, s]) }
            show("norm(e, inf)") { try e.norm(.infinity) }
            show("norm(e)") { e.norm() }
            show("norm(e03, inf, dim=1)") { try e03.norm(.infinity, dim: 1) }
            show("norm(e03, inf, dim=0)") { try e03.norm(.infinity, dim: 0) }
            show("norm(m, 1, dim=2)") { try m.norm(1, dim: 2) }
            show("v.narrow(0, 2, 2)") { try v.narrow(0, start: 2, length: 2) }
            show("v.narrow(0, -1, 1)") { try v.narrow(0, start: -1, length: 1) }
            show("v.narrow(0, -4, 1)") { try v.narrow(0, start: -4, length: 1) }
            show("s.narrow(0, 0, 1)") { try s.narrow(0, start: 0, length: 1) }
            show("s.size(0)") { try s.size(0) }
            show("v.size(-1)") { try v.size(-1) }
            show("m.size(2)") { try m.size(2) }
            show("e.prod()") { e.prod() }
            show("e03.prod(0)") { try e03.prod(dim: 0) }
            show("e.cumprod(0)") { try e.cumprod(dim: 0) }
            show("s.cumprod(0)") { try s.cumprod(dim: 0) }
            show("s.cumsum(-1)") { try s.cumsum(dim: -1) }
            show("e03.amax(0)") { try e03.amax(dim: 0) }
            show("e20.logsumexp(1)") { try e20.logsumexp(dim: 1) }
            show("v.select(0, -1)") { try v.select(dim: 0, index: -1) }
            show("s.select(0, 0)") { try s.select(dim: 0, index: 0) }
            show("e03.var(0)") { try e03.var(dims: [0]) }
            show("e.reshape([0, 3])") { e.reshape([0, 3]) }
            show("e03.t()") { e03.t() }
            show("e03.matmul(zeros(3, 2))") { e03.matmul(Tensor.zeros([3, 2])) }
            show("e20.matmul(zeros(0, 3))") { e20.matmul(Tensor.zeros([0, 3])) }
            show("nll_loss(s, [0])") { try nllLoss(s, [0]) }
            show("nll_loss(m, [0, 3])") { try nllLoss(m, [0, 3]) }
            show("cross_entropy(m, [0, -1])") { try crossEntropy(m, [0, -1]) }
            show("cross_entropy(m, [2, -100])") { try crossEntropy(m, [2, -100]) }
            show("cross_entropy(m, [1])") { try crossEntropy(m, [1]) }
            show("e.item()") { try e.item() }
            show("v.item()") { try v.item() }
            show("s.item()") { try s.item() }
            show("zeros(3).add_(zeros(2, 3))") { try Tensor.zeros([3]).add_(Tensor.zeros([2, 3])) }
            show("zeros(0).add_(zeros(2, 0))") { try Tensor.zeros([0]).add_(Tensor.zeros([2, 0])) }
        }
    }
}
