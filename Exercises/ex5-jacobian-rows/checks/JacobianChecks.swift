import Autograd
import Foundation
import GraderKit

// Reference answers are computed on plain numbers, never with the student's functions.

/// A random m × n matrix, as rows.
private func randomMatrix(_ m: Int, _ n: Int) -> [[Double]] {
    (0..<m).map { _ in Random.doubles(n, in: -2...2) }
}

private func transpose(_ a: [[Double]]) -> [[Double]] {
    guard let width = a.first?.count else { return [] }
    return (0..<width).map { j in a.map { $0[j] } }
}

private func rows(of t: Tensor) -> [[Double]] {
    guard t.rank == 2 else { return [t.scalars] }
    let n = t.shape[1]
    return (0..<t.shape[0]).map { Array(t.scalars[($0 * n)..<($0 * n + n)]) }
}

private func close(_ a: [Double], _ b: [Double], tol: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol + tol * abs($1) }
}

private func close(_ a: [[Double]], _ b: [[Double]]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { close($0, $1) }
}

/// Runs `body`, turning the autograd errors this exercise provokes into explanations.
private func explaining<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AutogradError {
        let m = error.message
        if m.contains("backward through the graph a second time") {
            throw CheckFailure("\(what) threw \"Trying to backward through the graph a second time ...\": the first backward pass freed the values the graph saved, so the pass for the next row had nothing to run on. Pass retainGraph: true to every backward except the last one (retainGraph: i < m - 1)")
        }
        if m.contains("implicitly created only for scalar outputs") {
            throw CheckFailure("\(what) threw \"grad can be implicitly created only for scalar outputs\": f(x) is a vector, so backward needs to be told the weight of each output. Pass gradient: v (the one-hot row selector in jacobian)")
        }
        if m.contains("Mismatch in shape") {
            throw CheckFailure("\(what) threw \"\(m)\": the gradient you pass to backward must have the shape of the OUTPUT y = f(x) (m numbers), not of the input x")
        }
        if m.contains("does not require grad") {
            throw CheckFailure("\(what) threw \"\(m)\": the tensor you ran f on does not require grad, so there is no graph to run backward through. Make a leaf that does: let input = x.detach().clone(); try input.requiresGrad_()")
        }
        if m.contains("leaf Variable") || m.contains("requires_grad flags") {
            throw CheckFailure("\(what) threw \"\(m)\"")
        }
        throw CheckFailure("\(what) threw an error: \(m)")
    }
}

/// f(x) = A·x, whose Jacobian is A itself.
private func linear(_ a: [[Double]]) -> (Tensor) throws -> Tensor {
    let matrix = Tensor(a, dtype: .float64)
    return { matrix.matmul($0) }
}

private func plain(_ xs: [Double]) -> Tensor { Tensor(xs, dtype: .float64) }

