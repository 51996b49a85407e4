import Foundation

/// Prints one line per workload, `name<TAB>steps<TAB>seconds-per-step`, the median of five
/// repeats after a warm-up, exactly as `shared/bench/torch_reference.py` does, so that
/// `shared/bench/compare.sh "swift run -c release bench"` can put the two side by side.
/// `bench NAME…` runs only the named workloads.

func secondsPerStep(_ run: (Int) throws -> Void, steps: Int, repeats: Int = 5) rethrows -> Double {
    try run(max(1, steps / 10))
    var perStep: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try run(steps)
        perStep.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps))
    }
    return perStep.sorted()[repeats / 2]
}

let workloads: [(String, () -> (Int) throws -> Void, Int)] = [
    ("linreg_4x2_sgd_step", Workloads.linearRegression, 2000),
    ("mlp_2_3_1_b1_step", { Workloads.mlp([2, 3, 1], batch: 1) }, 2000),
    ("mlp_784_128_10_b64_step", { Workloads.mlp([784, 128, 10], batch: 64) }, 200),
    ("mlp_784_512_512_10_b128_step", { Workloads.mlp([784, 512, 512, 10], batch: 128) }, 20),
    ("gradcheck_huber_200_float64", Workloads.gradcheckHuber, 5),
]

let selected = Set(CommandLine.arguments.dropFirst())
for (name, make, steps) in workloads where selected.isEmpty || selected.contains(name) {
    do {
        let seconds = try secondsPerStep(make(), steps: steps)
        print("\(name)\t\(steps)\t\(String(format: "%.3e", seconds))")
    } catch {
        FileHandle.standardError.write("\(name): \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
