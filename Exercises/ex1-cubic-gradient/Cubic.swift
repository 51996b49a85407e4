// Exercise 1 · The gradient of a cubic
//
// f(x) = x³ − 4x + 2
//
// 1. `cubic` computes f element-wise on a tensor, with tensor operations, so that autograd can
//    record them and differentiate f for you.
// 2. `cubicDerivative` is f'(x), worked out by hand, on plain numbers.
// 3. `gradientAt` asks autograd for f'(v): make a tensor that requires grad, compute f, call
//    backward(), and read the gradient.
//
// Replace each todo(...) and run `grader check ex1`.
import Autograd
import GraderKit

func cubic(_ x: Tensor) -> Tensor {
    todo("return x³ − 4x + 2, built from tensor operations")
}

func cubicDerivative(_ x: Double) -> Double {
    todo("return f'(x), the derivative of x³ − 4x + 2, worked out by hand")
}

func gradientAt(_ value: Double) throws -> Double {
    todo("use autograd: a tensor with requiresGrad: true, cubic, backward(), then its .grad")
}
