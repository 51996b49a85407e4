/// Forward-mode automatic differentiation, as `torch.autograd.forward_ad`.
///
/// Inside `dualLevel { ... }`, `makeDual(x, tangent)` attaches a tangent (a direction `v`) to `x`.
/// Every operation on a tensor with a tangent computes its own tangent alongside its value, so the
/// result of a function `f` carries `J v`, the Jacobian-vector product, at the cost of one forward
/// pass: no graph is kept and no backward pass runs. `unpackDual(y)` reads it back. When the level
/// ends every tangent is forgotten, as in PyTorch.
///
/// ```swift
/// try dualLevel {
///     let x = try makeDual(Tensor([1.0, 2.0]), Tensor([1.0, 0.0]))
///     let y = (x * x).sum()
///     print(unpackDual(y).tangent!)   // tensor(2.): d/dt f(x + t·v) at t = 0
/// }
/// ```
enum DualLevel {
    /// The tangents of the current level, keyed by tensor identity (nil: no level entered).
    nonisolated(unsafe) static var tangents: [ObjectIdentifier: DualEntry]? = nil
    /// Set while a tangent is being computed, so the operations that compute it don't propagate
    /// tangents of their own.
    nonisolated(unsafe) static var suspended = 0
    /// Counts the levels entered, so that a tangent kept aside (a saved output's) is attached
    /// again only within the level that computed it.
    nonisolated(unsafe) static var level = 0

    /// Whether operations should look for tangents on their inputs.
    static var isActive: Bool { tangents != nil && suspended == 0 }

    static func tangent(of tensor: Tensor) -> Tensor? {
        guard let entry = tangents?[ObjectIdentifier(tensor)], entry.tensor === tensor else { return nil }
        return entry.tangent
    }

    static func setTangent(_ tangent: Tensor?, of tensor: Tensor) {
        guard tangents != nil else { return }
        tangents![ObjectIdentifier(tensor)] = tangent.map { DualEntry(tensor: tensor, tangent: $0) }
    }

    /// Runs `body` without propagating tangents (the arithmetic of tangent rules themselves).
    static func withoutPropagation<T>(_ body: () throws -> T) rethrows -> T {
        suspended += 1
        defer { suspended -= 1 }
        return try body()
    }
}

/// A tensor's tangent, with a weak reference to the tensor so that a reused identity is never
/// mistaken for it.
struct DualEntry {
    weak var tensor: Tensor?
    let tangent: Tensor
}

/// What `unpackDual` returns: the value without its tangent, and the tangent (nil if it has none),
/// PyTorch's `UnpackedDualTensor(primal, tangent)`.
public struct UnpackedDual: CustomStringConvertible {
    public let primal: Tensor
    public let tangent: Tensor?

    public var description: String {
        "UnpackedDualTensor(primal=\(primal), tangent=\(tangent.map(\.description) ?? "None"))"
    }
}

/// Runs `body` inside a forward-AD level (`with fwAD.dual_level():`): tangents attached with
/// `makeDual` are propagated through every operation, and forgotten when `body` returns or throws.
/// Levels don't nest, as in PyTorch.
@discardableResult
public func dualLevel<T>(_ body: () throws -> T) throws -> T {
    guard DualLevel.tangents == nil else {
        throw AutogradError("Nested forward mode AD is not supported at the moment")
    }
    DualLevel.tangents = [:]
    DualLevel.level += 1
    defer { DualLevel.tangents = nil }
    return try body()
}

/// Whether a forward-AD level is active (`torch._C._forward_ad` has a level).
public var isDualLevelActive: Bool { DualLevel.tangents != nil }

/// `tensor` with `tangent` attached: a dual tensor (`fwAD.make_dual`). The result shares the
/// values of `tensor` (a view of it, recorded as `ViewBackward0` if `tensor` requires grad);
/// `tensor` itself is left without a tangent.
public func makeDual(_ tensor: Tensor, _ tangent: Tensor) throws -> Tensor {
    guard isDualLevelActive else {
        throw AutogradError("Trying to create a dual Tensor for forward AD but no level exists, make sure to enter_dual_level() first.")
    }
    guard tangent.shape == tensor.shape else {
        throw AutogradError("Trying to set a forward gradient that has a different size than that of the original Tensor, this is not supported. Tensor is of size \(tensor.shape) while the given forward gradient is of size \(tangent.shape).")
    }
    let dual = DualLevel.withoutPropagation { tensor.view(tensor.shape) }
    let stored = tangent.dtype == tensor.dtype ? tangent.detach() : tangent.detach().to(tensor.dtype)
    DualLevel.setTangent(stored, of: dual)
    return dual
}

/// The value and the tangent of `tensor` (`fwAD.unpack_dual`); the tangent is nil outside a
/// level or when nothing with a tangent went into `tensor`.
public func unpackDual(_ tensor: Tensor) -> UnpackedDual {
    UnpackedDual(primal: tensor.detachedKeepingGraph(), tangent: DualLevel.tangent(of: tensor))
}

extension Tensor {
    /// The same tensor object when it has no tangent; `unpackDual`'s primal is the tensor as it
    /// is, graph included (PyTorch returns a view that shares its history).
    func detachedKeepingGraph() -> Tensor {
        guard DualLevel.tangent(of: self) != nil else { return self }
        return DualLevel.withoutPropagation { view(shape) }
    }

    /// This tensor's tangent in the current forward-AD level (`fwAD.unpack_dual(t).tangent`).
    public var tangent: Tensor? { DualLevel.tangent(of: self) }
}

extension Tensor {
    /// This tensor with `other`'s tangent attached: an in-place operation computes the new values
    /// from a copy of the old ones, and the copy must carry the old tangent so that the new one is
    /// computed with it.
    func carryingTangent(of other: Tensor) -> Tensor {
        if DualLevel.isActive, let t = DualLevel.tangent(of: other) { DualLevel.setTangent(t, of: self) }
        return self
    }
}
