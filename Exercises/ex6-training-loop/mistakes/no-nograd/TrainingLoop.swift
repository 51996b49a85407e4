// Exercise 6 · A training loop, by hand — mistake: update outside noGrad.
import Autograd
import GraderKit

func fit(_ parameters: [Tensor], learningRate: Double, target: Double, maxSteps: Int,
         loss: () -> Tensor) throws -> [Double] {
    var losses: [Double] = []
    for _ in 0..<maxSteps {
        for p in parameters { p.grad = nil }           // 1. clear
        let current = loss()                            // 2. forward
        losses.append(try current.item())
        if try current.item() < target { break }            // 3. good enough: no update
        try current.backward()                          // 4. backward
        for p in parameters {                           // 5. update (recorded!)
            try p.sub_(p.grad!, alpha: learningRate)
        }
    }
    return losses
}

var regressionLearningRate: Double { 0.02 }
