import Autograd
import Foundation

/// Prints one line per workload, `name<TAB>steps<TAB>seconds-per-step`, the median of five
/// repeats after a warm-up, exactly as `shared/bench/torch_reference.py` does, so that
/// `shared/bench/compare.sh "swift run -c release bench"` can put the two side by side.
/// `bench [--threads N] [NAME…]`: `--threads N` sets `Autograd.numThreads` (as the reference's
/// `torch.set_num_threads`); names run only those workloads; `--flops` prints the GFLOP/s of the
/// 784-512-512-10 step instead; `--cpu-time` times in processor time.

/// With `--cpu-time`, steps are timed in processor time used by the process instead of wall-clock
/// time: on a machine shared with other work, one thread's processor time is close to what the wall
/// clock would show on an idle machine (not meaningful with several threads).
nonisolated(unsafe) var useProcessorTime = false

func now() -> Double {
    if useProcessorTime {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    return Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

func secondsPerStep(_ run: (Int) throws -> Void, steps: Int, repeats: Int = 5) rethrows -> Double {
    try run(max(1, steps / 10))
    var perStep: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        try run(steps)
        perStep.append((now() - start) / Double(steps))
    }
    return perStep.sorted()[repeats / 2]
}

let workloads: [(String, () -> (Int) throws -> Void, Int)] = [
    ("linreg_4x2_sgd_step", Workloads.linearRegression, 2000),
    ("mlp_2_3_1_b1_step", { Workloads.mlp([2, 3, 1], batch: 1) }, 2000),
    ("mlp_784_128_10_b64_step", { Workloads.mlp([784, 128, 10], batch: 64) }, 200),
    ("mlp_784_512_512_10_b128_step", { Workloads.mlp([784, 512, 512, 10], batch: 128) }, 20),
    ("gradcheck_huber_200_float64", Workloads.gradcheckHuber, 5),
    ("mlp_784_128_10_b64_adam_step", { Workloads.mlp([784, 128, 10], batch: 64, adam: true) }, 200),
    ("gradpenalty_256_128_1_b64_step", { Workloads.gradientPenalty([256, 128, 1], batch: 64) }, 200),
]

var arguments = Array(CommandLine.arguments.dropFirst())
if let at = arguments.firstIndex(of: "--threads") {
    guard at + 1 < arguments.count, let n = Int(arguments[at + 1]), n > 0 else {
        FileHandle.standardError.write("usage: bench [--threads N] [WORKLOAD…]\n".data(using: .utf8)!)
        exit(2)
    }
    Autograd.numThreads = n
    arguments.removeSubrange(at...(at + 1))
}
if let at = arguments.firstIndex(of: "--cpu-time") {
    arguments.remove(at: at)
    useProcessorTime = true
}
if let at = arguments.firstIndex(of: "--flops") {
    arguments.remove(at: at)
    // The 784-512-512-10 step's matrix products alone (forward x·Wᵀ, backward G·W and Gᵀ·x per layer,
    // no G·W for the first layer whose input needs no gradient), then the whole step, in GFLOP/s.
    let flops = Workloads.mlpStepProducts([784, 512, 512, 10], batch: 128)
    let products = secondsPerStep(flops.run, steps: 20)
    let step = try secondsPerStep(Workloads.mlp([784, 512, 512, 10], batch: 128), steps: 20)
    print(String(format: "matrix products: %.1f GFLOP/s (%.3e s); whole step: %.1f GFLOP/s (%.3e s); %.1f MFLOP per step",
                 flops.count / products / 1e9, products, flops.count / step / 1e9, step, flops.count / 1e6))
    exit(0)
}
let selected = Set(arguments)
for (name, make, steps) in workloads where selected.isEmpty || selected.contains(name) {
    do {
        let seconds = try secondsPerStep(make(), steps: steps)
        print("\(name)\t\(steps)\t\(String(format: "%.3e", seconds))")
    } catch {
        FileHandle.standardError.write("\(name): \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
