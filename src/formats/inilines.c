/* Lines for libinih without its line limit (inilines.h). */
#include "inilines.h"

#include <stdlib.h>
#include <string.h>

void rnnc__ini_lines_init(rnnc__ini_lines *r, const char *text) {
    memset(r, 0, sizeof *r);
    r->text = text;
}

void rnnc__ini_lines_free(rnnc__ini_lines *r) {
    free(r->long_value);
    r->long_value = NULL;
}

const char *rnnc__ini_value(const rnnc__ini_lines *r, const char *value) {
    return r->long_value ? r->long_value : value;
}

static int blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *rnnc__ini_lines_next(rnnc__ini_lines *r, char *str, int num, int reserve) {
    rnnc__ini_lines_free(r); /* a long value belongs to the line before */
    if (!*r->text)
        return NULL;
    const char *s = r->text, *nl = strchr(s, '\n');
    const size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s), room = (size_t)(num - 1 - reserve);
    r->text += len;
    r->line++;
    if (len <= room) {
        memcpy(str, s, len);
        str[len] = 0;
        return str;
    }
    /* Too long for inih. A comment line goes in as an empty comment. */
    size_t i = 0;
    while (i < len && blank(s[i]))
        i++;
    const size_t indent = i;
    if (s[i] == ';' || s[i] == '#') {
        memcpy(str, ";\n", 3);
        return str;
    }
    /* A key = value (or key : value) line, read as inih reads one: the key ends at the first '='
     * or ':', and an inline comment (';' after a blank) before it leaves no delimiter. */
    size_t eq = len;
    for (size_t k = i; k < len && eq == len; k++) {
        if (s[k] == '=' || s[k] == ':')
            eq = k;
        else if (s[k] == ';' && k > 0 && blank(s[k - 1]))
            break;
    }
    size_t key_end = eq;
    while (key_end > indent && blank(s[key_end - 1]))
        key_end--;
    if (s[i] == '[' || eq == len || indent + (key_end - indent) + 5 > room) {
        r->long_line = r->line; /* a section header, no delimiter, or a key too long */
        return NULL;
    }
    size_t v = eq + 1, v_end = len;
    while (v < v_end && blank(s[v]))
        v++;
    for (size_t k = v; k < v_end; k++)
        if (s[k] == ';' && k > v && blank(s[k - 1]))
            v_end = k;
    while (v_end > v && blank(s[v_end - 1]))
        v_end--;
    r->long_value = malloc(v_end - v + 1);
    if (!r->long_value) {
        r->long_line = r->line, r->nomem = 1;
        return NULL;
    }
    memcpy(r->long_value, s + v, v_end - v);
    r->long_value[v_end - v] = 0;
    memcpy(str, s, key_end);
    memcpy(str + key_end, " = -\n", 6);
    return str;
}
