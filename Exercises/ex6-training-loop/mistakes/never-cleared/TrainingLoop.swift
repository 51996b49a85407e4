// Exercise 6 · A training loop, by hand — mistake: gradients never cleared.
import Autograd
import GraderKit

func fit(_ parameters: [Tensor], learningRate: Double, target: Double, maxSteps: Int,
         loss: () -> Tensor) throws -> [Double] {
    var losses: [Double] = []
    for _ in 0..<maxSteps {
        let current = loss()                            // 2. forward
        losses.append(try current.item())
        if try current.item() < target { break }            // 3. good enough: no update
        try current.backward()                          // 4. backward
        try noGrad {                                    // 5. update, unrecorded
            for p in parameters {
                try p.sub_(p.grad!, alpha: learningRate)
            }
        }
    }
    return losses
}

var regressionLearningRate: Double { 0.02 }
