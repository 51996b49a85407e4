// Exercise 5 · A Jacobian, one vector-Jacobian product per row — mistake: vectorJacobianProduct uses ones instead of v.
import Autograd
import GraderKit

func vectorJacobianProduct(of f: (Tensor) throws -> Tensor, at x: Tensor, v: Tensor) throws -> Tensor {
    let input = x.detach().clone()
    try input.requiresGrad_()
    let y = try f(input)
    try y.backward(gradient: Tensor.onesLike(y))
    return input.grad!
}

func jacobian(of f: (Tensor) throws -> Tensor, at x: Tensor) throws -> Tensor {
    let input = x.detach().clone()
    try input.requiresGrad_()
    let y = try f(input)                                   // one forward pass
    let m = y.count
    var rows: [Tensor] = []
    for i in 0..<m {
        var oneHot = [Double](repeating: 0, count: m)
        oneHot[i] = 1
        input.grad = nil                               // each row starts from no gradient
        try y.backward(gradient: Tensor(oneHot, shape: y.shape, dtype: y.dtype),
                       retainGraph: i < m - 1)         // keep the graph for the next row
        rows.append(input.grad!)
    }
    return try Tensor.stack(rows)
}
