/* TensorBoard event files (src/train/tensorboard.c): CRC-32C against the published check value
 * and RFC 3720's test vectors, the TFRecord mask against TensorBoard's masked_crc32c, whole
 * records byte for byte against the ones TensorBoard 2.21's protobuf classes and RecordWriter
 * produce for the same events (the hex strings below, made by hand with bench/.venv's
 * tensorboard: Event(wall_time=1.5, step=3, summary=Summary(value=[Summary.Value(tag="loss",
 * simple_value=0.25)])) and so on), and the writer's files: their name, every record's framing,
 * a second file in the same second, and the errors. tests/tools/check_tensorboard.py reads a
 * training run's files with TensorBoard's own reader. */
#include "check.h"
#include "rnnc.h"
#include "train/tensorboard.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[512];

/* hex digits -> bytes; returns the count */
static size_t unhex(const char *h, unsigned char *out) {
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

static void test_crc(void) {
    unsigned char b[32];
    check(rnnc__crc32c(0, "123456789", 9) == 0xE3069283u, "CRC-32C check value of \"123456789\"");
    check(rnnc__crc32c(0, "", 0) == 0, "CRC-32C of nothing is 0");
    memset(b, 0, 32);
    check(rnnc__crc32c(0, b, 32) == 0x8A9136AAu, "RFC 3720 B.4: 32 bytes of zeros");
    memset(b, 0xff, 32);
    check(rnnc__crc32c(0, b, 32) == 0x62A8AB43u, "RFC 3720 B.4: 32 bytes of ones");
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)i;
    check(rnnc__crc32c(0, b, 32) == 0x46DD794Eu, "RFC 3720 B.4: 32 incrementing bytes");
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)(31 - i);
    check(rnnc__crc32c(0, b, 32) == 0x113FDB5Cu, "RFC 3720 B.4: 32 decrementing bytes");
    check(rnnc__crc32c(rnnc__crc32c(0, "1234", 4), "56789", 5) == 0xE3069283u,
          "CRC-32C continues over pieces");
    check(rnnc__tfrecord_mask(0xE3069283u) == 0xC78AB0E5u,
          "the TFRecord mask of the check value is TensorBoard's masked_crc32c(b\"123456789\")");
}

static void test_records(void) {
    static const struct {
        double wall;
        long step;
        const char *tag;
        float value;
        const char *hex;
    } want[] = {
        {1.5, 3, "loss", 0.25f,
         "1a00000000000000129bd82d09000000000000f83f10032a0d0a0b0a046c6f7373150000803ed054b255"},
        {1796558719.25, 300, "epoch/val_accuracy", 0.8575f,
         "290000000000000037ff5f00090000d0df53c5da4110ac022a1b0a190a1265706f63682f76616c5f616363"
         "7572616379151f855b3f43c89c95"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        unsigned char got[RNNC__TB_RECORD_MAX(64)], exp[128];
        const size_t n =
            rnnc__tb_scalar_record(got, want[i].wall, want[i].step, want[i].tag, want[i].value);
        const size_t m = unhex(want[i].hex, exp);
        check(n == m && !memcmp(got, exp, m),
              "the record of %s at step %ld is TensorBoard's byte for byte (%zu bytes, want %zu)",
              want[i].tag, want[i].step, n, m);
    }
    /* Event(wall_time=2.0, file_version="brain.Event:2") and Event(wall_time=2.0, step=7,
     * session_log=SessionLog(status=SessionLog.START)) */
    unsigned char got[64], exp[64];
    size_t n = rnnc__tb_version_record(got, 2.0);
    size_t m = unhex("1800000000000000a37f4b220900000000000000401a0d627261696e2e4576656e743a32ff2e"
                     "e0e7",
                     exp);
    check(n == m && !memcmp(got, exp, m), "the file version record is TensorBoard's byte for byte");
    n = rnnc__tb_restart_record(got, 2.0, 7);
    m = unhex("0f000000000000006d532b0909000000000000004010073a020801d1715dcb", exp);
    check(n == m && !memcmp(got, exp, m),
          "the restart record (SessionLog START at step 7) is TensorBoard's byte for byte");
}

/* The records of a file: each one's length, framing CRCs; returns the count, -1 when broken.
 * data gets the last record's event bytes. */
static int read_records(const char *path, unsigned char *data, size_t *dlen) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int n = 0;
    unsigned char h[12], buf[4096], t[4];
    size_t k;
    while ((k = fread(h, 1, 12, f)) == 12) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--)
            len = len << 8 | h[i];
        uint32_t c =
            (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
        if (len > sizeof buf || c != rnnc__tfrecord_mask(rnnc__crc32c(0, h, 8)) ||
            fread(buf, 1, (size_t)len, f) != len || fread(t, 1, 4, f) != 4) {
            n = -1;
            break;
        }
        c = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        if (c != rnnc__tfrecord_mask(rnnc__crc32c(0, buf, (size_t)len))) {
            n = -1;
            break;
        }
        memcpy(data, buf, (size_t)len), *dlen = (size_t)len;
        n++;
    }
    if (k != 0)
        n = -1; /* a cut record */
    fclose(f);
    return n;
}

