/*
 * dataver.h — data versions: every dataset a model was trained on, kept
 * in the registry, named by the SHA-256 of its bytes (as the model's
 * lineage.dataset_sha256 names it) and compressed with zstd, as the
 * original kept its datasets in DVC:
 *
 *   <registry>/data/<sha256>.csv.zst
 *
 * Content-addressed, so a dataset two runs produced alike is kept once,
 * and a name is a promise about the bytes: restoring checks the SHA-256
 * of what it decompressed before putting it in place.
 *
 * Retention (dataver_prune) removes only data versions that no model
 * version of the registry names in its lineage; model versions are never
 * deleted, so every model keeps the data it was trained on.
 */
#ifndef INCOMESCORE_DATAVER_H
#define INCOMESCORE_DATAVER_H

#include <stddef.h>

#include "base/errbuf.h"
#include "base/sha256.h"

#define DATAVER_DIR "data"
#define DATAVER_SUFFIX ".csv.zst"

/* "data/<sha>.csv.zst": the name lineage.dataset records, relative to
 * the registry. */
void dataver_name(const char *sha, char *name, size_t size);

/* <registry_dir>/data/<sha>.csv.zst */
void dataver_path(const char *registry_dir, const char *sha, char *path,
                  size_t size);

/* Keeps csv_path's bytes as a data version (compressed, written
 * atomically; nothing written when that version is already kept); its
 * SHA-256 goes to sha. */
int dataver_keep(const char *registry_dir, const char *csv_path,
                 char sha[SHA256_HEX_SIZE], struct errbuf *err);

/* Writes data version `sha` decompressed to out_path (atomically), and
 * checks that its SHA-256 is sha. */
int dataver_restore(const char *registry_dir, const char *sha,
                    const char *out_path, struct errbuf *err);

/* 1 when data version sha is kept, else 0. */
int dataver_exists(const char *registry_dir, const char *sha);

/* Removes the data versions that no model version's lineage names and
 * that are not in keep[0..n) (a run's dataset not yet trained on); the
 * number removed goes to removed. */
int dataver_prune(const char *registry_dir, const char *const *keep,
                  size_t n, size_t *removed, struct errbuf *err);

#endif
