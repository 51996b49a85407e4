import Foundation

/// The folder of modules a student's files are compiled against: the library (`Autograd`) and a
/// `GraderKit` that declares `todo()` and nothing else.
///
/// The real kit (checks, expectations, the runner) and the grader's wire format are simply not
/// there, so student code cannot import them, call them or declare a replacement that the checks
/// would pick up. Starters keep writing `import GraderKit`; the program links the real kit, whose
/// `todo()` has the same signature (a test holds the two together).
enum StudentModules {
    /// Declares exactly the kit's student-facing API.
    static let kitInterface = """
        /// Marks code you have yet to write: reached during a check, it ends that check with
        /// "not implemented yet" and this line's location, and the grader goes on to the next check.
        public func todo(_ what: String = "", file: StaticString = #filePath, line: UInt = #line) -> Never { fatalError(what) }

        """

    /// Modules students may import from the real products folder, as they are.
    static let libraryModules = ["Autograd"]

    private static let lock = NSLock()

    /// The folder for `compiler`'s runtime, made once per runtime build (a symlink and a 0.1 s compile).
    static func prepare(in cacheDirectory: URL, compiler: ExerciseCompiler) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        var hasher = SHA256Hasher()
        hasher.add(compiler.toolchain.swiftc.path)
        hasher.add(compiler.runtime.fingerprint)
        hasher.add(kitInterface)
        let folder = cacheDirectory.appendingPathComponent("student-modules").appendingPathComponent(String(hasher.hex.prefix(16)))
        let fm = FileManager.default
        if fm.fileExists(atPath: folder.appendingPathComponent("GraderKit.swiftmodule").path) { return folder }
        let work = folder.deletingLastPathComponent().appendingPathComponent("tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        for module in libraryModules {
            try fm.createSymbolicLink(at: work.appendingPathComponent("\(module).swiftmodule"),
                                      withDestinationURL: compiler.runtime.modulesDirectory.appendingPathComponent("\(module).swiftmodule"))
        }
        let source = work.appendingPathComponent("GraderKit.swift")
        try kitInterface.write(to: source, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            executable: compiler.toolchain.swiftc,
            arguments: ["-swift-version", "5", "-parse-as-library", "-emit-module", "-module-name", "GraderKit",
                        "-emit-module-path", work.appendingPathComponent("GraderKit.swiftmodule").path, source.path],
            workingDirectory: work, timeout: 120)
        guard case .exited(0) = result.termination else {
            throw GraderError("cannot prepare the modules student files compile against: \(result.stderrText.prefix(2000))")
        }
        try? fm.removeItem(at: source)
        if (try? fm.moveItem(at: work, to: folder)) == nil, !fm.fileExists(atPath: folder.path) {
            throw GraderError("cannot create \(folder.path)")
        }
        return folder
    }
}
