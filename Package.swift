// swift-tools-version:6.0
// Gradlings: a course on how gradients work, in Swift. Toolchain only: no package dependencies.
import PackageDescription

/// The library code is written for Swift 5 language mode: tensors are mutable reference types
/// shared across a graph, as in PyTorch, and strict Sendable checking would fight that design.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "Gradlings",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        /// The grader compiles each exercise and lesson with `swiftc` against this shared library,
        /// so checking one exercise never builds (or waits for) any other.
        .library(name: "GradlingsRuntime", type: .dynamic, targets: ["Autograd", "GraderKit"]),
        .executable(name: "grader", targets: ["grader"]),
        .executable(name: "bench", targets: ["bench"]),
        /// Runs one program of student code isolated from the course (namespaces, or another user).
        .executable(name: "grader-sandbox", targets: ["grader-sandbox"]),
    ],
    targets: [
        .target(name: "Autograd", dependencies: ["AutogradKernels"], swiftSettings: swift5),
        /// The float32 matrix-product kernel, in C so it can use AVX2/FMA when the CPU has them.
        .target(name: "AutogradKernels"),
        .target(name: "GraderKit", dependencies: ["Autograd", "GraderWire"], swiftSettings: swift5),
        /// The authenticated message format shared by the kit (in exercise binaries) and the grader.
        .target(name: "GraderWire", swiftSettings: swift5),
        .target(name: "GraderCore", dependencies: ["GraderWire"], swiftSettings: swift5),
        .executableTarget(name: "grader", dependencies: ["GraderCore"], swiftSettings: swift5),
        .executableTarget(name: "bench", dependencies: ["Autograd"], swiftSettings: swift5),
        /// In C: it runs between fork and exec, where Swift's runtime is not safe to use.
        .executableTarget(name: "grader-sandbox"),
        .testTarget(
            name: "AutogradTests", dependencies: ["Autograd"],
            resources: [.copy("Fixtures")], swiftSettings: swift5),
        .testTarget(
            name: "GraderTests", dependencies: ["GraderCore", "GraderKit", "GraderWire"],
            /// Fixture exercises are compiled by the grader under test, not into the test bundle.
            exclude: ["Fixtures"], swiftSettings: swift5),
    ]
)
