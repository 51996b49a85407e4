import Foundation

/// The contents of an exercise's `exercise.json`, validated.
///
/// Parsed by hand rather than with `Codable` so that every problem is reported as
/// "<file>: field `x` ..." in words an instructor can act on, and never as a crash or a decoding
/// trace. Unknown fields are errors too, so that a typo (`hint` for `hints`) is caught at once.
public struct Manifest: Equatable, Sendable {
    /// Short id used on the command line (`ex3`); the folder is named `<id>-<slug>`.
    public var id: String
    public var title: String
    /// The lesson the exercise belongs to, shown by `grader list`.
    public var lesson: String
    /// Points for passing every check.
    public var points: Int
    /// The student-editable files, relative to the exercise folder; `starter/` and `solution/`
    /// hold files with the same names.
    public var files: [String]
    /// Hints in the order `grader hint` reveals them.
    public var hints: [String]
    /// Wall-clock limit in seconds for all of the exercise's checks together, across restarts.
    public var timeout: Double
    /// Wall-clock limit in seconds for one check: a check that hangs is stopped after this and
    /// the checks after it still run in what is left of `timeout`. A third of `timeout` unless
    /// the manifest says otherwise.
    public var checkTimeout: Double
    /// Address-space limit of the exercise binary in MiB.
    public var memoryLimitMB: Int

    public static let defaultTimeout: Double = 10
    public static let defaultMemoryLimitMB = 4096
    public static let knownFields = ["id", "title", "lesson", "points", "files", "hints", "timeout", "checkTimeout", "memoryLimitMB"]
    /// File names the grader generates itself and a student file must not take.
    public static let reservedFileNames: Set<String> = ["main.swift", "GraderMain.swift"]

    public init(id: String, title: String, lesson: String, points: Int, files: [String], hints: [String] = [],
                timeout: Double = Manifest.defaultTimeout, checkTimeout: Double? = nil, memoryLimitMB: Int = Manifest.defaultMemoryLimitMB) {
        self.id = id; self.title = title; self.lesson = lesson; self.points = points; self.files = files
        self.hints = hints; self.timeout = timeout; self.checkTimeout = checkTimeout ?? max(timeout / 3, min(timeout, 2))
        self.memoryLimitMB = memoryLimitMB
    }

