import XCTest
@testable import Autograd

/// A custom module as a student writes one: layers and a parameter as stored properties.
private final class Encoder: Module {
    var scale = Tensor(2.0, requiresGrad: true)
    let layers = Sequential(Linear(2, 4), Tanh(), Linear(4, 3))
    @Buffer var mask = Tensor([1.0, 0.0, 1.0])
    let name = "not a parameter"

    override func forward(_ input: Tensor) -> Tensor { layers(input) * scale * mask }
}

private final class AutoEncoder: Module {
    let encoder = Encoder()
    var heads: [Linear] = [Linear(3, 2), Linear(3, 2, bias: false)]
    var optional: Module? = nil
    var extra: [Tensor] = [Tensor([1.0], requiresGrad: true)]

    override func forward(_ input: Tensor) -> Tensor { heads[0](encoder(input)) + heads[1](encoder(input)) }
}

/// Two layers sharing one weight: it must be listed (and so updated) once.
private final class Tied: Module {
    let a = Linear(3, 3)
    let b = Linear(3, 3)
    override init() {
        super.init()
        b.weight = a.weight
    }
    override func forward(_ input: Tensor) -> Tensor { b(a(input)) }
}

/// A subclass of a library layer: the superclass's parameters come first.
private final class ScaledLinear: Linear {
    var gain = Tensor([1.0, 1.0], requiresGrad: true)
    init() { super.init(3, 2) }
    override func forward(_ input: Tensor) -> Tensor { super.forward(input) * gain }
}

final class ModuleTests: XCTestCase {
    func testNamedParametersOfNestedCustomModules() {
        let model = AutoEncoder()
        XCTAssertEqual(model.namedParameters().map(\.name), [
            "extra.0",
            "encoder.scale",
            "encoder.layers.0.weight", "encoder.layers.0.bias", "encoder.layers.2.weight", "encoder.layers.2.bias",
            "heads.0.weight", "heads.0.bias", "heads.1.weight",
        ])
        XCTAssertEqual(model.parameters().count, 9)
        XCTAssertEqual(model.parameters(recurse: false).count, 1)
        XCTAssertTrue(model.parameter(named: "encoder.layers.2.bias") === (model.encoder.layers[2] as! Linear).bias)
        XCTAssertNil(model.parameter(named: "encoder.mask"))
        XCTAssertEqual(model.namedBuffers().map(\.name), ["encoder.mask"])
        XCTAssertEqual(model.namedChildren().map(\.name), ["encoder", "heads.0", "heads.1"])
        XCTAssertEqual(model.namedModules().map(\.name), [
            "", "encoder", "encoder.layers", "encoder.layers.0", "encoder.layers.1", "encoder.layers.2", "heads.0", "heads.1",
        ])
        model.optional = Tanh()
        XCTAssertEqual(model.namedChildren().map(\.name), ["encoder", "heads.0", "heads.1", "optional"])
    }

    func testSequentialNamesLayersByPosition() {
        let model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model.namedParameters().map(\.parameter.shape), [[3, 2], [3], [1, 3], [1]])
        XCTAssertEqual(model.count, 3)
        XCTAssertTrue(model[-1] === model[2])
        model.append(Sigmoid())
        XCTAssertEqual(model.children().count, 4)
    }

    func testSharedParametersAreListedOnce() {
        let model = Tied()
        XCTAssertEqual(model.namedParameters().map(\.name), ["a.weight", "a.bias", "b.bias"])
    }

    func testSubclassOfALayerListsTheSuperclassParametersFirst() {
        let layer = ScaledLinear()
        XCTAssertEqual(layer.namedParameters().map(\.name), ["weight", "bias", "gain"])
        XCTAssertEqual(layer(Tensor([[1.0, 2.0, 3.0]])).shape, [1, 2])
    }

    func testTrainAndEvalReachEveryModule() {
        let model = AutoEncoder()
        XCTAssertTrue(model.modules().allSatisfy(\.isTraining))
        model.eval()
        XCTAssertTrue(model.modules().allSatisfy { !$0.isTraining })
        XCTAssertTrue(model.train() === model)
        XCTAssertTrue(model.encoder.layers[1].isTraining)
    }

    func testZeroGrad() throws {
        let model = Sequential(Linear(2, 2), Tanh(), Linear(2, 1))
        try model(Tensor([[1.0, 2.0]])).sum().backward()
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad != nil })
        let g = model.parameters()[0].grad!
        model.zeroGrad(setToNone: false)
        XCTAssertTrue(model.parameters()[0].grad === g)
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad!.scalars.allSatisfy { $0 == 0 } })
        model.zeroGrad()
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad == nil })
    }

    func testDescriptionIsPyTorchsRepr() {
        let model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1, bias: false))
        XCTAssertEqual(model.description, """
            Sequential(
              (0): Linear(in_features=2, out_features=3, bias=True)
              (1): ReLU()
              (2): Linear(in_features=3, out_features=1, bias=False)
            )
            """)
        XCTAssertEqual(Encoder().description, """
            Encoder(
              (layers): Sequential(
                (0): Linear(in_features=2, out_features=4, bias=True)
                (1): Tanh()
                (2): Linear(in_features=4, out_features=3, bias=True)
              )
            )
            """)
    }

    func testGradientsReachEveryParameterOfACustomModule() throws {
        let model = AutoEncoder()
        try model(Tensor([[1.0, -1.0], [0.5, 2.0]])).sum().backward()
        for (name, p) in model.namedParameters() where name != "extra.0" {
            XCTAssertNotNil(p.grad, name)
        }
        XCTAssertNil(model.extra[0].grad, "a parameter forward doesn't use gets no gradient")
    }
}
