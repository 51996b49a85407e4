import Autograd
import GraderKit

/// f(x) = x³ − 4x + 2 on plain numbers: the reference the student's code is compared with.
private func f(_ x: Double) -> Double { x * x * x - 4 * x + 2 }

let checks = CheckSuite {
    Check("cubic_values", "cubic(x) computes x³ − 4x + 2 element-wise") {
        let xs = [-2.0, 0, 1, 3, 0.5]
        let y = cubic(Tensor(xs, dtype: .float64))
        try expectShape(y, [5], "cubic([-2, 0, 1, 3, 0.5])")
        try expectClose(y, xs.map(f), "cubic([-2, 0, 1, 3, 0.5])")
    }

    Check("derivative_by_hand", "cubicDerivative(x) is the derivative of f",
          hint: "Differentiate term by term: x³ → 3x², −4x → −4, 2 → 0.") {
        try GradCheck.assertDerivative(of: f, derivative: cubicDerivative, at: Random.doubles(8, in: -3...3), name: "f")
    }

    Check("autograd_gradcheck", "autograd's gradient of cubic matches finite differences",
          hint: "cubic must use tensor operations (*, -, +) on x itself, not on x.scalars.") {
        let x = Random.tensor([6], in: -3...3, requiresGrad: true)
        try GradCheck.assertGradients(of: { cubic($0).sum() }, at: x, name: "x", output: "sum(cubic(x))")
        try GradCheck.assertGradients(of: cubic, at: x, name: "x", output: "cubic(x)")
    }

    Check("autograd_gradient", "gradientAt(v) returns f'(v) computed by backward()",
          hint: "let x = Tensor(v, dtype: .float64, requiresGrad: true), then cubic(x).backward() fills x.grad.") {
        try forAll("gradientAt(v) == 3v² − 4", trials: 10) { _ in
            let v = Random.double(in: -3...3)
            try expectClose(try gradientAt(v), 3 * v * v - 4, atol: 1e-6, "gradientAt(\(v))")
        }
    }

    Check("second_order", "cubic's second derivative through autograd is 6x") {
        let x = Random.tensor([4], in: -2...2, requiresGrad: true)
        try GradCheck.assertSecondOrder(of: { cubic($0[0]).sum() }, at: [x], names: ["x"], output: "sum(cubic(x))")
    }
}
