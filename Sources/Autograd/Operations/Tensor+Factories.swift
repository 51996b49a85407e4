/// Ways to make tensors: constants, ranges, identity matrices and random values.
extension Tensor {
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, dtype: dtype, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        Tensor(storage: TensorStorage(repeating: value, count: Shape.count(shape), dtype: dtype),
               shape: shape, dtype: dtype, requiresGrad: requiresGrad)
    }

    public static func zerosLike(_ t: Tensor) -> Tensor { zeros(t.shape, dtype: t.dtype) }
    public static func onesLike(_ t: Tensor) -> Tensor { ones(t.shape, dtype: t.dtype) }
    public static func fullLike(_ t: Tensor, _ value: Double) -> Tensor { full(t.shape, value, dtype: t.dtype) }

    /// `0, 1, …` below `end` (`torch.arange(end)`).
    public static func arange(_ end: Double, dtype: DType = .float32) -> Tensor { arange(0, end, dtype: dtype) }

    /// `start, start + step, …` below `end` (`torch.arange`).
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "step must be nonzero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Double($0) * step }, dtype: dtype)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) -> Tensor {
        precondition(steps >= 0, "number of steps must be non-negative")
        if steps == 1 { return Tensor([start], dtype: dtype) }
        let step = (end - start) / Double(steps - 1)
        // PyTorch fills the second half backwards from `end`, so the last value is exactly `end`.
        let half = steps / 2
        let values = (0..<steps).map { i in i < half ? start + step * Double(i) : end - step * Double(steps - i - 1) }
        return Tensor(values, dtype: dtype)
    }

    /// The `n × n` identity matrix.
    public static func eye(_ n: Int, dtype: DType = .float32) -> Tensor {
        var values = [Double](repeating: 0, count: n * n)
        for i in 0..<n { values[i * n + i] = 1 }
        return Tensor(values, shape: [n, n], dtype: dtype)
    }

    /// Uniform random values in [0, 1), from the seedable generator (`torch.rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        uniform(shape, from: 0, to: 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Uniform random values in [from, to), drawn as PyTorch's `uniform_` draws them.
    public static func uniform(_ shape: [Int], from: Double, to: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let values = DefaultGenerator.draw { g in (0..<Shape.count(shape)).map { _ in g.uniform(from, to, dtype: dtype) } }
        return Tensor(values, shape: shape, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Standard normal random values from the seedable generator (`torch.randn`; the values
    /// differ from PyTorch's, whose normal sampler is vectorised differently).
    public static func randn(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let values = DefaultGenerator.draw { g in (0..<Shape.count(shape)).map { _ in g.normal() } }
        return Tensor(values, shape: shape, dtype: dtype, requiresGrad: requiresGrad)
    }

    // MARK: Conversions

    /// A copy in another element type (`to(dtype)`, `ToCopyBackward0`); gradients flow back
    /// converted to the original type.
    public func to(_ newType: DType) -> Tensor {
        if newType == dtype { return self }
        let original = dtype
        let storage = TensorStorage(scalars, dtype: newType)
        return Tensor.result(storage, shape, newType, inputs: [self], name: "ToCopyBackward0") { g in [g.to(original)] }
    }

    /// `to(.float32)`, PyTorch's `.float()`.
    public func float() -> Tensor { to(.float32) }
    /// `to(.float64)`, PyTorch's `.double()`.
    public func double() -> Tensor { to(.float64) }
    /// `to(.float16)`, PyTorch's `.half()`.
    public func half() -> Tensor { to(.float16) }

    /// A copy with its own storage that stays in the graph (`clone`, `CloneBackward0`).
    public func clone() -> Tensor {
        Tensor.result(storage.copy(), shape, dtype, inputs: [self], name: "CloneBackward0") { g in [g] }
    }
}
