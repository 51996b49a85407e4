extension Tensor {
    /// How many times the values behind this tensor have been changed in place (`_version`).
    ///
    /// Every in-place operation (`add_`, `mul_`, `zero_`, an optimizer's update, ...) adds one. A
    /// tensor saved for backward remembers the version it had when saved; if the number has moved by
    /// the time backward needs it, backward throws instead of using the changed values. Tensors that
    /// share storage (`detach()`, `reshape`, `view`, `.data` here) share the counter.
    public var version: Int { storage.version }
}
