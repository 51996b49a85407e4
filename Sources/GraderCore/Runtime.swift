import Foundation

/// The compiled course library an exercise links against: `Autograd`, `GraderKit` and `GraderWire`
/// as built by SwiftPM.
///
/// Exercises are compiled with `swiftc` directly against SwiftPM's build products instead of with
/// `swift build`, whose planning alone costs seconds: that is what keeps save-to-verdict under a
/// second, and an exercise that does not compile can never stop another from being checked.
///
/// Two ways to link, chosen by what is up to date in the build folder:
/// - the package's dynamic product (`libGradlingsRuntime.so` on Linux, `libGradlingsRuntime.dylib`
///   on macOS: see `RuntimePlatform`), when it is at least as new as the modules (after `swift build`);
/// - otherwise the targets' object files, listed in each target's `output-file-map.json` (after
///   `swift test`, which builds the modules but not the dynamic product).
/// When neither is there (a fresh checkout run with `swift run grader`, which builds only the
/// grader) or the library sources are newer than the build, `ensureBuilt` runs
/// `swift build --product GradlingsRuntime` once.
public struct Runtime: Sendable {
    public enum Link: Equatable, Sendable {
        case dynamicLibrary(URL)
        case objects([URL])
    }

    /// SwiftPM's products folder, `.build/<triple>/<configuration>` (`swift build --show-bin-path`):
    /// `.build/x86_64-unknown-linux-gnu/debug` on Linux, `.build/arm64-apple-macosx/debug` on a Mac.
    public let binDirectory: URL
    public let link: Link
    /// Changes whenever the modules or the link inputs change: part of every compile cache key.
    public let fingerprint: String
    /// The platform whose file names and linker flags apply.
    public let platform: RuntimePlatform

    public init(binDirectory: URL, link: Link, fingerprint: String, platform: RuntimePlatform = .current) {
        self.binDirectory = binDirectory
        self.link = link
        self.fingerprint = fingerprint
        self.platform = platform
    }

    public static let modules = ["Autograd", "GraderWire", "GraderKit"]
    /// The dynamic product's file name on this platform.
    public static var libraryName: String { RuntimePlatform.current.libraryName }

    public var modulesDirectory: URL { binDirectory.appendingPathComponent("Modules") }

    /// Flags that make `import Autograd` / `import GraderKit` resolve: the modules folder, and the
    /// module map of the C kernels, which `Autograd` imports `internal`ly (a non-resilient module
    /// still needs its internal dependencies found by clients). Shared by exercise compiles and
    /// the editor settings (`EditorSettings`).
    public var moduleFlags: [String] { ["-I", modulesDirectory.path] + kernelModuleFlags }

    /// The C kernels' module map alone: what a compile against another modules folder (the
    /// student's, see `StudentModules`) needs to load `Autograd`.
    public var kernelModuleFlags: [String] {
        let kernels = binDirectory.appendingPathComponent("AutogradKernels.build/module.modulemap")
        return FileManager.default.fileExists(atPath: kernels.path) ? ["-Xcc", "-fmodule-map-file=" + kernels.path] : []
    }

    /// Flags for swiftc that make `import Autograd` / `import GraderKit` work and link the library.
    public var compilerFlags: [String] {
        var flags = moduleFlags
        switch link {
        case .dynamicLibrary:
            flags += ["-L", binDirectory.path, "-l" + RuntimePlatform.libraryStem] + platform.runPathFlags(binDirectory)
        case let .objects(objects):
            flags += objects.map(\.path)
        }
        return flags
    }

