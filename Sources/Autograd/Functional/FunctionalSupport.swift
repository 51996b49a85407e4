/// The shared steps of the functional API, as in `torch/autograd/functional.py`.
enum Functional {
    /// The inputs made ready for `f`, and the vector `v` checked against them; `v` may be left
    /// out only for a single input with a single element.
    static func prepare(_ inputs: [Tensor], seeds v: [Tensor]?, createGraph: Bool) throws -> (inputs: [Tensor], seeds: [Tensor]?) {
        let prepared = try prepare(inputs, createGraph: createGraph)
        guard let v else {
            guard inputs.count == 1 && inputs[0].count == 1 else {
                throw AutogradError("The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.")
            }
            return (prepared, nil)
        }
        let seeds = try prepare(v, createGraph: createGraph, needGraph: false)
        try validate(seeds, against: prepared, numbered: inputs.count > 1)
        return (prepared, seeds)
    }

    /// Fresh inputs to differentiate with respect to: detached copies that require grad (when
    /// `needGraph`), or, with `createGraph`, views of inputs that already require grad (so the
    /// result stays connected).
    static func prepare(_ inputs: [Tensor], createGraph: Bool, needGraph: Bool = true) throws -> [Tensor] {
        try inputs.map { input in
            if createGraph && input.requiresGrad { return input.view(input.shape) }
            return try input.detach().requiresGrad_(needGraph)
        }
    }

    /// The results handed back: detached unless the caller asked for a graph.
    static func finish(_ tensors: [Tensor], createGraph: Bool) -> [Tensor] {
        createGraph ? tensors : tensors.map { $0.detach() }
    }

    /// In strict mode, every output must require grad.
    static func checkRequiresGrad(_ tensors: [Tensor?], _ kind: String, strict: Bool) throws {
        guard strict else { return }
        for (i, t) in tensors.enumerated() {
            guard let t else {
                throw AutogradError("The output of the user-provided function is independent of input \(i). This is not allowed in strict mode.")
            }
            if !t.requiresGrad {
                switch kind {
                case "outputs":
                    throw AutogradError("Output \(i) of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.")
                case "jacobian":
                    throw AutogradError("The jacobian of the user-provided function with respect to input \(i) is independent of the input. This is not allowed in strict mode when create_graph=True.")
                default:
                    throw AutogradError("The \(kind) of the user-provided function with respect to input \(i) is independent of the input. This is not allowed in strict mode.")
                }
            }
        }
    }

    /// `torch.autograd.grad` over the outputs that require grad only; nil for every input when
    /// none does.
    static func grad(_ outputs: [Tensor?], _ inputs: [Tensor], _ gradOutputs: [Tensor?]? = nil,
                     retainGraph: Bool? = nil, createGraph: Bool) throws -> [Tensor?] {
        let seeds = gradOutputs ?? Array(repeating: nil, count: outputs.count)
        let kept = zip(outputs, seeds).compactMap { o, s in o.flatMap { $0.requiresGrad ? ($0, s) : nil } }
        guard !kept.isEmpty else { return Array(repeating: nil, count: inputs.count) }
        return try Autograd.grad(outputs: kept.map(\.0), inputs: inputs, gradOutputs: kept.map(\.1),
                                 retainGraph: retainGraph, createGraph: createGraph, allowUnused: true)
    }

    /// Zeros for the inputs a result doesn't depend on (an error in strict mode).
    static func fillInZeros(_ grads: [Tensor?], like refs: [Tensor], strict: Bool, stage: String) throws -> [Tensor] {
        try zip(grads, refs).enumerated().map { i, pair in
            if let g = pair.0 { return g }
            if strict {
                switch stage {
                case "back_trick":
                    throw AutogradError("The gradient with respect to the input is independent of entry \(i) in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.")
                case "double_back_trick":
                    throw AutogradError("The jacobian of the user-provided function is independent of input \(i). This is not allowed in strict mode.")
                default:
                    throw AutogradError("The output of the user-provided function is independent of input \(i). This is not allowed in strict mode.")
                }
            }
            return Tensor.zerosLike(pair.1)
        }
    }

    /// `v` must have the shape of what it multiplies.
    static func validate(_ v: [Tensor], against others: [Tensor], numbered: Bool) throws {
        guard v.count == others.count else {
            throw AutogradError("v is a tuple of invalid length: should be \(others.count) but got \(v.count).")
        }
        for (i, (a, b)) in zip(v, others).enumerated() where a.shape != b.shape {
            let prefix = numbered ? "Entry \(i) in " : ""
            throw AutogradError("\(prefix)v has invalid size: should be \(Tensor.sizeText(b.shape)) but got \(Tensor.sizeText(a.shape)).")
        }
    }
}
