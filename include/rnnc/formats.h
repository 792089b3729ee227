/* rnnc/formats.h: tensor files (safetensors), read and written.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_FORMATS_H
#define RNNC_FORMATS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Tensor files (safetensors) and model files
 */
/* A safetensors file (docs/model-files.md): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian tensor bytes, and
 * optional string metadata under "__metadata__". */
enum rnnc_dtype {
    RNNC_DTYPE_F32 = 1,
    RNNC_DTYPE_F64,
    RNNC_DTYPE_I32,
    RNNC_DTYPE_I64,
    RNNC_DTYPE_U8,
    RNNC_DTYPE_F16,
    RNNC_DTYPE_BF16
};

/* One tensor. data holds nbytes = prod(dims) * element size bytes, row-major, in the host's byte
 * order (the file's little-endian bytes are swapped on a big-endian host). ndim 0 is a scalar. */
typedef struct rnnc_tensor {
    const char *name;
    enum rnnc_dtype dtype;
    int ndim; /* 0 to 8 */
    size_t dims[8];
    const void *data;
    size_t nbytes;
} rnnc_tensor;

/* A safetensors file read whole into memory (opaque). */
typedef struct rnnc_tensor_file rnnc_tensor_file;

/* Reads and validates a whole file: header length (at most 64 MiB, and at most 262144 JSON
 * values, counted before parsing; docs/model-files.md) and file size, the JSON (UTF-8, no
 * duplicate keys, nothing after the object), each tensor's dtype, shape and
 * data_offsets (shape * element size == bytes; the ranges, sorted, must start at 0, follow each
 * other without gap or overlap and end exactly at the end of the file), "__metadata__" holding
 * only strings. Any failure is RNNC_ERR_FORMAT (RNNC_ERR_IO if the file cannot be read) with a
 * message naming the file and the field. Owned by the caller. */
rnnc_status rnnc_tensor_file_read(const char *path, rnnc_tensor_file **out);
/* The same from n bytes in memory (copied; `bytes` is not kept). `name` stands for the file name
 * in messages (NULL: "<memory>"). For tests and fuzzing. */
rnnc_status rnnc_tensor_file_parse(const void *bytes, size_t n, const char *name,
                                   rnnc_tensor_file **out);
void rnnc_tensor_file_free(rnnc_tensor_file *f);
/* The path or name the file was read under (borrowed). */
const char *rnnc_tensor_file_name(const rnnc_tensor_file *f);
/* Number of tensors (0 for NULL). */
int rnnc_tensor_file_count(const rnnc_tensor_file *f);
/* Tensor i in file order (by data offset), or NULL when i is out of range. Borrowed; each
 * tensor's data starts at an 8-byte aligned address. */
const rnnc_tensor *rnnc_tensor_file_tensor(const rnnc_tensor_file *f, int i);
/* The tensor called `name`, or NULL if absent (not an error: nothing is recorded). Borrowed. */
const rnnc_tensor *rnnc_tensor_file_find(const rnnc_tensor_file *f, const char *name);
/* The "__metadata__" value of `key`, or NULL if absent. Borrowed. */
const char *rnnc_tensor_file_meta(const rnnc_tensor_file *f, const char *key);
/* Number of metadata entries, and entry i (in header order) through *key and *value (borrowed;
 * RNNC_ERR_ARG when i is out of range). */
int rnnc_tensor_file_meta_count(const rnnc_tensor_file *f);
rnnc_status rnnc_tensor_file_meta_at(const rnnc_tensor_file *f, int i, const char **key,
                                     const char **value);
/* Checks that every value of an F32 or F64 tensor is finite (other dtypes pass). A NaN or an
 * infinity is RNNC_ERR_FORMAT naming `file` (NULL: no file), the tensor and the index and value of
 * the first bad element: weights, states and moments read from a file must be numbers. */
rnnc_status rnnc_tensor_check_finite(const rnnc_tensor *t, const char *file);
/* Writes a safetensors file atomically: PATH.tmp.<pid> in the same directory, fwrite, fflush,
 * fsync, rename over PATH, fsync of the directory. On any failure the old file is untouched and
 * the temporary removed. Tensors are written in the given order with contiguous data_offsets; the
 * header is padded with spaces to a multiple of 8 bytes (as the reference writer does), so data
 * stays aligned when tensors come in decreasing element size. Data is written little-endian.
 * Names must be unique, valid UTF-8 and not "__metadata__"; nbytes must match dtype and dims.
 * meta_keys/meta_values (n_meta pairs of UTF-8 strings, unique keys) may be NULL when n_meta is
 * 0; with n_meta == 0 no "__metadata__" is written. A header over the reader's limits (64 MiB,
 * 262144 JSON values) is RNNC_ERR_ARG and nothing is written. */
rnnc_status rnnc_tensor_file_write(const char *path, const rnnc_tensor *tensors, int n,
                                   const char *const *meta_keys, const char *const *meta_values,
                                   int n_meta);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_FORMATS_H */
