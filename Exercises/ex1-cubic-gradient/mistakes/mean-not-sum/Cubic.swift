// Exercise 1 · The gradient of a cubic — a known mistake: mean-not-sum.
import Autograd
import GraderKit

func cubic(_ x: Tensor) -> Tensor {
    x ** 3 - 4 * x + 2
}

func cubicDerivative(_ x: Double) -> Double {
    3 * x * x - 4
}

func gradientAt(_ value: Double) throws -> Double {
    let x = Tensor(value, dtype: .float64, requiresGrad: true)
    let y = cubic(x)
    try y.backward()
    return try x.grad!.item()
}

func gradientsAt(_ values: [Double]) throws -> [Double] {
    let x = Tensor(values, dtype: .float64, requiresGrad: true)
    try cubic(x).mean().backward()
    return x.grad!.scalars
}
