/// Module hooks: functions that watch (or change) what flows through a module, forwards and
/// backwards, without editing the module (`register_forward_pre_hook`, `register_forward_hook`,
/// `register_full_backward_hook`). Each returns a `RemovableHandle`; dropping the handle does not
/// remove the hook, `remove()` does.
extension Module {
    /// Registers `hook(module, input)` to run before every `forward`: the place to log or check
    /// inputs.
    @discardableResult
    public func registerForwardPreHook(_ hook: @escaping (Module, Tensor) -> Void) -> RemovableHandle {
        registerForwardPreHookReplacingInput({ module, input in hook(module, input); return nil })
    }

    /// Registers `hook(module, input)` to run before every `forward`; a returned tensor replaces
    /// the input that `forward` (and later hooks) see, nil keeps it.
    @discardableResult
    public func registerForwardPreHookReplacingInput(_ hook: @escaping (Module, Tensor) -> Tensor?) -> RemovableHandle {
        let id = Hook.makeID()
        forwardPreHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.forwardPreHooks.removeAll { $0.id == id } }
    }

    /// Registers `hook(module, input, output)` to run after every `forward`: the place to record
    /// activations. The output it sees is the one `forward` returned (`grad_fn=<AddmmBackward0>`
    /// for a `Linear`), before any backward-hook wiring.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping (Module, Tensor, Tensor) -> Void) -> RemovableHandle {
        registerForwardHookReplacingOutput({ module, input, output in hook(module, input, output); return nil })
    }

    /// Registers `hook(module, input, output)` to run after every `forward`; a returned tensor
    /// replaces the module's output, nil keeps it.
    @discardableResult
    public func registerForwardHookReplacingOutput(_ hook: @escaping (Module, Tensor, Tensor) -> Tensor?) -> RemovableHandle {
        let id = Hook.makeID()
        forwardHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.forwardHooks.removeAll { $0.id == id } }
    }

    /// Registers `hook(module, gradInput, gradOutput)` to run during backward, once the gradients
    /// with respect to the module's input and output of a call are both known
    /// (`register_full_backward_hook`). `gradInput[0]` is nil when the input doesn't require grad.
    ///
    /// How it works, as in PyTorch: when the module is called while a backward hook is registered,
    /// its input and output pass through identity nodes (`BackwardHookFunctionBackward`). The
    /// output's node notes the gradient arriving from above; the input's node, which runs after the
    /// whole module has been differentiated, calls the hook with both. Hooks registered or removed
    /// after a call don't change what that call's backward pass does.
    @discardableResult
    public func registerFullBackwardHook(_ hook: @escaping (Module, [Tensor?], [Tensor?]) -> Void) -> RemovableHandle {
        let id = Hook.makeID()
        backwardHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.backwardHooks.removeAll { $0.id == id } }
    }
}

/// The identity nodes around one call of a module with full backward hooks (PyTorch's
/// `torch.utils.hooks.BackwardHook`).
final class BackwardHookWiring {
    static let nodeName = "BackwardHookFunctionBackward"

    let module: Module
    let hooks: [(Module, [Tensor?], [Tensor?]) -> Void]
    private var gradOutputs: [Tensor?]? = nil
    private var inputWrapped = false

    init(module: Module, hooks: [(Module, [Tensor?], [Tensor?]) -> Void]) {
        self.module = module
        self.hooks = hooks
    }

    /// A tensor sharing `x`'s values whose node passes the gradient through unchanged.
    private static func identity(_ x: Tensor) -> Tensor {
        let out = Tensor(storage: x.storage, shape: x.shape, dtype: x.dtype)
        out.gradFn = Node(name: nodeName, inputs: [x]) { g in [g] }
        if DualLevel.isActive { TangentRules.propagateView(of: x, to: out) }
        return out
    }

    /// Wraps the input; its node calls the hooks once the input's gradient is computed.
    func wrapInput(_ x: Tensor) -> Tensor {
        guard x.requiresGrad else { return x }
        inputWrapped = true
        let out = BackwardHookWiring.identity(x)
        out.gradFn!.registerHook { [self] gradInputs, _ in
            // No gradient came through the output (a double backward reaching the input directly):
            // PyTorch skips the hook too.
            guard let gradOutputs else { return }
            for hook in hooks { hook(module, [gradInputs[0]], gradOutputs) }
        }
        return out
    }

    /// Wraps the output; its node records the gradient arriving from above. When the input did not
    /// require grad there is nothing more to wait for, so the hooks run here with a nil gradInput.
    func wrapOutput(_ y: Tensor) -> Tensor {
        guard y.requiresGrad else { return y }
        let out = BackwardHookWiring.identity(y)
        out.gradFn!.tensorHooks.append(Hook(id: Hook.makeID(), body: { [self] g in
            gradOutputs = [g]
            if !inputWrapped {
                for hook in hooks { hook(module, [nil], [g]) }
            }
            return nil
        }))
        return out
    }
}
