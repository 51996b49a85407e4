/// Derivatives of whole functions, as `torch.autograd.functional`: `vjp`, `jvp`, `jacobian`,
/// `hessian`, `hvp` and `vhp`. Each takes a function and the point to differentiate it at, runs it
/// on fresh inputs that require grad, and returns plain tensors (detached unless `createGraph`).
///
/// - `vjp`: `vᵀ J`, one backward pass, whatever the number of inputs.
/// - `jvp`: `J v`, here (as in PyTorch) by the double-backward trick: two backward passes.
///   Forward mode (`dualLevel`, `makeDual`) computes the same in one forward pass.
/// - `jacobian`: the whole `J`, one backward pass per output element (`.reverseMode`) or one
///   forward pass per input element (`.forwardMode`).
/// - `hessian`: the Jacobian of the gradient; `hvp`/`vhp`: `H v` and `vᵀ H` without forming `H`.

/// How `jacobian` builds the matrix: row by row with backward passes, or column by column with
/// forward-mode tangents (PyTorch's `strategy="reverse-mode"` / `"forward-mode"`).
public enum JacobianStrategy: Sendable {
    case reverseMode
    case forwardMode
}

// MARK: - vjp

/// `vᵀ J` of `f` at `inputs` (`torch.autograd.functional.vjp`): the function's output and, for each
/// input, the gradient of `⟨v, f(inputs)⟩`. `v` may be left out only when `f` returns one element.
public func vjp(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], v: Tensor? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, vjp: [Tensor]) {
    let (output, grads) = try enableGrad { () throws -> (Tensor, [Tensor?]) in
        let prepared = try Functional.prepare(inputs, createGraph: createGraph)
        let output = try f(prepared)
        try Functional.checkRequiresGrad([output], "outputs", strict: strict)
        var seed: Tensor? = nil
        if let v {
            let prepared = try Functional.prepare([v], createGraph: createGraph, needGraph: false)[0]
            try Functional.validate([prepared], against: [output], numbered: false)
            seed = prepared
        } else if output.count != 1 {
            throw AutogradError("The vector v can only be None if the user-provided function returns a single Tensor with a single element.")
        }
        let grads = try setGradEnabled(createGraph || isGradEnabled) {
            try Functional.grad([output], prepared, [seed], createGraph: createGraph)
        }
        return try (output, Functional.fillInZeros(grads, like: prepared, strict: strict, stage: "back"))
    }
    return (Functional.finish([output], createGraph: createGraph)[0],
            Functional.finish(grads.map { $0! }, createGraph: createGraph))
}

/// `vjp` of a function of one tensor.
public func vjp(_ f: (Tensor) throws -> Tensor, _ input: Tensor, v: Tensor? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, vjp: Tensor) {
    let (output, grads) = try vjp({ try f($0[0]) }, [input], v: v, createGraph: createGraph, strict: strict)
    return (output, grads[0])
}

// MARK: - jvp

/// `J v` of `f` at `inputs` (`torch.autograd.functional.jvp`): the function's output and the
/// directional derivative along `v` (one tangent per input). Computed as PyTorch does, by the
/// double-backward trick: the backward pass `u ↦ Jᵀ u` is linear in `u`, and its own backward
/// along `v` is `J v`.
public func jvp(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], v: [Tensor]? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, jvp: Tensor) {
    let (output, gradInputs, gradOutput, seeds) = try enableGrad { () throws -> (Tensor, [Tensor?], Tensor, [Tensor]?) in
        let (prepared, seeds) = try Functional.prepare(inputs, seeds: v, createGraph: createGraph)
        let output = try f(prepared)
        try Functional.checkRequiresGrad([output], "outputs", strict: strict)
        // Any u works: the backward pass is linear in it, so its value never reaches J v.
        let u = Tensor.zeros(output.shape, dtype: output.dtype, requiresGrad: true)
        let gradInputs = try Functional.grad([output], prepared, [u], createGraph: true)
        try Functional.checkRequiresGrad(gradInputs, "grad_inputs", strict: strict)
        return (output, gradInputs, u, seeds)
    }
    let result = try setGradEnabled(createGraph || isGradEnabled) { () throws -> Tensor in
        let grads = try Functional.grad(gradInputs, [gradOutput], seeds, createGraph: createGraph)
        return try Functional.fillInZeros(grads, like: [output], strict: strict, stage: "back_trick")[0]
    }
    return (Functional.finish([output], createGraph: createGraph)[0], Functional.finish([result], createGraph: createGraph)[0])
}

/// `jvp` of a function of one tensor.
public func jvp(_ f: (Tensor) throws -> Tensor, _ input: Tensor, v: Tensor? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, jvp: Tensor) {
    try jvp({ try f($0[0]) }, [input], v: v.map { [$0] }, createGraph: createGraph, strict: strict)
}

