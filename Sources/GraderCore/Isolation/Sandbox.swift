import Foundation

/// Runs a program of student code through `grader-sandbox` (Sources/grader-sandbox/sandbox.c),
/// which isolates it with the strongest mechanism this machine allows.
///
/// Typical use, for one run of an exercise binary:
///
///     let sandbox = Sandbox.detect(binDirectory: runtime.binDirectory)
///     try ScratchDirectory.with { scratch in
///         let (exe, args) = sandbox.command(
///             executable: binary, arguments: [],
///             readOnly: Sandbox.runtimePaths(toolchain: toolchain, runtime: runtime) + [binary],
///             readWrite: [scratch.url], workingDirectory: scratch.url,
///             limits: .init(memoryMegabytes: 4096, cpuSeconds: 60, processes: 256))
///         let output = try ChildProcess.run(executable: exe, arguments: args, ..., channelDescriptor: 3, ...)
///     }
///
/// Only what is listed in `readOnly` (plus the system's /usr, /lib*, /bin, /sbin and /etc) is
/// visible to the program with namespaces; with `.unprivilegedUser` everything readable by that
/// user is, so `hidden` paths must be unreadable to it (the sandbox refuses to run otherwise).
public struct Sandbox: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Address space (RLIMIT_AS), as a hard limit the program cannot raise: the manifest's
        /// memory limit, which the kit only sets as its own soft limit. (An exercise binary lists its
        /// checks within 128 MiB; thread stacks and the allocator reserve more as it runs.)
        public var memoryMegabytes: Int?
        /// CPU time (RLIMIT_CPU); the wall-clock limit stays the caller's.
        public var cpuSeconds: Int?
        /// Largest file the program may write (RLIMIT_FSIZE).
        public var fileMegabytes: Int?
        /// Processes and threads at once (RLIMIT_NPROC), against fork bombs. Swift programs start
        /// a few threads of their own: stay above 64.
        public var processes: Int?

        public init(memoryMegabytes: Int? = nil, cpuSeconds: Int? = nil, fileMegabytes: Int? = nil, processes: Int? = nil) {
            self.memoryMegabytes = memoryMegabytes
            self.cpuSeconds = cpuSeconds
            self.fileMegabytes = fileMegabytes
            self.processes = processes
        }

        public static let none = Limits()
    }

    public static let executableName = "grader-sandbox"

    /// The `grader-sandbox` executable; nil when it is not built.
    public let helper: URL?
    public let mechanism: IsolationMechanism
    /// Why the mechanism is weaker than namespaces (the probe's explanation); empty otherwise.
    public let reason: String
    /// Skip namespaces even where they work (`--no-namespaces`): tests of the fallback.
    public let forcesFallback: Bool

    public init(helper: URL?, mechanism: IsolationMechanism, reason: String = "", forcesFallback: Bool = false) {
        self.helper = helper
        self.mechanism = mechanism
        self.reason = reason
        self.forcesFallback = forcesFallback
    }

    /// No isolation: commands come back unchanged.
    public static let unisolated = Sandbox(helper: nil, mechanism: .none, reason: "isolation was turned off")

    /// Finds `grader-sandbox` and asks it what it can do here (once per process and helper).
    public static func detect(binDirectory: URL?, forcingFallback: Bool = false,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> Sandbox {
        guard let helper = locate(binDirectory: binDirectory, environment: environment) else {
            let place = binDirectory.map { " in \($0.path)" } ?? ""
            return Sandbox(helper: nil, mechanism: .none,
                           reason: "\(executableName) is not built\(place) (run `swift build`)", forcesFallback: forcingFallback)
        }
        let (mechanism, reason) = probe(helper: helper, forcingFallback: forcingFallback)
        return Sandbox(helper: helper, mechanism: mechanism, reason: reason, forcesFallback: forcingFallback)
    }

    /// `$GRADLINGS_SANDBOX`, else `grader-sandbox` next to the running executable (a release
    /// grader, `swift run grader`), else in `binDirectory` (the test bundle's products folder).
    public static func locate(binDirectory: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        let fm = FileManager.default
        if let explicit = environment["GRADLINGS_SANDBOX"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit) ? URL(fileURLWithPath: explicit) : nil
        }
        let folders = [Runtime.executableDirectory(), binDirectory].compactMap { $0 }
        for folder in folders {
            let candidate = folder.appendingPathComponent(executableName)
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Like `Runtime.ensureBuilt`: the helper in `binDirectory`, built with SwiftPM when missing
    /// (a fresh `swift run grader` builds only the grader).
    public static func ensureBuilt(course: Course, binDirectory: URL, allowBuild: Bool, log: (String) -> Void) throws -> URL {
        if let helper = locate(binDirectory: binDirectory) { return helper }
        guard allowBuild else {
            throw GraderError("\(executableName) is not built in \(binDirectory.path). Run `swift build` in \(course.root.path) first.")
        }
        log("\(executableName) is not built: building it now with `swift build --product \(executableName)` (once)…")
        try Runtime.build(course: course, binDirectory: binDirectory, product: executableName)
        guard let helper = locate(binDirectory: binDirectory) else {
            throw GraderError("\(executableName) is still missing in \(binDirectory.path) after building it")
        }
        return helper
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var probes: [String: (IsolationMechanism, String)] = [:]

    /// `grader-sandbox --probe`, remembered for the life of the process.
    public static func probe(helper: URL, forcingFallback: Bool = false) -> (mechanism: IsolationMechanism, reason: String) {
        let key = helper.path + (forcingFallback ? "|fallback" : "")
        cacheLock.lock()
        if let known = probes[key] {
            cacheLock.unlock()
            return known
        }
        cacheLock.unlock()
        var arguments = ["--probe", "--verbose"]
        if forcingFallback { arguments.append("--no-namespaces") }
        let result: (IsolationMechanism, String)
        do {
            let output = try ChildProcess.run(executable: helper, arguments: arguments, timeout: 20)
            let name = output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            let explanation = output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "grader-sandbox: ", with: "")
            if output.termination == .exited(0), let mechanism = IsolationMechanism(rawValue: name), mechanism != .none {
                result = (mechanism, mechanism == .namespaces ? "" : explanation)
            } else {
                result = (.none, explanation.isEmpty ? "\(executableName) --probe failed (\(output.termination))" : explanation)
            }
        } catch {
            result = (.none, "cannot run \(helper.path): \(error)")
        }
        cacheLock.lock()
        probes[key] = result
        cacheLock.unlock()
        return result
    }

    /// The command line that runs `executable` isolated. With `.none`, the command unchanged.
    /// - Parameters:
    ///   - readOnly: files and folders the program needs (its binary, the runtime libraries, the
    ///     build products it links against); visible read-only at the same paths.
    ///   - readWrite: folders it may write (its scratch folder).
    ///   - hidden: paths inside `readOnly` folders that must stay invisible (hidden checks,
    ///     `solution/`, `.grader/`).
    ///   - workingDirectory: where it starts (must be visible); the first `readWrite` by default.
    ///   - network: leave the network reachable (off by default).
    ///   - user: the outside user to run as, `uid` or `uid:gid` (root only). Without namespaces,
    ///     give each concurrent run its own: runs as the same user can signal each other.
    ///   - reportDescriptor: a descriptor (above 3) on which the sandbox writes one line when it
    ///     ends, "exited N", "signaled N" or "error <reason>". The program never has it, so unlike
    ///     an exit status of 125 or a message on stderr, "error" there cannot be forged.
    public func command(executable: URL, arguments: [String], readOnly: [URL] = [], readWrite: [URL] = [],
                        hidden: [URL] = [], workingDirectory: URL? = nil, limits: Limits = .none,
                        network: Bool = false, user: String? = nil,
                        reportDescriptor: Int32? = nil) -> (executable: URL, arguments: [String]) {
        guard mechanism != .none, let helper else { return (executable, arguments) }
        var flags: [String] = []
        for path in Self.visiblePaths(readOnly) { flags += ["--ro", path] }
        for path in Self.visiblePaths(readWrite) { flags += ["--rw", path] }
        for path in Self.visiblePaths(hidden) { flags += ["--hide", path] }
        if let cwd = workingDirectory ?? readWrite.first { flags += ["--cwd", cwd.standardizedFileURL.path] }
        if let mb = limits.memoryMegabytes { flags += ["--memory-mb", String(mb)] }
        if let seconds = limits.cpuSeconds { flags += ["--cpu-seconds", String(seconds)] }
        if let mb = limits.fileMegabytes { flags += ["--file-mb", String(mb)] }
        if let count = limits.processes { flags += ["--processes", String(count)] }
        if !network { flags.append("--no-network") }
        if let user { flags += ["--user", user] }
        if forcesFallback { flags.append("--no-namespaces") }
        if let reportDescriptor { flags += ["--report-fd", String(reportDescriptor)] }
        return (helper, flags + ["--", executable.path] + arguments)
    }

    /// Each path as given and, when a symlink lies on the way, as resolved too: a program may
    /// name either (an rpath through `.build/debug`, a resolved `/proc/self/exe`).
    static func visiblePaths(_ urls: [URL]) -> [String] {
        var seen = Set<String>(), paths: [String] = []
        for url in urls {
            let given = url.standardizedFileURL.path
            for path in [given, url.resolvingSymlinksInPath().path] where seen.insert(path).inserted {
                paths.append(path)
            }
        }
        return paths
    }

    /// What an exercise binary needs to start besides itself: the Swift runtime libraries of the
    /// toolchain and, when it links the course library dynamically, the products folder's library.
    public static func runtimePaths(toolchain: Toolchain, runtime: Runtime) -> [URL] {
        var paths = swiftRuntimePaths(toolchain: toolchain)
        if case let .dynamicLibrary(library) = runtime.link { paths.append(library) }
        return paths
    }

    /// The toolchain's `usr/lib/swift/linux` (where `libswiftCore.so` and Foundation live) and
    /// `usr/libexec/swift/linux` (`swift-backtrace`, which writes the crash reports students see:
    /// without it a crash prints only "unable to locate swift-backtrace"), those that exist; empty
    /// where the runtime is part of the system (macOS).
    public static func swiftRuntimePaths(toolchain: Toolchain) -> [URL] {
        let usr = toolchain.swiftc.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        return ["lib/swift/linux", "libexec/swift/linux"]
            .map { usr.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
