/* TensorBoard event files, written by hand: no protocol-buffer or TensorFlow library.
 *
 * An event file is a sequence of TFRecords (tensorflow/core/lib/io/record_writer.cc), each
 *     uint64 length, little endian
 *     uint32 masked CRC-32C of those 8 bytes
 *     length bytes of data: one serialized Event
 *     uint32 masked CRC-32C of the data
 * where the mask is ((crc >> 15) | (crc << 17)) + 0xA282EAD8.
 *
 * The Event messages (tensorflow/core/util/event.proto, summary.proto), of which rnnc writes:
 *     Event      { double wall_time = 1; int64 step = 2; string file_version = 3;
 *                  Summary summary = 5; SessionLog session_log = 7; }
 *     Summary    { repeated Value value = 1; }
 *     Value      { string tag = 1; float simple_value = 2; }
 *     SessionLog { SessionStatus status = 1; }   START = 1
 * in the protocol-buffer wire format: each field is a key, (field number << 3) | wire type, as a
 * varint, then its value: wire type 0 a varint (7 bits a byte, low first, the top bit set on
 * every byte but the last), 1 eight bytes little endian (a double), 2 a varint length and that
 * many bytes (a string or a nested message), 5 four bytes little endian (a float). So a scalar
 * event is
 *     09 <wall_time: 8 bytes> 10 <step: varint> 2a <len> 0a <len> 0a <len> <tag> 15 <4 bytes>
 *
 * The first record of a file names its version (file_version "brain.Event:2"), which tells
 * TensorBoard to treat a SessionLog START at step s as a restart: it drops the events at step s
 * and after that earlier files hold (the steps of a run killed after its last checkpoint). */
#include "tensorboard.h"
#include "fit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint32_t rnnc__crc32c(uint32_t crc, const void *p, size_t n) {
    const unsigned char *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (UINT32_C(0x82F63B78) & (0u - (crc & 1u)));
    }
    return ~crc;
}

uint32_t rnnc__tfrecord_mask(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + UINT32_C(0xA282EAD8);
}

/* ---- the wire format ---- */

