import Foundation
import XCTest
@testable import GraderCore

/// Exercise files are first-class files for SourceKit-LSP once `Exercises/compile_commands.json`
/// exists: the toolchain's own `sourcekit-lsp` reports a semantic error in an exercise file and
/// completes members of `Tensor`. Skipped where the toolchain has no `sourcekit-lsp`.
final class EditorSupportTests: XCTestCase {
    func testSourceKitLSPReportsErrorsAndCompletesTensorInAnExerciseFile() throws {
        let grader = try Fixtures.grader()
        let compiler = try grader.compiler()
        let server = compiler.toolchain.swiftc.deletingLastPathComponent().appendingPathComponent("sourcekit-lsp")
        guard FileManager.default.isExecutableFile(atPath: server.path) else {
            throw XCTSkip("no sourcekit-lsp beside \(compiler.toolchain.swiftc.path)")
        }
        // A one-exercise course with a student file that uses an undefined name and ends in `Tensor.`.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gradlings-editor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let real = Course(root: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        let source = try real.exercise(named: "ex1")
        let folder = root.appendingPathComponent("Exercises").appendingPathComponent(source.folderName)
        try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.directory, to: folder)
        let course = Course(root: root)
        try EditorSettings.write(course: course, runtime: compiler.runtime, swiftc: compiler.toolchain.swiftc)

        let file = folder.appendingPathComponent("Cubic.swift")
        let text = try String(contentsOf: file, encoding: .utf8)
            + "\nfunc editorProbe() -> Int { undefinedEditorName }\nfunc editorCompletion() { _ = Tensor.\n}\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let completionLine = try XCTUnwrap(lines.firstIndex { $0.hasSuffix("_ = Tensor.") })

        let client = try LSPClient(server: server, root: course.exercisesDirectory)
        defer { client.stop() }
        _ = try client.request("initialize", [
            "processId": Int(ProcessInfo.processInfo.processIdentifier),
            "rootUri": course.exercisesDirectory.absoluteString,
            "capabilities": ["textDocument": ["publishDiagnostics": [:], "completion": ["completionItem": ["snippetSupport": false]]]],
        ] as [String: Any])
        client.notify("initialized", [:])
        client.notify("textDocument/didOpen", ["textDocument": ["uri": file.absoluteString, "languageId": "swift", "version": 1, "text": text]])

        let diagnostic = client.waitForDiagnostic(uri: file.absoluteString, timeout: 90) { $0.contains("undefinedEditorName") }
        XCTAssertNotNil(diagnostic, "no semantic diagnostic for the undefined name; received: \(client.receivedDiagnostics(uri: file.absoluteString))")

        let completion = try client.request("textDocument/completion", [
            "textDocument": ["uri": file.absoluteString],
            "position": ["line": completionLine, "character": lines[completionLine].utf16.count],
        ] as [String: Any], timeout: 60)
        let items = ((completion as? [String: Any])?["items"] as? [[String: Any]]) ?? (completion as? [[String: Any]]) ?? []
        let labels = items.compactMap { $0["label"] as? String }
        XCTAssertTrue(labels.contains { $0.hasPrefix("backward(") }, "completion on Tensor. lacks backward: \(labels.prefix(30))")
    }

    func testCompileCommandsListEachExercisesStudentFilesAsOneModuleWithoutChecks() throws {
        let grader = try Fixtures.grader()
        let compiler = try grader.compiler()
        let json = try EditorSettings.compileCommands(course: Fixtures.course, runtime: compiler.runtime, swiftc: compiler.toolchain.swiftc)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let exercise = try Fixtures.exercise("fx1")
        let studentFiles = exercise.manifest.files.map { exercise.studentFile($0).standardizedFileURL.path }
        let entry = try XCTUnwrap(entries.first { ($0["file"] as? String) == studentFiles[0] })
        let arguments = try XCTUnwrap(entry["arguments"] as? [String])
        XCTAssertEqual(arguments[arguments.firstIndex(of: "-module-name")! + 1], "Student")
        XCTAssertTrue(arguments.contains(compiler.runtime.modulesDirectory.path))
        for file in studentFiles { XCTAssertTrue(arguments.contains(file)) }
        XCTAssertFalse(arguments.contains { $0.contains("/checks/") }, "check files are not part of the student module")
    }
}

