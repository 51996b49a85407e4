import XCTest
@testable import Autograd

/// End-to-end training: modules, a loss, backward and an optimizer working together.
final class TrainingTests: XCTestCase {
    /// The classic non-linearly-separable problem: no single Linear can fit it, two tanh layers can.
    func testTanhNetworkLearnsXOR() throws {
        manualSeed(0)
        let model = Sequential(Linear(2, 8), Tanh(), Linear(8, 8), Tanh(), Linear(8, 1))
        let X = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        let Y = Tensor([[0.0], [1.0], [1.0], [0.0]])
        let opt = Adam(model.parameters(), lr: 0.05)
        let lossFunction = MSELoss()
        let start = Date()
        var loss = Double.infinity
        var steps = 0
        while loss >= 0.01 && steps < 500 {
            try opt.zeroGrad()
            let l = lossFunction(model(X), Y)
            try l.backward()
            try opt.step()
            loss = try l.item()
            steps += 1
        }
        let elapsed = Date().timeIntervalSince(start)
        print("XOR: loss \(loss) after \(steps) steps in \(elapsed) s")
        XCTAssertLessThan(loss, 0.01, "a 2-8-8-1 tanh network should fit XOR")
        let final = noGrad { model(X) }.scalars
        for (p, t) in zip(final, [0.0, 1.0, 1.0, 0.0]) { XCTAssertEqual(p, t, accuracy: 0.25) }
        XCTAssertLessThan(elapsed, 1.0)
    }
}
