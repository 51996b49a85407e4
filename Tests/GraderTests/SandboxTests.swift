import Foundation
import XCTest
@testable import GraderCore
#if canImport(Glibc)
import Glibc
#endif

/// Red-team tests of the isolation layer: small real programs (shell commands) run through
/// `grader-sandbox` and try to reach what a hostile submission would want. Each attack is tried with
/// namespaces and, where the machine allows it (root), with the unprivileged-user fallback.
final class SandboxTests: XCTestCase {
    // MARK: - A course on disk

    /// A course folder with a visible file, a hidden folder holding a secret and a hidden file, next
    /// to a folder that is not given to the sandbox at all, plus a scratch folder for the run.
    struct Layout {
        let root: URL
        let course: URL
        let visibleFile: URL
        let hiddenFolder: URL
        let secret: URL
        let hiddenFile: URL
        let elsewhere: URL
        let scratch: URL

        static let secretText = "the-answer-is-42"

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// Readable by everyone except the hidden parts (0700/0600), as staging would leave it, so
    /// the fallback's permission checks pass.
    func makeLayout(hiddenMode: Int = 0o700) throws -> Layout {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("sandbox-tests-\(UUID().uuidString)").resolvingSymlinksInPath()
        let course = root.appendingPathComponent("course")
        let hiddenFolder = course.appendingPathComponent("Exercises/ex1/hidden")
        let elsewhere = root.appendingPathComponent("other-exercise")
        let scratch = root.appendingPathComponent("scratch")
        for folder in [hiddenFolder, elsewhere, scratch] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let visibleFile = course.appendingPathComponent("Exercises/ex1/Checks.swift")
        let secret = hiddenFolder.appendingPathComponent("HiddenChecks.swift")
        let hiddenFile = course.appendingPathComponent("Exercises/ex1/Solution.swift")
        try "let visible = 1\n".write(to: visibleFile, atomically: false, encoding: .utf8)
        try "let hidden = \"\(Layout.secretText)\"\n".write(to: secret, atomically: false, encoding: .utf8)
        try "let solution = \"\(Layout.secretText)\"\n".write(to: hiddenFile, atomically: false, encoding: .utf8)
        try "private".write(to: elsewhere.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        for folder in [root, course, course.appendingPathComponent("Exercises"), course.appendingPathComponent("Exercises/ex1"), elsewhere] {
            chmod(folder.path, 0o755)
        }
        chmod(hiddenFolder.path, mode_t(hiddenMode))
        chmod(hiddenFile.path, hiddenMode == 0o700 ? 0o600 : 0o644)
        let layout = Layout(root: root, course: course, visibleFile: visibleFile, hiddenFolder: hiddenFolder,
                            secret: secret, hiddenFile: hiddenFile, elsewhere: elsewhere, scratch: scratch)
        addTeardownBlock { layout.remove() }
        return layout
    }

    // MARK: - Running through the sandbox

    /// The sandbox with the mechanism asked for, or a skip saying why this machine cannot test it.
    func sandbox(fallback: Bool = false) throws -> Sandbox {
        let sandbox = Sandbox.detect(binDirectory: Fixtures.binDirectory, forcingFallback: fallback)
        guard sandbox.helper != nil else { throw XCTSkip(sandbox.reason) }
        let wanted: IsolationMechanism = fallback ? .unprivilegedUser : .namespaces
        guard sandbox.mechanism == wanted else {
            throw XCTSkip("\(wanted.rawValue) is unavailable here: \(sandbox.reason)")
        }
        return sandbox
    }

    func run(_ sandbox: Sandbox, _ script: String, in layout: Layout, limits: Sandbox.Limits = .none,
             timeout: Double = 10) throws -> ChildProcess.Output {
        let (executable, arguments) = sandbox.command(
            executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script],
            readOnly: [layout.course], readWrite: [layout.scratch],
            hidden: [layout.hiddenFolder, layout.hiddenFile], workingDirectory: layout.scratch, limits: limits)
        return try ChildProcess.run(executable: executable, arguments: arguments, channelDescriptor: 3, timeout: timeout)
    }

    /// Processes whose command line contains `marker`, from /proc.
    func processes(containing marker: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return text.contains(marker) ? pid : nil
        }
    }

