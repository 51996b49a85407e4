/// In-place operations (`add_`, `mul_`, `zero_`, ...). Each bumps the storage's version counter,
/// so a backward pass that needs the old values notices and refuses, as PyTorch does.
extension Tensor {
    /// Replaces this tensor's values by `compute(old)`, keeping the same object (and storage).
    /// When the change must be recorded, the old values are kept in a private copy that `compute`
    /// reads, and this tensor's `gradFn` moves to the new node. For a view, the node goes to the
    /// base instead (`CopySlices`), and the view's own node is remade from the base's.
    @discardableResult
    func inPlace(_ others: [Tensor] = [], _ compute: (Tensor) -> Tensor) throws -> Tensor {
        let gradMode = ThreadState.current.gradEnabled
        let recording = gradMode && (requiresGrad || others.contains { $0.requiresGrad })
        try checkInPlaceOnView()
        if gradMode && isLeaf && requiresGrad {
            throw AutogradError("a leaf Variable that requires grad is being used in an in-place operation.")
        }
        let new: Tensor
        var rebase = false
        if recording {
            let old = Tensor(storage: storage.copy(), shape: shape, dtype: dtype, gradFn: historyBeforeInPlace())
            new = compute(old.carryingTangent(of: self))
        } else {
            new = noGrad { compute(detach().carryingTangent(of: self)) }
        }
        // Checked before anything about this tensor changes, so a refused write leaves it as it was.
        guard new.shape == shape else {
            throw AutogradError("output with shape \(shape) doesn't match the broadcast shape \(new.shape)")
        }
        if recording {
            if viewBase != nil { rebase = true } else { replaceGradFn(with: new.gradFn) }
        }
        if DualLevel.isActive { DualLevel.setTangent(DualLevel.tangent(of: new), of: self) }
        let values = new.dtype == dtype ? new : noGrad { new.to(dtype) }
        if dtype == .float64 { storage.doubles = values.storage.doubles } else { storage.floats = values.storage.floats }
        storage.version += 1
        if rebase { rebaseHistory(onto: new) }
        return self
    }

    @discardableResult public func add_(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try inPlace([other]) { alpha == 1 ? $0 + other : $0 + other * alpha }
    }
    @discardableResult public func add_(_ s: Double) throws -> Tensor {
        if try scaleInPlace(s, adding: true) { return self }
        return try inPlace { $0 + s }
    }
    @discardableResult public func sub_(_ other: Tensor, alpha: Double = 1) throws -> Tensor {
        try inPlace([other]) { alpha == 1 ? $0 - other : $0 - other * alpha }
    }
    @discardableResult public func sub_(_ s: Double) throws -> Tensor { try inPlace { $0 - s } }
    @discardableResult public func mul_(_ other: Tensor) throws -> Tensor { try inPlace([other]) { $0 * other } }
    @discardableResult public func mul_(_ s: Double) throws -> Tensor {
        if try scaleInPlace(s, adding: false) { return self }
        return try inPlace { $0 * s }
    }
    @discardableResult public func div_(_ s: Double) throws -> Tensor { try inPlace { $0 / s } }

    /// Sets every element to 0 (`zero_`), e.g. to reset `.grad` between steps.
    @discardableResult public func zero_() throws -> Tensor { try fill_(0) }

    /// Sets every element to `value`.
    @discardableResult public func fill_(_ value: Double) throws -> Tensor {
        try inPlace { old in
            Tensor.result(TensorStorage(repeating: value, count: old.count, dtype: old.dtype), old.shape, old.dtype,
                          inputs: [old], name: value == 0 ? "ZeroBackward0" : "FillBackward0") { g in [Tensor.zerosLike(g)] }
        }
    }

    /// Copies `source`'s values (broadcast to this shape) into this tensor (`copy_`).
    @discardableResult public func copy_(_ source: Tensor) throws -> Tensor {
        let target = shape
        return try inPlace([source]) { old in
            let src = source.dtype == old.dtype ? source : source.to(old.dtype)
            let expanded = src.shape == target ? src : src.expand(target)
            return Tensor.result(expanded.storage.copy(), target, old.dtype, inputs: [old, expanded], name: "CopyBackwards") { g in
                [Tensor.zerosLike(g), g]
            }
        }
    }

    /// Limits every element to `[min, max]` in place.
    @discardableResult public func clamp_(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try inPlace { $0.clamp(min: min, max: max) }
    }

    /// `x += s` or `x *= s` straight in storage when nothing needs recording (an optimizer or
    /// clipping step under `noGrad`): no temporary tensor. Returns false when the change must be
    /// recorded, for the general path to handle.
    private func scaleInPlace(_ s: Double, adding: Bool) throws -> Bool {
        let gradMode = ThreadState.current.gradEnabled
        try checkInPlaceOnView()
        if gradMode && isLeaf && requiresGrad {
            throw AutogradError("a leaf Variable that requires grad is being used in an in-place operation.")
        }
        guard !(gradMode && requiresGrad) && DualLevel.tangent(of: self) == nil else { return false }
        // In C and over threads: clipping scales every gradient this way each step.
        if dtype == .float64 {
            storage.doubles.withUnsafeMutableBufferPointer { p in
                Parallel.forEachRange(count: p.count) { CKernels.scale(UnsafeMutableBufferPointer(rebasing: p[$0]), s, adding: adding) }
            }
        } else {
            let a = Float(s)
            storage.floats.withUnsafeMutableBufferPointer { p in
                Parallel.forEachRange(count: p.count) { CKernels.scale(UnsafeMutableBufferPointer(rebasing: p[$0]), a, adding: adding) }
            }
            if dtype == .float16 { storage.roundToHalf() }
        }
        storage.version += 1
        return true
    }

    /// Adds `other` into this tensor's storage with no checks and no graph: gradient accumulation.
    func addInPlaceUnchecked(_ other: Tensor) {
        let o = other.dtype == dtype ? other : noGrad { other.to(dtype) }
        if dtype == .float64 {
            storage.doubles.withUnsafeMutableBufferPointer { p in
                o.storage.doubles.withUnsafeBufferPointer { q in for i in 0..<p.count { p[i] += q[i] } }
            }
        } else {
            storage.floats.withUnsafeMutableBufferPointer { p in
                o.storage.floats.withUnsafeBufferPointer { q in for i in 0..<p.count { p[i] += q[i] } }
            }
            if dtype == .float16 { storage.roundToHalf() }
        }
        storage.version += 1
    }
}
