// Exercise 1 · The gradient of a cubic                      (Lesson 1: Gradients)
//
//     f(x) = x³ − 4x + 2
//
// 1. `cubic(x)` computes f on every element of a tensor, with tensor operations (`**`, `*`, `-`, `+`),
//    so that autograd records them and can differentiate f for you.
// 2. `cubicDerivative(x)` is f'(x), worked out by hand with the power rule, on plain numbers.
// 3. `gradientAt(v)` asks autograd for f'(v): make a tensor that requires grad, compute `cubic` of it,
//    call `backward()`, and return the gradient as a Double.
// 4. `gradientsAt(values)` does the same for many points in one backward pass: make one tensor holding
//    all the values, and return one slope per value (lesson 1, "Many slopes in one backward pass").
//
// Replace each todo(...) and run:   swift run grader check ex1        Stuck?   swift run grader hint ex1
import Autograd
import GraderKit

func cubic(_ x: Tensor) -> Tensor {
    todo("return x³ − 4x + 2, built from tensor operations on x")
}

func cubicDerivative(_ x: Double) -> Double {
    todo("return f'(x), the derivative of x³ − 4x + 2, worked out by hand")
}

func gradientAt(_ value: Double) throws -> Double {
    todo("use autograd: a tensor with requiresGrad: true, cubic of it, backward(), then its .grad")
}

func gradientsAt(_ values: [Double]) throws -> [Double] {
    todo("one tensor holding all the values, one backward() call, one slope per value")
}
