/// Modules applied one after another, each to the previous one's output (`torch.nn.Sequential`).
///
/// Its layers are named "0", "1", … as in PyTorch, so parameters read `0.weight`, `2.bias`:
///
/// ```swift
/// let model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
/// model.namedParameters().map(\.name)  // ["0.weight", "0.bias", "2.weight", "2.bias"]
/// (model[0] as! Linear).weight          // or model.parameter(named: "0.weight")
/// ```
open class Sequential: Module {
    /// The layers, in the order they run.
    public private(set) var layers: [Module]

    /// A model of `layers`, run in order.
    public init(_ layers: Module...) {
        self.layers = layers
        super.init()
    }

    /// A model of `layers`, run in order.
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// The layer at `index` (`model[0]`); a negative index counts from the end, as in Python.
    public subscript(index: Int) -> Module {
        layers[index < 0 ? index + layers.count : index]
    }

    /// The number of layers (`len(model)`).
    public var count: Int { layers.count }

    /// Adds a layer at the end (`append`).
    public func append(_ layer: Module) { layers.append(layer) }

    /// Each layer called on the previous result, with the layers' own hooks.
    open override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }

    /// The layers named by position, "0", "1", …
    open override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// A Sequential holds no parameters of its own, only its layers'.
    open override func directParameters() -> [(name: String, parameter: Tensor)] { [] }
}
