import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private folder that one run of student code may write to, and nothing else: its working
/// directory inside the sandbox (pass it as `readWrite`). Made fresh for each run, removed after.
public struct ScratchDirectory: Sendable {
    public let url: URL

    /// Creates an empty folder readable only by its owner, in `parent` (the system's temporary
    /// folder by default). Without namespaces, `grader-sandbox` hands it to the run's user.
    public static func create(in parent: URL? = nil, prefix: String = "grader-run") throws -> ScratchDirectory {
        let base = parent ?? FileManager.default.temporaryDirectory
        var template = Array(base.appendingPathComponent("\(prefix)-XXXXXX").path.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw GraderError("cannot create a scratch folder in \(base.path): \(String(cString: strerror(errno)))")
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return ScratchDirectory(url: URL(fileURLWithPath: path).resolvingSymlinksInPath())
    }

    /// Runs `body` with a fresh scratch folder and removes it afterwards, whatever happens.
    public static func with<T>(in parent: URL? = nil, _ body: (ScratchDirectory) throws -> T) throws -> T {
        let scratch = try create(in: parent)
        defer { scratch.remove() }
        return try body(scratch)
    }

    /// Removes the folder and everything the run left in it, even folders it made unreadable
    /// (`chmod 000`) to make the clean-up fail.
    public func remove() {
        let fm = FileManager.default
        if (try? fm.removeItem(at: url)) != nil || !fm.fileExists(atPath: url.path) { return }
        Self.makeOwnerAccessible(url.path)
        try? fm.removeItem(at: url)
    }

    private static func makeOwnerAccessible(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
        chmod(path, 0o700)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names { makeOwnerAccessible(path + "/" + name) }
    }
}
