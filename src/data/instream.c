/* Reading data files as streams: plain or gzip, line by line, within a source's read limits. */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint64_t or_default(uint64_t v, uint64_t d) {
    return v ? v : d;
}

void rnnc__budget_init(rnnc__budget *b, const rnnc_read_limits *lim) {
    memset(b, 0, sizeof *b);
    if (lim)
        b->lim = *lim;
    b->lim.read_bytes = or_default(b->lim.read_bytes, RNNC_READ_BYTES_DEFAULT);
    b->lim.text_bytes = or_default(b->lim.text_bytes, RNNC_READ_TEXT_BYTES_DEFAULT);
    b->lim.records = or_default(b->lim.records, RNNC_READ_RECORDS_DEFAULT);
    b->lim.members = or_default(b->lim.members, RNNC_READ_MEMBERS_DEFAULT);
}

/* The advice every limit message ends with: the training-file key that raises the limit. */
#define RAISE "; a larger data set needs a larger %s (docs/data.md)"

rnnc_status rnnc__budget_read(rnnc__budget *b, uint64_t n, const char *where) {
    b->read += n;
    if (b->read > b->lim.read_bytes)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: more than %llu bytes read after decompression (the read limit)" RAISE,
                         where, (unsigned long long)b->lim.read_bytes, "max_read_bytes");
    return RNNC_OK;
}

rnnc_status rnnc__budget_keep(rnnc__budget *b, uint64_t bytes, uint64_t records,
                              const char *where) {
    b->text += bytes, b->records += records;
    if (b->text > b->lim.text_bytes)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: more than %llu bytes of text (the text limit)" RAISE,
                         where, (unsigned long long)b->lim.text_bytes, "max_text_bytes");
    if (b->records > b->lim.records)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: more than %llu records (the record limit)" RAISE,
                         where, (unsigned long long)b->lim.records, "max_records");
    return RNNC_OK;
}

rnnc_status rnnc__budget_member(rnnc__budget *b, const char *where) {
    if (++b->members > b->lim.members)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: more than %llu files or archive members (the member limit)" RAISE,
                         where, (unsigned long long)b->lim.members, "max_members");
    return RNNC_OK;
}

/* ---- the stream ------------------------------------------------------------------------- */

enum { CHUNK = 1 << 16 };

struct rnnc__instream {
    const char *path;
    FILE *f;
    rnnc__budget *budget;
    int gz;          /* gzip data (1f 8b at the start) */
    int in_member;   /* inside a gzip member: the file must not end here */
    int eof;         /* nothing more to decode */
    uint64_t in_pos; /* file bytes handed to zlib so far */
    z_stream z;
    unsigned char in[CHUNK];
    char out[CHUNK];
    size_t beg, end; /* the decoded bytes not yet taken: out[beg, end) */
};

/* Fills in[] after the avail_in bytes still there; sets *got to the bytes added. */
static rnnc_status fill_in(rnnc__instream *s, size_t *got) {
    if (s->z.avail_in && s->z.next_in != s->in)
        memmove(s->in, s->z.next_in, s->z.avail_in);
    s->z.next_in = s->in;
    *got = fread(s->in + s->z.avail_in, 1, CHUNK - s->z.avail_in, s->f);
    if (*got == 0 && ferror(s->f))
        return RNNC_FAIL(RNNC_ERR_IO, "%s: read error: %s", s->path, strerror(errno));
    s->z.avail_in += (uInt)*got;
    return RNNC_OK;
}

/* At a member boundary: another gzip member follows (as gzip -d reads concatenated members), or
 * the file ends; anything else is refused. */
static rnnc_status next_member(rnnc__instream *s) {
    size_t got = 1;
    while (s->z.avail_in < 2 && got)
        RNNC_TRY(fill_in(s, &got));
    if (s->z.avail_in == 0) {
        s->eof = 1;
        return RNNC_OK;
    }
    const uint64_t at = s->in_pos;
    const unsigned char *m = s->z.next_in;
    if (s->z.avail_in < 2 || m[0] != 0x1f || m[1] != 0x8b)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: other bytes follow the gzip data at byte %llu (a damaged or "
                         "appended-to file?)",
                         s->path, (unsigned long long)at);
    if (inflateReset(&s->z) != Z_OK)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: cannot restart zlib", s->path);
    s->in_member = 1;
    return RNNC_OK;
}

