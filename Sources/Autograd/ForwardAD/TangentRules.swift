/// How each operation's output tangent is computed from its inputs' tangents: the forward-mode
/// counterpart of the backward rules, `ẏ = J ẋ`.
///
/// Most rules follow from the backward rule alone, as PyTorch's `derivatives.yaml` derives them
/// (`auto_element_wise`, `auto_linear`):
/// - an elementwise function has a diagonal Jacobian, so `J ẋ = Jᵀ ẋ`: its backward rule applied
///   to the tangent (`tanh`: `ẋ · (1 − y²)`);
/// - any other operation's backward rule `g ↦ Jᵀ g` is linear in `g`, so `J ẋ` is the gradient
///   of `⟨Jᵀ g, ẋ⟩` with respect to `g` (the transpose of a linear map, by one more backward).
/// Products, whose backward rules skip an input that doesn't require grad, have their formulas
/// here: `(a·b)˙ = ȧ·b + a·ḃ`, `(a/b)˙ = ȧ/b − a·ḃ/b²`, `(AB)˙ = ȦB + AḂ`.
///
/// Tangents are computed without recording a graph (they never require grad).
enum TangentRules {
    /// Elementwise operations (one input, the output's shape): the backward rule is the tangent rule.
    static let elementwise: Set<String> = [
        "ExpBackward0", "LogBackward0", "SqrtBackward0", "SinBackward0", "CosBackward0", "TanhBackward0",
        "SigmoidBackward0", "ReluBackward0", "AbsBackward0", "SignBackward0", "ReciprocalBackward0",
        "ClampMinBackward0", "ClampMaxBackward0", "ClampBackward1", "PowBackward0", "PowBackward2",
        "NegBackward0", "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0",
        "CloneBackward0", "ToCopyBackward0",
        "Log1PBackward0", "Expm1Backward0", "RsqrtBackward0", "ErfBackward0", "LeakyReluBackward0",
        "GeluBackward0", "SoftplusBackward0", "SiluBackward0", "LogSigmoidBackward0",
    ]

    /// Operations whose tangents are computed elsewhere (the fused linear layer; a checkpoint,
    /// whose block computed its tangent in its first run).
    static let handledByCaller: Set<String> = ["AddmmBackward0", "CheckpointFunctionBackward"]

    /// Called by every operation after computing `output`: attaches `output`'s tangent when an
    /// input has one.
    static func propagate(name: String, inputs: [Tensor], output: Tensor, rule: (Tensor) throws -> [Tensor?]) {
        guard DualLevel.isActive, !handledByCaller.contains(name) else { return }
        let tangents = inputs.map { DualLevel.tangent(of: $0) }
        guard tangents.contains(where: { $0 != nil }) else { return }
        let tangent: Tensor
        do {
            tangent = try DualLevel.withoutPropagation {
                try outputTangent(name: name, inputs: inputs, tangents: tangents, output: output, rule: rule)
            }
        } catch {
            // PyTorch raises NotImplementedError here; an operation can't throw, so this stops.
            preconditionFailure("Trying to use forward AD with \(name) that does not support it because it has not been implemented yet. (\(error))")
        }
        DualLevel.setTangent(tangent.detach(), of: output)
    }

    /// A view's tangent is the same view of the input's tangent.
    static func propagateView(of input: Tensor, to output: Tensor) {
        guard DualLevel.isActive, let t = DualLevel.tangent(of: input) else { return }
        DualLevel.setTangent(DualLevel.withoutPropagation { t.reshape(output.shape) }, of: output)
    }

    private static func outputTangent(name: String, inputs: [Tensor], tangents: [Tensor?], output: Tensor,
                                      rule: (Tensor) throws -> [Tensor?]) throws -> Tensor {
        func zeros() -> Tensor { Tensor.zeros(output.shape, dtype: output.dtype) }
        if inputs.count == 1, elementwise.contains(name), inputs[0].shape == output.shape, let t = tangents[0] {
            return try noGrad { try rule(t.to(output.dtype))[0] } ?? zeros()
        }
        if inputs.count == 2 {
            let (a, b) = (inputs[0].detach(), inputs[1].detach())
            let (ta, tb) = (tangents[0], tangents[1])
            switch name {
            case "AddBackward0":
                return noGrad { sum(ta, tb, shape: output.shape) ?? zeros() }
            case "SubBackward0":
                return noGrad { sum(ta, tb.map { -$0 }, shape: output.shape) ?? zeros() }
            case "MulBackward0":
                return noGrad { sum(ta.map { $0 * b }, tb.map { a * $0 }, shape: output.shape) ?? zeros() }
            case "DivBackward0":
                return noGrad { sum(ta.map { $0 / b }, tb.map { -a * $0 / (b * b) }, shape: output.shape) ?? zeros() }
            case "MmBackward0", "DotBackward0", "MvBackward0", "BmmBackward0":
                return noGrad {
                    (sum(ta.map { Tensor.product($0, b) }, tb.map { Tensor.product(a, $0) }, shape: [a.shape[0], b.shape[1]]) ?? zeros())
                        .reshape(output.shape)
                }
            default:
                break
            }
        }
        return try transposedRule(rule, tangents: tangents, output: output)
    }

    /// `ta + tb` where either may be missing, broadcast to `shape`.
    private static func sum(_ ta: Tensor?, _ tb: Tensor?, shape: [Int]) -> Tensor? {
        switch (ta, tb) {
        case let (a?, b?): return (a + b).expand(shape)
        case let (a?, nil): return a.expand(shape)
        case let (nil, b?): return b.expand(shape)
        default: return nil
        }
    }

    /// `J ẋ` from the backward rule `g ↦ Jᵀ g`: the gradient of `Σᵢ ⟨(Jᵀ g)ᵢ, ẋᵢ⟩` with respect to `g`.
    private static func transposedRule(_ rule: (Tensor) throws -> [Tensor?], tangents: [Tensor?],
                                       output: Tensor) throws -> Tensor {
        let zeros = Tensor.zeros(output.shape, dtype: output.dtype)
        let g = Tensor.zeros(output.shape, dtype: output.dtype, requiresGrad: true)
        return try enableGrad {
            let grads = try rule(g)
            var total: Tensor? = nil
            for (gradient, tangent) in zip(grads, tangents) {
                guard let tangent else { continue }
                guard let gradient else {
                    throw AutogradError("the backward rule gave no gradient for an input that carries a tangent")
                }
                let term = (gradient * tangent.to(gradient.dtype)).sum()
                total = total.map { $0 + term } ?? term
            }
            guard let total, total.requiresGrad else { return zeros }
            return try grad(outputs: [total], inputs: [g], allowUnused: true)[0]?.detach() ?? zeros
        }
    }
}

extension TangentRules {
    /// The fused linear layer `b + x·Wᵀ`: its tangent is `ḃ + ẋ·Wᵀ + x·Ẇᵀ`.
    static func propagateLinear(to output: Tensor, x: Tensor, weight: Tensor, bias: Tensor) {
        let (tx, tw, tb) = (DualLevel.tangent(of: x), DualLevel.tangent(of: weight), DualLevel.tangent(of: bias))
        guard tx != nil || tw != nil || tb != nil else { return }
        let tangent = DualLevel.withoutPropagation {
            noGrad { () -> Tensor in
                var total = Tensor.zeros(output.shape, dtype: output.dtype)
                if let tx { total = total + Tensor.product(tx, weight.detach(), transposeB: true) }
                if let tw { total = total + Tensor.product(x.detach(), tw, transposeB: true) }
                if let tb { total = total + tb }
                return total
            }
        }
        DualLevel.setTangent(tangent, of: output)
    }
}
