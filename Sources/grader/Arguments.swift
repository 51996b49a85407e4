import GraderCore

/// The grader's command line, parsed by hand (the package uses the toolchain only).
struct Arguments {
    enum Command: String {
        case check, list, hint, watch, reset, help, verify, quiz, editor
        // Instructors and CI (GradeCommand.swift, ReleaseCommand.swift, NewCommand.swift).
        case grade, gradeAll = "grade-all", release, new, gradescopeBundle = "gradescope-bundle"
    }
    enum Format: String { case text, json, junit, gradescope }

    var command: Command = .help
    var ids: [String] = []
    var format: Format = .text
    var noColor = false
    var seed: UInt64?
    var course: String?
    var verbose = false
    /// How many lessons or exercises `verify` works on at once.
    var jobs = 2
    /// For `quiz`: a file of answers to grade instead of asking.
    var answers: String?
    /// For the grading commands: where the report (`--out`) and the gradebook (`--csv`) go.
    var out: String?
    var csv: String?
    /// For `new`: the lesson number an exercise belongs to.
    var lesson: Int?
    /// For `grade` and `grade-all`: grade even where student code cannot be isolated.
    var unisolated = false

    static let usage = """
    grader: checks your Gradlings exercises.

    Usage:
      grader check [ID...]     check one exercise (e.g. `grader check ex1`), or all of them
      grader list              every exercise with its status, points and lesson
      grader hint ID           the next hint for an exercise (one more each time)
      grader watch [ID]        re-check whenever you save (the first unfinished exercise if no ID)
      grader reset ID          restore the starter files; your version is kept as a backup
      grader quiz N            a lesson's quiz in the terminal, each answer explained
      grader quiz N --answers FILE   grade a file of answers (JSON {"question-id": choice index})
      grader editor            set up editor support (completion, errors) for exercise files
      grader verify [NAME...]  instructors: every lesson prints what it shows, every quiz is sound,
                               every solution passes, every starter and known mistake fails
      grader grade DIR         instructors: grade one submission (hidden checks included; seed 0)
      grader grade-all DIR     grade every submission folder in DIR (one per student) [--csv FILE]
      grader release DIR       write the student edition (no solutions, mistakes, hidden checks)
      grader new exN-slug --lesson N   scaffold an exercise; `grader new lesson NN-slug`: a lesson
      grader gradescope-bundle FILE.zip   the autograder zip (setup.sh, run_autograder, the course)
      grader help              this text

    Options:
      --format text|json       output for people (default) or for tools (check, list)
               |junit|gradescope   grade and grade-all also write JUnit XML or Gradescope results
      --out FILE               write the grade report to FILE instead of the terminal
      --csv FILE               grade-all: write the gradebook (student, points per exercise, total)
      --unisolated             grade and grade-all: grade even where student code cannot be sandboxed
      --lesson N               new: the lesson the exercise belongs to
      --seed N                 replay the random inputs of an earlier run (check, watch; grade: default 0)
      --no-color               no colours (also when NO_COLOR is set, or output is not a terminal)
      --course DIR             the course folder (default: found from the current folder)
      --jobs N                 verify or grade N items at once (default 2)
      --verbose                show more detail
      -h, --help               this text

    Exit status: 0 all checked exercises pass, 1 some check failed, 2 usage or configuration error.
    grade and grade-all exit 0 whenever grading worked, whatever the score (see docs/grading.md).
    IDs are the short names from `grader list` (ex1) or folder names (ex1-cubic-gradient).
    """

    static func parse(_ argv: [String]) throws -> Arguments {
        var args = Arguments()
        var sawCommand = false
        var i = 0
        func value(_ flag: String) throws -> String {
            if let eq = argv[i].firstIndex(of: "=") { return String(argv[i][argv[i].index(after: eq)...]) }
            i += 1
            guard i < argv.count, !argv[i].hasPrefix("--") else { throw GraderError("\(flag) needs a value (see `grader --help`)") }
            return argv[i]
        }
        while i < argv.count {
            let arg = argv[i]
            let flag = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            switch flag {
            case "-h", "--help": args.command = .help; return args
            case "--no-color", "--no-colour": args.noColor = true
            case "--verbose", "-v": args.verbose = true
            case "--format":
                let v = try value(flag)
                guard let f = Format(rawValue: v) else { throw GraderError("--format must be text or json, not \"\(v)\"") }
                args.format = f
            case "--seed":
                let v = try value(flag)
                guard let s = UInt64(v) else { throw GraderError("--seed needs a whole number ≥ 0, not \"\(v)\"") }
                args.seed = s
            case "--course": args.course = try value(flag)
            case "--jobs":
                let v = try value(flag)
                guard let n = Int(v), n >= 1 else { throw GraderError("--jobs needs a whole number ≥ 1, not \"\(v)\"") }
                args.jobs = n
            case "--answers": args.answers = try value(flag)
            case "--out": args.out = try value(flag)
            case "--csv": args.csv = try value(flag)
            case "--unisolated": args.unisolated = true
            case "--lesson":
                let v = try value(flag)
                guard let n = Int(v), n >= 0 else { throw GraderError("--lesson needs a lesson number, not \"\(v)\"") }
                args.lesson = n
            default:
                if arg.hasPrefix("-") {
                    throw GraderError("unknown option \(arg) (see `grader --help`)")
                }
                if !sawCommand {
                    guard let c = Command(rawValue: arg) else {
                        throw GraderError("unknown command \"\(arg)\": use check, list, hint, watch, reset, quiz, editor, verify, grade, grade-all, release, new or gradescope-bundle (see `grader --help`)")
                    }
                    args.command = c
                    sawCommand = true
                } else {
                    args.ids.append(arg)
                }
            }
            i += 1
        }
        switch args.command {
        case .hint, .reset:
            guard args.ids.count == 1 else { throw GraderError("`grader \(args.command.rawValue)` needs exactly one exercise id, e.g. `grader \(args.command.rawValue) ex1`") }
        case .watch:
            guard args.ids.count <= 1 else { throw GraderError("`grader watch` takes at most one exercise id") }
        case .list, .help, .editor:
            guard args.ids.isEmpty else { throw GraderError("`grader \(args.command.rawValue)` takes no exercise id") }
        case .check, .verify: break
        case .quiz:
            guard args.ids.count == 1 else { throw GraderError("`grader quiz` needs a lesson number, e.g. `grader quiz 3`") }
        case .grade, .gradeAll, .release, .new, .gradescopeBundle:
            try args.validateGrading()
        }
        let grading: [Command] = [.grade, .gradeAll]
        if args.format == .json && ![.check, .list].contains(args.command) && !grading.contains(args.command) {
            throw GraderError("--format json works with check, list, grade and grade-all only")
        }
        if [.junit, .gradescope].contains(args.format) && !grading.contains(args.command) {
            throw GraderError("--format \(args.format.rawValue) works with grade and grade-all only")
        }
        if args.seed != nil && ![.check, .watch, .verify].contains(args.command) && !grading.contains(args.command) {
            throw GraderError("--seed works with check, watch, verify, grade and grade-all only")
        }
        return args
    }
}