// MARK: - jacobian

/// The Jacobian of `f` at `inputs` (`torch.autograd.functional.jacobian`), one tensor per input, of
/// shape `output.shape + input.shape`. `.reverseMode` runs one backward pass per output element,
/// `.forwardMode` one forward pass with tangents per input element: pick the one with fewer passes.
public func jacobian(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], createGraph: Bool = false,
                     strict: Bool = false, strategy: JacobianStrategy = .reverseMode) throws -> [Tensor] {
    switch strategy {
    case .reverseMode: return try reverseJacobian(f, inputs, createGraph: createGraph, strict: strict)
    case .forwardMode: return try forwardJacobian(f, inputs, createGraph: createGraph)
    }
}

/// The Jacobian of a function of one tensor: shape `output.shape + input.shape`.
public func jacobian(_ f: (Tensor) throws -> Tensor, _ input: Tensor, createGraph: Bool = false,
                     strict: Bool = false, strategy: JacobianStrategy = .reverseMode) throws -> Tensor {
    try jacobian({ try f($0[0]) }, [input], createGraph: createGraph, strict: strict, strategy: strategy)[0]
}

private func reverseJacobian(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], createGraph: Bool,
                             strict: Bool) throws -> [Tensor] {
    try enableGrad {
        let prepared = try Functional.prepare(inputs, createGraph: createGraph)
        let output = try f(prepared)
        try Functional.checkRequiresGrad([output], "outputs", strict: strict)
        var rows = [[Tensor]](repeating: [], count: prepared.count)
        let flat = output.reshape([-1])
        for j in 0..<output.count {
            let grads = try Functional.grad([flat[j]], prepared, retainGraph: true, createGraph: createGraph)
            for (k, g) in grads.enumerated() {
                if let g {
                    if strict && createGraph && !g.requiresGrad {
                        throw AutogradError("The jacobian of the user-provided function is independent of input \(k). This is not allowed in strict mode when create_graph=True.")
                    }
                    rows[k].append(g)
                } else {
                    if strict {
                        throw AutogradError("Output 0 of the user-provided function is independent of input \(k). This is not allowed in strict mode.")
                    }
                    rows[k].append(Tensor.zerosLike(prepared[k]))
                }
            }
        }
        let jac = zip(rows, prepared).map { rows, input -> Tensor in
            let stacked = rows.isEmpty ? Tensor.zeros([0] + input.shape, dtype: input.dtype) : Tensor.stacking(rows, dim: 0)
            return stacked.reshape(output.shape + input.shape)
        }
        return Functional.finish(jac, createGraph: createGraph)
    }
}

/// Column by column: the tangent of `f` along each basis direction of each input.
private func forwardJacobian(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], createGraph: Bool) throws -> [Tensor] {
    var outputShape: [Int]? = nil
    var jac: [Tensor] = []
    for (k, input) in inputs.enumerated() {
        var columns: [Tensor] = []
        for j in 0..<input.count {
            var basis = [Double](repeating: 0, count: input.count)
            basis[j] = 1
            let column = try dualLevel { () throws -> Tensor in
                var duals = inputs
                duals[k] = try makeDual(input, Tensor(basis, shape: input.shape, dtype: input.dtype))
                let output = try f(duals)
                outputShape = output.shape
                return unpackDual(output).tangent ?? Tensor.zerosLike(output)
            }
            columns.append(column.reshape([-1]))
        }
        if outputShape == nil { outputShape = try f(inputs).shape }
        let shape = outputShape ?? []
        let stacked = columns.isEmpty ? Tensor.zeros(shape + [0], dtype: input.dtype) : Tensor.stacking(columns, dim: 1)
        jac.append(stacked.reshape(shape + input.shape))
    }
    return Functional.finish(jac, createGraph: createGraph)
}

// MARK: - hessian, hvp, vhp

