/// Autocasting: running the expensive operations of a region in a lower precision
/// (`torch.autocast`).
///
/// Inside `autocast { ... }` matrix products (`matmul`, `Linear`'s fused product) convert their
/// inputs to the region's type, float16 by default, and return results of that type; other
/// operations follow ordinary type promotion, so a float16 product added to a float32 bias gives
/// float32 again. Parameters stay float32 ("master weights"): gradients flow back through the
/// conversions and arrive at the parameters in float32. That is mixed precision: products are
/// cheap and small, weights and their updates keep full precision. Small float16 gradients can
/// still flush to zero on the way back; scaling the loss with `GradScaler` prevents that.
///
/// The setting belongs to the current thread and is restored when the region ends, even when
/// `body` throws. Run `backward()` after the region, as PyTorch recommends: the backward pass
/// computes in the types the forward pass chose.
///
/// - Parameters:
///   - dtype: the type products compute in (PyTorch's CPU default is bfloat16, which this library
///     doesn't have; float16 shows the same effects more strongly).
///   - enabled: false turns autocasting off inside an enclosing region (`autocast(enabled=False)`),
///     for a part that must run in full precision.
@discardableResult
public func autocast<T>(_ dtype: DType = .float16, enabled: Bool = true, _ body: () throws -> T) rethrows -> T {
    let state = ThreadState.current
    let previous = state.autocastDType
    state.autocastDType = enabled ? dtype : nil
    defer { state.autocastDType = previous }
    return try body()
}

/// Whether the current thread is inside an enabled `autocast` region (`torch.is_autocast_enabled()`).
public var isAutocastEnabled: Bool { ThreadState.current.autocastDType != nil }

/// The type matrix products compute in on this thread: the innermost autocast region's type, or
/// nil outside any (`torch.get_autocast_dtype`).
public var autocastDType: DType? { ThreadState.current.autocastDType }
