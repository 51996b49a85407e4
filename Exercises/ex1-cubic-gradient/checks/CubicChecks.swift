import Autograd
import GraderKit

/// f(x) = x³ − 4x + 2 and f'(x) on plain numbers: the reference the student's code is compared with.
private func f(_ x: Double) -> Double { x * x * x - 4 * x + 2 }
private func df(_ x: Double) -> Double { 3 * x * x - 4 }

/// Known wrong answers, each with what it tells the student who produced it.
private typealias Diagnosis = (formula: (Double) -> Double, message: String)

/// The first diagnosis whose formula reproduces every `actual` value, if any.
private func diagnose(_ actual: [Double], at points: [Double], _ candidates: [Diagnosis]) -> String? {
    candidates.first { candidate in
        zip(points, actual).allSatisfy { x, a in
            let e = candidate.formula(x)
            return a.isFinite && abs(a - e) <= 1e-6 + 1e-5 * abs(e)
        }
    }?.message
}

private func isClose(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 + 1e-5 * abs($1) }
}

private let valueMistakes: [Diagnosis] = [
    ({ x in x * x * x + 4 * x + 2 }, "cubic(x) computes x³ + 4x + 2: the middle term is −4x (check its sign)"),
    ({ x in x * x * x - 4 * x }, "cubic(x) computes x³ − 4x: the constant + 2 is missing"),
    ({ x in x * x - 4 * x + 2 }, "cubic(x) computes x² − 4x + 2: the first term is x³ (x ** 3 or x * x * x)"),
    ({ x in 3 * x * x - 4 }, "cubic(x) returns the derivative 3x² − 4; it should compute f itself, x³ − 4x + 2"),
]

private let derivativeMistakes: [Diagnosis] = [
    ({ x in -(3 * x * x - 4) }, "your f'(x) is exactly −1 times the right one at every point: check the sign of every term"),
    ({ x in 3 * x * x + 4 }, "your f'(x) is 8 more than the right one at every point: the derivative of −4x is −4, not +4 (check its sign)"),
    ({ x in x * x - 4 }, "your f'(x) is x² − 4: the power rule brings the exponent down as a factor, d(x³)/dx = 3x², not x²"),
    ({ x in 3 * x - 4 }, "your f'(x) is 3x − 4: the power rule lowers the exponent by one, d(x³)/dx = 3x², not 3x"),
    ({ x in 3 * x * x }, "your f'(x) is 3x²: the −4x term is missing (its derivative is −4)"),
    ({ x in 3 * x * x - 4 * x }, "your f'(x) is 3x² − 4x: the derivative of 4x is the constant 4, not 4x"),
    ({ x in 3 * x * x - 2 }, "your f'(x) is 3x² − 2: the constant 2 has derivative 0, so it disappears"),
    ({ x in 3 * x * x - 4 + 2 }, "your f'(x) is 3x² − 2: the constant 2 has derivative 0, so it disappears"),
    ({ x in x * x * x - 4 * x + 2 }, "cubicDerivative(x) returns f(x) itself; it should return the slope f'(x)"),
]

/// Runs `body`, turning the errors students meet in this exercise into explanations.
private func explainingErrors<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AutogradError {
        if error.message.contains("does not require grad") {
            throw CheckFailure("\(what) threw \"\(error.message)\": backward() found no recorded graph. Either the tensor you made lacks requiresGrad: true, or cubic(x) was computed outside autograd (from x.scalars or item()), which cuts it from x")
        }
        if error.message.contains("implicitly created only for scalar outputs") {
            throw CheckFailure("\(what) threw \"\(error.message)\": backward() with no argument needs a single number, but cubic(x) of a vector is a vector. Add its elements up first (cubic(x).sum()): each element depends only on its own x, so the gradient of the sum holds each element's own slope")
        }
        throw CheckFailure("\(what) threw an error: \(error.message)")
    }
}

