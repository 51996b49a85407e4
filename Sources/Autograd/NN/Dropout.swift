/// Randomly zeroes elements while training (`torch.nn.Dropout`): each element is kept with
/// probability 1 − p and then scaled by 1 / (1 − p), so the expected value of every output equals
/// its input. In eval mode (`eval()`) it passes the input through untouched, which is why
/// evaluating a model without `eval()` gives noisy, lower-looking scores.
///
/// The node is `MulBackward0`, as on PyTorch's CPU: the output is the input times a mask of 0s and
/// 1/(1 − p)s. Masks come from the library's seedable generator (`manualSeed`); they are not the
/// masks PyTorch draws for the same seed.
open class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Double

    /// A dropout layer zeroing each element with probability `p` (0.5 by default, as in PyTorch).
    public init(p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
        super.init()
    }

    /// `dropout(input, p: p, training: isTraining)`.
    open override func forward(_ input: Tensor) -> Tensor {
        dropout(input, p: p, training: isTraining)
    }

    open override var extraDescription: String { "p=\(p), inplace=False" }
}

/// Dropout as a function (`torch.nn.functional.dropout`): with `training` false, or p = 0, the
/// input itself is returned.
public func dropout(_ input: Tensor, p: Double = 0.5, training: Bool = true) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got \(p)")
    guard training, p > 0 else { return input }
    let keep = 1 - p
    let mask = (0..<input.count).map { _ -> Double in
        guard keep > 0 else { return 0 }
        return DefaultGenerator.shared.uniform(0, 1, dtype: .float64) < keep ? 1 / keep : 0
    }
    return input * Tensor(mask, shape: input.shape, dtype: input.dtype)
}
