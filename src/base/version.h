/*
 * version.h — the program's version, in one place: what
 * `incomescore --version` prints and what every bundle records as the
 * code that trained it (bundle.json's "code_version"), so the two cannot
 * tell different stories about the same build.
 */
#ifndef INCOMESCORE_VERSION_H
#define INCOMESCORE_VERSION_H

#define INCOMESCORE_VERSION "0.1.0"

#endif