    /// Reads and validates the manifest at `url`; `displayPath` is how errors name the file.
    public static func load(from url: URL, displayPath: String) throws -> Manifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw GraderError("\(displayPath): cannot be read (\(error.localizedDescription))")
        }
        return try parse(data, displayPath: displayPath)
    }

    public static func parse(_ data: Data, displayPath: String) throws -> Manifest {
        func fail(_ text: String) -> GraderError { GraderError("\(displayPath): \(text)") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw fail("is not valid JSON (\(jsonErrorDescription(error, data: data)))")
        }
        guard let dict = object as? [String: Any] else {
            throw fail("must be a JSON object like {\"id\": \"ex1\", \"title\": ..., \"files\": [...]}")
        }
        for key in dict.keys.sorted() where !knownFields.contains(key) {
            throw fail("unknown field `\(key)` (known fields: \(knownFields.joined(separator: ", ")))")
        }
        func string(_ key: String) throws -> String {
            guard let raw = dict[key] else { throw fail("missing required field `\(key)` (a string)") }
            guard let value = raw as? String else { throw fail("field `\(key)` must be a string, found \(describe(raw))") }
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("field `\(key)` must not be empty") }
            return value
        }
        func strings(_ key: String, required: Bool) throws -> [String] {
            guard let raw = dict[key] else {
                if required { throw fail("missing required field `\(key)` (a list of strings)") }
                return []
            }
            guard let list = raw as? [Any] else { throw fail("field `\(key)` must be a list of strings, found \(describe(raw))") }
            return try list.enumerated().map { index, item in
                guard let s = item as? String else { throw fail("field `\(key)`[\(index)] must be a string, found \(describe(item))") }
                guard !s.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("field `\(key)`[\(index)] must not be empty") }
                return s
            }
        }
        func number(_ key: String) throws -> Double? {
            guard let raw = dict[key] else { return nil }
            guard let n = raw as? NSNumber, !isBool(n) else { throw fail("field `\(key)` must be a number, found \(describe(raw))") }
            return n.doubleValue
        }

        let id = try string("id")
        guard id.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            throw fail("field `id` must be lower-case letters, digits or _ starting with a letter (like \"ex3\"), found \"\(id)\"")
        }
        let title = try string("title")
        let lesson = try string("lesson")
        guard let pointsValue = try number("points") else { throw fail("missing required field `points` (a whole number)") }
        guard pointsValue >= 0, pointsValue == pointsValue.rounded(), pointsValue < 1_000_000 else {
            throw fail("field `points` must be a whole number ≥ 0, found \(pointsValue)")
        }
        let files = try strings("files", required: true)
        guard !files.isEmpty else { throw fail("field `files` must list at least one student file") }
        for (index, file) in files.enumerated() {
            guard file.hasSuffix(".swift") else { throw fail("field `files`[\(index)] must be a .swift file, found \"\(file)\"") }
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains(".."), !file.contains("\\") else {
                throw fail("field `files`[\(index)] must be a path inside the exercise folder, found \"\(file)\"")
            }
            guard !reservedFileNames.contains((file as NSString).lastPathComponent) else {
                throw fail("field `files`[\(index)]: \"\(file)\" is a name the grader uses itself; rename the file")
            }
            guard !file.hasPrefix("checks/"), !file.hasPrefix("solution/"), !file.hasPrefix("starter/"), !file.hasPrefix("mistakes/") else {
                throw fail("field `files`[\(index)]: \"\(file)\" is inside a folder the grader reserves; student files live at the top of the exercise folder")
            }
        }
        if Set(files).count != files.count { throw fail("field `files` lists a file twice") }
        let hints = try strings("hints", required: false)
        let timeout = try number("timeout") ?? defaultTimeout
        guard timeout > 0, timeout <= 600 else { throw fail("field `timeout` must be a number of seconds between 0 and 600, found \(timeout)") }
        let checkTimeout = try number("checkTimeout")
        if let checkTimeout, !(checkTimeout > 0 && checkTimeout <= timeout) {
            throw fail("field `checkTimeout` must be a number of seconds above 0 and at most `timeout` (\(timeout)), found \(checkTimeout)")
        }
        let memory = try number("memoryLimitMB") ?? Double(defaultMemoryLimitMB)
        guard memory >= 64, memory == memory.rounded(), memory <= 1_048_576 else {
            throw fail("field `memoryLimitMB` must be a whole number of MiB ≥ 64, found \(memory)")
        }
        return Manifest(id: id, title: title, lesson: lesson, points: Int(pointsValue), files: files, hints: hints,
                        timeout: timeout, checkTimeout: checkTimeout, memoryLimitMB: Int(memory))
    }
}

/// `true`/`false` arrive as NSNumber too; they are not numbers for a manifest.
func isBool(_ n: NSNumber) -> Bool {
    String(cString: n.objCType) == "c"
}

func describe(_ value: Any) -> String {
    switch value {
    case let n as NSNumber: return isBool(n) ? (n.boolValue ? "true" : "false") : "the number \(n)"
    case let s as String: return "the string \"\(s)\""
    case is [Any]: return "a list"
    case is [String: Any]: return "an object"
    case is NSNull: return "null"
    default: return "\(type(of: value))"
    }
}

/// Foundation's JSON errors mention a character offset; turn it into a line number.
func jsonErrorDescription(_ error: Error, data: Data) -> String {
    let text = "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription)"
    if let range = text.range(of: "character "), let offset = Int(text[range.upperBound...].prefix { $0.isNumber }) {
        let prefix = data.prefix(offset)
        let line = prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        return "\(text) — around line \(line)"
    }
    return text
}
