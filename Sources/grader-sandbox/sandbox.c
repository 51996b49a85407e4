/*
 * grader-sandbox: runs one program of student code cut off from the course it is graded in.
 *
 *   grader-sandbox [OPTIONS] -- PROGRAM [ARGS...]
 *   grader-sandbox --probe [--no-namespaces] [--verbose]
 *
 * Options (paths are absolute; repeat --ro/--rw/--hide as often as needed):
 *   --ro PATH         make PATH (a file or a folder) visible, read-only, at the same path
 *   --rw PATH         make the folder PATH visible and writable (the run's scratch folder)
 *   --hide PATH       make PATH, inside a visible folder, empty and unreadable
 *   --cwd DIR         working directory of the program (default: the current one if visible, else /)
 *   --memory-mb N     RLIMIT_AS of the program, in MiB
 *   --cpu-seconds N   RLIMIT_CPU of the program (it is killed after N seconds of CPU time)
 *   --file-mb N       RLIMIT_FSIZE of the program, in MiB (largest file it can write)
 *   --processes N     RLIMIT_NPROC: processes and threads of the run's user at once (no fork bomb
 *                     can starve the machine; with namespaces counted inside the run only)
 *   --tmp-mb N        size of the private /tmp (namespaces only; default 64)
 *   --no-network      no network at all (an empty network namespace)
 *   --user UID[:GID]  the outside user the program runs as (root only; default 65534:65534,
 *                     "nobody"). Without namespaces, give each concurrent run its own.
 *   --no-namespaces   skip namespaces and use the unprivileged-user fallback (also when the
 *                     environment has GRADLINGS_SANDBOX_NO_NAMESPACES=1)
 *   --report-fd N     on exit, write one line to descriptor N, which the program never sees:
 *                     "exited N", "signaled N", or "error <reason>" (the sandbox itself failed).
 *                     A program can print anything and exit with any status; it cannot write there.
 *   --verbose         say on stderr which mechanism isolated the run
 *   --probe           exit 0 printing the mechanism ("namespaces" or "unprivileged-user") if this
 *                     machine can isolate a run, else exit 1 with the reason on stderr
 *
 * Mechanisms, strongest first:
 *   namespaces         unshare(2) of user, mount, PID, IPC, UTS (and network) namespaces. The program
 *                      sees a new root holding only read-only binds of /usr /lib* /bin /sbin /etc and
 *                      the --ro paths, the --rw folders, a private /tmp, a fresh /proc and a minimal
 *                      /dev. It runs as a non-zero uid inside, so exec leaves it no capability, under
 *                      a small init (PID 1) whose end (or the death of this process) kills every
 *                      process of the run. Outside, it is the caller's uid, or for a root caller
 *                      --user (nobody by default): mapped to root it would still be root for file
 *                      permissions, and could write /proc/sys/kernel/core_pattern.
 *   unprivileged-user  when namespaces are refused (Docker's seccomp profile, AppArmor) and the caller
 *                      is root: the program runs as another user in its own session, under a root
 *                      subreaper that kills all its descendants when it ends or when this process
 *                      dies. The course must be protected by permissions: every --hide path must be
 *                      unreadable and every --ro path unwritable by that user (checked before exec).
 *
 * A root caller runs the program as --user (nobody by default) with both mechanisms: the --ro paths
 * must be readable by that user, and the --rw folders are handed to it (chown -R) before the run.
 *
 * Descriptors 0, 1, 2 and 3 reach the program unchanged; every other one is closed. The exit status
 * is the program's; if it died of a signal, this process kills itself with the same signal (no core
 * dump), so the caller sees the same termination as without the sandbox. Failures of the sandbox
 * itself exit with 125 (a message on stderr, and on --report-fd); a program that cannot be executed
 * gives 126 (not executable) or 127 (not found), as a shell does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif

enum { EXIT_SANDBOX = 125, EXIT_NOT_EXECUTABLE = 126, EXIT_NOT_FOUND = 127 };
enum { INSIDE_ID = 1000, NOBODY = 65534 };

/* ---------------------------------------------------------------- options */

enum entry_kind { ENTRY_RO, ENTRY_RW, ENTRY_HIDE, ENTRY_SYSTEM_DIR, ENTRY_SYSTEM_LINK };

struct entry {
    enum entry_kind kind;
    char *path;      /* normalised absolute path, also the destination inside */
    char *link;      /* ENTRY_SYSTEM_LINK: the symlink's text */
    int fd;          /* O_PATH descriptor of the source, opened by the caller's process */
    int depth;       /* number of path components, for parents-first ordering */
    int is_dir;
};

struct options {
    struct entry *entries;
    int count, capacity;
    const char *cwd;
    long memory_mb, cpu_seconds, file_mb, tmp_mb, processes;
    int no_network, no_namespaces, verbose, probe;
    int has_user;
    uid_t user;
    gid_t group;
    int report_fd;
    char **program;
};

/* The caller's working directory: the default --cwd when it is visible inside. */
static char default_cwd[PATH_MAX];

static struct options opt = {
    .memory_mb = -1, .cpu_seconds = -1, .file_mb = -1, .tmp_mb = 64, .processes = -1, .report_fd = -1,
};

static void usage_error(const char *format, const char *detail) {
    fprintf(stderr, "grader-sandbox: ");
    fprintf(stderr, format, detail);
    fprintf(stderr, "\nusage: grader-sandbox [--ro PATH]... [--rw PATH]... [--hide PATH]... [--cwd DIR]"
                    " [--memory-mb N] [--cpu-seconds N] [--file-mb N] [--processes N] [--no-network] [--user UID[:GID]]"
                    " [--no-namespaces] [--report-fd N] [--verbose] -- PROGRAM ARGS...\n"
                    "       grader-sandbox --probe [--no-namespaces] [--verbose]\n");
    exit(EXIT_SANDBOX);
}

