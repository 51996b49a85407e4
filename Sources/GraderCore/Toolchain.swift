import Foundation

/// The Swift compiler the grader compiles exercises with.
///
/// It must be the compiler that built the runtime modules (a module from another compiler version
/// cannot be imported), so the first choice is the toolchain of the `swift` the student runs.
public struct Toolchain: Sendable {
    public let swiftc: URL

    public init(swiftc: URL) { self.swiftc = swiftc }

    /// Finds `swiftc`: `$GRADLINGS_SWIFTC`, then the one next to `swift` on `PATH`, then the usual
    /// install locations of the platform (`installLocations`).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Toolchain {
        let fm = FileManager.default
        var candidates: [String] = []
        if let explicit = environment["GRADLINGS_SWIFTC"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else {
                throw GraderError("GRADLINGS_SWIFTC is \(explicit), which is not an executable file")
            }
            return Toolchain(swiftc: URL(fileURLWithPath: explicit))
        }
        for dir in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(dir) + "/swiftc")
        }
        candidates += installLocations
        for path in candidates where fm.isExecutableFile(atPath: path) {
            // Not resolved: swiftc is a symlink to swift-driver, which picks its mode from its name.
            return Toolchain(swiftc: URL(fileURLWithPath: path))
        }
        throw GraderError("cannot find swiftc: put the Swift toolchain's bin folder on PATH (where `swift` is), or set GRADLINGS_SWIFTC to the swiftc to use")
    }

    /// Where toolchains are installed when `swift` is not on `PATH`. On macOS `/usr/bin/swiftc` is
    /// Xcode's shim (it runs the selected Xcode's or Command Line Tools' compiler, as `/usr/bin/swift`
    /// does), then those two toolchains themselves; on Linux the tarball, package and swiftly places.
    public static var installLocations: [String] {
        #if os(macOS)
        return ["/usr/bin/swiftc",
                "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/bin/swiftc",
                "/Library/Developer/CommandLineTools/usr/bin/swiftc"]
        #else
        return ["/opt/swift/usr/bin/swiftc", "/usr/bin/swiftc", "/usr/local/bin/swiftc", "/usr/share/swift/usr/bin/swiftc"]
        #endif
    }
}
