import Foundation

/// The autograder zip Gradescope asks for: `setup.sh` and `run_autograder` at the top, next to
/// the course itself (Gradescope unpacks the zip into `/autograder/source`, so the course root is
/// that folder). The course goes in without `.git`, `.build*`, `.grader`, `solution/` or
/// `mistakes/`, but with `checks/hidden/`: grading needs the hidden checks, never the answers.
public enum GradescopeBundle {
    /// Gradescope's build step: the Swift toolchain (the only thing installed), then the course.
    public static let setup = """
    #!/usr/bin/env bash
    # Gradescope runs this once, as root, when it builds the autograder image; the zip is unpacked
    # in /autograder/source, which is the course folder.
    set -euo pipefail

    # The one thing installed: a Swift toolchain, the same version that builds the course
    # (https://www.swift.org/install/linux/). Set SWIFT_VERSION and UBUNTU to match the image
    # (Gradescope's default base image is Ubuntu 22.04), or SWIFT_URL to a tarball of your own.
    SWIFT_VERSION="${SWIFT_VERSION:-6.3}"
    UBUNTU="${UBUNTU:-ubuntu22.04}"
    SWIFT_URL="${SWIFT_URL:-https://download.swift.org/swift-${SWIFT_VERSION}-release/${UBUNTU//./}/swift-${SWIFT_VERSION}-RELEASE/swift-${SWIFT_VERSION}-RELEASE-${UBUNTU}.tar.gz}"
    if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
        # The toolchain's own runtime requirements (listed on swift.org for Ubuntu).
        apt-get update
        apt-get install -y --no-install-recommends binutils ca-certificates curl git libc6-dev libcurl4-openssl-dev \\
            libedit2 libgcc-11-dev libpython3-dev libsqlite3-0 libstdc++-11-dev libxml2-dev libz3-dev pkg-config tzdata zlib1g-dev
        mkdir -p /opt/swift
        curl -fsSL "$SWIFT_URL" | tar -xz -C /opt/swift --strip-components=1
    fi
    export PATH="/opt/swift/usr/bin:$PATH"

    # The grader and the course library every exercise is compiled against (no package dependencies).
    cd /autograder/source
    swift build

    """

    /// Gradescope's per-submission step: grade the submission with the course's checks and write
    /// `results.json`; a results file is written even if the grader cannot run.
    public static let runAutograder = """
    #!/usr/bin/env bash
    # Gradescope runs this for every submission. The student's files are in /autograder/submission
    # (a copy of the course, or its exercise folders); only the files each exercise.json lists as
    # student files are read from it, everything else (checks, hidden checks, manifests) comes from
    # the course in /autograder/source.
    set -uo pipefail
    export PATH="/opt/swift/usr/bin:$PATH"
    mkdir -p /autograder/results /autograder/work
    rm -rf /autograder/work/submission
    cp -R /autograder/submission /autograder/work/submission

    cd /autograder/source
    # Seed 0: the same submission always gets the same score. Exit status 0 whenever grading worked.
    .build/debug/grader grade /autograder/work/submission --format gradescope --out /autograder/results/results.json
    status=$?
    if [ ! -s /autograder/results/results.json ]; then
        echo '{"score": 0, "output": "The autograder could not grade this submission (grader exit status '"$status"'); please tell your instructor.", "tests": []}' \\
            > /autograder/results/results.json
    fi
    exit 0

    """

    /// The zip's bytes; `skipping` is the zip's own path, when it is written inside the course.
    public static func archive(_ course: Course, skipping: URL? = nil) throws -> (data: Data, files: Int) {
        var zip = ZipWriter()
        zip.add("setup.sh", Data(setup.utf8), executable: true)
        zip.add("run_autograder", Data(runAutograder.utf8), executable: true)
        let files = try CourseRelease.files(of: course, keepHiddenChecks: true, skipping: skipping)
        for file in files where file != "setup.sh" && file != "run_autograder" {
            let url = course.root.appendingPathComponent(file)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil { continue }
            let executable = FileManager.default.isExecutableFile(atPath: url.path)
            zip.add(file, try Data(contentsOf: url), executable: executable)
        }
        return (try zip.archive(), zip.entries.count)
    }
}
