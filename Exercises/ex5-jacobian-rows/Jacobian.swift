// Exercise 5 · A Jacobian, one vector-Jacobian product per row     (Lesson 5: Non-scalar backward)
//
// f maps a vector x (n numbers) to a vector y (m numbers). Its Jacobian J is the m × n table of
// partial derivatives J[i][j] = ∂y[i]/∂x[j]: one row per output, one column per input.
// backward never builds J; it computes vector-Jacobian products vᵀJ (lesson 5).
//
// 1. `vectorJacobianProduct(of:at:v:)` returns vᵀJ at x: ONE backward pass with `gradient: v`.
//    x arrives as a plain tensor (it does not require grad): make your own leaf from its values
//    that does, and don't change x.
// 2. `jacobian(of:at:)` returns J as a tensor of shape [m, n]. Call f ONCE (one forward pass),
//    then run one backward pass per output row through that same graph, each with a one-hot v
//    that picks row i. Stack the rows with Tensor.stack(rows).
//
// Every x is a 1-D float64 tensor, and every f returns a 1-D tensor.
//
// Replace each todo(...) and run:   swift run grader check ex5        Stuck?   swift run grader hint ex5
import Autograd
import GraderKit

func vectorJacobianProduct(of f: (Tensor) throws -> Tensor, at x: Tensor, v: Tensor) throws -> Tensor {
    todo("make a leaf from x's values that requires grad, y = f(leaf), one backward with gradient: v, return the leaf's .grad")
}

func jacobian(of f: (Tensor) throws -> Tensor, at x: Tensor) throws -> Tensor {
    todo("one forward pass, then one backward per output row (one-hot gradient, retainGraph: true on all but the last), rows stacked into [m, n]")
}
