import Foundation

/// How a student program is run: directly, or inside the `grader-sandbox` launcher, which gives
/// it a read-only view of only what it needs (itself, the libraries), a private scratch folder,
/// no network, and takes its whole process tree down with it.
public enum Isolation: Sendable, Equatable {
    /// Run as the grader's own user, with a scratch working folder and a minimal environment, but
    /// with the grader's rights: a program could read or change anything the grader can.
    case none
    /// Run through `launcher`; `mechanism` says what it uses ("namespaces", "unprivileged user").
    case sandbox(launcher: URL, mechanism: String)

    /// Words for reports: which protection a run had.
    public var description: String {
        switch self {
        case .none: return "not isolated"
        case let .sandbox(_, mechanism): return "isolated (\(mechanism))"
        }
    }

    public var isIsolated: Bool { self != .none }

    /// The command that runs `executable` with `arguments` under this isolation.
    func command(executable: URL, arguments: [String], readable: [URL], scratch: URL, memoryLimitMB: Int) -> (URL, [String]) {
        switch self {
        case .none:
            return (executable, arguments)
        case let .sandbox(launcher, _):
            var options: [String] = []
            var seen = Set<String>()
            for url in readable where seen.insert(url.path).inserted { options += ["--ro", url.path] }
            options += ["--rw", scratch.path, "--cwd", scratch.path, "--memory-mb", String(memoryLimitMB), "--no-network"]
            return (launcher, options + ["--", executable.path] + arguments)
        }
    }
}

extension Runtime {
    /// What an exercise program loads at run time: the course's dynamic library (when it links
    /// one) and the toolchain's runtime libraries and backtracer.
    func runtimePaths(toolchain: Toolchain) -> [URL] {
        var paths: [URL] = []
        if case let .dynamicLibrary(library) = link { paths.append(library.resolvingSymlinksInPath()) }
        // <toolchain>/usr/bin/swiftc → <toolchain>/usr: lib/swift/<os> and libexec/swift (the backtracer).
        let usr = toolchain.swiftc.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        if usr.path != "/usr" { paths.append(usr) }
        return paths
    }
}

/// `10 s`, `3.3 s`: a duration as people read it.
func describeSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
}

extension Isolation {
    /// The strongest isolation available here: `grader-sandbox` (built with the grader, found next
    /// to it or in `binDirectory`) when its probe says it can isolate, else `.none`.
    /// `GRADLINGS_ISOLATION=none` turns it off (to compare, or on a machine where the probe lies).
    public static func detect(binDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> Isolation {
        if environment["GRADLINGS_ISOLATION"] == "none" { return .none }
        var candidates = [binDirectory.appendingPathComponent("grader-sandbox")]
        if let own = Runtime.executableDirectory() { candidates.insert(own.appendingPathComponent("grader-sandbox"), at: 0) }
        guard let launcher = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }),
              let probe = try? ChildProcess.run(executable: launcher, arguments: ["--probe"], timeout: 10),
              case .exited(0) = probe.termination else { return .none }
        let mechanism = probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return .sandbox(launcher: launcher, mechanism: mechanism.isEmpty ? "sandbox" : mechanism)
    }
}
