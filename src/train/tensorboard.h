/* The pieces of TensorBoard's event files (src/train/tensorboard.c) that the tests check byte for
 * byte: CRC-32C, the TFRecord framing and one scalar event's protocol buffer. */
#ifndef RNNC_SRC_TRAIN_TENSORBOARD_H
#define RNNC_SRC_TRAIN_TENSORBOARD_H

#include "../core/core.h"
#include "rnnc/train.h"

#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF)
 * of n bytes, continuing crc (0 to start), as zlib's crc32 continues: "123456789" gives
 * 0xE3069283. */
uint32_t rnnc__crc32c(uint32_t crc, const void *p, size_t n);
/* TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xA282EAD8, mod 2^32. */
uint32_t rnnc__tfrecord_mask(uint32_t crc);

/* Upper bound on a scalar event record's bytes for a tag of tag_len bytes. */
#define RNNC__TB_RECORD_MAX(tag_len) ((size_t)(tag_len) + 64)

/* One TFRecord holding Event{wall_time, step, summary{value{tag, simple_value}}} into out
 * (at least RNNC__TB_RECORD_MAX(strlen(tag)) bytes); returns the bytes written. step 0 is left
 * out, as proto3 leaves out a field at its default. */
size_t rnnc__tb_scalar_record(unsigned char *out, double wall_time, int64_t step, const char *tag,
                              float value);
/* The record Event{wall_time, file_version: "brain.Event:2"} into out (64 bytes). */
size_t rnnc__tb_version_record(unsigned char *out, double wall_time);
/* The record Event{wall_time, step, session_log{status: START}} into out (64 bytes). */
size_t rnnc__tb_restart_record(unsigned char *out, double wall_time, int64_t step);

#endif