/* "/a//b/./c/" -> "/a/b/c"; refuses relative paths and "..". */
static char *normalise(const char *path, const char *option) {
    if (path[0] != '/') usage_error("%s needs an absolute path", option);
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    if (!out) exit(EXIT_SANDBOX);
    size_t o = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/') p++;
        const char *start = p;
        while (*p && *p != '/') p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.')) continue;
        if (len == 2 && start[0] == '.' && start[1] == '.') usage_error("%s: paths with .. are refused", option);
        out[o++] = '/';
        memcpy(out + o, start, len);
        o += len;
    }
    if (o == 0) out[o++] = '/';
    out[o] = 0;
    return out;
}

static int depth_of(const char *path) {
    int d = 0;
    for (const char *p = path; *p; p++) d += (*p == '/');
    return strcmp(path, "/") == 0 ? 0 : d;
}

static struct entry *add_entry(enum entry_kind kind, char *path) {
    if (opt.count == opt.capacity) {
        opt.capacity = opt.capacity ? 2 * opt.capacity : 32;
        opt.entries = realloc(opt.entries, (size_t)opt.capacity * sizeof *opt.entries);
        if (!opt.entries) exit(EXIT_SANDBOX);
    }
    struct entry *e = &opt.entries[opt.count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->path = path;
    e->fd = -1;
    e->depth = depth_of(path);
    return e;
}

static long parse_number(const char *text, const char *option) {
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || !end || *end || value < 0) usage_error("%s needs a non-negative whole number", option);
    return value;
}

static void parse(int argc, char **argv) {
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) { i++; break; }
        if (strcmp(a, "--probe") == 0) { opt.probe = 1; continue; }
        if (strcmp(a, "--verbose") == 0) { opt.verbose = 1; continue; }
        if (strcmp(a, "--no-network") == 0) { opt.no_network = 1; continue; }
        if (strcmp(a, "--no-namespaces") == 0) { opt.no_namespaces = 1; continue; }
        if (strcmp(a, "--help") == 0) usage_error("%s", "runs a program isolated from the course");
        if (a[0] != '-') { break; }
        if (i + 1 >= argc) usage_error("%s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--ro") == 0) {
            char *p = normalise(v, a);
            if (strcmp(p, "/") == 0) usage_error("%s / would show the whole machine", a);
            add_entry(ENTRY_RO, p);
        } else if (strcmp(a, "--rw") == 0) {
            char *p = normalise(v, a);
            if (strcmp(p, "/") == 0) usage_error("%s / would show the whole machine", a);
            add_entry(ENTRY_RW, p);
        } else if (strcmp(a, "--hide") == 0) {
            add_entry(ENTRY_HIDE, normalise(v, a));
        } else if (strcmp(a, "--cwd") == 0) {
            opt.cwd = normalise(v, a);
        } else if (strcmp(a, "--memory-mb") == 0) {
            opt.memory_mb = parse_number(v, a);
        } else if (strcmp(a, "--cpu-seconds") == 0) {
            opt.cpu_seconds = parse_number(v, a);
        } else if (strcmp(a, "--file-mb") == 0) {
            opt.file_mb = parse_number(v, a);
        } else if (strcmp(a, "--processes") == 0) {
            opt.processes = parse_number(v, a);
        } else if (strcmp(a, "--tmp-mb") == 0) {
            opt.tmp_mb = parse_number(v, a);
        } else if (strcmp(a, "--report-fd") == 0) {
            opt.report_fd = (int)parse_number(v, a);
            if (opt.report_fd <= 3) usage_error("%s must be above 3 (0-3 belong to the program)", a);
        } else if (strcmp(a, "--user") == 0) {
            char *colon = strchr(v, ':');
            char uid_text[32];
            size_t len = colon ? (size_t)(colon - v) : strlen(v);
            if (len == 0 || len >= sizeof uid_text) usage_error("%s needs UID or UID:GID", a);
            memcpy(uid_text, v, len);
            uid_text[len] = 0;
            opt.user = (uid_t)parse_number(uid_text, a);
            opt.group = colon ? (gid_t)parse_number(colon + 1, a) : (gid_t)opt.user;
            if (opt.user == 0 || opt.group == 0) usage_error("%s: the program may not run as root", a);
            opt.has_user = 1;
        } else {
            usage_error("unknown option %s", a);
        }
    }
    const char *env = getenv("GRADLINGS_SANDBOX_NO_NAMESPACES");
    if (env && *env && strcmp(env, "0") != 0) opt.no_namespaces = 1;
    if (!opt.probe) {
        if (i >= argc) usage_error("%s", "no program to run (put it after --)");
        opt.program = argv + i;
    }
}

/* ---------------------------------------------------------------- messages to the outer process */

/* Everything the inner processes tell the outer one goes through one pipe, as fixed-size records
 * (atomic writes), so a setup failure, an exec failure and the final status cannot be confused. */
enum message_kind { MSG_SETUP_FAILED = 1, MSG_EXEC_FAILED, MSG_STATUS, MSG_NOTE, MSG_STARTED };
struct message {
    int kind;
    int value;
    char text[248];
};

static int message_fd = -1;

