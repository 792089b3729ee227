/* Files written atomically: the bytes go to PATH.tmp.<pid> in the same folder, which is flushed,
 * fsync'ed and renamed over PATH, then the folder is fsync'ed so the rename lasts. Until the
 * rename an earlier file at PATH is untouched; on any failure the temporary is removed. A writer
 * killed before it could clean up leaves its PATH.tmp.<pid>: the next write of PATH removes those.
 * Model files, optimizer state, plots and forecasts are all written through here. */
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rnnc_atomic_file {
    FILE *fp;
    char *path, *tmp;
};

static void drop(rnnc_atomic_file *f) {
    free(f->path), free(f->tmp), free(f);
}

/* Removes the PATH.tmp.<pid> files of writers that died: each must be a regular file of this user
 * whose process no longer exists and that nobody has changed for a minute (a writer in another
 * PID namespace sharing the folder looks dead from here, but it keeps its file fresh). Best
 * effort: anything unusual is left alone. */
static void sweep_stale(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096], full[4096 + 256];
    const char *base = slash ? slash + 1 : path;
    const size_t k = slash ? (size_t)(slash - path) : 1;
    if (k >= sizeof dir)
        return;
    if (!slash)
        memcpy(dir, ".", 2);
    else if (k == 0)
        memcpy(dir, "/", 2);
    else
        memcpy(dir, path, k), dir[k] = '\0';
    const size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d)
        return;
    const time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name, *p = n + bl + 5;
        if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp.", 5) != 0 || *p < '1' || *p > '9')
            continue;
        char *end;
        errno = 0;
        const long pid = strtol(p, &end, 10);
        if (*end || errno || pid > INT_MAX || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to ask about */
        struct stat st;
        if (snprintf(full, sizeof full, "%s/%s", dir, n) >= (int)sizeof full ||
            lstat(full, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
            difftime(now, st.st_mtime) < 60)
            continue;
        unlink(full);
    }
    closedir(d);
}

rnnc_status rnnc_atomic_open(const char *path, rnnc_atomic_file **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_atomic_open: NULL out");
    *out = NULL;
    if (!path || !path[0])
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_atomic_open: no path");
    const size_t plen = strlen(path);
    rnnc_atomic_file *f = calloc(1, sizeof *f);
    if (f)
        f->path = malloc(plen + 1), f->tmp = malloc(plen + 32);
    if (!f || !f->path || !f->tmp) {
        if (f)
            drop(f);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(f->path, path, plen + 1);
    sweep_stale(path);
    snprintf(f->tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    /* O_NOFOLLOW: a link planted at the temporary's name is not written through */
    const int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0666);
    f->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f->fp) {
        rnnc_status st =
            RNNC_FAIL(RNNC_ERR_IO, "%s: cannot create %s: %s", path, f->tmp, strerror(errno));
        if (fd >= 0)
            close(fd), unlink(f->tmp);
        drop(f);
        return st;
    }
    *out = f;
    return RNNC_OK;
}

FILE *rnnc_atomic_stream(rnnc_atomic_file *f) {
    return f ? f->fp : NULL;
}

void rnnc_atomic_abort(rnnc_atomic_file *f) {
    if (!f)
        return;
    fclose(f->fp);
    unlink(f->tmp);
    drop(f);
}

/* The rename made durable: fsync of the folder holding path. Some file systems cannot fsync a
 * folder (EINVAL, EROFS); the rename is done either way. */
static rnnc_status sync_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    const size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", path);
    memcpy(dir, !slash ? "." : slash == path ? "/" : path, n);
    dir[n] = 0;
    rnnc_status st = RNNC_OK;
    const int fd = open(dir, O_RDONLY);
    if (fd >= 0 && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: fsync of directory %s failed: %s", path, dir,
                       strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return st;
}

rnnc_status rnnc_atomic_commit(rnnc_atomic_file *f) {
    if (!f)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_atomic_commit: NULL file");
    rnnc_status st = RNNC_OK;
    if (fflush(f->fp) != 0 || ferror(f->fp))
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: write to %s failed: %s", f->path, f->tmp,
                       errno ? strerror(errno) : "stream error");
    else if (fsync(fileno(f->fp)) != 0)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: fsync of %s failed: %s", f->path, f->tmp, strerror(errno));
    if (fclose(f->fp) != 0 && st == RNNC_OK)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: closing %s failed: %s", f->path, f->tmp, strerror(errno));
    if (st == RNNC_OK && rename(f->tmp, f->path) != 0)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot rename %s over it: %s", f->path, f->tmp,
                       strerror(errno));
    if (st != RNNC_OK)
        unlink(f->tmp);
    else
        st = sync_dir(f->path);
    drop(f);
    return st;
}

rnnc_status rnnc_file_write_atomic(const char *path, const void *data, size_t len) {
    if (len > 0 && !data)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_file_write_atomic: NULL data");
    rnnc_atomic_file *f;
    RNNC_TRY(rnnc_atomic_open(path, &f));
    if (len > 0 && fwrite(data, 1, len, f->fp) != len) {
        rnnc_status st =
            RNNC_FAIL(RNNC_ERR_IO, "%s: write to %s failed: %s", path, f->tmp, strerror(errno));
        rnnc_atomic_abort(f);
        return st;
    }
    return rnnc_atomic_commit(f);
}