static size_t put_varint(unsigned char *p, uint64_t v) {
    size_t n = 0;
    do {
        p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return n;
}

static size_t put_le(unsigned char *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    return (size_t)bytes;
}

static size_t put_double(unsigned char *p, double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return put_le(p, u, 8);
}

/* A length-delimited field: key, length, the bytes. */
static size_t put_bytes(unsigned char *p, int field, const void *b, size_t n) {
    size_t k = put_varint(p, (uint64_t)field << 3 | 2);
    k += put_varint(p + k, n);
    memcpy(p + k, b, n);
    return k + n;
}

/* Wraps the n bytes of an Event at out + 12 in a record: the header before, the CRC after. */
static size_t frame(unsigned char *out, size_t n) {
    put_le(out, n, 8);
    put_le(out + 8, rnnc__tfrecord_mask(rnnc__crc32c(0, out, 8)), 4);
    put_le(out + 12 + n, rnnc__tfrecord_mask(rnnc__crc32c(0, out + 12, n)), 4);
    return 12 + n + 4;
}

/* Event's wall_time and step (step 0 left out) at p. */
static size_t put_head(unsigned char *p, double wall_time, int64_t step) {
    size_t k = put_varint(p, 1 << 3 | 1);
    k += put_double(p + k, wall_time);
    if (step != 0) {
        k += put_varint(p + k, 2 << 3 | 0);
        k += put_varint(p + k, (uint64_t)step);
    }
    return k;
}

size_t rnnc__tb_scalar_record(unsigned char *out, double wall_time, int64_t step, const char *tag,
                              float value) {
    const size_t tag_len = strlen(tag);
    /* Value { tag, simple_value }: at most 10 + tag_len + 5 bytes, built in place at its end */
    unsigned char *ev = out + 12;
    size_t n = put_head(ev, wall_time, step);
    unsigned char value_msg[16];
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    const size_t vtail = put_varint(value_msg, 2 << 3 | 5) + put_le(value_msg + 1, bits, 4);
    /* Value's length: the tag field and the float field */
    unsigned char lenbuf[10];
    const size_t tag_field = 1 + put_varint(lenbuf, tag_len) + tag_len;
    const size_t value_len = tag_field + vtail;
    const size_t summary_len = 1 + put_varint(lenbuf, value_len) + value_len;
    n += put_varint(ev + n, 5 << 3 | 2); /* Event.summary */
    n += put_varint(ev + n, summary_len);
    n += put_varint(ev + n, 1 << 3 | 2); /* Summary.value */
    n += put_varint(ev + n, value_len);
    n += put_bytes(ev + n, 1, tag, tag_len); /* Value.tag */
    memcpy(ev + n, value_msg, vtail);        /* Value.simple_value */
    n += vtail;
    return frame(out, n);
}

size_t rnnc__tb_version_record(unsigned char *out, double wall_time) {
    static const char version[] = "brain.Event:2";
    size_t n = put_head(out + 12, wall_time, 0);
    n += put_bytes(out + 12 + n, 3, version, sizeof version - 1); /* Event.file_version */
    return frame(out, n);
}

size_t rnnc__tb_restart_record(unsigned char *out, double wall_time, int64_t step) {
    static const unsigned char start[] = {1 << 3 | 0, 1}; /* SessionLog.status = START */
    size_t n = put_head(out + 12, wall_time, step);
    n += put_bytes(out + 12 + n, 7, start, sizeof start); /* Event.session_log */
    return frame(out, n);
}

/* ---- the writer ---- */

struct rnnc_tensorboard {
    FILE *f;
    char *path;
    rnnc_status err; /* the first failed write, kept */
};

static double wall_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static rnnc_status put_record(rnnc_tensorboard *tb, const unsigned char *rec, size_t n) {
    if (tb->err)
        return tb->err;
    if (fwrite(rec, 1, n, tb->f) != n)
        tb->err = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot write: %s", tb->path, strerror(errno));
    return tb->err;
}

/* The host's name with every byte outside [A-Za-z0-9._-] replaced by '_' ("localhost" if none). */
static void host_name(char *out, size_t cap) {
    if (gethostname(out, cap) != 0 || !out[0])
        snprintf(out, cap, "localhost");
    out[cap - 1] = 0;
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
}

rnnc_status rnnc_tensorboard_open(const char *dir, rnnc_tensorboard **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensorboard_open: NULL out");
    *out = NULL;
    if (!dir || !dir[0])
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensorboard_open: no folder");
    RNNC_TRY(rnnc__make_dir(dir, "the TensorBoard folder"));
    rnnc_tensorboard *tb = calloc(1, sizeof *tb);
    char host[256];
    host_name(host, sizeof host);
    const size_t cap = strlen(dir) + strlen(host) + 64;
    if (!tb || !(tb->path = malloc(cap))) {
        free(tb);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", dir);
    }
    /* A new file, never an existing one: another run in the same second gets ".1", ".2", ... */
    const long long now = (long long)time(NULL);
    for (int k = 0; k < 1000 && !tb->f; k++) {
        if (k == 0)
            snprintf(tb->path, cap, "%s/events.out.tfevents.%lld.%s", dir, now, host);
        else
            snprintf(tb->path, cap, "%s/events.out.tfevents.%lld.%s.%d", dir, now, host, k);
        const int fd = open(tb->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0 || !(tb->f = fdopen(fd, "wb"))) {
            rnnc_status s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot create the event file: %s", tb->path,
                                      strerror(errno));
            if (fd >= 0)
                close(fd), unlink(tb->path);
            free(tb->path), free(tb);
            return s;
        }
    }
    if (!tb->f) {
        rnnc_status s = RNNC_FAIL(RNNC_ERR_IO, "%s: 1000 event files of this second already", dir);
        free(tb->path), free(tb);
        return s;
    }
    unsigned char rec[64];
    rnnc_status s = put_record(tb, rec, rnnc__tb_version_record(rec, wall_now()));
    if (s == RNNC_OK)
        s = rnnc_tensorboard_flush(tb);
    if (s != RNNC_OK) {
        fclose(tb->f);
        unlink(tb->path);
        free(tb->path), free(tb);
        return s;
    }
    *out = tb;
    return RNNC_OK;
}

const char *rnnc_tensorboard_path(const rnnc_tensorboard *tb) {
    return tb ? tb->path : NULL;
}

rnnc_status rnnc_tensorboard_scalar(rnnc_tensorboard *tb, const char *tag, long step,
                                    double value) {
    if (!tb || !tag)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensorboard_scalar: NULL argument");
    const size_t len = strlen(tag);
    if (len == 0 || len > 1024 || step < 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: a scalar needs a tag of 1 to 1024 bytes and a step >= 0 (tag of %zu "
                         "bytes, step %ld)",
                         tb->path, len, step);
    unsigned char rec[RNNC__TB_RECORD_MAX(1024)];
    return put_record(tb, rec, rnnc__tb_scalar_record(rec, wall_now(), step, tag, (float)value));
}

rnnc_status rnnc_tensorboard_restart(rnnc_tensorboard *tb, long step) {
    if (!tb || step < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensorboard_restart: NULL writer or step < 0");
    unsigned char rec[64];
    return put_record(tb, rec, rnnc__tb_restart_record(rec, wall_now(), step));
}

rnnc_status rnnc_tensorboard_flush(rnnc_tensorboard *tb) {
    if (!tb)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensorboard_flush: NULL writer");
    if (!tb->err && fflush(tb->f) != 0)
        tb->err = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot write: %s", tb->path, strerror(errno));
    return tb->err;
}

void rnnc_tensorboard_free(rnnc_tensorboard *tb) {
    if (!tb)
        return;
    fclose(tb->f);
    free(tb->path);
    free(tb);
}
