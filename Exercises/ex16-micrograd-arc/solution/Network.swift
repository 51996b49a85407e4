// Exercise 16 · micrograd's whole arc, part 2: a network and its training
//
// A multi-layer perceptron built from `Value`s: a `Neuron` computes tanh(w · x + b), a `Layer` is a
// row of neurons, an `MLP` a chain of layers. The weights are drawn for you (from a fixed seed, so
// every run is the same). You write:
//   1. `Neuron.callAsFunction` and `Neuron.parameters`, then the same two for `Layer` and `MLP`;
//   2. `meanSquaredError`: the mean of (prediction − target)² over the examples;
//   3. `trainStep`: one step of gradient descent (clear every grad, forward, backward, update),
//      returning the loss it computed;
//   4. `train`: steps until the loss falls below `target`, returning every loss it saw.
import Foundation
import GraderKit

final class Neuron {
    let weights: [Value]
    let bias: Value

    init(inputs: Int, generator: inout SplitMix64) {
        weights = (0..<inputs).map { _ in Value(generator.uniform(in: -1...1)) }
        bias = Value(generator.uniform(in: -1...1))
    }

    /// tanh(w₀x₀ + w₁x₁ + … + b).
    func callAsFunction(_ x: [Value]) -> Value {
        var sum = bias
        for (w, xi) in zip(weights, x) { sum = sum + w * xi }
        return sum.tanh()
    }

    /// The weights, then the bias.
    var parameters: [Value] { weights + [bias] }
}

final class Layer {
    let neurons: [Neuron]

    init(inputs: Int, outputs: Int, generator: inout SplitMix64) {
        var made: [Neuron] = []
        for _ in 0..<outputs { made.append(Neuron(inputs: inputs, generator: &generator)) }
        neurons = made
    }

    /// Every neuron's output, in order.
    func callAsFunction(_ x: [Value]) -> [Value] { neurons.map { $0(x) } }

    /// The parameters of the first neuron, then the second's, and so on.
    var parameters: [Value] { neurons.flatMap { $0.parameters } }
}

final class MLP {
    let layers: [Layer]

    /// MLP(inputs: 3, sizes: [4, 4, 1]): three inputs, two hidden layers of four neurons, one output.
    init(inputs: Int, sizes: [Int], seed: UInt64 = 16) {
        var generator = SplitMix64(seed: seed)
        var made: [Layer] = []
        var width = inputs
        for size in sizes {
            made.append(Layer(inputs: width, outputs: size, generator: &generator))
            width = size
        }
        layers = made
    }

    /// The last layer's outputs for the inputs x.
    func callAsFunction(_ x: [Value]) -> [Value] {
        var h = x
        for layer in layers { h = layer(h) }
        return h
    }

    /// The first layer's parameters, then the second's, and so on.
    var parameters: [Value] { layers.flatMap { $0.parameters } }
}

/// The mean over the examples of (prediction − target)².
func meanSquaredError(_ predictions: [Value], _ targets: [Double]) -> Value {
    var sum = Value(0)
    for (p, y) in zip(predictions, targets) { sum = sum + (p - y).pow(2) }
    return sum * (1.0 / Double(predictions.count))
}

/// One step of gradient descent on the whole data set; returns the loss before the update.
func trainStep(_ model: MLP, inputs: [[Double]], targets: [Double], learningRate: Double) -> Double {
    for p in model.parameters { p.grad = 0 }
    let predictions = inputs.map { model($0.map { Value($0) })[0] }
    let loss = meanSquaredError(predictions, targets)
    loss.backward()
    for p in model.parameters { p.data -= learningRate * p.grad }
    return loss.data
}

/// Steps until the loss falls below `target` (or `maxSteps` steps ran); returns every loss computed.
func train(_ model: MLP, inputs: [[Double]], targets: [Double], learningRate: Double,
           target: Double, maxSteps: Int) -> [Double] {
    var losses: [Double] = []
    for _ in 0..<maxSteps {
        let loss = trainStep(model, inputs: inputs, targets: targets, learningRate: learningRate)
        losses.append(loss)
        if loss < target { break }
    }
    return losses
}

// MARK: Done for you

/// A small seeded random number generator (SplitMix64), so the initial weights are the same on
/// every run and on every machine.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in the range, from the top 53 bits.
    mutating func uniform(in range: ClosedRange<Double>) -> Double {
        let unit = Double(next() >> 11) / Double(1 << 53)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }
}
