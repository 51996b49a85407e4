import Foundation

/// A sign of trouble in one parameter's gradient, as `GradientMonitor` reads it.
public enum GradientFlag: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The gradient's norm is below the vanishing threshold but not zero: updates are so small the
    /// parameter barely learns (deep sigmoid/tanh stacks, tiny initialisations).
    case vanishing
    /// The gradient's norm is above the exploding threshold: a step of `lr · grad` will throw the
    /// parameter far away (too high a learning rate, no normalisation, a badly scaled loss).
    case exploding
    /// Every element is exactly zero: nothing reaches this parameter (a ReLU layer whose units
    /// are all off, a branch multiplied by zero, a detached path).
    case dead
    /// Some element is NaN or infinite: one step will destroy the weights (log of 0, sqrt at 0,
    /// division by zero, overflow).
    case nonFinite
    /// The parameter has no gradient at all (`.grad` is nil): it did not take part in the loss,
    /// or backward was never called.
    case missing

    /// The name shown in reports: `non-finite`, `no grad`, or the case name.
    public var description: String {
        switch self {
        case .nonFinite: return "non-finite"
        case .missing: return "no grad"
        default: return rawValue
        }
    }
}

/// What one parameter's gradient looked like at one step: the numbers a student checks to tell a
/// healthy gradient from a dead, vanishing, exploding or broken one.
public struct GradientStatistics: Sendable {
    /// The parameter's name (`"0.weight"` for a module's parameters).
    public let name: String
    /// The training step the reading belongs to.
    public let step: Int
    /// The parameter's shape.
    public let shape: [Int]
    /// The 2-norm of the gradient, √Σg²: its overall size (NaN or inf when an element is).
    public let norm: Double
    /// The largest |g|: one huge element shows here before it dominates the norm.
    public let maxAbs: Double
    /// The mean |g|: the typical size of one element's update per unit of learning rate.
    public let meanAbs: Double
    /// The share of elements that are exactly 0, from 0 to 1: dead units show up as zero rows.
    public let zeroFraction: Double
    /// How many elements are NaN.
    public let nanCount: Int
    /// How many elements are +inf or −inf.
    public let infCount: Int
    /// The problems found, in `GradientFlag.allCases` order; empty when the gradient looks healthy.
    public let flags: [GradientFlag]

    /// Whether no flag was raised.
    public var isHealthy: Bool { flags.isEmpty }

    /// Reads `gradient` (nil: the parameter has none) against the two thresholds.
    init(name: String, step: Int, shape: [Int], gradient: Tensor?, vanishingBelow: Double, explodingAbove: Double) {
        self.name = name
        self.step = step
        self.shape = shape
        guard let gradient else {
            (norm, maxAbs, meanAbs, zeroFraction, nanCount, infCount) = (.nan, .nan, .nan, .nan, 0, 0)
            flags = [.missing]
            return
        }
        let values = gradient.scalars
        var nans = 0, infs = 0, zeros = 0
        var largest = 0.0, sumAbs = 0.0
        for v in values {
            if v.isNaN { nans += 1; continue }
            if v.isInfinite { infs += 1; continue }
            if v == 0 { zeros += 1 }
            let a = Swift.abs(v)
            largest = Swift.max(largest, a)
            sumAbs += a
        }
        // The norm is summed relative to the largest element, so float64 gradients near 1e200
        // don't overflow when squared.
        var scaledSquares = 0.0
        if largest > 0 { for v in values where v.isFinite { let r = v / largest; scaledSquares += r * r } }
        let count = Double(Swift.max(values.count, 1))
        if nans > 0 {
            (norm, maxAbs, meanAbs) = (.nan, .nan, .nan)
        } else if infs > 0 {
            (norm, maxAbs, meanAbs) = (.infinity, .infinity, .infinity)
        } else {
            norm = largest * scaledSquares.squareRoot()
            maxAbs = largest
            meanAbs = sumAbs / count
        }
        zeroFraction = values.isEmpty ? 0 : Double(zeros) / count
        nanCount = nans
        infCount = infs

        var found: [GradientFlag] = []
        if nans > 0 || infs > 0 {
            found.append(.nonFinite)
        } else if zeros == values.count {
            found.append(.dead)
        } else if norm < vanishingBelow {
            found.append(.vanishing)
        } else if norm > explodingAbove {
            found.append(.exploding)
        }
        flags = GradientFlag.allCases.filter(found.contains)
    }
}
