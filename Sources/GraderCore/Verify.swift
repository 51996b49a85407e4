import Foundation

/// `grader verify`: proves the course is consistent. Every exercise's manifest is valid, its
/// solution passes every check (hidden ones included), its starter fails at least one, and each
/// known mistake fails as its `expect.json` declares; every lesson's listings print what the
/// lesson shows, and every quiz is well-formed with its predictions computed.
public struct CourseVerifier {
    /// One line of the verdict.
    public struct Item: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
        public var problems: [String]
    }

    let grader: Grader
    let lessonVerifier: LessonVerifier
    /// The seed every check runs with, so verification is reproducible.
    public var seed: UInt64 = 1

    public init(grader: Grader) throws {
        self.grader = grader
        lessonVerifier = LessonVerifier(runner: ProgramRunner(compiler: try grader.compiler()))
    }

    /// Verifies everything (or only the lessons and exercises named), `jobs` at a time, calling
    /// `report` with each item in order as soon as it and all before it are done.
    public func verify(only names: [String] = [], jobs: Int = 2, report: @escaping (Item) -> Void) throws -> [Item] {
        let course = grader.course
        var groups: [() -> [Item]] = []
        for lesson in try course.lessons() where names.isEmpty || names.contains(lesson.folderName) || names.contains(String(lesson.number)) || names.contains("lesson\(lesson.number)") {
            groups.append { [lessonVerifier] in
                var items: [Item] = []
                do {
                    let (problems, count) = try lessonVerifier.verifyListings(lesson)
                    items.append(Item(name: "lesson \(lesson.folderName)", passed: problems.isEmpty,
                                      detail: "\(count) listings print what the lesson shows", problems: problems))
                    let (quizProblems, questions) = try lessonVerifier.verifyQuiz(lesson)
                    items.append(Item(name: "quiz \(lesson.folderName)", passed: quizProblems.isEmpty,
                                      detail: "\(questions) questions, well-formed, right answers spread over positions and lengths, predictions computed", problems: quizProblems))
                } catch {
                    items.append(Item(name: "lesson \(lesson.folderName)", passed: false, detail: "", problems: ["\(error)"]))
                }
                return items
            }
        }
        for entry in try course.entries() {
            switch entry {
            case let .broken(folder, error):
                if names.isEmpty || names.contains(folder) || names.contains(where: { folder.hasPrefix($0 + "-") }) {
                    groups.append { [Item(name: "exercise \(folder)", passed: false, detail: "", problems: [error.message])] }
                }
            case let .valid(exercise):
                if names.isEmpty || names.contains(exercise.id) || names.contains(exercise.folderName) {
                    // Each variant is a task of its own (it has its own compile cache slot), so the
                    // workers share a mistake-heavy exercise instead of one worker taking all of it.
                    groups.append { [self.verifySolution(exercise)] }
                    if FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) {
                        groups.append {
                            let problems = HintAudit.problems(exercise)
                            return [Item(name: "\(exercise.id) hints", passed: problems.isEmpty,
                                         detail: "\(exercise.manifest.hints.count) hints, none is the solution", problems: problems)]
                        }
                    }
                    groups.append { [self.verifyStarter(exercise)] }
                    for mistake in exercise.mistakeNames() {
                        groups.append { [self.verifyMistake(exercise, mistake)] }
                    }
                }
            }
        }
        var results = [[Item]?](repeating: nil, count: groups.count)
        let lock = NSLock()
        var nextToReport = 0
        var nextToStart = 0
        // A shared queue rather than fixed stripes: a worker that drew quick items takes more.
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, groups.count))) { _ in
            while true {
                lock.lock()
                let index = nextToStart
                nextToStart += 1
                lock.unlock()
                guard index < groups.count else { return }
                let items = groups[index]()
                lock.lock()
                results[index] = items
                while nextToReport < groups.count, let ready = results[nextToReport] {
                    ready.forEach(report)
                    nextToReport += 1
                }
                lock.unlock()
            }
        }
        return results.flatMap { $0 ?? [] }
    }

    func verify(_ exercise: Exercise) -> [Item] {
        [verifySolution(exercise), verifyStarter(exercise)] + exercise.mistakeNames().map { verifyMistake(exercise, $0) }
    }

    private func check(_ exercise: Exercise, _ sources: URL, hidden: Bool, slot: String) throws -> ExerciseResult {
        try grader.check(Grader.CheckRequest(exercise: exercise, seed: seed, sourcesDirectory: sources,
                                             includeHidden: hidden && exercise.hasHiddenChecks, cacheSlot: slot))
    }

    func verifySolution(_ exercise: Exercise) -> Item {
        let name = "\(exercise.id) solution"
        guard FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) else {
            return Item(name: name, passed: false, detail: "",
                        problems: ["\(exercise.displayPath)/solution/ is missing: every exercise needs a passing solution (a student edition written by `grader release` has none; verify the instructor's course)"])
        }
        do {
            let solution = try check(exercise, exercise.solutionDirectory, hidden: true, slot: "solution")
            let failing = solution.checks.filter { $0.status != .passed }
            // Grading compares values with this run: a check that compares none could only take
            // the student's program at its word.
            let unevidenced = solution.checks.filter { $0.status == .passed && !$0.observations.contains { $0.kind == .value } }
            let problems = (solution.passed ? [] : (solution.compileFailure.map { ["does not compile: \($0.summary)"] } ?? [])
                + failing.map { "\($0.id) \($0.status.rawValue): \($0.message)" })
                + unevidenced.map { "\($0.id) compares no number the student's code computed, so a grade could only take the program's word for it: compare one with expectClose, expectGrad or GradCheck, or record it with observe(_:_:)" }
            return Item(name: name, passed: problems.isEmpty,
                        detail: "passes all \(solution.checks.count) checks", problems: problems)
        } catch {
            return Item(name: name, passed: false, detail: "", problems: ["\(error)"])
        }
    }

    func verifyStarter(_ exercise: Exercise) -> Item {
        let name = "\(exercise.id) starter"
        do {
            let starter = try check(exercise, exercise.starterDirectory, hidden: false, slot: "starter")
            var problems: [String] = []
            if starter.status == .compileError { problems.append("the starter must compile: \(starter.compileFailure?.summary ?? "")") }
            else if starter.passed { problems.append("the starter passes every check: a student would be done before starting") }
            return Item(name: name, passed: problems.isEmpty,
                        detail: "fails \(starter.checks.count - starter.passedChecks) of \(starter.checks.count) checks", problems: problems)
        } catch {
            return Item(name: name, passed: false, detail: "", problems: ["\(error)"])
        }
    }

    func verifyMistake(_ exercise: Exercise, _ mistake: String) -> Item {
        let name = "\(exercise.id) mistake \(mistake)"
        do {
            let expectationURL = exercise.mistakesDirectory.appendingPathComponent(mistake).appendingPathComponent("expect.json")
            let expectation = try MistakeExpectation.load(expectationURL, displayPath: "\(exercise.displayPath)/mistakes/\(mistake)/expect.json")
            // A fixed folder (not a fresh temporary one) so that the compiled program is found in
            // the cache on the next run: the cache key includes the files' paths.
            let folder = grader.binDirectory.appendingPathComponent("grader-mistakes").appendingPathComponent(exercise.id)
                .appendingPathComponent(mistake)
            let sources = try exercise.mistakeSources(mistake, into: folder)
            let result = try check(exercise, sources, hidden: true, slot: "mistake-\(mistake)")
            let problems = result.passed ? ["passes every check, but it is a known mistake that must fail"] : expectation.mismatches(result)
            return Item(name: name, passed: problems.isEmpty, detail: "fails as declared", problems: problems)
        } catch {
            return Item(name: name, passed: false, detail: "", problems: ["\(error)"])
        }
    }
}
