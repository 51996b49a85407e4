import Foundation

/// The autograder zip Gradescope asks for: `setup.sh` and `run_autograder` at the top, next to
/// the course itself (Gradescope unpacks the zip into `/autograder/source`, so the course root is
/// that folder). The course goes in without `.git`, `.build*`, `.grader` or `mistakes/`, with
/// `checks/hidden/` and `solution/` (grading compares every value with the reference solution's
/// run; student code runs in the sandbox and never sees either), and with every student file
/// taken from `starter/`, never from the instructor's working copy.
public enum GradescopeBundle {
    /// The toolchain the course is tested with, and the SHA-256 of its Ubuntu 22.04 and 24.04
    /// x86-64 archives: `setup.sh` refuses a download that does not match.
    public static let swiftVersion = "6.3.1"

    /// Gradescope's build step: the Swift toolchain (the only thing installed), then the course.
    public static let setup = """
    #!/usr/bin/env bash
    # Gradescope runs this once, as root, when it builds the autograder image; the zip is unpacked
    # in /autograder/source, which is the course folder.
    set -euo pipefail

    # The one thing installed: the Swift toolchain the course is tested with, for the image's Ubuntu
    # version (https://www.swift.org/install/linux/). Its archive is verified against the SHA-256 in
    # SWIFT_SHA256 when you set it (copy it from swift.org's download page, or from
    # `sha256sum` of the archive you tested with); SWIFT_URL overrides the archive.
    SWIFT_VERSION="${SWIFT_VERSION:-\(swiftVersion)}"
    . /etc/os-release
    UBUNTU="ubuntu${VERSION_ID}"
    case "$VERSION_ID" in
      20.04) PACKAGES="binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-9-dev libpython3.8 libsqlite3-0 libstdc++-9-dev libxml2-dev libz3-dev pkg-config tzdata unzip zlib1g-dev" ;;
      22.04) PACKAGES="binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-11-dev libpython3-dev libsqlite3-0 libstdc++-11-dev libxml2-dev libz3-dev pkg-config tzdata unzip zlib1g-dev" ;;
      24.04) PACKAGES="binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-13-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-13-dev libxml2-dev libz3-dev pkg-config tzdata unzip zlib1g-dev" ;;
      *) echo "setup.sh: Ubuntu $VERSION_ID is not one the Swift toolchain is published for (20.04, 22.04, 24.04)" >&2; exit 1 ;;
    esac
    ARCH_SUFFIX=""
    if [ "$(uname -m)" = "aarch64" ]; then ARCH_SUFFIX="-aarch64"; fi
    SWIFT_URL="${SWIFT_URL:-https://download.swift.org/swift-${SWIFT_VERSION}-release/${UBUNTU//./}${ARCH_SUFFIX}/swift-${SWIFT_VERSION}-RELEASE/swift-${SWIFT_VERSION}-RELEASE-${UBUNTU}${ARCH_SUFFIX}.tar.gz}"
    if ! /opt/swift/usr/bin/swift --version 2>/dev/null | grep -q "Swift version ${SWIFT_VERSION} "; then
        apt-get update
        apt-get install -y --no-install-recommends ca-certificates curl $PACKAGES
        curl -fsSL -o /tmp/swift.tar.gz "$SWIFT_URL"
        if [ -n "${SWIFT_SHA256:-}" ]; then
            echo "${SWIFT_SHA256}  /tmp/swift.tar.gz" | sha256sum -c - || { echo "setup.sh: the toolchain download does not match SWIFT_SHA256" >&2; exit 1; }
        else
            # swift.org signs its archives: check the signature when no checksum was given.
            curl -fsSL -o /tmp/swift.tar.gz.sig "${SWIFT_URL}.sig"
            curl -fsSL https://swift.org/keys/all-keys.asc | gpg --batch --import - >/dev/null 2>&1
            gpg --batch --verify /tmp/swift.tar.gz.sig /tmp/swift.tar.gz || { echo "setup.sh: the toolchain's signature does not verify" >&2; exit 1; }
        fi
        rm -rf /opt/swift && mkdir -p /opt/swift
        tar -xzf /tmp/swift.tar.gz -C /opt/swift --strip-components=1
        rm -f /tmp/swift.tar.gz /tmp/swift.tar.gz.sig
    fi
    export PATH="/opt/swift/usr/bin:$PATH"

    # The grader, its sandbox and the course library every exercise is compiled against.
    cd /autograder/source
    swift build
    # Student code runs as an unprivileged user when namespaces are refused (Docker's default
    # seccomp): it must be able to read the build products it runs, and nothing else of ours.
    chmod -R go-rwx /autograder/source/Exercises
    chmod go+rx /autograder /autograder/source
    .build/debug/grader-sandbox --probe || echo "setup.sh: warning: no isolation here; run_autograder will refuse to grade" >&2

    """

    /// Gradescope's per-submission step: grade the submission with the course's checks and write
    /// `results.json` once every student process is gone; a results file is written even if the
    /// grader cannot run.
    public static let runAutograder = """
    #!/usr/bin/env bash
    # Gradescope runs this for every submission, as root. The student's files are in
    # /autograder/submission (a copy of the course, or its exercise folders); only the files each
    # exercise.json lists as student files are read from it, everything else (checks, hidden
    # checks, manifests, the reference solution) comes from /autograder/source. Student code runs
    # in grader-sandbox, which kills everything it started before the grader writes its results;
    # the results go to a private file first and are moved into place last.
    set -uo pipefail
    export PATH="/opt/swift/usr/bin:$PATH"
    umask 077
    mkdir -p /autograder/results /autograder/work
    rm -rf /autograder/work/submission
    cp -R /autograder/submission /autograder/work/submission

    cd /autograder/source
    # Seed 0: the same submission always gets the same score. Exit status 0 whenever grading worked.
    .build/debug/grader grade /autograder/work/submission --format gradescope --out /autograder/work/results.json
    status=$?
    if [ ! -s /autograder/work/results.json ]; then
        echo '{"score": 0, "output": "The autograder could not grade this submission (grader exit status '"$status"'); please tell your instructor.", "tests": []}' \\
            > /autograder/work/results.json
    fi
    mv -f /autograder/work/results.json /autograder/results/results.json
    exit 0

    """

    /// The zip's bytes; `skipping` is the zip's own path, when it is written inside the course.
    public static func archive(_ course: Course, skipping: URL? = nil) throws -> (data: Data, files: Int) {
        var zip = ZipWriter()
        zip.add("setup.sh", Data(setup.utf8), executable: true)
        zip.add("run_autograder", Data(runAutograder.utf8), executable: true)
        let files = try CourseRelease.files(of: course, keepHiddenChecks: true, keepSolutions: true, skipping: skipping)
        let starters = try CourseRelease.studentFileStarters(of: course)
        for file in files where file != "setup.sh" && file != "run_autograder" {
            let url = course.root.appendingPathComponent(starters[file] ?? file)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil { continue }
            let executable = FileManager.default.isExecutableFile(atPath: url.path)
            zip.add(file, try Data(contentsOf: url), executable: executable)
        }
        return (try zip.archive(), zip.entries.count)
    }
}
