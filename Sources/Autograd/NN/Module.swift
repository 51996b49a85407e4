/// A building block of a network: something with parameters and a `forward` (`torch.nn.Module`).
///
/// Subclass it, store your parameters and layers as ordinary properties, and write `forward`.
/// There is nothing to register: the module finds its parameters and submodules by reflection
/// over its stored properties, and each property's name becomes PyTorch's dotted name.
///
/// ```swift
/// final class TwoLayer: Module {
///     let hidden = Linear(2, 8)                   // a submodule: "hidden.weight", "hidden.bias"
///     let out = Linear(8, 1)                      // "out.weight", "out.bias"
///     var scale = Tensor(1.0, requiresGrad: true) // a parameter of this module: "scale"
///     var blocks: [Module] = [Tanh(), ReLU()]     // a list of submodules: "blocks.0", "blocks.1"
///     @Buffer var mask = Tensor([1, 0])           // a buffer: in namedBuffers(), not a parameter
///
///     override func forward(_ x: Tensor) -> Tensor {
///         out(hidden(x).tanh()) * scale
///     }
/// }
/// let model = TwoLayer()
/// model.namedParameters().map(\.name)  // ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
/// let y = model(x)                       // runs forward with the module's hooks
/// ```
///
/// The rules, and why:
/// - A stored `Tensor` (or non-nil `Tensor?`) property is a parameter and a stored `[Tensor]` a list
///   of parameters (`name.0`, `name.1`): in PyTorch only `nn.Parameter`s are registered, but here a
///   tensor you keep in a module is almost always one you train. Keep a constant out of the
///   parameters with `@Buffer` (a PyTorch buffer) or by storing it as something other than a Tensor.
/// - A stored `Module` (or non-nil `Module?`) property is a submodule, and `[Module]` (or an array of
///   a Module subclass) a list of them, named `name.0`, `name.1` like an `nn.ModuleList`.
/// - This module's own parameters come first, then each submodule's, in the order the properties
///   are declared (a superclass's properties before a subclass's), as PyTorch lists them in the
///   order of registration. A tensor or module reached twice is listed once, under its first name.
///
/// Containers whose children are not stored properties (such as `Sequential`) override
/// `namedChildren()` and, if they hold parameters of their own, `directParameters()`.
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (`training`); `train()` and `eval()` switch it for the
    /// whole tree. Layers that act differently when training read it; the ones in this library
    /// (Linear, activations) don't.
    public fileprivate(set) var isTraining = true

    var forwardPreHooks: [(id: Int, body: (Module, Tensor) -> Tensor?)] = []
    var forwardHooks: [(id: Int, body: (Module, Tensor, Tensor) -> Tensor?)] = []
    var backwardHooks: [(id: Int, body: (Module, [Tensor?], [Tensor?]) -> Void)] = []

    /// An empty module; subclasses set their properties and call `super.init()`.
    public init() {}

    /// The computation of this module. Subclasses override it; call the module itself (`model(x)`)
    /// rather than `forward`, so that hooks run.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("Module [\(typeName)] is missing the required \"forward\" function")
    }

    /// Runs the module: forward pre-hooks, `forward`, forward hooks, and the wiring that full
    /// backward hooks need, in PyTorch's order (`Module.__call__`).
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        for hook in forwardPreHooks {
            if let replaced = hook.body(self, x) { x = replaced }
        }
        var backwardHook: BackwardHookWiring? = nil
        if !backwardHooks.isEmpty && isGradEnabled {
            let wiring = BackwardHookWiring(module: self, hooks: backwardHooks.map(\.body))
            x = wiring.wrapInput(x)
            backwardHook = wiring
        }
        var y = forward(x)
        for hook in forwardHooks {
            if let replaced = hook.body(self, x, y) { y = replaced }
        }
        if let backwardHook { y = backwardHook.wrapOutput(y) }
        return y
    }

    // MARK: - Parameters and submodules

    /// The parameters stored directly in this module (not in its submodules), with their property
    /// names. Found by reflection by default; override it in a container that keeps parameters
    /// somewhere else.
    open func directParameters() -> [(name: String, parameter: Tensor)] {
        reflectedMembers().parameters
    }

    /// The immediate submodules, with their names (`named_children()`). Found by reflection by
    /// default; `Sequential` overrides it to name its layers "0", "1", ….
    open func namedChildren() -> [(name: String, module: Module)] {
        reflectedMembers().children
    }

    /// The tensors kept with `@Buffer`, with their dotted names (`named_buffers()`).
    public func namedBuffers() -> [(name: String, buffer: Tensor)] {
        namedModules().flatMap { prefix, module in
            module.reflectedMembers().buffers.map { (join(prefix, $0.name), $0.buffer) }
        }
    }

    /// This module and every module inside it, depth first, each once, with its dotted name;
    /// this module itself is named "" (`named_modules()`).
    public func namedModules() -> [(name: String, module: Module)] {
        var seen: Set<ObjectIdentifier> = []
        var result: [(name: String, module: Module)] = []
        func visit(_ module: Module, _ prefix: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((prefix, module))
            for (name, child) in module.namedChildren() { visit(child, join(prefix, name)) }
        }
        visit(self, "")
        return result
    }

    /// This module and all modules inside it (`modules()`).
    public func modules() -> [Module] { namedModules().map(\.module) }

    /// The immediate submodules (`children()`).
    public func children() -> [Module] { namedChildren().map(\.module) }

    /// Every parameter with its dotted path, such as `0.weight` or `encoder.0.bias`
    /// (`named_parameters()`): the names to read gradients by, or to report. A parameter shared by
    /// two layers is listed once.
    ///
    /// - Parameter recurse: false lists only this module's own parameters.
    public func namedParameters(recurse: Bool = true) -> [(name: String, parameter: Tensor)] {
        var seen: Set<ObjectIdentifier> = []
        var result: [(name: String, parameter: Tensor)] = []
        for (prefix, module) in recurse ? namedModules() : [("", self)] {
            for (name, p) in module.directParameters() where seen.insert(ObjectIdentifier(p)).inserted {
                result.append((join(prefix, name), p))
            }
        }
        return result
    }

    /// Every parameter, in `namedParameters()` order: what an optimizer is given
    /// (`SGD(model.parameters(), lr: 0.1)`).
    public func parameters(recurse: Bool = true) -> [Tensor] {
        namedParameters(recurse: recurse).map(\.parameter)
    }

    /// The parameter with a dotted name such as "0.weight", or nil (`get_parameter`): a way to
    /// reach a parameter inside a `Sequential` without casting its layer.
    public func parameter(named name: String) -> Tensor? {
        namedParameters().first { $0.name == name }?.parameter
    }

    /// Clears the gradients of all parameters before the next backward pass (`zero_grad()`).
    /// With `setToNone` (PyTorch's default) each `.grad` becomes nil, which frees it and lets an
    /// optimizer skip parameters that got no gradient; otherwise gradients are zeroed in place.
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() {
            guard let g = p.grad else { continue }
            if setToNone { p.grad = nil; continue }
            // A gradient built with createGraph is part of a graph: cut it loose before zeroing.
            let plain = g.gradFn == nil ? g : g.detach()
            p.grad = plain
            noGrad { _ = try? plain.zero_() }
        }
    }

    /// Sets training mode on this module and all modules inside it (`train()`); returns self so
    /// that `Model().train()` reads naturally.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for module in modules() { module.isTraining = mode }
        return self
    }

    /// Sets evaluation mode on the whole tree (`eval()`, the same as `train(false)`).
    @discardableResult
    public func eval() -> Self { train(false) }

    // MARK: - Printing

    /// The details shown between the parentheses of this module's line (`extra_repr`), such as
    /// `in_features=2, out_features=3, bias=True` for a `Linear`. Empty by default.
    open var extraDescription: String { "" }

    /// PyTorch's `repr` of a module: its type, its details, then its children indented.
    open var description: String {
        let children = namedChildren()
        let extra = extraDescription
        if children.isEmpty { return "\(typeName)(\(extra))" }
        var lines: [String] = []
        if !extra.isEmpty { lines += extra.split(separator: "\n").map(String.init) }
        for (name, child) in children {
            let text = child.description.replacingOccurrences(of: "\n", with: "\n  ")
            lines.append("(\(name)): \(text)")
        }
        return "\(typeName)(\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\n)"
    }

    var typeName: String { String(describing: type(of: self)) }

    // MARK: - Reflection

    /// The stored properties that are parameters, submodules and buffers, superclass ones first.
    func reflectedMembers() -> (parameters: [(name: String, parameter: Tensor)],
                                children: [(name: String, module: Module)],
                                buffers: [(name: String, buffer: Tensor)]) {
        var mirrors: [Mirror] = []
        var next: Mirror? = Mirror(reflecting: self)
        while let mirror = next, mirror.subjectType != Module.self {
            mirrors.append(mirror)
            next = mirror.superclassMirror
        }
        var parameters: [(name: String, parameter: Tensor)] = []
        var children: [(name: String, module: Module)] = []
        var buffers: [(name: String, buffer: Tensor)] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard var name = child.label else { continue }
                if name.hasPrefix("$__lazy_storage_$_") { name.removeFirst("$__lazy_storage_$_".count) }
                switch child.value {
                case let buffer as Buffer:
                    if name.hasPrefix("_") { name.removeFirst() }
                    buffers.append((name, buffer.wrappedValue))
                case let tensor as Tensor:
                    parameters.append((name, tensor))
                case let module as Module:
                    children.append((name, module))
                case let list as [Tensor]:
                    for (i, tensor) in list.enumerated() { parameters.append(("\(name).\(i)", tensor)) }
                case let list as [Module]:
                    for (i, module) in list.enumerated() { children.append(("\(name).\(i)", module)) }
                default:
                    continue
                }
            }
        }
        return (parameters, children, buffers)
    }
}

/// "encoder" + "0" → "encoder.0"; an empty prefix adds nothing.
private func join(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : prefix + "." + name
}

/// Marks a tensor property of a module as a buffer (`register_buffer`): state that belongs to the
/// module, such as a mask or running statistics, but that an optimizer must not train.
///
/// ```swift
/// @Buffer var mask = Tensor([1, 0, 1])
/// ```
@propertyWrapper
public struct Buffer {
    /// The tensor kept.
    public var wrappedValue: Tensor

    /// Keeps `wrappedValue` as a buffer.
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}