    /// Waits up to two seconds for the processes with `marker` to be gone, then returns those left.
    func survivors(_ marker: String) -> [Int32] {
        let deadline = Date().addingTimeInterval(2)
        var left = processes(containing: marker)
        while !left.isEmpty, Date() < deadline {
            usleep(20_000)
            left = processes(containing: marker)
        }
        for pid in left { kill(pid, SIGKILL) }
        return left
    }

    /// A `sleep` whose command line no other process has.
    func uniqueSleep() -> String { "sleep 29.\(Int.random(in: 100_000...999_999))" }

    // MARK: - The probe

    func testProbeFindsNamespacesOnThisMachine() throws {
        let sandbox = try sandbox()
        XCTAssertEqual(sandbox.mechanism, .namespaces)
        XCTAssertEqual(sandbox.reason, "")
        XCTAssertTrue(sandbox.mechanism.isIsolated)
    }

    func testUnisolatedCommandIsUnchanged() {
        let exe = URL(fileURLWithPath: "/bin/echo")
        let (executable, arguments) = Sandbox.unisolated.command(executable: exe, arguments: ["a", "b"], readOnly: [exe])
        XCTAssertEqual(executable, exe)
        XCTAssertEqual(arguments, ["a", "b"])
    }

    func testReadOnlyPathsAreGivenAsNamedAndAsResolved() throws {
        let layout = try makeLayout()
        let link = layout.root.appendingPathComponent("debug")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: layout.course)
        XCTAssertEqual(Sandbox.visiblePaths([link, layout.course]), [link.path, layout.course.path])
    }

    // MARK: - Hidden checks and solutions

    func testHiddenFilesCannotBeReadOrListed() throws {
        try checkHiddenFilesCannotBeReadOrListed(fallback: false)
    }

    func testHiddenFilesCannotBeReadOrListedAsAnotherUser() throws {
        try checkHiddenFilesCannotBeReadOrListed(fallback: true)
    }

    func checkHiddenFilesCannotBeReadOrListed(fallback: Bool) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        let output = try run(sandbox, """
            cat '\(layout.secret.path)'; echo "cat=$?"
            ls -a '\(layout.hiddenFolder.path)'; echo "ls=$?"
            cat '\(layout.hiddenFile.path)'; echo "solution=$?"
            cat '\(layout.visibleFile.path)'
            """, in: layout)
        let everything = output.stdoutText + output.stderrText
        XCTAssertFalse(everything.contains(Layout.secretText), everything)
        XCTAssertFalse(everything.contains("HiddenChecks.swift\n"), "the hidden folder was listed: \(everything)")
        for status in ["cat", "ls", "solution"] {
            XCTAssertFalse(output.stdoutText.contains("\(status)=0"), "\(status) succeeded: \(everything)")
        }
        XCTAssertTrue(output.stdoutText.contains("let visible = 1"), "the visible checks must stay readable: \(everything)")
        XCTAssertEqual(output.termination, .exited(0))
    }

    func testNothingOutsideTheGivenPathsExists() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let output = try run(sandbox, """
            ls '\(layout.elsewhere.path)'; echo "other=$?"
            ls /work /root /home /var 2>/dev/null; echo "machine=$?"
            ls /
            """, in: layout)
        XCTAssertTrue(output.stdoutText.contains("other=2"), output.stdoutText + output.stderrText)
        XCTAssertTrue(output.stderrText.contains("No such file or directory"), output.stderrText)
        XCTAssertTrue(output.stdoutText.contains("machine=2"), output.stdoutText)
        XCTAssertFalse(output.stdoutText.contains("notes.txt"))
    }

    /// Inside, the program may create its own user and mount namespaces (unshare is in /usr/bin),
    /// where it is root; the covers and read-only binds it inherits are locked there all the same.
    func testNestedNamespacesCannotUncoverOrUnlockTheCourse() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { throw XCTSkip("needs unshare") }
        let output = try run(sandbox, """
            unshare -Urm sh -c '
              umount "\(layout.hiddenFolder.path)"; umount "\(layout.hiddenFile.path)"
              cat "\(layout.secret.path)" "\(layout.hiddenFile.path)"
              mount -o remount,rw,bind "\(layout.course.path)"
              echo hacked > "\(layout.visibleFile.path)"; echo "write=$?"'
            """, in: layout)
        let everything = output.stdoutText + output.stderrText
        XCTAssertFalse(everything.contains(Layout.secretText), everything)
        XCTAssertTrue(output.stdoutText.contains("write=2"), everything)
        XCTAssertEqual(try String(contentsOf: layout.visibleFile, encoding: .utf8), "let visible = 1\n")
    }

    /// Run by root, the program must not be root outside either: mapped to root it kept root's
    /// file permissions without any capability, enough to write /proc/sys/kernel/core_pattern
    /// (a command the kernel runs as root on the next crash) and read /etc/shadow.
    func testProgramHasNeitherCapabilitiesNorRootsFilePermissions() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let output = try run(sandbox, """
            test -w /proc/sys/kernel/core_pattern && echo core_pattern-writable
            test -r /etc/shadow && echo shadow-readable
            test -w /proc/sysrq-trigger && echo sysrq-writable
            grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status
            echo made > made.txt
            """, in: layout)
        XCTAssertEqual(output.stdoutText, "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n", output.stderrText)
        if getuid() == 0 {
            let owner = try FileManager.default.attributesOfItem(atPath: layout.scratch.appendingPathComponent("made.txt").path)[.ownerAccountID] as? NSNumber
            XCTAssertEqual(owner?.intValue, 65534, "files the program makes belong to nobody outside")
        }
    }

    func testFallbackRefusesHiddenPathsThatTheRunUserCouldRead() throws {
        let sandbox = try sandbox(fallback: true)
        let layout = try makeLayout(hiddenMode: 0o755)
        let output = try run(sandbox, "cat '\(layout.secret.path)'", in: layout)
        XCTAssertEqual(output.termination, .exited(125))
        XCTAssertTrue(output.stderrText.contains("--hide \(layout.hiddenFolder.path) is readable by uid 65534"), output.stderrText)
        XCTAssertFalse(output.stdoutText.contains(Layout.secretText))
    }

    // MARK: - The course is read-only, the scratch folder is not

    func testCourseCannotBeChangedButScratchCan() throws {
        try checkCourseCannotBeChangedButScratchCan(fallback: false, expectedError: "Read-only file system")
    }

    func testCourseCannotBeChangedButScratchCanAsAnotherUser() throws {
        try checkCourseCannotBeChangedButScratchCan(fallback: true, expectedError: "Permission denied")
    }

    func checkCourseCannotBeChangedButScratchCan(fallback: Bool, expectedError: String) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        let before = try Data(contentsOf: layout.visibleFile)
        let output = try run(sandbox, """
            echo 'func expectClose() {}' >> '\(layout.visibleFile.path)'; echo "append=$?"
            rm -f '\(layout.visibleFile.path)'; echo "rm=$?"
            mkdir '\(layout.course.path)/new'; echo "mkdir=$?"
            echo made > result.txt && mkdir -p sub && echo also > sub/f; echo "scratch=$?"
            """, in: layout)
        let everything = output.stdoutText + output.stderrText
        for step in ["append", "rm", "mkdir"] {
            XCTAssertFalse(output.stdoutText.contains("\(step)=0"), "\(step) succeeded: \(everything)")
        }
        XCTAssertTrue(output.stderrText.contains(expectedError), output.stderrText)
        XCTAssertEqual(try Data(contentsOf: layout.visibleFile), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.course.appendingPathComponent("new").path))
        XCTAssertTrue(output.stdoutText.contains("scratch=0"), everything)
        XCTAssertEqual(try String(contentsOf: layout.scratch.appendingPathComponent("result.txt"), encoding: .utf8), "made\n")
    }

    func testScratchDirectoryIsRemovedEvenWhenTheRunLockedIt() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let scratch = try ScratchDirectory.create(in: layout.root)
        let (executable, arguments) = sandbox.command(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "mkdir -p locked/inner && touch locked/inner/f && chmod 000 locked/inner locked"],
            readWrite: [scratch.url])
        let output = try ChildProcess.run(executable: executable, arguments: arguments, timeout: 10)
        XCTAssertEqual(output.termination, .exited(0), output.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("locked").path))
        scratch.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.url.path))
    }

    // MARK: - No network

    func testNoNetworkEvenToALocalListener() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else { throw XCTSkip("needs bash for /dev/tcp") }
        #if os(Linux)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(listener, raw, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let connect = "/bin/bash -c 'exec 5<>/dev/tcp/127.0.0.1/\(port)'; echo \"connect=$?\""

        // The same connection works without the sandbox, so a failure inside is the sandbox's doing.
        let control = try ChildProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", connect], timeout: 10)
        XCTAssertTrue(control.stdoutText.contains("connect=0"), control.stdoutText + control.stderrText)

        let output = try run(sandbox, connect + "\ngetent hosts example.com; echo \"dns=$?\"", in: layout)
        XCTAssertTrue(output.stdoutText.contains("connect=1"), output.stdoutText + output.stderrText)
        XCTAssertTrue(output.stderrText.contains("Network is unreachable"), output.stderrText)
        XCTAssertFalse(output.stdoutText.contains("dns=0"), output.stdoutText)
    }

    // MARK: - Every process of the run dies with it

    func testDaemonStartedWithSetsidDoesNotSurviveTheRun() throws {
        try checkDaemonDoesNotSurvive(fallback: false)
    }

    func testDaemonStartedWithSetsidDoesNotSurviveTheRunAsAnotherUser() throws {
        try checkDaemonDoesNotSurvive(fallback: true)
    }

    func checkDaemonDoesNotSurvive(fallback: Bool) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        let marker = uniqueSleep()
        let output = try run(sandbox, """
            setsid sh -c 'exec \(marker)' </dev/null >/dev/null 2>&1 &
            (trap '' HUP; exec \(marker)) </dev/null >/dev/null 2>&1 &
            sleep 0.1; echo started
            """, in: layout)
        XCTAssertEqual(output.termination, .exited(0), output.stderrText)
        XCTAssertTrue(output.stdoutText.contains("started"))
        XCTAssertEqual(survivors(marker), [], "processes of the run survived it")
    }

    func testKillingTheSandboxMidRunLeavesNothingBehind() throws {
        try checkKillingTheSandboxLeavesNothing(fallback: false)
    }

    func testKillingTheSandboxMidRunLeavesNothingBehindAsAnotherUser() throws {
        try checkKillingTheSandboxLeavesNothing(fallback: true)
    }

    func checkKillingTheSandboxLeavesNothing(fallback: Bool) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        let marker = uniqueSleep()
        // ChildProcess's time-out SIGKILLs the sandbox's process group, as the grader's does.
        let output = try run(sandbox, """
            setsid sh -c 'exec \(marker)' </dev/null >/dev/null 2>&1 &
            exec \(marker)
            """, in: layout, timeout: 0.5)
        XCTAssertEqual(output.termination, .timedOut)
        XCTAssertEqual(survivors(marker), [], "processes of the run survived the sandbox's death")
    }

    // MARK: - The program's ending, exactly

    func testExitStatusAndSignalDeathAreRelayed() throws {
        try checkEndingsAreRelayed(fallback: false)
    }

    func testExitStatusAndSignalDeathAreRelayedAsAnotherUser() throws {
        try checkEndingsAreRelayed(fallback: true)
    }

    func checkEndingsAreRelayed(fallback: Bool) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        XCTAssertEqual(try run(sandbox, "exit 7", in: layout).termination, .exited(7))
        XCTAssertEqual(try run(sandbox, "exit 0", in: layout).termination, .exited(0))
        XCTAssertEqual(try run(sandbox, "kill -SEGV $$", in: layout).termination, .signaled(SIGSEGV))
        XCTAssertEqual(try run(sandbox, "kill -KILL $$", in: layout).termination, .signaled(SIGKILL))
        let (executable, arguments) = sandbox.command(executable: URL(fileURLWithPath: "/no/such/program"), arguments: [],
                                                      readWrite: [layout.scratch])
        let missing = try ChildProcess.run(executable: executable, arguments: arguments, timeout: 10)
        XCTAssertEqual(missing.termination, .exited(127))
        XCTAssertTrue(missing.stderrText.contains("cannot run /no/such/program"), missing.stderrText)
    }

    func testLimitsAreSetAsHardLimits() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let limits = Sandbox.Limits(memoryMegabytes: 512, cpuSeconds: 3, fileMegabytes: 1, processes: 40)
        let output = try run(sandbox, "ulimit -H -t; ulimit -t; ulimit -H -v; ulimit -H -f; ulimit -H -c; ulimit -H -p", in: layout, limits: limits)
        // dash prints -v in KiB and -f in 512-byte blocks.
        XCTAssertEqual(output.stdoutText, "3\n3\n524288\n2048\n0\n40\n", output.stderrText)
        let tooBig = try run(sandbox, "exec head -c 2000000 /dev/zero > big", in: layout, limits: limits)
        XCTAssertEqual(tooBig.termination, .signaled(SIGXFSZ))
    }

    /// A fork bomb stops at the process limit instead of starving the machine, and dies with the run.
    func testForkBombIsBoundedByTheProcessLimit() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let marker = uniqueSleep()
        let output = try run(sandbox, """
            sh -c 'for i in $(seq 60); do (exec \(marker)) & done' 2>/dev/null
            set -- /proc/[0-9]*; echo $#
            """, in: layout, limits: .init(processes: 20))
        let running = Int(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        XCTAssertGreaterThan(running, 5, output.stderrText)
        XCTAssertLessThanOrEqual(running, 20, output.stderrText)
        XCTAssertEqual(survivors(marker), [])
    }

    // MARK: - Descriptors

    func testStandardDescriptorsAndTheResultChannelPassThrough() throws {
        try checkDescriptors(fallback: false)
    }

    func testStandardDescriptorsAndTheResultChannelPassThroughAsAnotherUser() throws {
        try checkDescriptors(fallback: true)
    }

    func checkDescriptors(fallback: Bool) throws {
        let sandbox = try sandbox(fallback: fallback)
        let layout = try makeLayout()
        let output = try run(sandbox, "echo out; echo err >&2; echo result >&3", in: layout)
        XCTAssertEqual(output.stdoutText, "out\n")
        XCTAssertEqual(output.stderrText, "err\n")
        XCTAssertEqual(String(decoding: output.channel, as: UTF8.self), "result\n")

        // A descriptor the caller leaks (7 here) never reaches the program: only 0-3 (and the
        // one the shell opens to list the folder) are open inside.
        let (executable, arguments) = sandbox.command(executable: URL(fileURLWithPath: "/bin/sh"),
                                                      arguments: ["-c", "cd /proc/self/fd && echo *"],
                                                      readWrite: [layout.scratch])
        let quoted = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let leaky = try ChildProcess.run(executable: URL(fileURLWithPath: "/bin/sh"),
                                         arguments: ["-c", "exec 7</dev/null; exec \(quoted)"],
                                         channelDescriptor: 3, timeout: 10)
        XCTAssertEqual(leaky.stdoutText, "0 1 2 3 4\n", leaky.stderrText)
    }

    /// A program that exits 125 and prints what the sandbox prints cannot pass for a failure of the
    /// sandbox on the report descriptor; a real failure (a path that does not exist) is reported.
    func testReportDescriptorTellsSandboxFailuresFromTheProgramsOwn() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let sh = URL(fileURLWithPath: "/bin/sh")
        let forged = sandbox.command(executable: sh, arguments: ["-c", "echo 'grader-sandbox: cannot isolate' >&2; exit 125"],
                                     readWrite: [layout.scratch], reportDescriptor: 4)
        let forgedRun = try ChildProcess.run(executable: forged.executable, arguments: forged.arguments, channelDescriptor: 4, timeout: 10)
        XCTAssertEqual(forgedRun.termination, .exited(125))
        XCTAssertEqual(String(decoding: forgedRun.channel, as: UTF8.self), "exited 125\n")

        let missing = layout.root.appendingPathComponent("missing")
        let broken = sandbox.command(executable: sh, arguments: ["-c", "true"], readOnly: [missing],
                                     readWrite: [layout.scratch], reportDescriptor: 4)
        let brokenRun = try ChildProcess.run(executable: broken.executable, arguments: broken.arguments, channelDescriptor: 4, timeout: 10)
        XCTAssertEqual(brokenRun.termination, .exited(125))
        XCTAssertEqual(String(decoding: brokenRun.channel, as: UTF8.self),
                       "error cannot open \(missing.path): No such file or directory\n")

        let signaled = sandbox.command(executable: sh, arguments: ["-c", "kill -TERM $$"], readWrite: [layout.scratch], reportDescriptor: 4)
        let signaledRun = try ChildProcess.run(executable: signaled.executable, arguments: signaled.arguments, channelDescriptor: 4, timeout: 10)
        XCTAssertEqual(signaledRun.termination, .signaled(SIGTERM))
        XCTAssertEqual(String(decoding: signaledRun.channel, as: UTF8.self), "signaled 15\n")
    }

    // MARK: - Real Swift programs

    func testSwiftProgramRunsWithOnlyTheToolchainRuntimeVisible() throws {
        let sandbox = try sandbox()
        let grader = Fixtures.binDirectory.appendingPathComponent("grader")
        guard FileManager.default.isExecutableFile(atPath: grader.path) else { throw XCTSkip("the grader is not built") }
        let toolchain = try Toolchain.locate()
        let (executable, arguments) = sandbox.command(
            executable: grader, arguments: ["--help"],
            readOnly: Sandbox.swiftRuntimePaths(toolchain: toolchain) + [grader], limits: .init(memoryMegabytes: 4096))
        let output = try ChildProcess.run(executable: executable, arguments: arguments, timeout: 20)
        XCTAssertEqual(output.termination, .exited(0), output.stderrText)
        XCTAssertTrue(output.stdoutText.contains("Usage"), output.stdoutText)
    }

    /// The recipe the grader uses: an exercise binary compiled against the course runtime starts in
    /// the sandbox with only itself and `Sandbox.runtimePaths` visible, and lists its checks.
    func testExerciseBinaryRunsWithOnlyTheRuntimePathsVisible() throws {
        let sandbox = try sandbox()
        let compiler = try Fixtures.grader().compiler()
        guard case let .built(binary, _, _, _) = try compiler.compile(.init(exercise: try Fixtures.exercise("fx1"))) else {
            return XCTFail("fx1 does not compile")
        }
        let layout = try makeLayout()
        let (executable, arguments) = sandbox.command(
            executable: binary, arguments: ["--list"],
            readOnly: Sandbox.runtimePaths(toolchain: compiler.toolchain, runtime: compiler.runtime) + [binary],
            readWrite: [layout.scratch], limits: .init(memoryMegabytes: 4096, processes: 256))
        let output = try ChildProcess.run(executable: executable, arguments: arguments, timeout: 30)
        XCTAssertEqual(output.termination, .exited(0), output.stderrText)
        XCTAssertFalse(output.stdoutText.isEmpty, output.stderrText)
    }

    /// A crash inside the sandbox still gets the backtracer's report (file and line), which
    /// needs the toolchain's `swift-backtrace` visible.
    func testSwiftCrashReportsItsLineInsideTheSandbox() throws {
        let sandbox = try sandbox()
        let layout = try makeLayout()
        let toolchain = try Toolchain.locate()
        let source = layout.scratch.appendingPathComponent("crash.swift")
        let binary = layout.scratch.appendingPathComponent("crash")
        try "let values = [1, 2, 3]\nprint(values[CommandLine.arguments.count + 5])\n".write(to: source, atomically: false, encoding: .utf8)
        let compile = try ChildProcess.run(executable: toolchain.swiftc, arguments: ["-g", "-Onone", "-o", binary.path, source.path], timeout: 120)
        XCTAssertEqual(compile.termination, .exited(0), compile.stderrText)
        let (executable, arguments) = sandbox.command(executable: binary, arguments: [],
                                                      readOnly: Sandbox.swiftRuntimePaths(toolchain: toolchain) + [binary, source])
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=48,top=8,output-to=stderr"
        let output = try ChildProcess.run(executable: executable, arguments: arguments, environment: environment, timeout: 60)
        XCTAssertEqual(output.termination, .signaled(SIGILL), output.stderrText)
        XCTAssertTrue(output.stderrText.contains("Fatal error: Index out of range"), output.stderrText)
        XCTAssertTrue(output.stderrText.contains("crash.swift:2"), output.stderrText)
        XCTAssertFalse(output.stderrText.contains("unable to locate swift-backtrace"), output.stderrText)
    }

    /// Gradescope's containers give root only Docker's default capabilities (no CAP_SYS_ADMIN,
    /// so no network namespace either): the fallback still runs the program as nobody and kills
    /// what it leaves.
    func testFallbackWorksWithDockersDefaultCapabilities() throws {
        let sandbox = try sandbox(fallback: true)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("needs setpriv") }
        let layout = try makeLayout()
        let marker = uniqueSleep()
        let docker = "-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write"
        let (executable, arguments) = sandbox.command(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "id -u; setsid sh -c 'exec \(marker)' </dev/null >/dev/null 2>&1 & echo made > f; cat '\(layout.secret.path)'; exit 3"],
            readOnly: [layout.course], readWrite: [layout.scratch], hidden: [layout.hiddenFolder])
        let output = try ChildProcess.run(executable: URL(fileURLWithPath: "/usr/bin/setpriv"),
                                          arguments: ["--inh-caps=-all", "--bounding-set=\(docker)", executable.path] + arguments,
                                          timeout: 10)
        XCTAssertEqual(output.termination, .exited(3), output.stderrText)
        XCTAssertEqual(output.stdoutText, "65534\n", output.stderrText)
        XCTAssertTrue(output.stderrText.contains("Permission denied"), output.stderrText)
        XCTAssertEqual(survivors(marker), [])
        let owner = try FileManager.default.attributesOfItem(atPath: layout.scratch.appendingPathComponent("f").path)[.ownerAccountID] as? NSNumber
        XCTAssertEqual(owner?.intValue, 65534)
    }

    // MARK: - Without root, without namespaces

    /// `grader-sandbox` run by an unprivileged user: namespaces work here (they are allowed), and
    /// when they are not (forced with --no-namespaces) the probe fails with the reason.
    func testUnprivilegedUserWithoutNamespacesCannotIsolateAndSaysWhy() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to become another user") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("needs setpriv") }
        let sandbox = try sandbox()
        let helper = try XCTUnwrap(sandbox.helper)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", helper.path]
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")

        let refused = try ChildProcess.run(executable: setpriv, arguments: asNobody + ["--probe", "--no-namespaces"], timeout: 10)
        XCTAssertEqual(refused.termination, .exited(1))
        XCTAssertEqual(refused.stdoutText, "")
        XCTAssertTrue(refused.stderrText.contains("needs root (this is uid 65534)"), refused.stderrText)

        let run = try ChildProcess.run(executable: setpriv, arguments: asNobody + ["--no-namespaces", "--", "/bin/true"], timeout: 10)
        XCTAssertEqual(run.termination, .exited(125))
        XCTAssertTrue(run.stderrText.contains("cannot isolate the run"), run.stderrText)

        let probe = try ChildProcess.run(executable: setpriv, arguments: asNobody + ["--probe"], timeout: 10)
        XCTAssertEqual(probe.stdoutText, "namespaces\n", "unprivileged user namespaces: \(probe.stderrText)")

        let layout = try makeLayout()
        chmod(layout.scratch.path, 0o777)
        let isolated = try ChildProcess.run(executable: setpriv, arguments: asNobody + [
            "--ro", layout.course.path, "--hide", layout.hiddenFolder.path, "--rw", layout.scratch.path,
            "--cwd", layout.scratch.path, "--no-network", "--", "/bin/sh", "-c",
            "id -u; ls '\(layout.hiddenFolder.path)'; echo x > '\(layout.visibleFile.path)'; echo ok > mine.txt",
        ], timeout: 10)
        XCTAssertEqual(isolated.stdoutText, "1000\n", isolated.stderrText)
        XCTAssertTrue(isolated.stderrText.contains("Permission denied"), isolated.stderrText)
        XCTAssertTrue(isolated.stderrText.contains("Read-only file system"), isolated.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: layout.scratch.appendingPathComponent("mine.txt").path))
    }
}
