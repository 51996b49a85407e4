import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program with its output captured, a wall-clock limit, and optionally an extra pipe
/// (the exercise binary's private result channel) and bytes written to its stdin.
///
/// Written on `posix_spawn` rather than Foundation's `Process` because the grader needs what
/// `Process` does not offer: the child in its own process group (so a time-out kills everything it
/// started), an inherited pipe on a chosen descriptor, and one `poll` loop that drains all pipes
/// while it waits, so a chatty child can never block on a full pipe.
public struct ChildProcess {
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by the grader after `timeout` seconds.
        case timedOut
    }

    public struct Output: Sendable {
        public var termination: Termination
        public var stdout: CapturedBytes
        public var stderr: CapturedBytes
        /// Everything written to the extra channel, if one was asked for.
        public var channel: [UInt8]
        public var seconds: Double

        public var stdoutText: String { stdout.text }
        public var stderrText: String { stderr.text }
    }

    /// Runs `executable` and waits for it (at most `timeout` seconds).
    /// - Parameters:
    ///   - stdinData: written to the child's stdin, which is then closed (the child reads EOF after it).
    ///   - channelDescriptor: if set, the child gets the write end of a pipe on this descriptor and
    ///     everything it writes there comes back in `Output.channel`.
    ///   - captureLimit: bytes kept from each of stdout and stderr (the start and the end are kept).
    ///   - deadlineAfterChannel: called with each chunk read from the channel (and once with an empty
    ///     one at the start); a date it returns replaces the deadline (never later than `timeout` allows).
    ///   - stopSignal: sent to the process group when the deadline passes, `stopGrace` seconds
    ///     before the SIGKILL, so a program can say where it was (Swift's backtracer answers SIGQUIT).
    public static func run(executable: URL, arguments: [String], workingDirectory: URL? = nil,
                           environment: [String: String]? = nil, stdinData: [UInt8] = [],
                           channelDescriptor: Int32? = nil, timeout: Double,
                           captureLimit: Int = 64 * 1024,
                           deadlineAfterChannel: ((ArraySlice<UInt8>) -> Date?)? = nil,
                           stopSignal: Int32? = nil, stopGrace: Double = 2) throws -> Output {
        ignoreSigpipe
        let start = Date()
        spawnLock.lock()
        var locked = true
        defer { if locked { spawnLock.unlock() } }
        let stdinPipe = try makePipe(), stdoutPipe = try makePipe(), stderrPipe = try makePipe()
        let channelPipe = channelDescriptor == nil ? nil : try makePipe()
        var parentEnds = [stdinPipe.write, stdoutPipe.read, stderrPipe.read]
        if let channelPipe { parentEnds.append(channelPipe.read) }
        var childEnds = [stdinPipe.read, stdoutPipe.write, stderrPipe.write]
        if let channelPipe { childEnds.append(channelPipe.write) }
        defer { for fd in parentEnds { close(fd) } }

        // Darwin's spawn types are opaque pointers (optional in Swift); glibc's are structs.
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        if let channelPipe, let channelDescriptor {
            posix_spawn_file_actions_adddup2(&actions, channelPipe.write, channelDescriptor)
        }
        if let workingDirectory, let addChdir = addChdir {
            _ = addChdir(&actions, workingDirectory.path)
        }
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t?
        #else
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The child starts with default signal handling even if the grader ignores SIGPIPE, or was
        // itself started in the background by a shell (which ignores SIGINT and SIGQUIT there):
        // SIGQUIT is how a hung check is asked where it is.
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        // …and with no signal blocked: the grader's worker threads (Dispatch's) block most signals,
        // and a child inherits the mask, which would hide SIGQUIT and SIGABRT from its runtime.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable.path] + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawnResult = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in
                posix_spawn(&pid, executable.path, &actions, &attributes, cArgv, cEnv)
            }
        }
        for fd in childEnds { close(fd) }
        spawnLock.unlock()
        locked = false
        guard spawnResult == 0 else {
            throw GraderError("cannot start \(executable.path): \(String(cString: strerror(spawnResult)))")
        }

        // The key (or whatever input) goes in before anything else; then stdin is closed so the
        // child reads EOF rather than waiting for a keyboard.
        if !stdinData.isEmpty {
            _ = stdinData.withUnsafeBytes { write(stdinPipe.write, $0.baseAddress, $0.count) }
        }
        close(stdinPipe.write)
        parentEnds.removeFirst()

        var stdout = CapturedBytes(limit: captureLimit), stderr = CapturedBytes(limit: captureLimit)
        var channel: [UInt8] = []
        var open: [Int32: Int] = [stdoutPipe.read: 1, stderrPipe.read: 2]
        if let channelPipe { open[channelPipe.read] = 3 }
        let hardDeadline = start.addingTimeInterval(timeout)
        var deadline = hardDeadline
        var stopSentAt: Date?
        var termination: Termination?
        var exitedAt: Date?
        var buffer = [UInt8](repeating: 0, count: 65536)
        if let first = deadlineAfterChannel?([]) { deadline = min(first, hardDeadline) }

        while true {
            if termination == nil, let status = reap(pid, block: false) {
                termination = status
                exitedAt = Date()
            }
            if open.isEmpty, termination != nil { break }
            // After the child exits, a grandchild may still hold the pipes: drain briefly, then stop.
            if let exitedAt, Date().timeIntervalSince(exitedAt) > 0.3 { break }
            if termination == nil, Date() >= deadline {
                if let stopSignal, stopSentAt == nil {
                    kill(-pid, stopSignal)
                    stopSentAt = Date()
                    deadline = Date().addingTimeInterval(stopGrace)
                } else {
                    kill(-pid, SIGKILL)
                    _ = reap(pid, block: true)
                    termination = .timedOut
                    break
                }
            }
            var fds = open.keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let wait = termination == nil ? min(max(deadline.timeIntervalSinceNow, 0), 0.05) : 0.02
            let ready = poll(&fds, nfds_t(fds.count), Int32(wait * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n <= 0 {
                    open[entry.fd] = nil
                    continue
                }
                let chunk = buffer[0..<n]
                switch open[entry.fd] {
                case 1: stdout.append(chunk)
                case 2: stderr.append(chunk)
                default:
                    if channel.count < 8 * 1024 * 1024 { channel += chunk }
                    if stopSentAt == nil, let next = deadlineAfterChannel?(chunk) { deadline = min(next, hardDeadline) }
                }
            }
        }
        // Whatever the child left running in its group goes too.
        kill(-pid, SIGKILL)
        if termination == nil { termination = reap(pid, block: true) ?? .signaled(SIGKILL) }
        // Stopped on our signal after the deadline: a time-out, whatever the signal did to it.
        if stopSentAt != nil { termination = .timedOut }
        return Output(termination: termination!, stdout: stdout, stderr: stderr, channel: channel,
                      seconds: Date().timeIntervalSince(start))
    }

    /// Serialises pipe creation and spawning, so no child inherits another child's pipe ends.
    private static let spawnLock = NSLock()

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+), looked up at run time because the
    /// headers only declare it with _GNU_SOURCE.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        #if canImport(Darwin)
        let everywhere = UnsafeMutableRawPointer(bitPattern: -2)   // RTLD_DEFAULT on Darwin
        #else
        let everywhere = UnsafeMutableRawPointer(bitPattern: 0)    // RTLD_DEFAULT in glibc
        #endif
        guard let symbol = dlsym(everywhere, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static let ignoreSigpipe: Void = { signal(SIGPIPE, SIG_IGN); return () }()

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        // pipe2 is hidden behind _GNU_SOURCE; pipe + FD_CLOEXEC is made atomic with respect to
        // other spawns by `spawnLock`, held from here until the child's ends are closed.
        guard pipe(&fds) == 0 else { throw GraderError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    private static func reap(_ pid: pid_t, block: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, block ? 0 : WNOHANG)
            if r == -1 && errno == EINTR { continue }
            guard r == pid else { return nil }
            break
        }
        // WIFEXITED / WTERMSIG are macros Swift cannot import.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }
}

/// Captured output, bounded: the first and last `limit / 2` bytes are kept, with a count of what
/// was dropped between them, so a print in an infinite loop cannot exhaust the grader's memory and
/// a crash message at the very end is never lost.
public struct CapturedBytes: Sendable {
    public let limit: Int
    public private(set) var head: [UInt8] = []
    public private(set) var tail: [UInt8] = []
    public private(set) var dropped = 0

    public init(limit: Int) { self.limit = limit }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        let half = limit / 2
        var rest = bytes[...]
        if head.count < half {
            let take = min(half - head.count, rest.count)
            head += rest.prefix(take)
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty else { return }
        tail += rest
        if tail.count > half {
            let excess = tail.count - half
            dropped += excess
            tail.removeFirst(excess)
        }
    }

    public var text: String {
        var s = String(decoding: head, as: UTF8.self)
        if dropped > 0 { s += "\n… (\(dropped) bytes of output left out) …\n" }
        s += String(decoding: tail, as: UTF8.self)
        return s
    }
}