/// The smallest LSP client that can drive `sourcekit-lsp` over stdio for a test.
final class LSPClient: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSCondition()
    private var buffer = Data()
    private var responses: [Int: Any] = [:]
    private var diagnostics: [String: [String]] = [:]
    private var nextID = 1

    struct Timeout: Error, CustomStringConvertible {
        var method: String, seconds: TimeInterval
        var description: String { "sourcekit-lsp did not answer \(method) within \(Int(seconds)) s" }
    }

    init(server: URL, root: URL) throws {
        process.executableURL = server
        process.currentDirectoryURL = root
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.receive(data)
        }
        try process.run()
    }

    func stop() {
        if process.isRunning {
            _ = try? request("shutdown", nil, timeout: 5)
            notify("exit", nil)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { process.terminate() }
        }
        output.fileHandleForReading.readabilityHandler = nil
    }

    private func send(_ message: [String: Any]) {
        var message = message
        message["jsonrpc"] = "2.0"
        guard let body = try? JSONSerialization.data(withJSONObject: message) else { return }
        input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    func notify(_ method: String, _ params: Any?) {
        var message: [String: Any] = ["method": method]
        if let params { message["params"] = params }
        send(message)
    }

    /// Sends a request and waits for its result (nil on an error response).
    @discardableResult
    func request(_ method: String, _ params: Any?, timeout: TimeInterval = 30) throws -> Any? {
        lock.lock()
        let id = nextID
        nextID += 1
        lock.unlock()
        var message: [String: Any] = ["id": id, "method": method]
        if let params { message["params"] = params }
        send(message)
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while responses[id] == nil {
            guard lock.wait(until: deadline) else { throw Timeout(method: method, seconds: timeout) }
        }
        let response = responses[id]
        return response is NSNull ? nil : response
    }

    /// Waits for a published diagnostic of `uri` whose message satisfies `matches`.
    func waitForDiagnostic(uri: String, timeout: TimeInterval, _ matches: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let found = diagnostics[uri]?.first(where: matches) { return found }
            guard lock.wait(until: deadline) else { return nil }
        }
    }

    func receivedDiagnostics(uri: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return diagnostics[uri] ?? []
    }

    private func receive(_ data: Data) {
        lock.lock()
        buffer.append(data)
        var messages: [[String: Any]] = []
        while let headerEnd = buffer.range(of: Data("\r\n\r\n".utf8)) {
            let header = String(decoding: buffer[buffer.startIndex..<headerEnd.lowerBound], as: UTF8.self)
            guard let lengthLine = header.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                  let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) else { break }
            guard buffer.count - (headerEnd.upperBound - buffer.startIndex) >= length else { break }
            let body = buffer[headerEnd.upperBound..<headerEnd.upperBound + length]
            buffer = Data(buffer[(headerEnd.upperBound + length)...])
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { messages.append(object) }
        }
        var replies: [[String: Any]] = []
        for message in messages {
            if let method = message["method"] as? String {
                if let id = message["id"] { replies.append(["id": id, "result": NSNull()]) }  // server → client requests
                if method == "textDocument/publishDiagnostics", let params = message["params"] as? [String: Any],
                   let uri = params["uri"] as? String, let list = params["diagnostics"] as? [[String: Any]] {
                    diagnostics[uri] = list.compactMap { $0["message"] as? String }
                }
            } else if let id = message["id"] as? Int {
                responses[id] = message["result"] ?? NSNull()
            }
        }
        lock.broadcast()
        lock.unlock()
        for reply in replies { send(reply) }
    }
}
