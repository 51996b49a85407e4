/// bfloat16 ("brain floating point"): float32's sign and 8 exponent bits with only 7 fraction bits.
///
/// It keeps float32's range (nothing a float32 holds overflows or underflows much sooner) and gives
/// up precision: about 2 to 3 significant decimal digits, fewer than float16's 3 to 4. The library
/// has no bfloat16 tensors; this rounds float32 values to the bfloat16 grid the way PyTorch's
/// `x.to(torch.bfloat16)` does, so a lesson can show which values survive: compare
/// `x.roundedToBFloat16()` with `x.to(torch.bfloat16).float()`.
public enum BFloat16 {
    /// The largest finite value, `torch.finfo(torch.bfloat16).max`: (2 − 2⁻⁷) · 2¹²⁷.
    public static let max: Double = (2 - 1.0 / 128) * 0x1p127
    /// The smallest positive normal value, `finfo.tiny`: float32's, 2⁻¹²⁶.
    public static let tiny: Double = 0x1p-126
    /// The spacing just above 1, `finfo.eps`: 2⁻⁷.
    public static let eps: Double = 0x1p-7

    /// The bfloat16 nearest to `value` (ties to even), widened back to `Float`, as PyTorch's
    /// conversion computes it: keep the top 16 bits of the float32 after adding half of the
    /// dropped part. A NaN stays NaN; values past `max` round to infinity.
    public static func rounded(_ value: Float) -> Float {
        if value.isNaN { return .nan }
        let bits = value.bitPattern
        let bias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return Float(bitPattern: (bits &+ bias) & 0xFFFF_0000)
    }
}

extension Tensor {
    /// A float32 tensor of this tensor's values rounded to bfloat16: what
    /// `x.to(torch.bfloat16).float()` gives in PyTorch. float64 values are rounded to float32
    /// first, as PyTorch's conversion does. Not recorded for autograd.
    public func roundedToBFloat16() -> Tensor {
        let values = scalars.map { Double(BFloat16.rounded(Float($0))) }
        return Tensor(values, shape: shape)
    }
}