    /// The runtime in `binDirectory`, or nil with the reason when it is missing or out of date.
    public static func find(in binDirectory: URL, sourcesDirectory: URL?,
                            platform: RuntimePlatform = .current) -> Result<Runtime, GraderError> {
        let fm = FileManager.default
        let modulesDir = binDirectory.appendingPathComponent("Modules")
        var newestModule = Date.distantPast
        var fingerprint = ""
        for module in modules {
            let path = modulesDir.appendingPathComponent(module + ".swiftmodule").path
            guard let date = modificationDate(path) else {
                return .failure(GraderError("the course library is not built yet (\(module).swiftmodule is missing in \(binDirectory.path))"))
            }
            newestModule = max(newestModule, date)
            fingerprint += "\(module):\(date.timeIntervalSince1970):\(fileSize(path));"
        }
        if let sourcesDirectory {
            for module in linkTargets(binDirectory) {
                if let newestSource = newestModification(in: sourcesDirectory.appendingPathComponent(module)),
                   newestSource > newestModule.addingTimeInterval(1) {
                    return .failure(GraderError("the course library is out of date (Sources/\(module) changed after it was built)"))
                }
            }
        }
        let library = binDirectory.appendingPathComponent(platform.libraryName)
        if let date = modificationDate(library.path), date >= newestModule.addingTimeInterval(-1) {
            fingerprint += "so:\(date.timeIntervalSince1970):\(fileSize(library.path))"
            return .success(Runtime(binDirectory: binDirectory, link: .dynamicLibrary(library), fingerprint: fingerprint,
                                    platform: platform))
        }
        var objects: [URL] = []
        for target in linkTargets(binDirectory) {
            let buildDir = binDirectory.appendingPathComponent("\(target).build")
            let map = buildDir.appendingPathComponent("output-file-map.json")
            if let data = fm.contents(atPath: map.path) {
                guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    return .failure(GraderError("the course library is not linked yet (cannot read \(map.path))"))
                }
                for (source, value) in json where !source.isEmpty {
                    guard let entry = value as? [String: Any], let object = entry["object"] as? String else { continue }
                    guard fm.fileExists(atPath: object) else {
                        return .failure(GraderError("the course library is only partly built (\(object) is missing)"))
                    }
                    objects.append(URL(fileURLWithPath: object))
                }
            } else if let names = try? fm.contentsOfDirectory(atPath: buildDir.path) {
                // A C target: its objects are `<file>.c.o` next to each other.
                objects += names.filter { $0.hasSuffix(".o") }.map { buildDir.appendingPathComponent($0) }
            } else {
                return .failure(GraderError("the course library is not linked yet (\(platform.libraryName) is missing or older than the modules in \(binDirectory.path))"))
            }
        }
        objects.sort { $0.path < $1.path }
        for object in objects {
            fingerprint += "\(object.lastPathComponent):\(modificationDate(object.path)?.timeIntervalSince1970 ?? 0);"
        }
        return .success(Runtime(binDirectory: binDirectory, link: .objects(objects), fingerprint: fingerprint,
                                platform: platform))
    }

    /// The build folder to use: `$GRADLINGS_BUILD_DIR`, else the folder of the running executable
    /// when it is a SwiftPM products folder (so `swift run grader`, a release build or the test
    /// bundle each use their own), else the one SwiftPM reports (`swift build --show-bin-path`),
    /// else the course's `.build/debug`.
    public static func binDirectory(course: Course, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["GRADLINGS_BUILD_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit).standardizedFileURL
        }
        if let exe = executableDirectory(), isProductsFolder(exe) {
            return exe
        }
        if let reported = swiftPMBinPath(course: course, environment: environment) {
            return reported
        }
        return course.root.appendingPathComponent(".build/debug").resolvingSymlinksInPath()
    }

    /// Asks SwiftPM where it puts the debug products of `course` (`swift build --show-bin-path`),
    /// rather than assuming a layout: nil when `swift` cannot be run or answers nothing usable.
    static func swiftPMBinPath(course: Course, environment: [String: String]) -> URL? {
        guard let swiftc = try? Toolchain.locate(environment: environment).swiftc,
              let result = try? ChildProcess.run(executable: swiftc.deletingLastPathComponent().appendingPathComponent("swift"),
                                                 arguments: ["build", "--show-bin-path"], workingDirectory: course.root,
                                                 timeout: 120, captureLimit: 100_000),
              case .exited(0) = result.termination else { return nil }
        return binPath(fromShowBinPathOutput: result.stdoutText)
    }

    /// The folder in the output of `swift build --show-bin-path`: its last non-empty line, when it is
    /// an absolute path (SwiftPM may print warnings before it).
    static func binPath(fromShowBinPathOutput output: String) -> URL? {
        guard let line = output.split(whereSeparator: \.isNewline).last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return nil
        }
        let path = line.trimmingCharacters(in: .whitespaces)
        guard path.hasPrefix("/") else { return nil }
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Finds the runtime, building it with SwiftPM first when it is missing or stale and
    /// `allowBuild` is true. `log` receives one line before a build starts.
    public static func ensureBuilt(course: Course, binDirectory: URL, allowBuild: Bool, log: (String) -> Void) throws -> Runtime {
        let sources = course.root.appendingPathComponent("Sources")
        // Staleness against the sources only matters when we may rebuild; otherwise use what is built.
        switch find(in: binDirectory, sourcesDirectory: allowBuild ? sources : nil) {
        case let .success(runtime): return runtime
        case let .failure(reason):
            guard allowBuild else {
                throw GraderError("\(reason.message). Run `swift build` in \(course.root.path) first.")
            }
            let release = binDirectory.lastPathComponent == "release" ? " -c release" : ""
            log("\(reason.message): building it now with `swift build\(release) --product GradlingsRuntime` (once; up to a minute or two)…")
            try build(course: course, binDirectory: binDirectory)
            switch find(in: binDirectory, sourcesDirectory: nil) {
            case let .success(runtime): return runtime
            case let .failure(error): throw GraderError("\(error.message) even after building it. Run `swift build` in \(course.root.path) and look at its errors.")
            }
        }
    }

    /// The `swift` arguments that build the runtime into `binDirectory`: `.build/<triple>/<configuration>`
    /// → configuration, and scratch path `.build` when that folder is a SwiftPM scratch folder
    /// (the same on Linux and macOS; only the triple differs).
    static func buildArguments(binDirectory: URL, product: String = "GradlingsRuntime") -> [String] {
        let configuration = binDirectory.lastPathComponent == "release" ? "release" : "debug"
        let resolved = binDirectory.resolvingSymlinksInPath()
        let scratch = resolved.deletingLastPathComponent().deletingLastPathComponent()
        var arguments = ["build", "--product", product, "-c", configuration]
        if FileManager.default.fileExists(atPath: scratch.appendingPathComponent("workspace-state.json").path)
            || FileManager.default.fileExists(atPath: scratch.appendingPathComponent("build.db").path) {
            arguments += ["--scratch-path", scratch.path]
        }
        return arguments
    }

    static func build(course: Course, binDirectory: URL, product: String = "GradlingsRuntime") throws {
        let arguments = buildArguments(binDirectory: binDirectory, product: product)
        let swift = try Toolchain.locate().swiftc.deletingLastPathComponent().appendingPathComponent("swift")
        let result = try ChildProcess.run(executable: swift, arguments: arguments, workingDirectory: course.root,
                                          timeout: 1800, captureLimit: 200_000)
        guard case .exited(0) = result.termination else {
            let tail = result.stderrText.split(separator: "\n").suffix(30).joined(separator: "\n")
            let outTail = result.stdoutText.split(separator: "\n").suffix(30).joined(separator: "\n")
            throw GraderError("building the course library failed (swift \(arguments.joined(separator: " "))):\n\(outTail)\n\(tail)")
        }
    }

    /// GraderKit and every target it depends on (Autograd, its C kernels, GraderWire…), from the
    /// dependency map SwiftPM writes into `description.json`, so new library targets need no
    /// change here.
    static func linkTargets(_ binDirectory: URL) -> [String] {
        let fallback = ["GraderKit", "GraderWire", "Autograd"]
        guard let data = FileManager.default.contents(atPath: binDirectory.appendingPathComponent("description.json").path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["targetDependencyMap"] as? [String: [String]],
              let dependencies = map["GraderKit"] else { return fallback }
        return ["GraderKit"] + dependencies
    }

    static func executableDirectory() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        #endif
        // macOS (no /proc): Foundation asks the loader (_NSGetExecutablePath).
        return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func isProductsFolder(_ dir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("Modules").path)
            || FileManager.default.fileExists(atPath: dir.appendingPathComponent("description.json").path)
    }
}