static int files_in(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_writer(void) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tb/sub", g_dir); /* two folders made */
    rnnc_tensorboard *tb = NULL, *tb2 = NULL;
    rnnc_status st = rnnc_tensorboard_open(dir, &tb);
    if (!check(st == RNNC_OK && tb, "open makes the folders and a file (%s)",
               st ? rnnc_last_error() : "ok"))
        return;
    const char *path = rnnc_tensorboard_path(tb);
    char want[700];
    snprintf(want, sizeof want, "%s/events.out.tfevents.", dir);
    check(!strncmp(path, want, strlen(want)) && strlen(path) > strlen(want) + 10,
          "the file is events.out.tfevents.<time>.<host> (%s)", path);
    check(rnnc_tensorboard_scalar(tb, "step/loss", 1, 0.5) == RNNC_OK &&
              rnnc_tensorboard_restart(tb, 2) == RNNC_OK &&
              rnnc_tensorboard_scalar(tb, "epoch/val_loss", 1, 0.25) == RNNC_OK &&
              rnnc_tensorboard_flush(tb) == RNNC_OK,
          "scalars and a restart are written");
    st = rnnc_tensorboard_scalar(tb, "", 1, 0);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "tag"), "an empty tag is refused (%s)",
          rnnc_last_error());
    st = rnnc_tensorboard_scalar(tb, "x", -1, 0);
    check(st == RNNC_ERR_ARG, "a negative step is refused (%s)", rnnc_last_error());
    unsigned char ev[4096];
    size_t len = 0;
    const int n = read_records(path, ev, &len);
    check(n == 4,
          "the file holds 4 whole records with valid CRCs (version, 2 scalars, restart; got %d)",
          n);
    /* the last event after its wall time (09 and 8 bytes): step 1, summary {value {tag, 0.25}} */
    unsigned char exp[128];
    const size_t m = unhex("10012a170a150a0e65706f63682f76616c5f6c6f7373150000803e", exp);
    check(len == 9 + m && ev[0] == 0x09 && !memcmp(ev + 9, exp, m),
          "the last record is Event{wall_time, step 1, summary{value{epoch/val_loss, 0.25}}}");
    st = rnnc_tensorboard_open(dir, &tb2);
    check(st == RNNC_OK && tb2 && strcmp(rnnc_tensorboard_path(tb2), path) != 0 &&
              files_in(dir) == 2,
          "a second writer gets a file of its own (%s)", tb2 ? rnnc_tensorboard_path(tb2) : "-");
    rnnc_tensorboard_free(tb2);
    rnnc_tensorboard_free(tb);
    rnnc_tensorboard_free(NULL);
    /* a file where the folder should be */
    char file[700];
    snprintf(file, sizeof file, "%s/afile", g_dir);
    FILE *f = fopen(file, "w");
    if (f)
        fclose(f);
    tb = NULL;
    st = rnnc_tensorboard_open(file, &tb);
    check(st == RNNC_ERR_IO && !tb &&
              strstr(rnnc_last_error(), "afile: exists and is not a folder"),
          "a file as the folder is RNNC_ERR_IO naming it (%s)", rnnc_last_error());
    snprintf(file, sizeof file, "%s/afile/sub", g_dir);
    st = rnnc_tensorboard_open(file, &tb);
    check(st == RNNC_ERR_IO && strstr(rnnc_last_error(), "cannot create the TensorBoard folder"),
          "a folder below a file is RNNC_ERR_IO (%s)", rnnc_last_error());
    check(rnnc_tensorboard_open(NULL, &tb) == RNNC_ERR_ARG &&
              rnnc_tensorboard_open("", &tb) == RNNC_ERR_ARG,
          "no folder is RNNC_ERR_ARG");
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/rnnc-tb-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!check(mkdtemp(g_dir) != NULL, "temporary folder %s", g_dir))
        return check_summary();
    test_crc();
    test_records();
    test_writer();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "note: could not remove %s\n", g_dir);
    return check_summary();
}