/// The Hessian of a scalar function at `inputs` (`torch.autograd.functional.hessian`): the Jacobian
/// of its gradient, `hessian[i][j]` of shape `inputs[i].shape + inputs[j].shape`.
/// `outerStrategy: .forwardMode` takes that outer Jacobian with forward-mode tangents pushed through
/// the backward pass (forward-over-reverse).
public func hessian(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], createGraph: Bool = false,
                    strict: Bool = false, outerStrategy: JacobianStrategy = .reverseMode) throws -> [[Tensor]] {
    func singleOutput(_ x: [Tensor]) throws -> Tensor {
        let out = try f(x)
        try Functional.checkRequiresGrad([out], "outputs", strict: strict)
        guard out.count == 1 else {
            throw AutogradError("The Tensor returned by the function given to hessian should contain a single element")
        }
        return out.reshape([])
    }
    var blocks = [[Tensor]](repeating: [], count: inputs.count)
    // The gradient with respect to input i, as a function whose Jacobian is row block i of H.
    for i in inputs.indices {
        let rows = try jacobian({ x -> Tensor in
            let x = try outerStrategy == .forwardMode ? x.map { try $0.isLeaf ? $0.requiresGrad_() : $0 } : x
            let gradient = try jacobian(singleOutput, x, createGraph: true)[i]
            try Functional.checkRequiresGrad([gradient], "jacobian", strict: strict)
            return gradient
        }, inputs, createGraph: createGraph, strict: strict, strategy: outerStrategy)
        blocks[i] = rows
    }
    return blocks
}

/// The Hessian of a scalar function of one tensor: shape `input.shape + input.shape`.
public func hessian(_ f: (Tensor) throws -> Tensor, _ input: Tensor, createGraph: Bool = false,
                    strict: Bool = false, outerStrategy: JacobianStrategy = .reverseMode) throws -> Tensor {
    try hessian({ try f($0[0]) }, [input], createGraph: createGraph, strict: strict, outerStrategy: outerStrategy)[0][0]
}

/// `H v` for a scalar function (`torch.autograd.functional.hvp`), without forming `H`: by the
/// double-backward trick, as PyTorch computes it.
public func hvp(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], v: [Tensor]? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, hvp: [Tensor]) {
    try secondOrderProduct(f, inputs, v: v, createGraph: createGraph, strict: strict, name: "hvp", doubleBack: true)
}

/// `hvp` of a function of one tensor.
public func hvp(_ f: (Tensor) throws -> Tensor, _ input: Tensor, v: Tensor? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, hvp: Tensor) {
    let r = try hvp({ try f($0[0]) }, [input], v: v.map { [$0] }, createGraph: createGraph, strict: strict)
    return (r.output, r.hvp[0])
}

/// `vᵀ H` for a scalar function (`torch.autograd.functional.vhp`): one backward pass through the
/// gradient. Equal to `hvp` for a function with continuous second derivatives.
public func vhp(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], v: [Tensor]? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, vhp: [Tensor]) {
    let r = try secondOrderProduct(f, inputs, v: v, createGraph: createGraph, strict: strict, name: "vhp", doubleBack: false)
    return (r.output, r.hvp)
}

/// `vhp` of a function of one tensor.
public func vhp(_ f: (Tensor) throws -> Tensor, _ input: Tensor, v: Tensor? = nil,
                createGraph: Bool = false, strict: Bool = false) throws -> (output: Tensor, vhp: Tensor) {
    let r = try vhp({ try f($0[0]) }, [input], v: v.map { [$0] }, createGraph: createGraph, strict: strict)
    return (r.output, r.vhp[0])
}

private func secondOrderProduct(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor], v: [Tensor]?, createGraph: Bool,
                                strict: Bool, name: String, doubleBack: Bool) throws -> (output: Tensor, hvp: [Tensor]) {
    let (output, grads, prepared) = try enableGrad { () throws -> (Tensor, [Tensor?], [Tensor]) in
        let (prepared, seeds) = try Functional.prepare(inputs, seeds: v, createGraph: createGraph)
        let output = try f(prepared)
        try Functional.checkRequiresGrad([output], "outputs", strict: strict)
        guard output.count == 1 else {
            throw AutogradError("The Tensor returned by the function given to \(name) should contain a single element")
        }
        let jac = try Functional.grad([output], prepared, createGraph: true)
        try Functional.checkRequiresGrad(jac, "jacobian", strict: strict)
        if !doubleBack {
            let grads = try setGradEnabled(createGraph || isGradEnabled) {
                try Functional.grad(jac, prepared, seeds, createGraph: createGraph)
            }
            return (output, grads, prepared)
        }
        // H v as the backward of the backward: u ↦ Hᵀ u is linear in u; its transpose along v is H v.
        let us = try prepared.map { try Tensor.zeros($0.shape, dtype: $0.dtype).requiresGrad_() }
        let doubleBack = try Functional.grad(jac, prepared, us, createGraph: true)
        let grads = try setGradEnabled(createGraph || isGradEnabled) {
            try Functional.grad(doubleBack, us, seeds, createGraph: createGraph)
        }
        return (output, grads, prepared)
    }
    let filled = try Functional.fillInZeros(grads, like: prepared, strict: strict, stage: "double_back_trick")
    return (Functional.finish([output], createGraph: createGraph)[0], Functional.finish(filled, createGraph: createGraph))
}
