import XCTest
@testable import Autograd

/// A long training run must not grow: each step's graph is freed by its backward pass and by
/// dropping the loss, so the process's resident memory stays flat however many steps run.
final class TrainingMemoryTests: XCTestCase {
    /// The resident set size of this process in bytes: from the kernel's task info on macOS, from
    /// /proc/self/statm on Linux.
    static func residentBytes() throws -> Int {
        #if canImport(Darwin)
        var info = mach_task_basic_info()
        var count = mach_msg_type_number_t(MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
        let status = withUnsafeMutablePointer(to: &info) {
            $0.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
                task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), $0, &count)
            }
        }
        guard status == KERN_SUCCESS else { throw XCTSkip("task_info failed (\(status))") }
        return Int(info.resident_size)
        #else
        let text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let fields = text.split(separator: " ")
        let pages = try XCTUnwrap(fields.count > 1 ? Int(fields[1]) : nil)
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #endif
    }

    /// Gives memory that earlier tests freed back to the system, so that a measurement starts from
    /// a heap without free space in it (which new allocations would reuse without growing).
    static func releaseFreeMemory() {
        #if canImport(Glibc)
        // glibc's malloc_trim, which the Glibc module does not declare.
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        #elseif canImport(Darwin)
        _ = malloc_zone_pressure_relief(nil, 0)
        #endif
    }

    /// A two-layer regression network on plain tensors (a constant input column stands in for
    /// the biases), trained with SGD: six recorded operations per step.
    final class TinyModel {
        let w1: Tensor, w2: Tensor
        let x: Tensor, y: Tensor
        let optimizer: SGD

        init() throws {
            manualSeed(0)
            w1 = Tensor.uniform([4, 8], from: -0.5, to: 0.5, requiresGrad: true)
            w2 = Tensor.uniform([8, 1], from: -0.5, to: 0.5, requiresGrad: true)
            let inputs = Tensor.uniform([16, 3], from: -1, to: 1)
            x = try Tensor.cat([inputs, Tensor.ones([16, 1])], dim: 1)
            y = try inputs.sum(dim: 1, keepdim: true).sin()
            optimizer = SGD([w1, w2], lr: 0.1)
        }

        func loss() -> Tensor { ((x.matmul(w1).tanh().matmul(w2) - y) ** 2).mean() }

        /// One training step; returns the loss tensor (with its graph, already run backward).
        @discardableResult
        func step() throws -> Tensor {
            try optimizer.zeroGrad()
            let loss = loss()
            try loss.backward()
            try optimizer.step()
            return loss
        }
    }

    func testTenThousandStepsKeepResidentMemoryFlat() throws {
        let model = try TinyModel()
        let savedBefore = SavedTensorStatistics.count
        let first = try model.step().item()
        for _ in 0..<999 { try model.step() }                 // warm-up: allocator pools settle
        let warm = try Self.residentBytes()
        var last = 0.0
        for _ in 0..<9_000 { last = try model.step().item() }
        let end = try Self.residentBytes()

        XCTAssertLessThan(last, first / 2, "the model trains")
        XCTAssertEqual(SavedTensorStatistics.count, savedBefore, "no graph outlives its step")
        // A leaked graph per step would hold a few kilobytes: 9,000 of them, tens of megabytes.
        XCTAssertLessThan(end - warm, 2 << 20, "resident memory grew by \(end - warm) bytes over 9,000 steps")
    }

    /// The measurement is sensitive: keeping each step's loss alive without running backward
    /// keeps its graph, and memory grows with every step.
    func testKeptGraphsDoGrow() throws {
        let model = try TinyModel()
        let savedBefore = SavedTensorStatistics.count
        var kept: [Tensor] = []
        for _ in 0..<200 { try model.step() }
        Self.releaseFreeMemory()
        let warm = try Self.residentBytes()
        for _ in 0..<2_000 {
            kept.append(model.loss())
        }
        let end = try Self.residentBytes()
        XCTAssertGreaterThan(SavedTensorStatistics.count - savedBefore, 2_000 * 4)
        XCTAssertGreaterThan(end - warm, 2 << 20, "2,000 kept graphs should cost more than the flat test's slack")
        kept.removeAll()
        XCTAssertEqual(SavedTensorStatistics.count, savedBefore, "dropping the losses frees their graphs")
    }
}
