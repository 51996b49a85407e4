import Autograd
import Foundation
import GraderWire

/// Reproducible random inputs for checks.
///
/// Each check draws from its own generator, seeded from the run's seed and the check's id, so a
/// check sees the same inputs whether it runs first or after a crash in another check, and
/// `grader check ex3 --seed N` replays a run exactly.
///
/// Functions with kinks (|x| at 0, Huber at ±delta, ReLU at 0) are not differentiable there, and
/// finite differences across a kink measure nothing: pass the kinks in `avoiding` and every value
/// is kept at least `margin` away from them.
public enum Random {
    /// A value uniformly in `range`, at least `margin` from every point in `avoiding`.
    public static func double(in range: ClosedRange<Double> = -2...2, avoiding kinks: [Double] = [], margin: Double = 1e-2) -> Double {
        for _ in 0..<10_000 {
            let x = range.lowerBound + (range.upperBound - range.lowerBound) * CheckRandom.unit()
            if kinks.allSatisfy({ abs(x - $0) >= margin }) { return x }
        }
        fatalError("Random.double: no value in \(range) is \(margin) away from the kinks \(kinks)")
    }

    /// `count` values, each as in `double(in:avoiding:margin:)`.
    public static func doubles(_ count: Int, in range: ClosedRange<Double> = -2...2, avoiding kinks: [Double] = [], margin: Double = 1e-2) -> [Double] {
        (0..<count).map { _ in double(in: range, avoiding: kinks, margin: margin) }
    }

    /// A float64 tensor of `shape` with values as in `double(in:avoiding:margin:)`.
    public static func tensor(_ shape: [Int], in range: ClosedRange<Double> = -2...2, avoiding kinks: [Double] = [],
                              margin: Double = 1e-2, requiresGrad: Bool = false) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(doubles(count, in: range, avoiding: kinks, margin: margin), shape: shape, dtype: .float64, requiresGrad: requiresGrad)
    }

    /// A standard normal value.
    public static func normal() -> Double {
        let u1 = max(CheckRandom.unit(), 1e-300), u2 = CheckRandom.unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// An integer in `range`.
    public static func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(CheckRandom.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A random element of `values`.
    public static func element<T>(of values: [T]) -> T { values[int(in: 0...(values.count - 1))] }
}

/// The generator behind `Random`: SplitMix64, reseeded at the start of every check.
enum CheckRandom {
    private static var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    static func reseed(seed: UInt64, checkID: String) {
        let digest = SHA256.hash(Array("\(seed)/\(checkID)".utf8))
        state = digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A seed for the library's generator, independent of the check's own stream.
    static func librarySeed(seed: UInt64, checkID: String) -> UInt64 {
        SHA256.hash(Array("\(seed)/\(checkID)/library".utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    static func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