static void send_message(int kind, int value, const char *text) {
    struct message m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.value = value;
    if (text) snprintf(m.text, sizeof m.text, "%s", text);
    if (message_fd >= 0) {
        ssize_t r;
        do { r = write(message_fd, &m, sizeof m); } while (r < 0 && errno == EINTR);
    }
}

/* Reports a failed setup step with errno's description and ends this (inner) process. */
static void setup_failed(const char *format, ...) {
    int saved = errno;
    char text[200];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    char full[248];
    if (saved) snprintf(full, sizeof full, "%s: %s", text, strerror(saved));
    else snprintf(full, sizeof full, "%s", text);
    send_message(MSG_SETUP_FAILED, saved, full);
    _exit(EXIT_SANDBOX);
}

static void note(const char *text) {
    if (opt.verbose) send_message(MSG_NOTE, 0, text);
}

/* ---------------------------------------------------------------- small helpers */

static void close_descriptors_from(int first, int except) {
#ifdef SYS_close_range
    if (except < first) {
        if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
    } else if (syscall(SYS_close_range, (unsigned)first, (unsigned)(except - 1), 0) == 0
               && syscall(SYS_close_range, (unsigned)(except + 1), ~0U, 0) == 0) {
        return;
    }
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 1 << 20) max = 1 << 20;
    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        int own = dirfd(dir);
        int fds[4096];
        int n = 0;
        struct dirent *d;
        while ((d = readdir(dir)) && n < 4096) {
            int fd = atoi(d->d_name);
            if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && fd >= first && fd != except && fd != own) fds[n++] = fd;
        }
        closedir(dir);
        for (int k = 0; k < n; k++) close(fds[k]);
        if (n < 4096) return;
    }
    for (long fd = first; fd < max; fd++) {
        if (fd != except) close((int)fd);
    }
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t len = (ssize_t)strlen(text);
    ssize_t r = write(fd, text, (size_t)len);
    int saved = errno;
    close(fd);
    errno = saved;
    return r == len ? 0 : -1;
}

/* mkdir -p, inside the new root being built. */
static int make_directories(const char *path, mode_t mode) {
    char buffer[PATH_MAX];
    if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer) { errno = ENAMETOOLONG; return -1; }
    for (char *p = buffer + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char saved = *p;
            *p = 0;
            if (mkdir(buffer, mode) != 0 && errno != EEXIST) return -1;
            *p = saved;
            if (saved == 0) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

static int make_file(const char *path) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (make_directories(parent, 0755) != 0) return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        struct stat st;
        /* An existing file (inside a read-only bind) is a fine mount point as it is. */
        if ((errno == EROFS || errno == EACCES || errno == EEXIST) && stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) return 0;
        return -1;
    }
    close(fd);
    return 0;
}

/* The flags a remount must keep: in a user namespace, those inherited from the outside are locked. */
static unsigned long kept_flags(const char *path) {
    struct statvfs s;
    if (statvfs(path, &s) != 0) return 0;
    unsigned long flags = 0;
    if (s.f_flag & ST_RDONLY) flags |= MS_RDONLY;
    if (s.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (s.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

/* mountinfo escapes spaces and the like as \ooo. */
static void unescape(char *s) {
    char *out = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *out++ = *p;
        }
    }
    *out = 0;
}

/* Remounts `path` and every mount below it (a recursive bind brings submounts along) with `add`
 * plus the flags each must keep; read-only unless `writable`. */
static void remount_tree(const char *path, unsigned long add, int writable, const char *what) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) setup_failed("cannot read /proc/self/mountinfo");
    size_t len = strlen(path);
    char line[8192];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char point[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1) continue;
        unescape(point);
        if (strncmp(point, path, len) != 0 || (point[len] != 0 && point[len] != '/')) continue;
        found = 1;
        unsigned long flags = (kept_flags(point) | add | MS_REMOUNT | MS_BIND);
        if (writable) flags &= ~(unsigned long)MS_RDONLY;
        else flags |= MS_RDONLY;
        if (mount(NULL, point, NULL, flags, NULL) != 0) {
            fclose(f);
            setup_failed("cannot make %s %s", what, writable ? "nosuid" : "read-only");
        }
    }
    fclose(f);
    if (!found) {
        errno = 0;
        setup_failed("the bind mount of %s is not in /proc/self/mountinfo", what);
    }
}

/* Capabilities gone for good (also the bounding set), so nothing can be gained from this process. */
static void drop_capabilities(void) {
    for (int cap = 0; cap < 64; cap++) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    syscall(SYS_capset, &header, data);
}

static void set_limit(int resource, long value) {
    if (value < 0) return;
    struct rlimit r = { (rlim_t)value, (rlim_t)value };
    if (setrlimit(resource, &r) != 0) setup_failed("cannot set a resource limit");
}

static void apply_limits(void) {
    set_limit(RLIMIT_CORE, 0);
    if (opt.memory_mb >= 0) set_limit(RLIMIT_AS, opt.memory_mb * 1024 * 1024);
    set_limit(RLIMIT_CPU, opt.cpu_seconds);
    if (opt.file_mb >= 0) set_limit(RLIMIT_FSIZE, opt.file_mb * 1024 * 1024);
    set_limit(RLIMIT_NPROC, opt.processes);
}

