/// Tensor hooks: functions that see (and may replace) a gradient as backward passes through.
extension Tensor {
    /// Registers `hook` to run when this tensor's gradient is computed. Returning a tensor replaces
    /// the gradient; returning nil keeps it. Hooks run in the order they were registered.
    @discardableResult
    public func registerHook(_ hook: @escaping (Tensor) throws -> Tensor?) throws -> RemovableHandle {
        guard requiresGrad else {
            throw AutogradError("cannot register a hook on a tensor that doesn't require gradient")
        }
        let entry = Hook(id: Hook.makeID(), body: hook)
        if let node = gradFn {
            node.tensorHooks.append(entry)
            return RemovableHandle { [weak node] in node?.tensorHooks.removeAll { $0.id == entry.id } }
        }
        hooks.append(entry)
        return RemovableHandle { [weak self] in self?.hooks.removeAll { $0.id == entry.id } }
    }

    /// Registers `hook` to run after a gradient has been added into this leaf's `.grad`
    /// (`register_post_accumulate_grad_hook`): the place for per-parameter work such as an
    /// optimizer step fused into backward, or a gradient monitor.
    @discardableResult
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) throws -> Void) throws -> RemovableHandle {
        guard isLeaf else {
            throw AutogradError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        }
        guard requiresGrad else {
            throw AutogradError("cannot register a hook on a tensor that doesn't require gradient")
        }
        let id = Hook.makeID()
        postAccumulateHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.postAccumulateHooks.removeAll { $0.id == id } }
    }
}
