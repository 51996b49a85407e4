/// Gradient clipping (`torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`): limiting the size of
/// gradients between `backward()` and `step()`, so that one bad batch cannot throw the parameters
/// far away. Both change the `.grad` tensors in place and ignore parameters whose grad is nil.

/// Rescales all gradients together so that their combined norm is at most `maxNorm`, and returns
/// that norm as it was before clipping (`clip_grad_norm_`).
///
/// The total norm is the p-norm of the per-parameter norms, which is the norm of all gradient
/// elements taken as one vector. Every gradient is multiplied by `maxNorm / (total + 1e-6)`
/// clamped to at most 1, as PyTorch does (so gradients already small are multiplied by 1, and
/// the direction of the whole update is kept).
///
/// - Parameters:
///   - normType: the p of the p-norm: 2 by default, any positive number, or `.infinity` for the
///     largest absolute element.
///   - errorIfNonfinite: throw, instead of scaling, when the total norm is NaN or infinite (a
///     gradient overflowed); without it the gradients are scaled by the non-finite factor and
///     become NaN, which a gradient check will then show.
/// - Returns: the total norm before clipping, a zero-dimensional tensor (0 with no gradients):
///   a useful number to log while training.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2,
                         errorIfNonfinite: Bool = false) throws -> Tensor {
    let grads = parameters.compactMap(\.grad)
    guard let first = grads.first else { return Tensor(0.0) }
    let total: Tensor = noGrad {
        let norms = grads.map { $0.detach().vectorNorm(normType).reshape([1]) }
        let stacked = norms.count == 1 ? norms[0] : Tensor.concatenating(norms.map { $0.to(first.dtype) })
        return stacked.vectorNorm(normType)
    }
    let value = total.scalarValue
    if errorIfNonfinite && !value.isFinite {
        throw AutogradError("The total norm of order \(pythonFloatText(normType)) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    }
    // clip_coef = max_norm / (total_norm + 1e-6), clamped to 1, in the norm's type.
    let coefficient: Tensor = noGrad { (maxNorm / (total + 1e-6)).clamp(max: 1.0) }
    let scale = coefficient.scalarValue
    for g in grads {
        noGrad { _ = try? g.mul_(scale) }
    }
    return total
}

/// Clamps every gradient element into `[-clipValue, clipValue]` in place (`clip_grad_value_`).
/// Unlike `clipGradNorm` this changes the gradient's direction; it is a blunt guard against a
/// few huge elements.
public func clipGradValue(_ parameters: [Tensor], clipValue: Double) {
    for g in parameters.compactMap(\.grad) {
        noGrad { _ = try? g.clamp_(min: -clipValue, max: clipValue) }
    }
}

/// A Python float as an f-string shows it: `2.0`, `inf`, `1.5`, `nan`.
func pythonFloatText(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == x.rounded() && Swift.abs(x) < 1e16 { return "\(Int(x)).0" }
    return "\(x)"
}