/// What differs between the platforms SwiftPM builds the runtime on: the dynamic library's file name
/// and how an exercise binary finds it when it runs.
///
/// SwiftPM names the product `libGradlingsRuntime.so` on Linux and `libGradlingsRuntime.dylib` on
/// macOS. On Linux the executable gets a run path (`DT_RUNPATH`) to the products folder. On macOS
/// the dylib's install name is `@rpath/libGradlingsRuntime.dylib` (SwiftPM sets it), which the
/// loader resolves through the executable's `LC_RPATH` entries, so the executable gets the products
/// folder as an `LC_RPATH`: the same `-rpath` flag, with the install name doing the rest.
public enum RuntimePlatform: String, Sendable, CaseIterable {
    case linux, macOS

    /// The platform this grader was built for.
    public static var current: RuntimePlatform {
        #if os(macOS)
        return .macOS
        #else
        return .linux
        #endif
    }

    /// The product name, which `-l` takes.
    public static let libraryStem = "GradlingsRuntime"

    /// The dynamic library's file name in the products folder.
    public var libraryName: String {
        switch self {
        case .linux: return "lib\(Self.libraryStem).so"
        case .macOS: return "lib\(Self.libraryStem).dylib"
        }
    }

    /// Linker flags so that an executable finds the library in `directory` at run time.
    /// (One flag for both: `DT_RUNPATH` on Linux, `LC_RPATH` resolving the `@rpath/` install name on macOS.)
    public func runPathFlags(_ directory: URL) -> [String] {
        ["-Xlinker", "-rpath", "-Xlinker", directory.path]
    }
}

func modificationDate(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
}

func fileSize(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
}

/// The newest modification time of any `.swift` file under `directory`.
func newestModification(in directory: URL) -> Date? {
    guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return nil }
    var newest: Date?
    while let item = enumerator.nextObject() as? String {
        guard item.hasSuffix(".swift"), let date = modificationDate(directory.appendingPathComponent(item).path) else { continue }
        newest = max(newest ?? date, date)
    }
    return newest
}
