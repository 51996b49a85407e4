import Foundation

/// The Mersenne Twister (MT19937) that PyTorch's CPU generator uses, with PyTorch's recipe for
/// turning its output into uniform floats: after `manualSeed(0)`, `Tensor.rand([3])` gives the
/// same numbers as `torch.rand(3)` (0.4963, 0.7682, 0.0885), and so does `Linear`'s
/// initialisation.
struct MersenneTwister {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 {
            state[i] = 1812433253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    mutating func next64() -> UInt64 {
        let hi = UInt64(next()), lo = UInt64(next())
        return (hi << 32) | lo
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// A uniform value in [from, to) the way PyTorch draws one for `dtype`: 24 random bits for
    /// float32 (and float16), 53 for float64.
    mutating func uniform(_ from: Double, _ to: Double, dtype: DType) -> Double {
        let x: Double
        if dtype == .float64 {
            x = Double(next64() & ((1 << 53) - 1)) * 0x1p-53
        } else {
            x = Double(next() & ((1 << 24) - 1)) * 0x1p-24
        }
        return x * (to - from) + from
    }

    /// A standard normal value by the Box–Muller transform.
    mutating func normal() -> Double {
        let u1 = uniform(0, 1, dtype: .float64), u2 = uniform(0, 1, dtype: .float64)
        return (-2 * Foundation.log(1 - u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

/// The process-wide generator behind `rand`, `randn` and parameter initialisation. As PyTorch's
/// default generator, it is shared by all threads and used under a lock.
enum DefaultGenerator {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var generator = MersenneTwister(seed: 67_280_421_310_721)

    /// The generator's state (to save and restore it, as checkpointing does).
    static var shared: MersenneTwister {
        get { lock.lock(); defer { lock.unlock() }; return generator }
        set { lock.lock(); defer { lock.unlock() }; generator = newValue }
    }

    /// Runs `body` with the generator, no other thread drawing meanwhile.
    static func draw<T>(_ body: (inout MersenneTwister) -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body(&generator)
    }
}

/// Seeds the generator, so that every random tensor after it is reproducible (`torch.manual_seed`).
public func manualSeed(_ seed: UInt64) {
    DefaultGenerator.shared = MersenneTwister(seed: seed)
}
