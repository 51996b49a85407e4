/// Compares the gradients autograd computes with finite differences (`torch.autograd.gradcheck`).
///
/// For each input that requires grad, every element is nudged by ±`eps` to build the numerical
/// Jacobian column by column, and backward is run once per output element to build the analytical
/// one row by row. They must agree within `atol + rtol * |numerical|`. Use float64 inputs: in
/// float32 the rounding error of a central difference is larger than the tolerance.
///
/// - Returns: true when they agree; false, or a thrown `AutogradError` describing the first
///   mismatch (PyTorch's wording) when `raiseException` is true.
public func gradcheck(_ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], eps: Double = 1e-6,
                      atol: Double = 1e-5, rtol: Double = 1e-3, raiseException: Bool = true) throws -> Bool {
    // Gradients need a recorded graph, whatever mode the caller is in.
    try enableGrad { try checkGradients(f, inputs: inputs, eps: eps, atol: atol, rtol: rtol, raiseException: raiseException) }
}

private func checkGradients(_ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], eps: Double,
                            atol: Double, rtol: Double, raiseException: Bool) throws -> Bool {
    let output = try f(inputs)
    let outCount = output.count
    for (k, input) in inputs.enumerated() where input.requiresGrad {
        let numerical = try numericalJacobian(f, inputs: inputs, index: k, eps: eps, outputCount: outCount)
        var analytical = [[Double]](repeating: [Double](repeating: 0, count: outCount), count: input.count)
        for i in 0..<outCount {
            var seed = [Double](repeating: 0, count: outCount)
            seed[i] = 1
            let fresh = try f(inputs)
            let g = try grad(outputs: [fresh], inputs: [input],
                             gradOutputs: [Tensor(seed, shape: fresh.shape, dtype: fresh.dtype)], allowUnused: true)[0]
            let column = g?.scalars ?? [Double](repeating: 0, count: input.count)
            for j in 0..<input.count { analytical[j][i] = column[j] }
        }
        for j in 0..<input.count {
            for i in 0..<outCount {
                let a = analytical[j][i], n = numerical[j][i]
                if !(Swift.abs(a - n) <= atol + rtol * Swift.abs(n)) {
                    guard raiseException else { return false }
                    throw AutogradError("Jacobian mismatch for output 0 with respect to input \(k),\nnumerical:\(n)\nanalytical:\(a)\n(element [\(j), \(i)] of the Jacobian)")
                }
            }
        }
    }
    return true
}

/// d output / d input[index], one column per input element, by central differences.
private func numericalJacobian(_ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], index: Int, eps: Double,
                               outputCount: Int) throws -> [[Double]] {
    let input = inputs[index]
    let base = input.scalars
    // Evaluated with grad mode on and the input still requiring grad, as PyTorch does, so that a
    // function which calls grad() itself (a gradient penalty) can be checked too.
    return try enableGrad {
        try (0..<input.count).map { j in
            func evaluate(_ delta: Double) throws -> [Double] {
                var values = base
                values[j] += delta
                var perturbed = inputs
                perturbed[index] = Tensor(values, shape: input.shape, dtype: input.dtype, requiresGrad: input.requiresGrad)
                return try f(perturbed).scalars
            }
            let plus = try evaluate(eps), minus = try evaluate(-eps)
            return (0..<outputCount).map { (plus[$0] - minus[$0]) / (2 * eps) }
        }
    }
}