let checks = CheckSuite {
    Check("vjp_linear", "vectorJacobianProduct gives vᵀJ for f(x) = A·x (which is Aᵀv)",
          hint: "One backward pass from y = f(input) with gradient: v; the answer is the leaf's .grad, one number per input.") {
        let a = randomMatrix(3, 4)
        let x = plain(Random.doubles(4)), v = Random.doubles(3)
        let yours = try explaining("vectorJacobianProduct(of: A·x, at: x, v: v)") {
            try vectorJacobianProduct(of: linear(a), at: x, v: plain(v))
        }
        let expected = transpose(a).map { col in zip(col, v).map(*).reduce(0, +) }
        let onesResult = transpose(a).map { $0.reduce(0, +) }
        if yours.count == 3 {
            throw CheckFailure("vectorJacobianProduct returned \(yours.count) numbers, one per OUTPUT; vᵀJ has one number per INPUT (4 here): it is the leaf's .grad, not f(x) or v")
        }
        if close(yours.scalars, onesResult) && !close(onesResult, expected) {
            throw CheckFailure("vectorJacobianProduct ignores v: your result is the sum of J's rows, which is what a gradient of ones (or y.sum().backward()) gives. Pass v itself: try y.backward(gradient: v)")
        }
        try expectShape(yours, [4], "vectorJacobianProduct(of: A·x, at: x, v: v)")
        try expectClose(yours, expected, atol: 1e-8, rtol: 1e-6, "vectorJacobianProduct(of: A·x, at: x, v: v)")
    }

    Check("vjp_leaves_x_alone", "vectorJacobianProduct doesn't change x or leave gradients on it",
          hint: "The function changed the caller's x (its .grad or its requiresGrad): work on a leaf of your own.\nA detached clone of x that requires grad is a fresh leaf; never write into x.") {
        let values = Random.doubles(3)
        let x = plain(values)
        let result = try explaining("vectorJacobianProduct(of: x², at: x, v: ones)") {
            try vectorJacobianProduct(of: { $0 * $0 }, at: x, v: plain([1, 1, 1]))
        }
        try expect(x.scalars == values, "x's values changed: vectorJacobianProduct must compute on a copy of x, never write into it")
        try expect(!x.requiresGrad, "x requires grad after your call: make a separate leaf (x.detach().clone(), then requiresGrad_()) instead of switching x itself on; the caller's tensor should come back as it went in")
        observe(result, "vectorJacobianProduct(of: x², at: x, v: ones)", atol: 1e-8, rtol: 1e-6)
    }

    Check("vjp_nonlinear", "vectorJacobianProduct matches vᵀJ for a nonlinear f",
          hint: "The same one backward pass: gradient: v. Nothing in your code should depend on what f is.") {
        let a = randomMatrix(2, 3)
        let matrix = Tensor(a, dtype: .float64)
        let f: (Tensor) -> Tensor = { (matrix.matmul($0 * $0)).tanh() }
        let xs = Random.doubles(3), v = Random.doubles(2)
        let yours = try explaining("vectorJacobianProduct(of: tanh(A·x²), at: x, v: v)") {
            try vectorJacobianProduct(of: f, at: plain(xs), v: plain(v))
        }
        // vᵀJ by hand: J[i][j] = (1 − tanh²(Σ A[i][k] x[k]²)) · A[i][j] · 2x[j]
        let s = a.map { row in Foundation.tanh(zip(row, xs).map { $0 * $1 * $1 }.reduce(0, +)) }
        let expected = xs.indices.map { j in a.indices.map { i in v[i] * (1 - s[i] * s[i]) * a[i][j] * 2 * xs[j] }.reduce(0, +) }
        try expectClose(yours, expected, atol: 1e-8, rtol: 1e-6, "vectorJacobianProduct(of: tanh(A·x²), at: x, v: v)")
    }

    Check("jacobian_linear", "jacobian(of: A·x) is A: shape [m, n], row i the gradient of output i",
          hint: "jacobian: row i is the vector-Jacobian product with a one-hot vector (1 at position i).\nReset the leaf's .grad to nil before each pass (gradients add up), and stack the rows with Tensor.stack(rows).") {
        let a = randomMatrix(3, 4)
        let yours = try explaining("jacobian(of: A·x, at: x)") { try jacobian(of: linear(a), at: plain(Random.doubles(4))) }
        if yours.shape == [4, 3] {
            throw CheckFailure("your Jacobian has shape [4, 3], the transpose of the expected [3, 4]: J has one ROW per output (3) and one COLUMN per input (4). Each backward pass gives a row; stack them with Tensor.stack(rows) (dim 0)")
        }
        try expectShape(yours, [3, 4], "jacobian(of: A·x, at: x) (3 outputs, 4 inputs)")
        let got = rows(of: yours)
        let running = a.indices.map { i in (0..<4).map { j in (0...i).map { a[$0][j] }.reduce(0, +) } }
        if close(got, running) {
            throw CheckFailure("row i of your Jacobian is the sum of rows 0...i: backward ADDS into .grad, so each pass piled onto the previous ones. Set the leaf's .grad = nil before each backward pass (or read the row with grad(outputs:inputs:gradOutputs:), which returns instead of accumulating)")
        }
        let columnSums = (0..<4).map { j in a.map { $0[j] }.reduce(0, +) }
        if got.allSatisfy({ close($0, columnSums) }) {
            throw CheckFailure("every row of your Jacobian is the same: the sum of all of J's rows. Two mistakes give exactly this. (1) A gradient of ones in every pass: row i needs a one-hot gradient, 1 at position i and 0 everywhere else. (2) Never resetting .grad: backward adds into the leaf's .grad tensor in place, so every row you appended is that same tensor, holding the sum of all passes. Set input.grad = nil before each backward")
        }
        try expectClose(yours, a.flatMap { $0 }, atol: 1e-8, rtol: 1e-6, "jacobian(of: A·x, at: x)")
    }

    Check("jacobian_one_forward", "jacobian calls f once and runs one backward per row through that one graph",
          hint: "jacobian must call f once and run backward m times on the same graph, which the first backward frees unless told otherwise.\nCall f before the loop; pass retainGraph to every backward but the last.") {
        var calls = 0
        let a = randomMatrix(3, 2)
        let f = linear(a)
        var received: [Double] = []
        let counted: (Tensor) throws -> Tensor = { calls += 1; received += $0.scalars; return try f($0) }
        _ = try explaining("jacobian(of: A·x, at: x)") { try jacobian(of: counted, at: plain(Random.doubles(2))) }
        if calls != 1 {
            throw CheckFailure("your jacobian called f \(calls) times for a function with 3 outputs. Run the forward pass once, keep its graph with retainGraph: true, and backward through it once per row: a forward pass can be as costly as the backward, and a network's forward pass is not always repeatable (dropout, randomness)")
        }
        // Evidence for grading: the point jacobian ran f at (the Jacobian's values are jacobian_linear's).
        observe(received, "the input jacobian passed to f", atol: 1e-12, rtol: 1e-12)
    }

    Check("jacobian_nonlinear", "jacobian matches finite differences for nonlinear functions",
          hint: "If the linear checks pass, this one should too; if it fails only here, look for anything in your code that assumes f is linear or square.") {
        let a = randomMatrix(3, 2)
        let matrix = Tensor(a, dtype: .float64)
        let f: (Tensor) throws -> Tensor = { (matrix.matmul($0)).tanh() * $0.sum() }
        let softmax: (Tensor) throws -> Tensor = { try $0.softmax(dim: 0) }
        for (name, fn, n) in [("tanh(A·x)·Σx", f, 2), ("softmax(x)", softmax, 4)] {
            let x0 = Random.doubles(n)
            try explaining("jacobian(of: \(name), at: x)") {
                try GradCheck.assertJacobian(
                    of: { try fn(plain($0)).scalars },
                    jacobian: { rows(of: try jacobian(of: fn, at: plain($0))) },
                    at: x0, input: "x", output: name)
            }
        }
    }

    Check("jacobian_single_output", "jacobian of a function with one output is a 1 × n matrix (its gradient)",
          hint: "With m = 1 the loop runs once, and that single pass is also the last one: it must not need a retained graph.") {
        let xs = Random.doubles(3)
        let yours = try explaining("jacobian(of: [Σ x²], at: x)") { try jacobian(of: { ($0 * $0).sum().reshape([1]) }, at: plain(xs)) }
        try expectShape(yours, [1, 3], "jacobian(of: [Σ x²], at: x)")
        try expectClose(yours, xs.map { 2 * $0 }, atol: 1e-8, rtol: 1e-6, "jacobian(of: [Σ x²], at: x)")
    }
}