/* The last step of every mechanism: become the program. Reports why it could not. */
static void exec_program(void) {
    execvp(opt.program[0], opt.program);
    int saved = errno;
    char text[240];
    /* A root caller runs the program as another user (nobody by default), who must be able to
     * search every folder on the way to it: a course cloned into a private folder is not. */
    snprintf(text, sizeof text, "cannot run %s: %s%s", opt.program[0], strerror(saved),
             saved == EACCES ? " (the user the program runs as cannot reach it: every folder above"
                               " the course must be searchable by others, chmod o+x)" : "");
    send_message(MSG_EXEC_FAILED, saved, text);
    _exit(saved == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
}

static int wait_status(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return status;
}

/* ---------------------------------------------------------------- sources, opened by the caller */

static const char *const system_paths[] = { "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc" };

/* Checks every source as the caller (before any namespace), so a missing path is reported plainly. */
static int open_sources(char *error, size_t size) {
    for (size_t k = 0; k < sizeof system_paths / sizeof *system_paths; k++) {
        struct stat st;
        if (lstat(system_paths[k], &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlink(system_paths[k], target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = 0;
            struct entry *e = add_entry(ENTRY_SYSTEM_LINK, strdup(system_paths[k]));
            e->link = strdup(target);
        } else if (S_ISDIR(st.st_mode)) {
            struct entry *e = add_entry(ENTRY_SYSTEM_DIR, strdup(system_paths[k]));
            e->is_dir = 1;
        }
    }
    for (int k = 0; k < opt.count; k++) {
        struct entry *e = &opt.entries[k];
        if (e->kind == ENTRY_HIDE || e->kind == ENTRY_SYSTEM_LINK) continue;
        e->fd = open(e->path, O_PATH | O_CLOEXEC);
        struct stat st;
        if (e->fd < 0 || fstat(e->fd, &st) != 0) {
            snprintf(error, size, "cannot open %s: %s", e->path, strerror(errno));
            return -1;
        }
        e->is_dir = S_ISDIR(st.st_mode);
        /* Only a check: a descriptor from this mount namespace cannot be bound in another one. */
        close(e->fd);
        e->fd = -1;
        if (e->kind == ENTRY_RW && !e->is_dir) {
            snprintf(error, size, "--rw %s is not a folder", e->path);
            return -1;
        }
    }
    return 0;
}

/* Parents before children, so a child's bind lands on top of its parent's; ties keep their order. */
static int compare_entries(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    int sx = x->kind == ENTRY_SYSTEM_DIR || x->kind == ENTRY_SYSTEM_LINK;
    int sy = y->kind == ENTRY_SYSTEM_DIR || y->kind == ENTRY_SYSTEM_LINK;
    if (sx != sy) return sy - sx;
    if (x->depth != y->depth) return x->depth - y->depth;
    return x < y ? -1 : (x > y);
}

/* ---------------------------------------------------------------- mechanism 1: namespaces */

/* Where the new root is assembled (in the private mount namespace, so the real one is untouched). */
static const char *const new_root = "/tmp";

struct namespace_context {
    int go_fd;       /* read end: the outer process wrote the id maps */
    int probe;       /* set up, then report success without running anything */
};

static void bind_source(const struct entry *e, const char *target) {
    if (e->is_dir ? make_directories(target, 0755) != 0 : make_file(target) != 0)
        setup_failed("cannot create the mount point for %s", e->path);
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", e->fd);
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) setup_failed("cannot bind %s", e->path);
    remount_tree(target, MS_NOSUID | MS_NODEV, e->kind == ENTRY_RW, e->path);
}

static void build_root(void) {
    char target[PATH_MAX];
    char options[64];
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) setup_failed("cannot make the mounts private");
    /* Sources are opened before the new root's tmpfs covers /tmp, so they may be anywhere. */
    for (int k = 0; k < opt.count; k++) {
        struct entry *e = &opt.entries[k];
        if (e->kind == ENTRY_HIDE || e->kind == ENTRY_SYSTEM_LINK) continue;
        e->fd = open(e->path, O_PATH | O_CLOEXEC);
        if (e->fd < 0) setup_failed("cannot open %s", e->path);
    }
    if (mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
        setup_failed("cannot mount a tmpfs for the new root");

    /* A fresh /proc for the new PID namespace: mounted while the old /proc is still visible,
     * which the kernel requires inside a user namespace. */
    snprintf(target, sizeof target, "%s/proc", new_root);
    if (mkdir(target, 0555) != 0 || mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        setup_failed("cannot mount /proc for the new PID namespace");

    snprintf(target, sizeof target, "%s/tmp", new_root);
    snprintf(options, sizeof options, "mode=1777,size=%ldm", opt.tmp_mb > 0 ? opt.tmp_mb : 1);
    if (mkdir(target, 01777) != 0 || mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        setup_failed("cannot mount the private /tmp");

    /* A minimal /dev: the four harmless devices, bound from the real ones, and the fd links. */
    snprintf(target, sizeof target, "%s/dev", new_root);
    if (mkdir(target, 0755) != 0) setup_failed("cannot create /dev");
    static const char *const devices[] = { "null", "zero", "random", "urandom" };
    for (size_t k = 0; k < sizeof devices / sizeof *devices; k++) {
        char source[64];
        snprintf(source, sizeof source, "/dev/%s", devices[k]);
        snprintf(target, sizeof target, "%s/dev/%s", new_root, devices[k]);
        if (make_file(target) != 0 || mount(source, target, NULL, MS_BIND, NULL) != 0)
            setup_failed("cannot bind %s", source);
        if (mount(NULL, target, NULL, kept_flags(target) | MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL) != 0)
            setup_failed("cannot remount %s", source);
    }
    static const char *const links[][2] = {
        { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
    };
    for (size_t k = 0; k < sizeof links / sizeof *links; k++) {
        snprintf(target, sizeof target, "%s/dev/%s", new_root, links[k][0]);
        if (symlink(links[k][1], target) != 0) setup_failed("cannot create /dev/%s", links[k][0]);
    }

    qsort(opt.entries, (size_t)opt.count, sizeof *opt.entries, compare_entries);
    for (int k = 0; k < opt.count; k++) {
        struct entry *e = &opt.entries[k];
        if (e->kind == ENTRY_HIDE) continue;
        if (snprintf(target, sizeof target, "%s%s", new_root, e->path) >= (int)sizeof target) {
            errno = ENAMETOOLONG;
            setup_failed("%s", e->path);
        }
        if (e->kind == ENTRY_SYSTEM_LINK) {
            if (symlink(e->link, target) != 0 && errno != EEXIST) setup_failed("cannot create the link %s", e->path);
            continue;
        }
        bind_source(e, target);
        close(e->fd);
        e->fd = -1;
    }

    /* Into the new root; the old one is detached, so nothing else of the machine is reachable. */
    if (chdir(new_root) != 0) setup_failed("cannot enter the new root");
    if (syscall(SYS_pivot_root, ".", ".") != 0) setup_failed("pivot_root failed");
    if (umount2(".", MNT_DETACH) != 0) setup_failed("cannot detach the old root");
    if (chdir("/") != 0) setup_failed("cannot enter /");

    /* Hidden paths inside visible folders: an empty, unreadable tmpfs over a folder, an empty
     * unreadable file over a file. Resolved inside the new root, so links cannot lead outside. */
    static const char *const empty = "/.grader-sandbox-empty";
    int made_empty = 0;
    for (int k = 0; k < opt.count; k++) {
        struct entry *e = &opt.entries[k];
        if (e->kind != ENTRY_HIDE) continue;
        struct stat st;
        if (lstat(e->path, &st) != 0 || S_ISLNK(st.st_mode)) continue; /* not visible: nothing to hide */
        if (S_ISDIR(st.st_mode)) {
            if (mount("tmpfs", e->path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=000,size=4k") != 0)
                setup_failed("cannot hide %s", e->path);
        } else {
            if (!made_empty) {
                int fd = open(empty, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
                if (fd < 0) setup_failed("cannot create an empty file");
                close(fd);
                made_empty = 1;
            }
            if (mount(empty, e->path, NULL, MS_BIND, NULL) != 0) setup_failed("cannot hide %s", e->path);
            if (mount(NULL, e->path, NULL, kept_flags(e->path) | MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
                setup_failed("cannot make the cover of %s read-only", e->path);
        }
    }
    if (made_empty) unlink(empty);
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        setup_failed("cannot make the new root read-only");
}

/* SIGQUIT asks the program where it is (Swift's backtracer answers it with a report on stderr): the
 * grader sends it to the outer process when a check runs too long, and each process on the way
 * down passes it on. PID 1 of a namespace only receives signals it handles, hence a handler. */
static volatile pid_t quit_target = 0;

static void forward_quit(int sig) {
    (void)sig;
    pid_t target = quit_target;
    if (target > 0) kill(target, SIGQUIT);
}

static void forward_quit_to(pid_t pid) {
    quit_target = pid;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward_quit;
    action.sa_flags = SA_RESTART;
    sigaction(SIGQUIT, &action, NULL);
}

/* PID 1 of the new PID namespace: builds the root, starts the program, reaps, reports its status.
 * When it ends, the kernel kills every process left in the namespace. */
static int namespace_init(void *argument) {
    struct namespace_context *context = argument;
    /* If the outer process dies (the grader's time-out kills it), this process dies, and with it
     * the whole namespace. The outer process's "go" proves it was alive after this was set. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char go = 0;
    ssize_t r;
    do { r = read(context->go_fd, &go, 1); } while (r < 0 && errno == EINTR);
    if (r != 1 || go != 'g') { errno = 0; setup_failed("the outer process could not set up the user namespace"); }
    close(context->go_fd);
    setgroups(0, NULL); /* allowed when the maps were written by root; otherwise the caller's groups stay */
    /* The maps only say how ids look inside: become the mapped user for real (a root caller's
     * process is still root outside until now). The capabilities in the namespace stay. */
    if (setresgid(INSIDE_ID, INSIDE_ID, INSIDE_ID) != 0 || setresuid(INSIDE_ID, INSIDE_ID, INSIDE_ID) != 0)
        setup_failed("cannot become uid %d in the user namespace", INSIDE_ID);

    build_root();
    if (opt.cwd) {
        if (chdir(opt.cwd) != 0) setup_failed("--cwd %s is not visible in the sandbox", opt.cwd);
    } else if (!default_cwd[0] || chdir(default_cwd) != 0) {
        if (chdir("/") != 0) setup_failed("cannot enter /");
    }
    if (context->probe) {
        send_message(MSG_STATUS, 0, NULL);
        _exit(0);
    }

    /* Nothing in the sandbox can act through this process: not traceable, no capabilities
     * (both before the program exists, so there is no moment when it could). */
    prctl(PR_SET_DUMPABLE, 0);
    drop_capabilities();
    send_message(MSG_STARTED, 0, NULL);
    pid_t child = fork();
    if (child < 0) setup_failed("fork failed");
    if (child == 0) {
        setsid(); /* no controlling terminal: no TIOCSTI into the caller's terminal */
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        apply_limits();
        exec_program();
    }
    forward_quit_to(child);
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR) continue;
        if (pid == child || pid < 0) {
            send_message(MSG_STATUS, pid < 0 ? -1 : status, NULL);
            _exit(0);
        }
    }
}

/* Outcome of one attempt by the outer process. */
struct outcome {
    int ran;                /* the program (or probe) ran: `status` is its wait status */
    int status;
    int exec_failed;        /* errno of a failed exec */
    int failed;             /* a setup step failed before the program started */
    int started;            /* the program was started: whatever happens next, never run it again */
    char reason[248];       /* why the mechanism could not be set up, when !ran */
};

/* Reads messages until the inner side closes the pipe; notes go to stderr (--verbose). */
static void collect(int fd, struct outcome *out) {
    struct message m;
    for (;;) {
        ssize_t r = read(fd, &m, sizeof m);
        if (r < 0 && errno == EINTR) continue;
        if (r != (ssize_t)sizeof m) break;
        switch (m.kind) {
        case MSG_NOTE: fprintf(stderr, "grader-sandbox: %s\n", m.text); break;
        case MSG_STARTED: out->started = 1; break;
        case MSG_SETUP_FAILED:
            out->failed = 1;
            if (!out->reason[0]) snprintf(out->reason, sizeof out->reason, "%s", m.text);
            break;
        case MSG_EXEC_FAILED:
            out->exec_failed = m.value ? m.value : ENOEXEC;
            snprintf(out->reason, sizeof out->reason, "%s", m.text);
            break;
        case MSG_STATUS:
            out->ran = 1;
            out->status = m.value;
            break;
        }
    }
    if (out->failed) out->ran = 0;
}

static int write_id_maps(pid_t pid, uid_t outside_uid, gid_t outside_gid, char *error, size_t size) {
    char path[64], map[64];
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
        if (write_file(path, "deny") != 0 && errno != ENOENT) {
            snprintf(error, size, "cannot write %s: %s", path, strerror(errno));
            return -1;
        }
    }
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    snprintf(map, sizeof map, "%d %u 1\n", INSIDE_ID, (unsigned)outside_uid);
    if (write_file(path, map) != 0) {
        snprintf(error, size, "cannot map the user id into the user namespace: %s", strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    snprintf(map, sizeof map, "%d %u 1\n", INSIDE_ID, (unsigned)outside_gid);
    if (write_file(path, map) != 0) {
        snprintf(error, size, "cannot map the group id into the user namespace: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void run_with_namespaces(int probe, struct outcome *out) {
    memset(out, 0, sizeof *out);
    int go[2], messages[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(messages, O_CLOEXEC) != 0) {
        snprintf(out->reason, sizeof out->reason, "cannot create a pipe: %s", strerror(errno));
        return;
    }
    struct namespace_context context = { go[0], probe };
    message_fd = messages[1];
    size_t stack_size = 1 << 20;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        snprintf(out->reason, sizeof out->reason, "cannot allocate a stack: %s", strerror(errno));
        return;
    }
    int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
    if (opt.no_network || probe) flags |= CLONE_NEWNET;
    pid_t pid = clone(namespace_init, stack + stack_size, flags, &context);
    int saved = errno;
    close(go[0]);
    close(messages[1]);
    message_fd = -1;
    if (pid < 0) {
        snprintf(out->reason, sizeof out->reason, "cannot create namespaces (clone: %s)%s", strerror(saved),
                 saved == EPERM || saved == ENOSPC || saved == EINVAL || saved == EUSERS
                     ? "; user namespaces are disabled or restricted here (Docker's default seccomp profile, AppArmor, or a sysctl)" : "");
        close(go[1]);
        close(messages[0]);
        munmap(stack, stack_size);
        return;
    }
    /* Never root outside: a program mapped to root keeps root's file permissions (and with them
     * /proc/sys) even without capabilities. */
    if (!probe) forward_quit_to(pid);
    uid_t outside_uid = geteuid() == 0 ? opt.user : geteuid();
    gid_t outside_gid = geteuid() == 0 ? opt.group : getegid();
    char error[248] = "";
    if (write_id_maps(pid, outside_uid, outside_gid, error, sizeof error) == 0) {
        ssize_t w = write(go[1], "g", 1);
        (void)w;
    }
    close(go[1]);
    collect(messages[0], out);
    close(messages[0]);
    int status = wait_status(pid);
    munmap(stack, stack_size);
    if (error[0]) {
        snprintf(out->reason, sizeof out->reason, "%s", error);
        out->ran = 0;
    } else if (!out->ran && !out->reason[0] && !out->exec_failed) {
        if (status >= 0 && WIFSIGNALED(status))
            snprintf(out->reason, sizeof out->reason, "the sandbox's init was killed by signal %d", WTERMSIG(status));
        else
            snprintf(out->reason, sizeof out->reason, "the sandbox's init ended without a status");
    }
}

/* ---------------------------------------------------------------- mechanism 2: unprivileged user */

static int sigchld_pipe[2] = { -1, -1 };

static void on_sigchld(int signal_number) {
    (void)signal_number;
    int saved = errno;
    ssize_t w = write(sigchld_pipe[1], "c", 1);
    (void)w;
    errno = saved;
}

/* SIGKILLs every descendant of this process (found through /proc's parent links); returns how many. */
static int kill_descendants(void) {
    enum { MAX = 1 << 16 };
    static pid_t pids[MAX], parents[MAX];
    static char marked[MAX];
    int n = 0;
    DIR *dir = opendir("/proc");
    if (!dir) return 0;
    struct dirent *d;
    while ((d = readdir(dir)) && n < MAX) {
        if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
        char path[300], line[512];
        snprintf(path, sizeof path, "/proc/%s/stat", d->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t len = read(fd, line, sizeof line - 1);
        close(fd);
        if (len <= 0) continue;
        line[len] = 0;
        char *end = strrchr(line, ')'); /* the name may hold spaces and parentheses */
        int parent = 0;
        if (!end || sscanf(end + 1, " %*c %d", &parent) != 1) continue;
        pids[n] = (pid_t)atoi(d->d_name);
        parents[n] = (pid_t)parent;
        marked[n] = 0;
        n++;
    }
    closedir(dir);
    pid_t self = getpid();
    int changed = 1, count = 0;
    while (changed) {
        changed = 0;
        for (int k = 0; k < n; k++) {
            if (marked[k]) continue;
            int parent_marked = parents[k] == self;
            for (int j = 0; j < n && !parent_marked; j++) parent_marked = marked[j] && pids[j] == parents[k];
            if (parent_marked) { marked[k] = 1; changed = 1; count++; }
        }
    }
    for (int k = 0; k < n; k++) {
        if (marked[k]) kill(pids[k], SIGKILL);
    }
    return count;
}

static int chown_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st; (void)type; (void)ftw;
    if (lchown(path, opt.user, opt.group) != 0) return -1;
    return 0;
}

/* Without namespaces the course is protected only by permissions: refuse to run when it is not. */
static void check_permissions(void) {
    for (int k = 0; k < opt.count; k++) {
        const struct entry *e = &opt.entries[k];
        if (e->kind == ENTRY_HIDE && (access(e->path, R_OK) == 0 || access(e->path, X_OK) == 0)) {
            errno = 0;
            setup_failed("--hide %s is readable by uid %u; without namespaces it must be made unreadable to that user (chmod o-rwx)",
                         e->path, (unsigned)opt.user);
        }
        if (e->kind == ENTRY_RO && access(e->path, W_OK) == 0) {
            errno = 0;
            setup_failed("--ro %s is writable by uid %u; without namespaces it must be made read-only to that user",
                         e->path, (unsigned)opt.user);
        }
    }
}

/* The program's process: its own session, no network if possible, another user, limits, exec. */
static void become_program(void) {
    setsid();
    if (opt.no_network) {
        if (unshare(CLONE_NEWNET) == 0) note("network: none (a network namespace)");
        else note("network: shared (cannot create a network namespace here)");
    }
    gid_t groups[1] = { opt.group };
    if (setgroups(1, groups) != 0) setup_failed("setgroups failed");
    if (setresgid(opt.group, opt.group, opt.group) != 0) setup_failed("setresgid(%u) failed", (unsigned)opt.group);
    if (setresuid(opt.user, opt.user, opt.user) != 0) setup_failed("setresuid(%u) failed", (unsigned)opt.user);
    if (setuid(0) == 0) { errno = 0; setup_failed("could still become root after dropping privileges"); }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* cleared by the change of user, so set again after it */
    check_permissions();
    if (opt.cwd && chdir(opt.cwd) != 0) setup_failed("cannot enter --cwd %s as uid %u", opt.cwd, (unsigned)opt.user);
    apply_limits();
    exec_program();
}

/* A root subreaper between the outer process and the program: every process the program starts
 * stays below it (orphans are reparented to it, setsid or not), so it can kill them all when the
 * program ends or the outer process dies. The program's user cannot signal it. */
static void guardian(int life_fd) {
    setsid(); /* out of the caller's process group: its kill of the group must not stop the clean-up */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) setup_failed("cannot create a pipe");
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigchld;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    pid_t child = fork();
    if (child < 0) setup_failed("fork failed");
    if (child == 0) {
        close(life_fd);
        signal(SIGCHLD, SIG_DFL);
        become_program();
    }
    forward_quit_to(child);
    int status = 0, finished = 0;
    for (;;) {
        int s;
        pid_t pid;
        while ((pid = waitpid(-1, &s, WNOHANG)) > 0) {
            if (pid == child) { status = s; finished = 1; }
        }
        if (finished) break;
        struct pollfd fds[2] = { { life_fd, POLLIN, 0 }, { sigchld_pipe[0], POLLIN, 0 } };
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (fds[0].revents) break; /* the outer process is gone */
        char drain[64];
        while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {}
    }
    /* Everything the run left behind goes, then is reaped: done when no child remains. */
    kill(-child, SIGKILL);
    for (;;) {
        kill_descendants();
        int s;
        pid_t pid = waitpid(-1, &s, 0);
        if (pid < 0 && errno == ECHILD) break;
    }
    if (finished) send_message(MSG_STATUS, status, NULL);
    _exit(0);
}

static void run_as_other_user(int probe, struct outcome *out) {
    memset(out, 0, sizeof *out);
    if (geteuid() != 0) {
        snprintf(out->reason, sizeof out->reason, "running a program as another user needs root (this is uid %u)", (unsigned)geteuid());
        return;
    }
    if (probe) {
        pid_t pid = fork();
        if (pid == 0) {
            gid_t groups[1] = { opt.group };
            _exit(setgroups(1, groups) == 0 && setresgid(opt.group, opt.group, opt.group) == 0
                  && setresuid(opt.user, opt.user, opt.user) == 0 && setuid(0) != 0 ? 0 : 1);
        }
        int status = pid > 0 ? wait_status(pid) : -1;
        if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            out->ran = 1;
        } else {
            snprintf(out->reason, sizeof out->reason, "cannot switch to uid %u", (unsigned)opt.user);
        }
        return;
    }
    int life[2], messages[2];
    if (pipe2(life, O_CLOEXEC) != 0 || pipe2(messages, O_CLOEXEC) != 0) {
        snprintf(out->reason, sizeof out->reason, "cannot create a pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out->reason, sizeof out->reason, "fork failed: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(life[1]);
        close(messages[0]);
        message_fd = messages[1];
        guardian(life[0]);
    }
    forward_quit_to(pid);
    close(life[0]);
    close(messages[1]);
    collect(messages[0], out);
    close(messages[0]);
    wait_status(pid);
    close(life[1]);
    if (!out->ran && !out->reason[0] && !out->exec_failed)
        snprintf(out->reason, sizeof out->reason, "the sandbox's guardian ended without a status");
}

/* ---------------------------------------------------------------- the outer process */

static void report(const char *format, ...) {
    if (opt.report_fd < 0) return;
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n > 0) {
        ssize_t w = write(opt.report_fd, line, strlen(line));
        (void)w;
    }
}

/* Ends this process the way the program ended. */
static int relay(int status) {
    if (WIFEXITED(status)) {
        report("exited %d\n", WEXITSTATUS(status));
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        report("signaled %d\n", sig);
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        return 128 + sig;
    }
    report("error unexpected wait status %d\n", status);
    return EXIT_SANDBOX;
}

static int sandbox_error(const char *reason) {
    fprintf(stderr, "grader-sandbox: %s\n", reason);
    report("error %s\n", reason);
    return EXIT_SANDBOX;
}

/* The program ran (or could not be executed): end as it did. */
static int finish(const struct outcome *out) {
    if (out->exec_failed) {
        int code = out->exec_failed == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
        fprintf(stderr, "grader-sandbox: %s\n", out->reason);
        report("exited %d\n", code);
        return code;
    }
    return relay(out->status);
}

int main(int argc, char **argv) {
    parse(argc, argv);
    if (geteuid() == 0 && !opt.has_user) {
        opt.user = NOBODY;
        opt.group = NOBODY;
    }
    if (opt.has_user && geteuid() != 0) usage_error("%s needs root", "--user");
    if (opt.report_fd >= 0 && fcntl(opt.report_fd, F_GETFD) < 0) usage_error("%s is not an open descriptor", "--report-fd");
    close_descriptors_from(4, opt.report_fd);
    if (opt.report_fd >= 0) fcntl(opt.report_fd, F_SETFD, FD_CLOEXEC);

    if (opt.probe) {
        struct outcome out;
        char namespace_reason[248] = "skipped (--no-namespaces)";
        if (!opt.no_namespaces) {
            char error[248];
        if (open_sources(error, sizeof error) != 0) return sandbox_error(error);
        run_with_namespaces(1, &out);
            if (out.ran && out.status == 0) {
                printf("namespaces\n");
                return 0;
            }
            snprintf(namespace_reason, sizeof namespace_reason, "%s", out.reason);
        }
        run_as_other_user(1, &out);
        if (out.ran) {
            if (opt.verbose) fprintf(stderr, "grader-sandbox: namespaces: %s\n", namespace_reason);
            printf("unprivileged-user\n");
            return 0;
        }
        fprintf(stderr, "grader-sandbox: cannot isolate a run here. Namespaces: %s. Another user: %s.\n",
                namespace_reason, out.reason);
        return 1;
    }

    char error[248];
    if (open_sources(error, sizeof error) != 0) return sandbox_error(error);
    if (!opt.cwd && getcwd(default_cwd, sizeof default_cwd) == NULL) default_cwd[0] = 0;
    if (geteuid() == 0) {
        /* The scratch folders belong to the run's user, whichever mechanism runs it. */
        for (int k = 0; k < opt.count; k++) {
            const struct entry *e = &opt.entries[k];
            if (e->kind == ENTRY_RW && nftw(e->path, chown_entry, 32, FTW_PHYS) != 0) {
                snprintf(error, sizeof error, "cannot give %s to uid %u: %s", e->path, (unsigned)opt.user, strerror(errno));
                return sandbox_error(error);
            }
        }
    }

    struct outcome out;
    char namespace_reason[248] = "";
    if (!opt.no_namespaces) {
        run_with_namespaces(0, &out);
        if (out.ran) {
            if (opt.verbose) fprintf(stderr, "grader-sandbox: isolated with namespaces\n");
            return finish(&out);
        }
        snprintf(namespace_reason, sizeof namespace_reason, "%s", out.reason);
        if (out.started) {
            /* The program ran and its end went unreported: no second run with a weaker mechanism. */
            char message[600];
            snprintf(message, sizeof message, "the run ended without a status: %s", namespace_reason);
            return sandbox_error(message);
        }
        if (geteuid() != 0) {
            char message[600];
            snprintf(message, sizeof message, "cannot isolate the run: %s (and only root can fall back to another user)", namespace_reason);
            return sandbox_error(message);
        }
        if (opt.verbose) fprintf(stderr, "grader-sandbox: namespaces unavailable (%s); running as another user\n", namespace_reason);
    }
    run_as_other_user(0, &out);
    if (out.ran) {
        if (opt.verbose) fprintf(stderr, "grader-sandbox: isolated as uid %u in its own session\n", (unsigned)opt.user);
        return finish(&out);
    }
    char message[600];
    snprintf(message, sizeof message, "cannot isolate the run: %s%s%s", out.reason,
             namespace_reason[0] ? "; namespaces: " : "", namespace_reason);
    return sandbox_error(message);
}

#else /* not Linux */

int main(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--probe") == 0) {
            fprintf(stderr, "grader-sandbox: isolation is unavailable on this system (it needs Linux namespaces or root on Linux)\n");
            return 1;
        }
    }
    fprintf(stderr, "grader-sandbox: isolation is unavailable on this system (it needs Linux); run the program without the sandbox\n");
    return 125;
}

#endif