let checks = CheckSuite {
    Check("cubic_values", "cubic(x) computes x³ − 4x + 2 on every element",
          hint: "cubic(x) in Cubic.swift does not compute x³ − 4x + 2 on every element: compare it with the formula at one point.\nThe operators work between a tensor and a Double (x ** 3, 4 * x, … + 2), each on every element.") {
        let xs = [-2.0, 0, 1, 3, 0.5]
        let y = cubic(Tensor(xs, dtype: .float64))
        try expectShape(y, [5], "cubic([-2, 0, 1, 3, 0.5])")
        if let why = diagnose(y.scalars, at: xs, valueMistakes) { throw CheckFailure(why) }
        try expectClose(y, xs.map(f), "cubic([-2, 0, 1, 3, 0.5])")
    }

    Check("cubic_tracked", "cubic(x) is recorded by autograd when x requires grad",
          hint: "Use tensor operations on x itself (x ** 3, 4 * x, + 2); x.scalars and item() give plain numbers that autograd cannot follow.") {
        let x = Tensor([1.5, -0.5], dtype: .float64, requiresGrad: true)
        let y = cubic(x)
        guard y.requiresGrad else {
            throw CheckFailure("cubic(x) has the right numbers but does not require grad: it was computed outside autograd (from x.scalars, item() or a new Tensor), so backward() can never reach x. Build it from tensor operations on x: x ** 3 - 4 * x + 2")
        }
        // Evidence for grading: the gradient that the recorded graph carries back to x.
        try? y.sum().backward()
        observe(x.grad?.scalars ?? [.nan, .nan], "the gradient of sum(cubic(x)) at x = [1.5, -0.5]")
    }

    Check("derivative_by_hand", "cubicDerivative(x) is f'(x), by hand",
          hint: "cubicDerivative is f'(x) worked out by hand: differentiate x³ − 4x + 2 term by term with the power rule.\nd(xⁿ)/dx = n·xⁿ⁻¹; the derivative of −4x is −4 and of a constant 0.") {
        let points = Random.doubles(8, in: -3...3, avoiding: [0], margin: 0.2)
        let yours = points.map(cubicDerivative)
        if let why = diagnose(yours, at: points, derivativeMistakes) { throw CheckFailure(why) }
        try GradCheck.assertDerivative(of: f, derivative: cubicDerivative, at: points, name: "f")
    }

    Check("autograd_gradcheck", "autograd's gradient of cubic matches finite differences",
          hint: "cubic must use tensor operations (**, *, -, +) on x itself, not on x.scalars.") {
        let x = Random.tensor([6], in: -3...3, requiresGrad: true)
        try GradCheck.assertGradients(of: { cubic($0).sum() }, at: x, name: "x", output: "sum(cubic(x))")
    }

    Check("autograd_gradient", "gradientAt(v) returns f'(v), computed by backward()",
          hint: "gradientAt(v) must get the slope from autograd: a leaf that requires grad, cubic of it, backward(), then the leaf's .grad.\nCreate the tensor with requiresGrad: true (float64), call backward() on cubic's result, and turn the leaf's .grad into a Double with item().") {
        let points = Random.doubles(6, in: -3...3, avoiding: [0, 1, -1], margin: 0.2)
        let yours = try points.map { v in try explainingErrors("gradientAt(\(v))") { try gradientAt(v) } }
        if isClose(yours, points.map(f)) {
            throw CheckFailure("gradientAt(v) returns f(v), the value of the function: the slope is in x.grad after y.backward(), not in y")
        }
        if let why = diagnose(yours, at: points, derivativeMistakes) {
            throw CheckFailure("gradientAt(v) is wrong — " + why)
        }
        for (v, g) in zip(points, yours) {
            try expectClose(g, df(v), atol: 1e-4, rtol: 1e-4, "gradientAt(\(v))")
        }
    }

    Check("vector_gradient", "gradientsAt(values) returns f' at every value, from one backward pass",
          hint: "gradientsAt(values) needs one backward pass over all values, and backward() without an argument needs a single number.\nReduce cubic of the vector with sum() before backward(): each element depends only on its own value, so .grad holds one slope per value (.scalars).") {
        let values = Random.doubles(5, in: -3...3, avoiding: [0], margin: 0.2)
        let yours = try explainingErrors("gradientsAt(\(values.count) values)") { try gradientsAt(values) }
        guard yours.count == values.count else {
            throw CheckFailure("gradientsAt(values) returned \(yours.count) number\(yours.count == 1 ? "" : "s") for \(values.count) values: return x.grad!.scalars, one slope per value")
        }
        let n = Double(values.count)
        if isClose(yours, values.map { df($0) / n }) {
            throw CheckFailure("every slope is exactly 1/\(values.count) of the right one: mean() divides by the number of elements. Use sum(): its gradient with respect to each element is that element's own slope")
        }
        if isClose(yours, values.map(f)) {
            throw CheckFailure("gradientsAt returns the values f(v), not the slopes: read x.grad after backward()")
        }
        try expectClose(yours, values.map(df), atol: 1e-4, rtol: 1e-4, "gradientsAt(\(values.count) values)")
    }
}