/* Decodes the next bytes into out[0, end); end stays 0 only at the end of the data. */
static rnnc_status refill(rnnc__instream *s) {
    s->beg = s->end = 0;
    while (!s->eof && s->end == 0) {
        if (!s->gz) {
            size_t got = fread(s->out, 1, CHUNK, s->f);
            if (got == 0 && ferror(s->f))
                return RNNC_FAIL(RNNC_ERR_IO, "%s: read error: %s", s->path, strerror(errno));
            s->eof = got == 0;
            s->end = got;
            break;
        }
        if (!s->in_member) {
            RNNC_TRY(next_member(s));
            continue;
        }
        if (s->z.avail_in == 0) {
            size_t got;
            RNNC_TRY(fill_in(s, &got));
            if (got == 0)
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: gzip data cut short (truncated file?)",
                                 s->path);
        }
        const uInt before = s->z.avail_in;
        s->z.next_out = (Bytef *)s->out;
        s->z.avail_out = CHUNK;
        const int r = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos += before - s->z.avail_in;
        s->end = CHUNK - s->z.avail_out;
        if (r == Z_STREAM_END)
            s->in_member = 0;
        else if (r == Z_MEM_ERROR)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: zlib cannot allocate", s->path);
        else if (r != Z_OK && r != Z_BUF_ERROR)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: corrupt gzip data near byte %llu: %s", s->path,
                             (unsigned long long)s->in_pos, s->z.msg ? s->z.msg : "zlib error");
    }
    return rnnc__budget_read(s->budget, s->end, s->path);
}

rnnc_status rnnc__instream_open(const char *path, rnnc__budget *budget, rnnc__instream **out) {
    *out = NULL;
    rnnc__instream *s = calloc(1, sizeof *s);
    if (!s)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate a read buffer", path);
    s->path = path, s->budget = budget;
    s->f = fopen(path, "rb");
    if (!s->f) {
        rnnc_status st = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        free(s);
        return st;
    }
    size_t got = 1;
    rnnc_status st = RNNC_OK;
    while (!st && s->z.avail_in < 2 && got)
        st = fill_in(s, &got);
    s->gz = !st && s->z.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (!st && s->gz) {
        /* 15 + 16: a 32 KiB window, gzip wrapping only */
        if (inflateInit2(&s->z, 15 + 16) != Z_OK)
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot start zlib", path);
        else
            s->in_member = 1;
    } else if (!st) {
        /* plain data: the bytes already read are the first decoded ones */
        memcpy(s->out, s->in, s->z.avail_in);
        s->end = s->z.avail_in;
        s->z.avail_in = 0;
        st = rnnc__budget_read(budget, s->end, path);
    }
    if (st) {
        s->gz = 0;
        rnnc__instream_close(s);
        return st;
    }
    *out = s;
    return RNNC_OK;
}

void rnnc__instream_close(rnnc__instream *s) {
    if (!s)
        return;
    if (s->gz)
        inflateEnd(&s->z);
    if (s->f)
        fclose(s->f);
    free(s);
}

rnnc_status rnnc__instream_read(rnnc__instream *s, char *dst, size_t want, size_t *got) {
    *got = 0;
    while (*got < want) {
        if (s->beg == s->end) {
            RNNC_TRY(refill(s));
            if (s->end == 0)
                break;
        }
        size_t k = s->end - s->beg;
        if (k > want - *got)
            k = want - *got;
        memcpy(dst + *got, s->out + s->beg, k);
        s->beg += k, *got += k;
    }
    return RNNC_OK;
}

rnnc_status rnnc__buf_append(rnnc__buf *b, const char *p, size_t n, size_t max, const char *where,
                             const char *what) {
    if (n > max || b->len > max - n)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s larger than the limit of %zu bytes", where, what,
                         max);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap = cap > (SIZE_MAX >> 1) ? b->len + n + 1 : cap * 2;
        char *p2 = realloc(b->p, cap);
        if (!p2)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes for %s", where, cap,
                             what);
        b->p = p2, b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return RNNC_OK;
}

rnnc_status rnnc__instream_line(rnnc__instream *s, rnnc__buf *line, size_t max, const char *what,
                                int *got) {
    *got = 0;
    for (;;) {
        if (s->beg == s->end) {
            RNNC_TRY(refill(s));
            if (s->end == 0)
                return RNNC_OK;
        }
        const char *p = s->out + s->beg;
        const char *nl = memchr(p, '\n', s->end - s->beg);
        const size_t k = nl ? (size_t)(nl - p) + 1 : s->end - s->beg;
        RNNC_TRY(rnnc__buf_append(line, p, k, max, s->path, what));
        s->beg += k;
        *got = 1;
        if (nl)
            return RNNC_OK;
    }
}

rnnc_status rnnc__read_file(const char *path, size_t max, const char *what, rnnc__budget *budget,
                            int keep, char **out, size_t *n) {
    *out = NULL, *n = 0;
    rnnc__budget own;
    if (!budget) {
        rnnc__budget_init(&own, NULL);
        budget = &own;
    }
    rnnc__instream *s;
    RNNC_TRY(rnnc__instream_open(path, budget, &s));
    rnnc__buf b = {0};
    rnnc_status st = RNNC_OK;
    for (;;) {
        if (s->beg == s->end && (st = refill(s)))
            break;
        if (s->end == 0)
            break;
        if ((keep && (st = rnnc__budget_keep(budget, s->end - s->beg, 0, path))) ||
            (st = rnnc__buf_append(&b, s->out + s->beg, s->end - s->beg, max, path, what)))
            break;
        s->beg = s->end;
    }
    rnnc__instream_close(s);
    if (st) {
        free(b.p);
        return st;
    }
    if (!b.p && (st = rnnc__buf_append(&b, "", 0, max, path, what)))
        return st;
    *out = b.p, *n = b.len;
    return RNNC_OK;
}
