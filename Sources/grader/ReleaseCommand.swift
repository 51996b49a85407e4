import Foundation
import GraderCore

extension Commands {
    /// `grader release DIR`: the student edition. Exit 2 when DIR is not empty.
    func release() throws -> Int32 {
        let target = path(arguments.ids[0])
        let summary = try CourseRelease.release(course, to: target)
        print("Wrote the student edition to \(target.path): \(summary.files) files, without solution/, mistakes/, checks/hidden/, .git, .build*, .grader.")
        for file in summary.resetToStarter { print("  \(file): written as its starter (your copy differs)") }
        return 0
    }

    /// `grader gradescope-bundle FILE.zip`: setup.sh, run_autograder and the course (hidden checks
    /// in, answers out), as Gradescope's autograder zip.
    func gradescopeBundle() throws -> Int32 {
        let target = path(arguments.ids[0])
        let (data, files) = try GradescopeBundle.archive(course, skipping: target)
        do {
            try data.write(to: target, options: .atomic)
        } catch {
            throw GraderError("cannot write \(arguments.ids[0]): \(error.localizedDescription)")
        }
        print("Wrote \(target.path) (\(files) files, \(data.count / 1024) KB): upload it as the autograder of a Gradescope programming assignment.")
        return 0
    }
}
