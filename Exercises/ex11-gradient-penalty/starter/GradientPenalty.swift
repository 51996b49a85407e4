// Exercise 11 · The WGAN-GP gradient penalty                (Lesson 11: Gradients of gradients)
//
// A Wasserstein GAN's critic D must have gradients of norm about 1 with respect to its input.
// WGAN-GP adds to the critic's loss
//
//     penalty = λ · mean over samples x̂ of ( ‖∇ₓ̂ D(x̂)‖₂ − 1 )²
//
// at points x̂ between real and generated samples. The penalty contains a gradient, so training
// the critic with it needs the gradient of a gradient. Replace the three todo()s, in order.
//
// Run:   swift run grader check ex11          Stuck?   swift run grader hint ex11
import Autograd
import GraderKit

/// Part 1. The points where the penalty is evaluated: x̂ = ε·real + (1 − ε)·fake, row by row.
///
/// real and fake have shape [batch, features]; epsilon has shape [batch, 1], one ε per sample.
/// `fake` comes from the generator (it may require grad): the penalty trains the critic only, so
/// the result must not lead back to it. Return a fresh leaf that requires grad: the penalty needs
/// the critic's gradient with respect to these points.
func interpolate(real: Tensor, fake: Tensor, epsilon: Tensor) throws -> Tensor {
    todo("mix real and fake.detach() row by row with epsilon, then make the result a leaf that requires grad")
}

/// Part 2. ∇ₓ D(x) at every point: a tensor of the shape of `points`, row i the gradient of the
/// critic's score of sample i with respect to that sample. The result must be differentiable
/// itself (the penalty's gradient goes through it).
///
/// `critic` returns one score per sample, of shape [batch] or [batch, 1]; `points` requires grad.
func criticGradients(_ critic: (Tensor) throws -> Tensor, at points: Tensor) throws -> Tensor {
    todo("the gradient of the critic's scores with respect to points, one row per sample, recorded so it can be differentiated again")
}

/// Part 3. The gradient penalty λ · mean over samples of (‖∇D(x̂)‖₂ − 1)², at the points
/// interpolate(real:fake:epsilon:) gives.
func gradientPenalty(_ critic: (Tensor) throws -> Tensor, real: Tensor, fake: Tensor, epsilon: Tensor,
                     lambda: Double = 10) throws -> Tensor {
    todo("interpolate, take the critic's gradients there, and penalise each sample's gradient norm's distance from 1")
}
