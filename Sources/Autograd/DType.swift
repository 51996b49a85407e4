/// The element type of a tensor, as in PyTorch: `float32` is the default.
///
/// Values are stored as `Float` for `float32` and `float16` and as `Double` for `float64`.
/// A `float16` tensor keeps every value on the half-precision grid: each operation computes in
/// `Float` and rounds its result to the nearest `Float16`, which is what PyTorch does on the CPU,
/// so overflow to `inf` above 65504 and flushing of tiny values happen for real.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float16, float32, float64

    /// How PyTorch spells the type (`float64`), as shown in a tensor's `dtype=` suffix.
    public var description: String { rawValue }

    /// The legacy type name PyTorch uses in some error messages (`torch.FloatTensor`).
    /// The C type name PyTorch's messages use (`'double'`).
    var cTypeName: String {
        switch self {
        case .float16: return "c10::Half"
        case .float32: return "float"
        case .float64: return "double"
        }
    }

    /// The scalar type name PyTorch's messages use (`'Float'`).
    var scalarTypeName: String {
        switch self {
        case .float16: return "Half"
        case .float32: return "Float"
        case .float64: return "Double"
        }
    }

    var legacyTypeName: String {
        switch self {
        case .float16: return "torch.HalfTensor"
        case .float32: return "torch.FloatTensor"
        case .float64: return "torch.DoubleTensor"
        }
    }

    /// The smallest positive normal value and the largest finite value (`torch.finfo`).
    public var tiny: Double {
        switch self {
        case .float16: return 6.103515625e-05
        case .float32: return Double(Float.leastNormalMagnitude)
        case .float64: return Double.leastNormalMagnitude
        }
    }

    public var max: Double {
        switch self {
        case .float16: return 65504
        case .float32: return Double(Float.greatestFiniteMagnitude)
        case .float64: return Double.greatestFiniteMagnitude
        }
    }

    /// The machine epsilon (`torch.finfo(dtype).eps`).
    public var eps: Double {
        switch self {
        case .float16: return 0.0009765625
        case .float32: return Double(Float.ulpOfOne)
        case .float64: return Double.ulpOfOne
        }
    }

    /// The type two operands promote to, as PyTorch's type promotion does for floating types.
    static func promote(_ a: DType, _ b: DType) -> DType {
        if a == .float64 || b == .float64 { return .float64 }
        if a == .float32 || b == .float32 { return .float32 }
        return .float16
    }
}
