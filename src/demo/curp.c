/*
 * curp.c — CURPs by RENAPO's rules and NSSs by IMSS's (see curp.h).
 *
 * A CURP is read from names written as RENAPO writes them (upper case,
 * no accents, Ñ kept): the letters come from one word of each name, with
 * particles and a leading MARIA or JOSE skipped, UTF-8 Ñ read as X and
 * accented vowels without their accent.
 */
#include "demo/curp.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Words a CURP skips in names (RENAPO, Instructivo normativo). */
static const char *const name_particles[] = {
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA",
    "LOS", "LAS", "LE", "LES", "MAC", "MC", "VAN", "VON", "Y",
};
/* Four-letter starts RENAPO replaces: the second letter becomes X. */
static const char *const curp_rude_words[] = {
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO",
    "CAKA", "CAKO", "COGE", "COGI", "COJA", "COJE", "COJI", "COJO",
    "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE",
    "KOGI", "KOJA", "KOJE", "KOJI", "KOJO", "KOLA", "KULO", "LILO",
    "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA",
    "NACO", "PEDA", "PEDO", "PENE", "PIPI", "PITO", "POPO", "PUTA",
    "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI",
    "WUEY",
};

/* The ASCII letters a CURP sees in one word of a name: Ñ is X, Ü is U,
 * anything that is not a letter is dropped. */
static size_t curp_letters(const char *w, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c == 0xC3 && i + 1 < n) {
            /* U+00C0..U+00FF: Ñ is X, accented vowels lose the accent */
            static const char latin1[65] =
                "AAAAAAACEEEEIIIIDXOOOOO.OUUUUYTSAAAAAAACEEEEIIIIDXOOOOO.OUUUUYTY";
            unsigned char d = (unsigned char)w[++i];
            if (d >= 0x80 && d <= 0xBF && latin1[d - 0x80] != '.')
                out[o++] = latin1[d - 0x80];
        } else if (c >= 'A' && c <= 'Z') {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}

static bool is_particle(const char *w)
{
    for (size_t i = 0; i < sizeof name_particles / sizeof *name_particles;
         i++)
        if (strcmp(w, name_particles[i]) == 0)
            return true;
    return false;
}

/* The word of a name a CURP takes its letters from: particles skipped
 * ("DE LA CRUZ" is CRUZ) and, for a compound given name, a leading MARIA
 * or JOSE skipped ("MARIA DEL CARMEN" is CARMEN). Empty if none. */
#define CURP_WORD_SIZE 32

static void curp_word(const char *name, bool given, char out[CURP_WORD_SIZE])
{
    char words[6][CURP_WORD_SIZE];
    int n = 0;
    for (const char *s = name; *s && n < 6;) {
        while (*s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ' ')
            e++;
        if (e > s) {
            curp_letters(s, (size_t)(e - s), words[n], sizeof words[n]);
            if (!is_particle(words[n]) && words[n][0])
                n++;
        }
        s = e;
    }
    int pick = 0;
    if (given && n > 1 &&
        (strcmp(words[0], "MARIA") == 0 || strcmp(words[0], "MA") == 0 ||
         strcmp(words[0], "JOSE") == 0 || strcmp(words[0], "J") == 0))
        pick = 1;
    if (n == 0) {
        out[0] = '\0';
        return;
    }
    memcpy(out, words[pick], CURP_WORD_SIZE);
}

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

static char first_inner(const char *w, bool vowel)
{
    for (size_t i = 1; w[0] && w[i]; i++)
        if (is_vowel(w[i]) == vowel)
            return w[i];
    return 'X';
}

/* The dictionary holds # where Ñ stands: no CURP writes it, but it
 * keeps every later letter's value. */
char curp_check_digit(const char *curp17)
{
    static const char dict[] = "0123456789ABCDEFGHIJKLMN#OPQRSTUVWXYZ";
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *at = strchr(dict, curp17[i]);
        sum += (int)(at - dict) * (18 - i);
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

void curp_make(const struct curp_facts *f, char out[19])
{
    char pat[CURP_WORD_SIZE], mat[CURP_WORD_SIZE], giv[CURP_WORD_SIZE];
    curp_word(f->paterno, false, pat);
    if (f->materno)
        curp_word(f->materno, false, mat);
    else
        mat[0] = '\0';
    curp_word(f->given, true, giv);

    char *c = out;
    c[0] = pat[0] ? pat[0] : 'X';
    c[1] = first_inner(pat, true);
    c[2] = mat[0] ? mat[0] : 'X';
    c[3] = giv[0] ? giv[0] : 'X';
    for (size_t i = 0; i < sizeof curp_rude_words / sizeof *curp_rude_words;
         i++)
        if (memcmp(c, curp_rude_words[i], 4) == 0) {
            c[1] = 'X';
            break;
        }
    struct ymd b = date_to_ymd(f->dob);
    c[4] = (char)('0' + b.year / 10 % 10);
    c[5] = (char)('0' + b.year % 10);
    c[6] = (char)('0' + b.month / 10);
    c[7] = (char)('0' + b.month % 10);
    c[8] = (char)('0' + b.day / 10);
    c[9] = (char)('0' + b.day % 10);
    c[10] = f->sex;
    c[11] = f->state[0];
    c[12] = f->state[1];
    c[13] = first_inner(pat, false);
    c[14] = mat[0] ? first_inner(mat, false) : 'X';
    c[15] = first_inner(giv, false);
    c[16] = (char)(b.year < 2000 ? '0' + f->homonym : 'A' + f->homonym);
    c[17] = curp_check_digit(c);
    c[18] = '\0';
}

void nss_make(int subdelegation, int registered_year, int birth_year,
              int sequence, char out[12])
{
    int digits[11] = {
        subdelegation / 10 % 10, subdelegation % 10,
        registered_year / 10 % 10, registered_year % 10,
        birth_year / 10 % 10, birth_year % 10,
        sequence / 1000 % 10, sequence / 100 % 10, sequence / 10 % 10,
        sequence % 10, 0,
    };
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int d = digits[i] * (i % 2 ? 2 : 1);
        sum += d > 9 ? d - 9 : d;
    }
    digits[10] = (10 - sum % 10) % 10;
    for (int i = 0; i < 11; i++)
        out[i] = (char)('0' + digits[i]);
    out[11] = '\0';
}
