import Foundation
import GraderCore

// The grader CLI. Exit status: 0 all checked exercises pass, 1 a check failed, 2 usage or
// configuration error.

setvbuf(stdout, nil, _IOLBF, 0)

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data(("grader: " + message + "\n").utf8))
    exit(status)
}

let arguments: Arguments
do {
    arguments = try Arguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as GraderError {
    fail(error.message)
} catch {
    fail("\(error)")
}

if arguments.command == .help {
    print(Arguments.usage)
    exit(CommandLine.arguments.count > 1 ? 0 : 2)
}

do {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let course = try Course.locate(from: cwd, explicit: arguments.course.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL })
    let commands = Commands(arguments: arguments, course: course)
    exit(try commands.run())
} catch let error as GraderError {
    fail(error.message)
} catch {
    fail("\(error)")
}
