/*
 * fileio.h — reading whole files and writing files atomically.
 *
 * Every file incomescore produces is written through atomic_write_file or
 * an atomic_file: the data goes to a temporary file in the same directory,
 * is flushed to disk, and is renamed over the target, so a reader sees the
 * old file or the new one, never half of one, and a crash leaves no torn
 * output behind.
 *
 * What is not a regular file is never replaced. A symlink is followed
 * deliberately: the file it names is written atomically and the link
 * stays a link (a link to nothing is refused, not guessed at). A device
 * or FIFO (/dev/null, /dev/stdout) is opened and written through, without
 * fsync or rename. A directory is refused ("out is a directory").
 *
 * Temporaries are named "<target>.tmp.<pid>.XXXXXX". Opening an
 * atomic_file removes the target's temporaries whose process is gone (a
 * killed run's, which may be dataset-sized); a live process's are kept.
 */
#ifndef INCOMESCORE_FILEIO_H
#define INCOMESCORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"

/* The whole file, NUL-terminated (the NUL is not counted in *len); NULL
 * with err set ("rules.json: No such file or directory", "conf is a
 * directory"). */
char *file_read_all(const char *path, size_t *len, struct errbuf *err);

/* The same for a file a person names on the command line, read at most
 * `max` bytes: /dev/zero or a log given by mistake is refused when it
 * passes the cap ("rules.json: larger than 16 MiB, the most this file may
 * hold") instead of eating memory. The caps of each kind are below. */
char *file_read_limited(const char *path, size_t max, size_t *len,
                        struct errbuf *err);

#define FILE_CAP_RULES (16u << 20)   /* rules.json: some kB in practice */
#define FILE_CAP_PARAMS (16u << 20)  /* XGBoost parameters: < 1 kB */
#define FILE_CAP_KEYS (1u << 20)     /* API keys: ~80 bytes a key */

int atomic_write_file(const char *path, const void *data, size_t len,
                      struct errbuf *err);

/* Writes a JSON value (jansson's json_dumps flags) and a final newline,
 * atomically. `json` is a json_t; declared void so this header does not
 * need jansson's. */
int atomic_write_json(const char *path, const void *json, size_t flags,
                      struct errbuf *err);

/* A stream written to a temporary file and put in place by
 * atomic_file_commit, or thrown away by atomic_file_abort. */
struct atomic_file {
    FILE *fp;
    char *path;
    char *tmp_path;
};

/* 1 when paths a and b name the same file — through a symlink, a hard
 * link or another spelling ("./x.csv", "x.csv") — so that a command can
 * refuse to write two of its outputs into one file; 0 when not. Existing
 * files are compared by device and inode; a path not yet there by its
 * resolved directory and name. Two devices (/dev/null twice) are not
 * "the same" here: writing both through them harms nothing. */
int file_same(const char *a, const char *b);

/* 1 when `name` is "<prefix><pid>.XXXXXX" (the form of atomic_file's
 * temporaries and of the registry's staging folders) and process pid is
 * gone, so that what a killed run left can be removed by the next one.
 * Only kill(pid, 0) failing with ESRCH says "gone": a live process's, or
 * a reused pid's, leftover is kept — the cost of a reused pid is a
 * leftover kept, never a live run's file taken. */
int leftover_of_dead_process(const char *name, const char *prefix);

int atomic_file_open(struct atomic_file *af, const char *path,
                     struct errbuf *err);
int atomic_file_commit(struct atomic_file *af, struct errbuf *err);
void atomic_file_abort(struct atomic_file *af);

#endif
