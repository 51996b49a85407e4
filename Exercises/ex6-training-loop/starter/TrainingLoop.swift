// Exercise 6 · A training loop, by hand                          (Lesson 6: The training loop)
//
// Part 1: `fit` is gradient descent written out: no optimizer, no modules. Every step
//   1. clears the gradients of all parameters (backward ADDS into .grad: lesson 3),
//   2. computes the loss by calling `loss()`,
//   3. stops if that loss is below `target` (no update after it),
//   4. runs backward,
//   5. moves every parameter against its gradient, p ← p − learningRate · p.grad, IN PLACE and
//      inside noGrad { } (an update must not be recorded in the graph: lesson 4).
// It returns the loss of every step it computed, in order, and stops after `maxSteps` steps at most.
//
// Part 2: `regressionLearningRate` is a learning rate with which `fit` brings lesson 6's linear
// regression (X = [[1,2],[2,3],[3,4],[4,5]], Y = [[3],[5],[7],[9]], w = [[0.5],[-0.5]], b = [0])
// below 1e-3 within 8 steps. Try a few; the lesson's learning-rate table shows what to expect.
//
// Replace each todo(...) and run:   swift run grader check ex6        Stuck?   swift run grader hint ex6
import Autograd
import GraderKit

func fit(_ parameters: [Tensor], learningRate: Double, target: Double, maxSteps: Int,
         loss: () -> Tensor) throws -> [Double] {
    todo("for each step: clear grads, compute loss(), stop below target, backward, update every parameter under noGrad")
}

var regressionLearningRate: Double {
    todo("a learning rate that gets the regression below 1e-3 within 8 steps")
}
