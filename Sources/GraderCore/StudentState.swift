import Foundation

/// What the grader remembers about the student, in `.grader/state.json` at the course root:
/// how many hints each exercise has shown and the last verdict (with a fingerprint of the files
/// it judged, so `list` can tell "done" from "edited since").
///
/// Never stored in an exercise folder, never in a student file.
public struct StudentState: Codable, Equatable, Sendable {
    public struct LastCheck: Codable, Equatable, Sendable {
        public var status: ExerciseResult.Status
        public var passedChecks: Int
        public var totalChecks: Int
        /// Fingerprint of the student files at that check.
        public var filesHash: String
        public var date: Date

        public init(status: ExerciseResult.Status, passedChecks: Int, totalChecks: Int, filesHash: String, date: Date) {
            self.status = status; self.passedChecks = passedChecks; self.totalChecks = totalChecks
            self.filesHash = filesHash; self.date = date
        }
    }

    public var hintsShown: [String: Int] = [:]
    public var lastCheck: [String: LastCheck] = [:]

    public init() {}

    static func url(_ course: Course) -> URL { course.stateDirectory.appendingPathComponent("state.json") }

    /// The saved state; an unreadable file is treated as empty (it only holds conveniences).
    public static func load(_ course: Course) -> StudentState {
        guard let data = FileManager.default.contents(atPath: url(course).path) else { return StudentState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(StudentState.self, from: data)) ?? StudentState()
    }

    /// Saves atomically, so two graders (say `watch` and `check`) never leave half a file.
    public func save(_ course: Course) throws {
        try FileManager.default.createDirectory(at: course.stateDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: StudentState.url(course), options: .atomic)
    }

    /// Loads, applies `change`, saves.
    public static func update(_ course: Course, _ change: (inout StudentState) -> Void) {
        var state = load(course)
        change(&state)
        try? state.save(course)
    }
}

extension Exercise {
    /// A fingerprint of the student files' contents.
    public func studentFilesHash() -> String {
        var hasher = SHA256Hasher()
        for file in manifest.files {
            hasher.add(file)
            hasher.add(FileManager.default.contents(atPath: studentFile(file).path) ?? Data("<missing>".utf8))
        }
        return String(hasher.hex.prefix(16))
    }
}

/// What `grader list` shows for an exercise.
public enum ProgressStatus: String, Codable, Sendable {
    case done
    case failing
    case notStarted = "not started"
    /// Edited since the last check (or never checked).
    case unchecked = "not checked"
    case broken

    public static func of(_ exercise: Exercise, state: StudentState) -> ProgressStatus {
        let hash = exercise.studentFilesHash()
        if let last = state.lastCheck[exercise.id], last.filesHash == hash, last.status == .passed { return .done }
        if exercise.isUntouched() { return .notStarted }
        if let last = state.lastCheck[exercise.id], last.filesHash == hash { return .failing }
        return .unchecked
    }
}
