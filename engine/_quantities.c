/* _quantities: the numeral scan, the readings, the subjects and the rule choice of the quantity
 * stage, compiled (each type below says what it stands for; the Python code stays the reference).
 *
 * engine/quantities.py finds numerals with one `regex` pattern over the whole document (an
 * Arabic or Chinese numeral, then optional words: vague-amount, multiplier, vague-amount,
 * counter, qualifier; or 百分之 and a numeral) and refuses most of them on their own shape
 * (a bare year, 一线). A megabyte holds some 8,000 such numerals and the scan and the refusals
 * cost ~50 ms/MB in Python. This module does the same scan in C. The regex stays the
 * reference (Extractor.numerals_python); tests/test_quantities_core.py compares the two.
 *
 *   Numerals(inside, mults, units, after, small_units, chars)
 *       inside, mults, units, after: the words of each optional group after a numeral
 *       small_units: counters a lone small Chinese numeral may take (一名 is a count)
 *       chars: dict of the character classes the regex is written with (see quantities.py)
 *   .scan(view) -> [((start, end, num_start, num_end, core_end), groups), ...] or None
 *       every numeral the regex finds and _refused keeps, in order; groups as
 *       m.group(pct, cnum, num, unit, mult, v1, v2, after); core_end is where the counter
 *       ends (the numeral's end without one). None for a text with characters beyond the
 *       BMP, which the caller reads with the regex (see numerals_scan).
 *
 *   Readings(...).quantities(view, text, ...) -> a paragraph's Quantity tuples: its readings, each one's
 *       subject (Subjects) and quantity rule (QuantityRules) in one call, Extractor._paragraph's loop
 *
 * Semantics of the regex this follows (each of its optional groups is an alternation of
 * words sorted longest first and nothing after a group is required, so the match never
 * backtracks into a group: each group takes the longest of its words that stands there):
 *   (?<![\d.A-Za-z])\d+(?:,\d{3})*(?:\.\d+)?   |  (?<![cn_behind])[cn_first][cn_rest]*(?:点[cn_digits]+)?
 *   then v1? mult? v2? unit? after?;  or  百分之 (arabic | chinese), with no tail.
 * Matches are found left to right, each search starting where the last match ended.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* DECIMAL: Py_UNICODE_ISDECIMAL, read from the table; PERCENT_FIRST: the first character of 百分之.
 * A character with none of DECIMAL, CN_FIRST, PERCENT_FIRST starts nothing: one lookup skips it.
 * UNIT_FIRST: the first character of a unit (most numerals have none after them: no walk of the units). */
enum { CN_FIRST = 1, CN_REST = 2, CN_BEHIND = 4, CN_DIGIT = 8, CN_WITHIN = 16, DECIMAL = 32, PERCENT_FIRST = 64,
       UNIT_FIRST = 128 };

typedef struct {
    Py_ssize_t n;
    Py_ssize_t *len;         /* longest first */
    Py_UCS4 **chars;
    PyObject **word;         /* the words as str, handed out as group values */
} Words;

typedef struct {
    PyObject_HEAD
    Words inside, mults, units, after;
    PyObject *small_units;   /* frozenset of str */
    uint8_t cls[65536];      /* CN_* flags of each BMP character */
    Py_UCS4 point;           /* 点 */
    Words percent;           /* one word: 百分之 */
} Numerals;

static void words_free(Words *w) {
    for (Py_ssize_t i = 0; i < w->n; i++) {
        PyMem_Free(w->chars[i]);
        Py_XDECREF(w->word[i]);
    }
    PyMem_Free(w->len);
    PyMem_Free(w->chars);
    PyMem_Free(w->word);
    memset(w, 0, sizeof *w);
}

static int by_length_desc(const void *x, const void *y) {
    Py_ssize_t a = PyUnicode_GET_LENGTH(*(PyObject *const *)x), b = PyUnicode_GET_LENGTH(*(PyObject *const *)y);
    return (a < b) - (a > b);
}

static int words_init(Words *w, PyObject *seq, const char *what, int longest_first) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **sorted = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    w->len = PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t));
    w->chars = PyMem_Calloc(n ? n : 1, sizeof(Py_UCS4 *));
    w->word = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    if (!sorted || !w->len || !w->chars || !w->word) { PyMem_Free(sorted); Py_DECREF(fast); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyUnicode_Check(s) || PyUnicode_GET_LENGTH(s) == 0) {
            PyErr_Format(PyExc_TypeError, "%s: every word must be a non-empty str", what);
            PyMem_Free(sorted); Py_DECREF(fast); return -1;
        }
        sorted[i] = s;
    }
    /* longest first, as the regex alternation lists them: the first word that stands there wins */
    if (longest_first) qsort(sorted, n, sizeof(PyObject *), by_length_desc);
    for (Py_ssize_t i = 0; i < n; i++) {
        w->chars[i] = PyUnicode_AsUCS4Copy(sorted[i]);
        if (!w->chars[i]) { w->n = i; PyMem_Free(sorted); Py_DECREF(fast); return -1; }
        w->len[i] = PyUnicode_GET_LENGTH(sorted[i]);
        Py_INCREF(sorted[i]);
        w->word[i] = sorted[i];
        w->n = i + 1;
    }
    PyMem_Free(sorted);
    Py_DECREF(fast);
    return 0;
}

/* the index of the first word of w (longest first where words_init sorted them) that stands
 * wholly inside text[i:end], or -1 */
static inline Py_ssize_t word_at(const Words *w, int kind, const void *data, Py_ssize_t end, Py_ssize_t i) {
    for (Py_ssize_t k = 0; k < w->n; k++) {
        Py_ssize_t len = w->len[k];
        if (i + len > end) continue;
        const Py_UCS4 *c = w->chars[k];
        Py_ssize_t j = 0;
        while (j < len && PyUnicode_READ(kind, data, i + j) == c[j]) j++;
        if (j == len) return k;
    }
    return -1;
}

static void numerals_dealloc(Numerals *self) {
    words_free(&self->inside);
    words_free(&self->mults);
    words_free(&self->units);
    words_free(&self->after);
    words_free(&self->percent);
    Py_XDECREF(self->small_units);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* chars[name] as a str of BMP characters, each flagged in cls */
static int flag_chars(Numerals *self, PyObject *chars, const char *name, uint8_t flag) {
    PyObject *s = PyDict_GetItemString(chars, name);
    if (!s || !PyUnicode_Check(s)) { PyErr_Format(PyExc_KeyError, "chars needs a str under %s", name); return -1; }
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(s, i);
        if (c > 0xFFFF) { PyErr_Format(PyExc_ValueError, "chars[%s]: only BMP characters are supported", name); return -1; }
        self->cls[c] |= flag;
    }
    return 0;
}

static PyObject *numerals_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *inside, *mults, *units, *after, *small, *chars;
    static char *names[] = {"inside", "mults", "units", "after", "small_units", "chars", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOO!:Numerals", names, &inside, &mults, &units, &after, &small,
                                     &PyDict_Type, &chars))
        return NULL;
    Numerals *self = (Numerals *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    if (words_init(&self->inside, inside, "inside", 1) < 0 || words_init(&self->mults, mults, "mults", 1) < 0
        || words_init(&self->units, units, "units", 1) < 0 || words_init(&self->after, after, "after", 1) < 0)
        goto fail;
    self->small_units = PyFrozenSet_New(small);
    if (!self->small_units) goto fail;
    if (flag_chars(self, chars, "cn_first", CN_FIRST) < 0 || flag_chars(self, chars, "cn_rest", CN_REST) < 0
        || flag_chars(self, chars, "cn_behind", CN_BEHIND) < 0 || flag_chars(self, chars, "cn_digits", CN_DIGIT) < 0
        || flag_chars(self, chars, "multiplier_within", CN_WITHIN) < 0)
        goto fail;
    PyObject *point = PyDict_GetItemString(chars, "point"), *percent = PyDict_GetItemString(chars, "percent");
    if (!point || !PyUnicode_Check(point) || PyUnicode_GET_LENGTH(point) != 1 || !percent) {
        PyErr_SetString(PyExc_ValueError, "chars needs point (one character) and percent (a word)");
        goto fail;
    }
    self->point = PyUnicode_READ_CHAR(point, 0);
    for (Py_UCS4 c = 0; c <= 0xFFFF; c++)
        if (Py_UNICODE_ISDECIMAL(c)) self->cls[c] |= DECIMAL;
    PyObject *percent_word = PyTuple_Pack(1, percent);
    int bad = !percent_word || words_init(&self->percent, percent_word, "percent", 0) < 0;
    Py_XDECREF(percent_word);
    if (bad) goto fail;
    if (self->percent.chars[0][0] > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, "chars[percent]: only BMP characters are supported");
        goto fail;
    }
    self->cls[self->percent.chars[0][0]] |= PERCENT_FIRST;
    for (Py_ssize_t k = 0; k < self->units.n; k++)
        if (self->units.chars[k][0] <= 0xFFFF) self->cls[self->units.chars[k][0]] |= UNIT_FIRST;
        else { PyErr_SetString(PyExc_ValueError, "units: only BMP characters are supported"); goto fail; }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static inline int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static inline uint8_t flags_of(const Numerals *self, Py_UCS4 c) { return c <= 0xFFFF ? self->cls[c] : 0; }

/* the end of \d+(?:,\d{3})*(?:\.\d+)? at text[i:] (text[i] is a decimal digit) */
static Py_ssize_t arabic_end(const Numerals *self, int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
#define DEC(k) ((k) < n && (flags_of(self, PyUnicode_READ(kind, data, (k))) & DECIMAL))
    Py_ssize_t j = i;
    while (DEC(j)) j++;
    while (j + 3 < n && PyUnicode_READ(kind, data, j) == ',' && DEC(j + 1) && DEC(j + 2) && DEC(j + 3)) j += 4;
    if (j + 1 < n && PyUnicode_READ(kind, data, j) == '.' && DEC(j + 1)) {
        j += 1;
        while (DEC(j)) j++;
    }
    return j;
#undef DEC
}

/* the end of [cn_first][cn_rest]*(?:点[cn_digits]+)? at text[i:] (text[i] is a cn_first) */
static Py_ssize_t chinese_end(const Numerals *self, int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i + 1;
    while (j < n && (flags_of(self, PyUnicode_READ(kind, data, j)) & CN_REST)) j++;
    if (j + 1 < n && PyUnicode_READ(kind, data, j) == self->point
        && (flags_of(self, PyUnicode_READ(kind, data, j + 1)) & CN_DIGIT)) {
        j += 2;
        while (j < n && (flags_of(self, PyUnicode_READ(kind, data, j)) & CN_DIGIT)) j++;
    }
    return j;
}

/* the longest word of w at text[*j:], as a new reference (Py_None if none); *j moves past it */
static PyObject *take(const Words *w, int kind, const void *data, Py_ssize_t n, Py_ssize_t *j) {
    Py_ssize_t k = word_at(w, kind, data, n, *j);
    if (k < 0) Py_RETURN_NONE;
    *j += w->len[k];
    Py_INCREF(w->word[k]);
    return w->word[k];
}

/* ((start, end, num_start, num_end, core_end), (pct, cnum, num, unit, mult, v1, v2, after)), taking
 * the eight references; NULL (and every reference released) on error. Built by hand: Py_BuildValue
 * parsing its format was most of the scan's cost. */
static PyObject *numeral_item(Py_ssize_t start, Py_ssize_t end, Py_ssize_t num_start, Py_ssize_t num_end,
                              Py_ssize_t core_end, PyObject *pct, PyObject *cnum, PyObject *num, PyObject *unit,
                              PyObject *mult, PyObject *v1, PyObject *v2, PyObject *after) {
    PyObject *groups[8] = {pct, cnum, num, unit, mult, v1, v2, after};
    Py_ssize_t offsets[5] = {start, end, num_start, num_end, core_end};
    PyObject *spans = PyTuple_New(5), *values = PyTuple_New(8), *item = PyTuple_New(2);
    if (!spans || !values || !item) goto fail;
    for (int k = 0; k < 5; k++) {
        PyObject *o = PyLong_FromSsize_t(offsets[k]);
        if (!o) goto fail;
        PyTuple_SET_ITEM(spans, k, o);
    }
    for (int k = 0; k < 8; k++) {
        PyTuple_SET_ITEM(values, k, groups[k]);
        groups[k] = NULL;
    }
    PyTuple_SET_ITEM(item, 0, spans);
    PyTuple_SET_ITEM(item, 1, values);
    return item;
fail:
    for (int k = 0; k < 8; k++) Py_XDECREF(groups[k]);
    Py_XDECREF(spans);
    Py_XDECREF(values);
    Py_XDECREF(item);
    return NULL;
}

static PyObject *numerals_scan(Numerals *self, PyObject *text) {
    if (!PyUnicode_Check(text)) { PyErr_SetString(PyExc_TypeError, "scan() needs a str"); return NULL; }
    int kind = PyUnicode_KIND(text);
    /* The regex module's \d follows a newer Unicode than Python's own tables, and they differ
     * on ~100 digits beyond the BMP: a text holding such characters goes to the regex. */
    if (kind == PyUnicode_4BYTE_KIND) Py_RETURN_NONE;
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        uint8_t f = flags_of(self, c);
        if (!(f & (DECIMAL | CN_FIRST | PERCENT_FIRST))) { i++; continue; }
        Py_UCS4 prev = i ? PyUnicode_READ(kind, data, i - 1) : 0;
        int chinese = 0;
        Py_ssize_t num_end = -1;
        if (f & DECIMAL) {
            if (!(i && ((flags_of(self, prev) & DECIMAL) || prev == '.' || is_ascii_letter(prev))))
                num_end = arabic_end(self, kind, data, n, i);
        } else if (f & CN_FIRST) {
            if (!(i && (flags_of(self, prev) & CN_BEHIND))) {
                num_end = chinese_end(self, kind, data, n, i);
                chinese = 1;
            }
        }
        if (num_end < 0) {
            /* 百分之 and a numeral (no tail, never refused) */
            Py_ssize_t at = i + self->percent.len[0], end = -1;
            if (word_at(&self->percent, kind, data, n, i) == 0 && at < n) {
                Py_UCS4 d = PyUnicode_READ(kind, data, at);
                if (flags_of(self, d) & DECIMAL) end = arabic_end(self, kind, data, n, at);
                else if (flags_of(self, d) & CN_FIRST) end = chinese_end(self, kind, data, n, at);
            }
            if (end < 0) { i++; continue; }
            PyObject *pct = PyUnicode_Substring(text, at, end);
            PyObject *item = pct ? numeral_item(i, end, at, end, end, pct, Py_NewRef(Py_None), Py_NewRef(Py_None),
                                                Py_NewRef(Py_None), Py_NewRef(Py_None), Py_NewRef(Py_None),
                                                Py_NewRef(Py_None), Py_NewRef(Py_None)) : NULL;
            if (!item || PyList_Append(out, item) < 0) { Py_XDECREF(item); goto fail; }
            Py_DECREF(item);
            i = end;
            continue;
        }
        Py_ssize_t j = num_end;
        PyObject *v1 = take(&self->inside, kind, data, n, &j);
        PyObject *mult = take(&self->mults, kind, data, n, &j);
        PyObject *v2 = take(&self->inside, kind, data, n, &j);
        PyObject *unit = j < n && (flags_of(self, PyUnicode_READ(kind, data, j)) & UNIT_FIRST)
            ? take(&self->units, kind, data, n, &j) : Py_NewRef(Py_None);
        Py_ssize_t core_end = j;
        PyObject *after = take(&self->after, kind, data, n, &j);
        Py_ssize_t end = j;
        /* the refusals of Extractor._refused: a bare number is a year, code or page number
         * unless it carries 万/亿; 一 to 十 alone are usually words (一线), unless a small
         * counter, multiplier or vague word comes with them */
        int refused = 0;
        if (unit == Py_None && mult == Py_None) {
            int within = 0;
            if (chinese)
                for (Py_ssize_t k = i; k < num_end && !within; k++)
                    within = (flags_of(self, PyUnicode_READ(kind, data, k)) & CN_WITHIN) != 0;
            refused = !within;
        }
        if (!refused && chinese && num_end - i == 1 && mult == Py_None && v1 == Py_None && v2 == Py_None) {
            int small = unit != Py_None ? PySet_Contains(self->small_units, unit) : 0;
            if (small < 0) { Py_DECREF(v1); Py_DECREF(mult); Py_DECREF(v2); Py_DECREF(unit); Py_DECREF(after); goto fail; }
            refused = !small;
        }
        if (refused) {
            Py_DECREF(v1); Py_DECREF(mult); Py_DECREF(v2); Py_DECREF(unit); Py_DECREF(after);
            i = end;
            continue;
        }
        PyObject *num = PyUnicode_Substring(text, i, num_end);
        if (!num) { Py_DECREF(v1); Py_DECREF(mult); Py_DECREF(v2); Py_DECREF(unit); Py_DECREF(after); goto fail; }
        PyObject *item = numeral_item(i, end, i, num_end, unit != Py_None ? core_end : end, Py_NewRef(Py_None),
                                      chinese ? num : Py_NewRef(Py_None), chinese ? Py_NewRef(Py_None) : num,
                                      unit, mult, v1, v2, after);
        if (!item || PyList_Append(out, item) < 0) { Py_XDECREF(item); goto fail; }
        Py_DECREF(item);
        i = end;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef numerals_methods[] = {
    {"scan", (PyCFunction)numerals_scan, METH_O,
     "scan(view) -> [((start, end, num_start, num_end, core_end), groups), ...] of the numerals not refused"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject NumeralsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._quantities.Numerals",
    .tp_basicsize = sizeof(Numerals),
    .tp_dealloc = (destructor)numerals_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the numeral scan of engine.quantities: Numerals(inside, mults, units, after, small_units, chars)",
    .tp_methods = numerals_methods,
    .tp_new = numerals_new,
};

/* ------------------------------------------------------------------- subjects --- */

/* Extractor._subject: the words a number counts (the verb phrase before it and the noun after
 * its counter) and its clause. The Python method stays the reference (Extractor._subject_python).
 *
 *   Subjects(skip, stops, subject_trim, post_trim, max_chars, delimiters)
 *       skip: words dropped from the head of a subject, tried in their listed order
 *       stops: words that end the part after the counter
 *   .subject(view, paragraph_end, start, end, pre_end, clause_start, prev_end, next_start, claimed)
 *       -> (subject or None, clause)
 */
typedef struct {
    PyObject_HEAD
    Words skip, stops;
    Py_UCS4 *subject_trim, *post_trim, *delimiters;
    Py_ssize_t n_subject_trim, n_post_trim, n_delimiters, max_chars;
} Subjects;

static void subjects_dealloc(Subjects *self) {
    words_free(&self->skip);
    words_free(&self->stops);
    PyMem_Free(self->subject_trim);
    PyMem_Free(self->post_trim);
    PyMem_Free(self->delimiters);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *subjects_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *skip, *stops, *subject_trim, *post_trim, *delimiters;
    Py_ssize_t max_chars;
    static char *names[] = {"skip", "stops", "subject_trim", "post_trim", "max_chars", "delimiters", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOUUnU:Subjects", names, &skip, &stops, &subject_trim, &post_trim,
                                     &max_chars, &delimiters))
        return NULL;
    Subjects *self = (Subjects *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    if (words_init(&self->skip, skip, "skip", 0) < 0 || words_init(&self->stops, stops, "stops", 0) < 0) goto fail;
    self->subject_trim = PyUnicode_AsUCS4Copy(subject_trim);
    self->post_trim = PyUnicode_AsUCS4Copy(post_trim);
    self->delimiters = PyUnicode_AsUCS4Copy(delimiters);
    if (!self->subject_trim || !self->post_trim || !self->delimiters) goto fail;
    self->n_subject_trim = PyUnicode_GET_LENGTH(subject_trim);
    self->n_post_trim = PyUnicode_GET_LENGTH(post_trim);
    self->n_delimiters = PyUnicode_GET_LENGTH(delimiters);
    self->max_chars = max_chars;
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static inline int among(Py_UCS4 c, const Py_UCS4 *set, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (set[i] == c) return 1;
    return 0;
}

#define READ(i) PyUnicode_READ(kind, data, (i))

/* Extractor._subject_words: the subject, or NULL with no error for None */
static PyObject *subject_words(Subjects *self, PyObject *text, int kind, const void *data, Py_ssize_t start,
                               Py_ssize_t end, Py_ssize_t pre_end, Py_ssize_t pre_start, Py_ssize_t clause_end,
                               Py_ssize_t next_start, PyObject *claimed, int *error) {
    *error = 0;
    Py_ssize_t n_claimed = PySequence_Fast_GET_SIZE(claimed);
    PyObject **spans = PySequence_Fast_ITEMS(claimed);
    /* time frames and fillers at the head of the clause (2020年底, 去年, 其中) are no part of it */
    int changed = 1;
    while (changed && pre_start < start) {
        changed = 0;
        /* the first listed skip word at pre_start that leaves something after it */
        Py_ssize_t k = word_at(&self->skip, kind, data, start - 1, pre_start);
        if (k >= 0) { pre_start += self->skip.len[k]; changed = 1; continue; }
        for (Py_ssize_t k = 0; k < n_claimed; k++) {
            PyObject *span = spans[k];
            if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
                PyErr_SetString(PyExc_TypeError, "claimed spans must be (start, end) tuples");
                *error = 1;
                return NULL;
            }
            Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0)), e = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
            if (PyErr_Occurred()) { *error = 1; return NULL; }
            if (s == pre_start && e < start) {
                if (e < 0) { PyErr_SetString(PyExc_ValueError, "a claimed span ends before the text"); *error = 1; return NULL; }
                pre_start = e;
                changed = 1;
                break;
            }
        }
    }
    /* pre = view[pre_start:pre_end].strip().strip(subject_trim) */
    Py_ssize_t a = pre_start, b = pre_end < pre_start ? pre_start : pre_end;
    while (a < b && Py_UNICODE_ISSPACE(READ(a))) a++;
    while (b > a && Py_UNICODE_ISSPACE(READ(b - 1))) b--;
    while (a < b && among(READ(a), self->subject_trim, self->n_subject_trim)) a++;
    while (b > a && among(READ(b - 1), self->subject_trim, self->n_subject_trim)) b--;
    /* post = view[end:min(clause_end, next_start)], cut at the first stop word, then
     * .strip().rstrip(post_trim); kept only when it starts with a CJK character, " or ( */
    Py_ssize_t c = end, d = clause_end < next_start ? clause_end : next_start;
    if (d < c) d = c;
    for (Py_ssize_t i = c; i < d; i++)
        if (word_at(&self->stops, kind, data, d, i) >= 0) { d = i; break; }
    while (c < d && Py_UNICODE_ISSPACE(READ(c))) c++;
    while (d > c && Py_UNICODE_ISSPACE(READ(d - 1))) d--;
    while (d > c && among(READ(d - 1), self->post_trim, self->n_post_trim)) d--;
    if (c < d) {
        Py_UCS4 first = READ(c);
        if (!((first >= 0x4E00 && first <= 0x9FFF) || first == '"' || first == '(')) d = c;
    }
    /* verb before, noun after (选派24万名干部 -> 选派干部); otherwise whichever is there */
    Py_ssize_t pre_len = b - a, post_len = d - c, keep;
    if (post_len) {
        Py_ssize_t room = self->max_chars - post_len;
        keep = room > 0 ? (room < pre_len ? room : pre_len) : 0;
    } else {
        /* pre[-max_chars:] as Python slices it: pre[-0:] is the whole of pre, pre[-(-k):] drops k */
        if (self->max_chars > 0) keep = self->max_chars < pre_len ? self->max_chars : pre_len;
        else keep = pre_len + self->max_chars > 0 ? pre_len + self->max_chars : 0;
        if (self->max_chars == 0) keep = pre_len;
    }
    if (keep + post_len == 0) return NULL;
    PyObject *head = PyUnicode_Substring(text, b - keep, b);
    if (!head) { *error = 1; return NULL; }
    if (!post_len) return head;
    PyObject *tail = PyUnicode_Substring(text, c, d);
    if (!tail) { Py_DECREF(head); *error = 1; return NULL; }
    PyObject *subject = PyUnicode_Concat(head, tail);
    Py_DECREF(head);
    Py_DECREF(tail);
    if (!subject) *error = 1;
    return subject;
}

static PyObject *subjects_subject(Subjects *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError,
                        "subject(view, paragraph_end, start, end, pre_end, clause_start, prev_end, next_start, claimed)");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t v[7];
    for (int i = 0; i < 7; i++) {
        v[i] = PyLong_AsSsize_t(args[i + 1]);
        if (v[i] == -1 && PyErr_Occurred()) return NULL;
    }
    Py_ssize_t paragraph_end = v[0], start = v[1], end = v[2], pre_end = v[3], clause_start = v[4], prev_end = v[5],
               next_start = v[6];
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (start < 0 || end < start || end > n || clause_start < 0 || pre_end < 0 || pre_end > n || prev_end < 0
        || paragraph_end > n) {
        PyErr_SetString(PyExc_ValueError, "subject(): positions out of order or outside the text");
        return NULL;
    }
    PyObject *claimed = PySequence_Fast(args[8], "claimed must be a sequence of (start, end)");
    if (!claimed) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    /* the clause ends at the first delimiter after the number (or the paragraph's end) */
    Py_ssize_t clause_end = end > paragraph_end ? end : paragraph_end;
    for (Py_ssize_t i = end; i < paragraph_end; i++)
        if (among(READ(i), self->delimiters, self->n_delimiters)) { clause_end = i; break; }
    int error;
    Py_ssize_t head = clause_start > prev_end ? clause_start : prev_end;
    PyObject *subject = subject_words(self, text, kind, data, start, end, pre_end, head, clause_end, next_start, claimed,
                                      &error);
    if (error) { Py_DECREF(claimed); return NULL; }
    if ((!subject || PyUnicode_GET_LENGTH(subject) < 2) && prev_end > clause_start) {
        /* 其中35岁以下的|占82.5%: one word left after the previous number; read the whole clause */
        PyObject *wider = subject_words(self, text, kind, data, start, end, pre_end, clause_start, clause_end, next_start,
                                        claimed, &error);
        if (error) { Py_XDECREF(subject); Py_DECREF(claimed); return NULL; }
        if (wider) { Py_XDECREF(subject); subject = wider; }
    }
    Py_DECREF(claimed);
    PyObject *clause = PyUnicode_Substring(text, clause_start, clause_end);
    if (!clause) { Py_XDECREF(subject); return NULL; }
    return Py_BuildValue("(NN)", subject ? subject : Py_NewRef(Py_None), clause);
}

#undef READ

static PyMethodDef subjects_methods[] = {
    {"subject", (PyCFunction)(void (*)(void))subjects_subject, METH_FASTCALL,
     "subject(view, paragraph_end, start, end, pre_end, clause_start, prev_end, next_start, claimed)"
     " -> (subject or None, clause)"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject SubjectsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._quantities.Subjects",
    .tp_basicsize = sizeof(Subjects),
    .tp_dealloc = (destructor)subjects_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the subjects of engine.quantities: Subjects(skip, stops, subject_trim, post_trim, max_chars, delimiters)",
    .tp_methods = subjects_methods,
    .tp_new = subjects_new,
};

/* ------------------------------------------------------------------- readings --- */

/* Extractor._candidate for every numeral of a paragraph: each numeral of Numerals.scan read in
 * its context (refused next to a letter, after 第, inside a trap, quote or slogan; value,
 * qualifier, kind, clause start), in C. The Python method stays the reference. Values that are
 * not plain decimal integers, vague ranges and rate cues go to Python helpers (the few
 * numerals that need them), so the arithmetic has one definition.
 *
 *   Readings(units, before, not_after, after, inside, factors, rate_gates, delimiters, helpers)
 *       units: unit -> kind; before: word -> qualifier (the first listed per word);
 *       not_after: before-word -> words that, just before it, make it part of another word;
 *       after, inside: word -> qualifier; factors: multiplier -> int;
 *       rate_gates: per rate cue, the literals one of which it needs (None: not known);
 *       helpers: {"to_decimal", "parse", "vague_range", "exact", "rate", "not_a_number"}
 *   .paragraph(view, paragraph_start, claimed, slogan_starts, slogan_reach, numerals)
 *       -> [(start, end, value, range, qualifier, unit, kind, pre_end, clause_start), ...]
 */
typedef struct {
    PyObject_HEAD
    PyObject *units, *after, *inside, *factors;    /* dicts */
    Words before;                                  /* in listed order, first per word */
    PyObject **before_qualifier;                   /* per before word */
    Words *not_after;                              /* per before word */
    Py_ssize_t *before_lengths, n_before_lengths;  /* distinct lengths, longest first */
    Py_UCS4 *before_ends;                          /* last characters of the before words */
    Py_ssize_t n_before_ends;
    Words *rate_gates;                             /* per rate cue */
    int *rate_gated;                               /* 0: the cue has no gate (always tried) */
    Py_ssize_t n_rates;
    Py_UCS4 *delimiters;
    Py_ssize_t n_delimiters;
    PyObject *to_decimal, *parse, *vague_range, *exact, *rate, *not_a_number;
    PyObject *one, *empty, *s_exact, *s_percent, *s_pct_kind, *s_count, *s_duration, *s_more_than, *s_rate;
} Readings;

static void readings_dealloc(Readings *self) {
    for (Py_ssize_t i = 0; i < self->before.n; i++) {
        if (self->before_qualifier) Py_XDECREF(self->before_qualifier[i]);
        if (self->not_after) words_free(&self->not_after[i]);
    }
    words_free(&self->before);
    PyMem_Free(self->before_qualifier);
    PyMem_Free(self->not_after);
    PyMem_Free(self->before_lengths);
    PyMem_Free(self->before_ends);
    for (Py_ssize_t i = 0; i < self->n_rates; i++)
        if (self->rate_gates) words_free(&self->rate_gates[i]);
    PyMem_Free(self->rate_gates);
    PyMem_Free(self->rate_gated);
    PyMem_Free(self->delimiters);
    Py_XDECREF(self->units); Py_XDECREF(self->after); Py_XDECREF(self->inside); Py_XDECREF(self->factors);
    Py_XDECREF(self->to_decimal); Py_XDECREF(self->parse); Py_XDECREF(self->vague_range); Py_XDECREF(self->exact);
    Py_XDECREF(self->rate); Py_XDECREF(self->not_a_number);
    Py_XDECREF(self->one); Py_XDECREF(self->empty); Py_XDECREF(self->s_exact); Py_XDECREF(self->s_percent);
    Py_XDECREF(self->s_pct_kind); Py_XDECREF(self->s_count); Py_XDECREF(self->s_duration);
    Py_XDECREF(self->s_more_than); Py_XDECREF(self->s_rate);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *helper(PyObject *helpers, const char *name) {
    PyObject *f = PyDict_GetItemString(helpers, name);
    if (!f) { PyErr_Format(PyExc_KeyError, "helpers needs %s", name); return NULL; }
    return Py_NewRef(f);
}

static PyObject *readings_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *units, *before, *not_after, *after, *inside, *factors, *rate_gates, *delimiters, *helpers;
    static char *names[] = {"units", "before", "not_after", "after", "inside", "factors", "rate_gates", "delimiters",
                            "helpers", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!O!OUO!:Readings", names, &PyDict_Type, &units,
                                     &PyDict_Type, &before, &PyDict_Type, &not_after, &PyDict_Type, &after,
                                     &PyDict_Type, &inside, &PyDict_Type, &factors, &rate_gates, &delimiters,
                                     &PyDict_Type, &helpers))
        return NULL;
    Readings *self = (Readings *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    /* copies: the tables are read while the dicts the caller holds could change */
    self->units = PyDict_Copy(units); self->after = PyDict_Copy(after); self->inside = PyDict_Copy(inside);
    self->factors = PyDict_Copy(factors);
    if (!self->units || !self->after || !self->inside || !self->factors) goto fail;
    PyObject *words = PyDict_Keys(before);
    if (!words) goto fail;
    int bad = words_init(&self->before, words, "before", 0) < 0;
    Py_DECREF(words);
    if (bad) goto fail;
    Py_ssize_t nb = self->before.n;
    self->before_qualifier = PyMem_Calloc(nb ? nb : 1, sizeof(PyObject *));
    self->not_after = PyMem_Calloc(nb ? nb : 1, sizeof(Words));
    self->before_lengths = PyMem_Calloc(nb ? nb : 1, sizeof(Py_ssize_t));
    self->before_ends = PyMem_Calloc(nb ? nb : 1, sizeof(Py_UCS4));
    if (!self->before_qualifier || !self->not_after || !self->before_lengths || !self->before_ends) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *word = self->before.word[i];
        PyObject *q = PyDict_GetItemWithError(before, word);
        if (!q) { if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "before changed"); goto fail; }
        self->before_qualifier[i] = Py_NewRef(q);
        PyObject *others = PyDict_GetItemWithError(not_after, word);
        if (!others && PyErr_Occurred()) goto fail;
        PyObject *none = others ? NULL : PyTuple_New(0);
        if (!others && !none) goto fail;
        bad = words_init(&self->not_after[i], others ? others : none, "not_after", 0) < 0;
        Py_XDECREF(none);
        if (bad) goto fail;
        Py_ssize_t len = self->before.len[i];
        Py_ssize_t k = 0;
        while (k < self->n_before_lengths && self->before_lengths[k] != len) k++;
        if (k == self->n_before_lengths) self->before_lengths[self->n_before_lengths++] = len;
        Py_UCS4 last = self->before.chars[i][len - 1];
        k = 0;
        while (k < self->n_before_ends && self->before_ends[k] != last) k++;
        if (k == self->n_before_ends) self->before_ends[self->n_before_ends++] = last;
    }
    /* longest first, as Extractor._before_lengths */
    for (Py_ssize_t i = 1; i < self->n_before_lengths; i++)
        for (Py_ssize_t j = i; j > 0 && self->before_lengths[j] > self->before_lengths[j - 1]; j--) {
            Py_ssize_t t = self->before_lengths[j]; self->before_lengths[j] = self->before_lengths[j - 1];
            self->before_lengths[j - 1] = t;
        }
    PyObject *gates = PySequence_Fast(rate_gates, "rate_gates must be a sequence");
    if (!gates) goto fail;
    Py_ssize_t nr = PySequence_Fast_GET_SIZE(gates);
    self->rate_gates = PyMem_Calloc(nr ? nr : 1, sizeof(Words));
    self->rate_gated = PyMem_Calloc(nr ? nr : 1, sizeof(int));
    if (!self->rate_gates || !self->rate_gated) { Py_DECREF(gates); PyErr_NoMemory(); goto fail; }
    self->n_rates = nr;
    for (Py_ssize_t i = 0; i < nr; i++) {
        PyObject *g = PySequence_Fast_GET_ITEM(gates, i);
        if (g == Py_None) continue;
        self->rate_gated[i] = 1;
        if (words_init(&self->rate_gates[i], g, "rate_gates", 0) < 0) { Py_DECREF(gates); goto fail; }
    }
    Py_DECREF(gates);
    self->delimiters = PyUnicode_AsUCS4Copy(delimiters);
    if (!self->delimiters) goto fail;
    self->n_delimiters = PyUnicode_GET_LENGTH(delimiters);
    if (!(self->to_decimal = helper(helpers, "to_decimal")) || !(self->parse = helper(helpers, "parse"))
        || !(self->vague_range = helper(helpers, "vague_range")) || !(self->exact = helper(helpers, "exact"))
        || !(self->rate = helper(helpers, "rate")) || !(self->not_a_number = helper(helpers, "not_a_number")))
        goto fail;
    self->one = PyLong_FromLong(1);
    self->empty = PyUnicode_FromString("");
    self->s_exact = PyUnicode_InternFromString("exact");
    self->s_percent = PyUnicode_InternFromString("%");
    self->s_pct_kind = PyUnicode_InternFromString("percent");
    self->s_count = PyUnicode_InternFromString("count");
    self->s_duration = PyUnicode_InternFromString("duration");
    self->s_more_than = PyUnicode_InternFromString("more_than");
    self->s_rate = PyUnicode_InternFromString("rate");
    if (!self->one || !self->empty || !self->s_exact || !self->s_percent || !self->s_pct_kind || !self->s_count
        || !self->s_duration || !self->s_more_than || !self->s_rate)
        goto fail;
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

#define READ(i) PyUnicode_READ(kind, data, (i))

/* an exact int as Py_ssize_t (no __index__ runs while borrowed lists are walked); -1 and an error otherwise */
static int exact_index(PyObject *o, Py_ssize_t *out) {
    if (!PyLong_CheckExact(o)) { PyErr_SetString(PyExc_TypeError, "positions must be ints"); return -1; }
    *out = PyLong_AsSsize_t(o);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* whether [start, end) overlaps a claimed (s, e) span: 1, 0, or -1 on error */
static int overlaps_claimed(PyObject *claimed, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t n = PyList_GET_SIZE(claimed);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *span = PyList_GET_ITEM(claimed, k);
        Py_ssize_t s, e;
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
            PyErr_SetString(PyExc_TypeError, "claimed spans must be (start, end) tuples");
            return -1;
        }
        if (exact_index(PyTuple_GET_ITEM(span, 0), &s) < 0 || exact_index(PyTuple_GET_ITEM(span, 1), &e) < 0) return -1;
        if (s < end && start < e) return 1;
    }
    return 0;
}

/* _clause_start: just after the last delimiter in [floor, pos), else min(floor, pos) */
static Py_ssize_t clause_start_of(const Readings *self, int kind, const void *data, Py_ssize_t floor, Py_ssize_t pos) {
    for (Py_ssize_t i = pos - 1; i >= floor; i--)
        if (among(READ(i), self->delimiters, self->n_delimiters)) return i + 1;
    return floor < pos ? floor : pos;
}

static int same_chars(int kind, const void *data, Py_ssize_t at, const Py_UCS4 *chars, Py_ssize_t len) {
    for (Py_ssize_t j = 0; j < len; j++)
        if (READ(at + j) != chars[j]) return 0;
    return 1;
}

/* whether text[a:b] holds one of the words (str.__contains__ over a slice) */
static int holds_word(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, const Words *w) {
    for (Py_ssize_t i = a; i < b; i++)
        if (word_at(w, kind, data, b, i) >= 0) return 1;
    return 0;
}

/* a call of a helper that may say NotANumber: 1 with *out set, 0 when it did (refused), -1 on error */
static int call_number(Readings *self, PyObject *f, PyObject *arg, PyObject **out) {
    *out = PyObject_CallOneArg(f, arg);
    if (*out) return 1;
    if (PyErr_ExceptionMatches(self->not_a_number)) { PyErr_Clear(); return 0; }
    return -1;
}

/* (start, end, value, range, qualifier, unit, kind, pre_end, clause_start): new references to the
 * borrowed objects; by hand, as Py_BuildValue's format parsing costs more than the rest */
static PyObject *reading(Py_ssize_t start, Py_ssize_t end, PyObject *value, PyObject *rng, PyObject *qualifier,
                         PyObject *unit, PyObject *kind_of, Py_ssize_t pre_end, Py_ssize_t clause) {
    PyObject *t = PyTuple_New(9);
    if (!t) return NULL;
    Py_ssize_t ints[4] = {start, end, pre_end, clause};
    int at[4] = {0, 1, 7, 8};
    for (int k = 0; k < 4; k++) {
        PyObject *o = PyLong_FromSsize_t(ints[k]);
        if (!o) { Py_DECREF(t); return NULL; }
        PyTuple_SET_ITEM(t, at[k], o);
    }
    PyObject *objects[5] = {value, rng, qualifier, unit, kind_of};
    for (int k = 0; k < 5; k++) PyTuple_SET_ITEM(t, k + 2, Py_NewRef(objects[k]));
    return t;
}

/* one numeral in its paragraph: a new reference to its tuple, Py_None when refused, NULL on error */
static PyObject *read_numeral(Readings *self, PyObject *text, int kind, const void *data, Py_ssize_t n,
                              Py_ssize_t p_start, PyObject *claimed, PyObject *slogan_starts, PyObject *slogan_reach,
                              PyObject *item) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(item, 0))
        || PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 0)) != 5 || !PyTuple_Check(PyTuple_GET_ITEM(item, 1))
        || PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 1)) != 8) {
        PyErr_SetString(PyExc_TypeError, "numerals must be ((start, end, num_start, num_end, core_end), groups)");
        return NULL;
    }
    PyObject *spans = PyTuple_GET_ITEM(item, 0), *groups = PyTuple_GET_ITEM(item, 1);
    Py_ssize_t v[5];
    for (int k = 0; k < 5; k++)
        if (exact_index(PyTuple_GET_ITEM(spans, k), &v[k]) < 0) return NULL;
    Py_ssize_t start = v[0], end = v[1], num_start = v[2], num_end = v[3], core_end = v[4];
    if (start < 0 || num_start < p_start || end > n || num_end > n || core_end > n || start > end) {
        PyErr_SetString(PyExc_ValueError, "a numeral outside its paragraph or the text");
        return NULL;
    }
    PyObject *g[8];
    for (int k = 0; k < 8; k++) {
        g[k] = PyTuple_GET_ITEM(groups, k);
        if (g[k] != Py_None && !PyUnicode_Check(g[k])) {
            PyErr_SetString(PyExc_TypeError, "numeral groups must be str or None");
            return NULL;
        }
    }
    PyObject *pct = g[0], *cnum = g[1], *arabic = g[2], *unit = g[3], *mult = g[4], *v1 = g[5], *v2 = g[6],
             *after_word = g[7];
    int o;
    if (pct != Py_None) {
        if ((o = overlaps_claimed(claimed, num_start, num_end)) != 0) return o < 0 ? NULL : Py_NewRef(Py_None);
        PyObject *value;
        if ((o = call_number(self, self->parse, pct, &value)) <= 0) return o < 0 ? NULL : Py_NewRef(Py_None);
        Py_ssize_t clause = clause_start_of(self, kind, data, p_start, start);
        PyObject *t = reading(start, end, value, Py_None, self->s_exact, self->s_percent, self->s_pct_kind, start, clause);
        Py_DECREF(value);
        return t;
    }
    int chinese = cnum != Py_None;
    PyObject *num = chinese ? cnum : arabic;
    if (num == Py_None || PyUnicode_GET_LENGTH(num) == 0) {
        PyErr_SetString(PyExc_ValueError, "a numeral without its number");
        return NULL;
    }
    int has_unit = unit != Py_None && PyUnicode_GET_LENGTH(unit) > 0;
    int has_mult = mult != Py_None && PyUnicode_GET_LENGTH(mult) > 0;
    PyObject *vague = v1 != Py_None && PyUnicode_GET_LENGTH(v1) > 0 ? v1
        : (v2 != Py_None && PyUnicode_GET_LENGTH(v2) > 0 ? v2 : NULL);
    int small = chinese && PyUnicode_GET_LENGTH(num) == 1 && !has_mult && !vague;
    if (end < n) {
        Py_UCS4 follow = READ(end);
        /* reduplication: 一名名, 一次次 (each and every), not a count */
        if (has_unit && follow == PyUnicode_READ_CHAR(unit, PyUnicode_GET_LENGTH(unit) - 1)) return Py_NewRef(Py_None);
        if (follow < 128 && ((follow >= '0' && follow <= '9') || is_ascii_letter(follow))) return Py_NewRef(Py_None);
    }
    if (num_start >= 1 && READ(num_start - 1) == 0x7B2C /* 第 */) return Py_NewRef(Py_None);
    if ((o = overlaps_claimed(claimed, num_start, core_end)) != 0) return o < 0 ? NULL : Py_NewRef(Py_None);
    /* inside a theme hit: among the hits that start at or before the number, the farthest end
     * reaches its counter */
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(slogan_starts);
    if (PyList_GET_SIZE(slogan_reach) != hi) {
        PyErr_SetString(PyExc_ValueError, "slogan starts and reaches differ in length");
        return NULL;
    }
    while (lo < hi) {   /* bisect_right */
        Py_ssize_t mid = (lo + hi) / 2, s;
        if (exact_index(PyList_GET_ITEM(slogan_starts, mid), &s) < 0) return NULL;
        if (num_start < s) hi = mid; else lo = mid + 1;
    }
    if (lo) {
        Py_ssize_t reach;
        if (exact_index(PyList_GET_ITEM(slogan_reach, lo - 1), &reach) < 0) return NULL;
        if (reach >= core_end) return Py_NewRef(Py_None);
    }
    /* the value of the number itself: the usual 6147 read here, the rest by numbers.to_decimal */
    PyObject *head = NULL;
    int plain = !chinese;
    for (Py_ssize_t k = 0; plain && k < PyUnicode_GET_LENGTH(num); k++)
        plain = Py_UNICODE_ISDECIMAL(PyUnicode_READ_CHAR(num, k));
    if (plain) {
        if (!(head = PyLong_FromUnicodeObject(num, 10))) return NULL;
    } else if ((o = call_number(self, self->to_decimal, num, &head)) <= 0) {
        return o < 0 ? NULL : Py_NewRef(Py_None);
    }
    PyObject *factor = self->one, *kind_of = self->s_count, *out = NULL, *rng = NULL, *value = NULL, *unit_out = NULL;
    if (has_mult && !(factor = PyDict_GetItemWithError(self->factors, mult))) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, mult);
        goto done;
    }
    if (has_unit) {
        kind_of = PyDict_GetItemWithError(self->units, unit);
        if (!kind_of) { if (PyErr_Occurred()) goto done; kind_of = Py_None; }
    }
    int duration = kind_of != Py_None && PyUnicode_Check(kind_of) && PyUnicode_Compare(kind_of, self->s_duration) == 0;
    if (small) {
        int is_one = PyObject_RichCompareBool(head, self->one, Py_EQ);
        if (is_one < 0) goto done;
        if (is_one && !duration) { out = Py_NewRef(Py_None); goto done; }
    }
    /* qualifier words just before the number, longest first (下达/传达: not when they end another word) */
    Py_ssize_t qstart = num_start;
    PyObject *before_q = NULL;
    if (num_start >= 1 && among(READ(num_start - 1), self->before_ends, self->n_before_ends)) {
        for (Py_ssize_t li = 0; li < self->n_before_lengths && !before_q; li++) {
            Py_ssize_t length = self->before_lengths[li], at = num_start - length;
            if (at < p_start) continue;
            Py_ssize_t w = 0;
            while (w < self->before.n && !(self->before.len[w] == length
                                           && same_chars(kind, data, at, self->before.chars[w], length)))
                w++;
            if (w == self->before.n) continue;
            const Words *others = &self->not_after[w];
            int part_of_another = 0;
            for (Py_ssize_t k = 0; k < others->n && !part_of_another; k++)
                part_of_another = at - others->len[k] >= p_start
                    && same_chars(kind, data, at - others->len[k], others->chars[k], others->len[k]);
            if (part_of_another) break;
            before_q = self->before_qualifier[w];
            qstart = at;
        }
    }
    PyObject *after_q = NULL;
    if (after_word != Py_None && PyUnicode_GET_LENGTH(after_word) > 0) {
        after_q = PyDict_GetItemWithError(self->after, after_word);
        if (!after_q && PyErr_Occurred()) goto done;
    }
    PyObject *qualifier = self->s_exact;
    if (duration) { qstart = num_start; before_q = NULL; }   /* 近3年, 一年来: a time frame, not a qualifier */
    if (vague) {
        qualifier = PyDict_GetItemWithError(self->inside, vague);
        if (!qualifier) { if (PyErr_Occurred()) goto done; qualifier = self->s_more_than; }
        rng = PyObject_CallFunction(self->vague_range, "OOOO", num, chinese ? Py_True : Py_False, factor,
                                    v2 != Py_None && PyUnicode_GET_LENGTH(v2) > 0 ? Py_True : Py_False);
        if (!rng) {   /* NotANumber: a range no reading gives (八万亿两万多), refused as _candidate does */
            if (PyErr_ExceptionMatches(self->not_a_number)) { PyErr_Clear(); out = Py_NewRef(Py_None); }
            goto done;
        }
    } else {
        int after_true = after_q ? PyObject_IsTrue(after_q) : 0, before_true = 0;
        if (after_true < 0) goto done;
        if (!after_true && before_q && (before_true = PyObject_IsTrue(before_q)) < 0) goto done;
        if (after_true) qualifier = after_q;
        else if (before_true) qualifier = before_q;
    }
    if (!(value = PyNumber_Multiply(head, factor))) goto done;
    if (!PyLong_CheckExact(value)) {
        PyObject *whole = PyObject_CallOneArg(self->exact, value);
        if (!whole) goto done;
        Py_SETREF(value, whole);
    }
    if (duration && !vague) {
        int not_exact = PyObject_RichCompareBool(qualifier, self->s_exact, Py_NE);
        if (not_exact < 0) goto done;
        if (not_exact) qualifier = self->s_exact;
    }
    Py_ssize_t pre_end = qstart, clause = clause_start_of(self, kind, data, p_start, qstart);
    unit_out = Py_NewRef(has_unit ? unit : self->empty);
    PyObject *kind_out = kind_of;
    /* rates: a per-capita or per-occasion cue in the words just before the number */
    if (kind_of != Py_None && PyUnicode_Check(kind_of) && PyUnicode_Compare(kind_of, self->s_count) == 0) {
        int possible = 0;
        for (Py_ssize_t r = 0; r < self->n_rates && !possible; r++)
            possible = !self->rate_gated[r] || holds_word(kind, data, clause, qstart, &self->rate_gates[r]);
        if (possible) {
            PyObject *pre = PyUnicode_Substring(text, clause, qstart);
            if (!pre) goto done;
            PyObject *rate = PyObject_CallFunctionObjArgs(self->rate, pre, unit_out, NULL);
            Py_DECREF(pre);
            if (!rate) goto done;
            if (rate != Py_None) {
                Py_ssize_t offset = 0;
                int shift = 0;
                if (!PyTuple_Check(rate) || PyTuple_GET_SIZE(rate) != 2
                    || (PyTuple_GET_ITEM(rate, 1) != Py_None
                        && (shift = 1, exact_index(PyTuple_GET_ITEM(rate, 1), &offset) < 0))) {
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "rate() must give (unit, offset or None)");
                    Py_DECREF(rate);
                    goto done;
                }
                Py_SETREF(unit_out, Py_NewRef(PyTuple_GET_ITEM(rate, 0)));
                kind_out = self->s_rate;
                if (shift) qstart = clause + offset;
            }
            Py_DECREF(rate);
        }
    }
    out = reading(qstart, end, value, rng ? rng : Py_None, qualifier, unit_out, kind_out, pre_end, clause);
done:
    Py_XDECREF(head);
    Py_XDECREF(rng);
    Py_XDECREF(value);
    Py_XDECREF(unit_out);
    return out;
}

static PyObject *readings_paragraph(Readings *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyUnicode_Check(args[0]) || !PyList_Check(args[2]) || !PyList_Check(args[3])
        || !PyList_Check(args[4]) || !PyList_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError,
                        "paragraph(view, paragraph_start, claimed, slogan_starts, slogan_reach, numerals): lists");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t p_start;
    if (exact_index(args[1], &p_start) < 0) return NULL;
    if (p_start < 0) { PyErr_SetString(PyExc_ValueError, "paragraph_start before the text"); return NULL; }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* the lists are held while they are read: a helper called from here cannot free them */
    PyObject *claimed = Py_NewRef(args[2]), *starts = Py_NewRef(args[3]), *reach = Py_NewRef(args[4]),
             *numerals = Py_NewRef(args[5]);
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out && i < PyList_GET_SIZE(numerals); i++) {
        PyObject *item = Py_NewRef(PyList_GET_ITEM(numerals, i));
        PyObject *read = read_numeral(self, text, kind, data, n, p_start, claimed, starts, reach, item);
        Py_DECREF(item);
        if (!read || (read != Py_None && PyList_Append(out, read) < 0)) Py_CLEAR(out);
        Py_XDECREF(read);
    }
    Py_DECREF(claimed); Py_DECREF(starts); Py_DECREF(reach); Py_DECREF(numerals);
    return out;
}

#undef READ

static PyTypeObject QuantityRulesType;
static PyObject *quantity_rules_pick(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* quantities(view, text, paragraph_start, paragraph_end, paragraph_index, claimed, slogan_starts,
 * slogan_reach, numerals, subjects, rules, kinds, themes, ids, cls) -> [cls(...), ...]:
 * Extractor._paragraph's loop over the readings of paragraph(...), with no Python call per
 * quantity: each reading's subject and clause (subjects.subject, between the readings before and
 * after it), the quantity rule of a reading whose kind is in `kinds` (rules.pick: themes[i] and
 * ids[i] of the rule it picks) and the Quantity tuple (start, end, text[start:end], value, range,
 * qualifier, unit, kind, subject, theme, rule id, paragraph index). */
static PyObject *readings_quantities(Readings *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 15 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) || !Py_IS_TYPE(args[9], &SubjectsType)
        || !Py_IS_TYPE(args[10], &QuantityRulesType) || !PyAnySet_Check(args[11]) || !PyTuple_Check(args[12])
        || !PyTuple_Check(args[13]) || PyTuple_GET_SIZE(args[12]) != PyTuple_GET_SIZE(args[13]) || !PyType_Check(args[14])
        || !PyType_IsSubtype((PyTypeObject *)args[14], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError,
                        "quantities(view, text, paragraph_start, paragraph_end, paragraph_index, claimed, slogan_starts, "
                        "slogan_reach, numerals, Subjects, QuantityRules, kinds set, themes, ids, tuple class)");
        return NULL;
    }
    PyObject *view = args[0], *text = args[1], *p_start = args[2], *p_end = args[3], *p_index = args[4];
    PyObject *claimed = args[5], *kinds = args[11], *themes = args[12], *ids = args[13];
    PyTypeObject *cls = (PyTypeObject *)args[14];
    if (PyUnicode_GET_LENGTH(text) != PyUnicode_GET_LENGTH(view)) {
        PyErr_SetString(PyExc_ValueError, "the text and its view differ in length");
        return NULL;
    }
    PyObject *const paragraph_args[6] = {view, p_start, claimed, args[6], args[7], args[8]};
    PyObject *raw = readings_paragraph(self, paragraph_args, 6);
    if (!raw) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raw);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        /* (start, end, value, range, qualifier, unit, kind, pre_end, clause_start), as paragraph() makes it */
        PyObject *r = PyList_GET_ITEM(raw, i);
        PyObject *prev_end = i ? PyTuple_GET_ITEM(PyList_GET_ITEM(raw, i - 1), 1) : p_start;
        PyObject *next_start = i + 1 < n ? PyTuple_GET_ITEM(PyList_GET_ITEM(raw, i + 1), 0) : p_end;
        PyObject *start = PyTuple_GET_ITEM(r, 0), *end = PyTuple_GET_ITEM(r, 1), *unit = PyTuple_GET_ITEM(r, 5);
        PyObject *kind = PyTuple_GET_ITEM(r, 6);
        PyObject *const subject_args[9] = {view, p_end, start, end, PyTuple_GET_ITEM(r, 7), PyTuple_GET_ITEM(r, 8),
                                           prev_end, next_start, claimed};
        PyObject *said = subjects_subject((Subjects *)args[9], subject_args, 9);   /* (subject, clause) */
        if (!said) { Py_CLEAR(out); break; }
        PyObject *subject = PyTuple_GET_ITEM(said, 0), *theme = Py_None, *id = Py_None;
        int achievement = PySet_Contains(kinds, kind);
        if (achievement > 0) {
            PyObject *const pick_args[3] = {subject, PyTuple_GET_ITEM(said, 1), unit};
            PyObject *picked = quantity_rules_pick(args[10], pick_args, 3);
            Py_ssize_t k = !picked ? -1 : picked == Py_None ? -2 : PyLong_AsSsize_t(picked);
            Py_XDECREF(picked);
            if (k == -1 || k >= PyTuple_GET_SIZE(themes)) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "picked a rule beyond the themes and ids");
                achievement = -1;
            } else if (k >= 0) {
                theme = PyTuple_GET_ITEM(themes, k);
                id = PyTuple_GET_ITEM(ids, k);
            }
        }
        Py_ssize_t a = PyLong_AsSsize_t(start), z = PyLong_AsSsize_t(end);
        PyObject *piece = achievement < 0 || PyErr_Occurred() ? NULL : PyUnicode_Substring(text, a, z);
        PyObject *item = piece ? cls->tp_alloc(cls, 12) : NULL;
        if (!item) { Py_XDECREF(piece); Py_DECREF(said); Py_CLEAR(out); break; }
        PyObject *fields[12] = {start, end, piece, PyTuple_GET_ITEM(r, 2), PyTuple_GET_ITEM(r, 3), PyTuple_GET_ITEM(r, 4),
                                unit, kind, subject, theme, id, p_index};
        for (int f = 0; f < 12; f++)
            PyTuple_SET_ITEM(item, f, f == 2 ? piece : Py_NewRef(fields[f]));
        Py_DECREF(said);
        PyList_SET_ITEM(out, i, item);
    }
    Py_DECREF(raw);
    return out;
}

static PyMethodDef readings_methods[] = {
    {"quantities", (PyCFunction)(void (*)(void))readings_quantities, METH_FASTCALL,
     "quantities(view, text, paragraph_start, paragraph_end, paragraph_index, claimed, slogan_starts, slogan_reach, "
     "numerals, subjects, rules, kinds, themes, ids, cls) -> the Quantity tuples of a paragraph"},
    {"paragraph", (PyCFunction)(void (*)(void))readings_paragraph, METH_FASTCALL,
     "paragraph(view, paragraph_start, claimed, slogan_starts, slogan_reach, numerals)"
     " -> [(start, end, value, range, qualifier, unit, kind, pre_end, clause_start), ...]"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject ReadingsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._quantities.Readings",
    .tp_basicsize = sizeof(Readings),
    .tp_dealloc = (destructor)readings_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the numerals of engine.quantities read in their paragraph: Readings(units, before, not_after, after, "
              "inside, factors, rate_gates, delimiters, helpers)",
    .tp_methods = readings_methods,
    .tp_new = readings_new,
};

/* ------------------------------------------------------------- quantity rules --- */

/* Extractor._rule: the first quantity rule (file order) for a unit whose cue or pattern is in
 * the subject, else in the clause. Cues are found by their first character (a binary search per
 * character of the subject), patterns run only past their literal gate. The Python method
 * stays the reference (Extractor._rule_python).
 *
 *   QuantityRules(rules)  rules: per rule (units: frozenset, empty for any; cues: tuple of str;
 *                                 gate: tuple of str, one of which each pattern needs, or None;
 *                                 patterns: tuple of compiled patterns)
 *   .pick(subject or None, clause, unit) -> the rule's index, or None
 */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t len, rule;
} Cue;

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    PyObject **units, **patterns;    /* per rule */
    Words *gates;
    int *gated;
    Cue *cues;                       /* sorted by first character */
    Py_ssize_t n_cues;
} QuantityRules;

static void quantity_rules_dealloc(QuantityRules *self) {
    for (Py_ssize_t i = 0; i < self->n; i++) {
        if (self->units) Py_XDECREF(self->units[i]);
        if (self->patterns) Py_XDECREF(self->patterns[i]);
        if (self->gates) words_free(&self->gates[i]);
    }
    for (Py_ssize_t k = 0; k < self->n_cues; k++) PyMem_Free(self->cues[k].chars);
    PyMem_Free(self->units); PyMem_Free(self->patterns); PyMem_Free(self->gates); PyMem_Free(self->gated);
    PyMem_Free(self->cues);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int cue_cmp(const void *x, const void *y) {
    const Cue *a = x, *b = y;
    if (a->chars[0] != b->chars[0]) return a->chars[0] < b->chars[0] ? -1 : 1;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

static PyObject *quantity_rules_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *rules;
    static char *names[] = {"rules", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:QuantityRules", names, &rules)) return NULL;
    PyObject *fast = PySequence_Fast(rules, "rules must be a sequence");
    if (!fast) return NULL;
    QuantityRules *self = (QuantityRules *)type->tp_alloc(type, 0);
    if (!self) { Py_DECREF(fast); return NULL; }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast), total = 0;
    self->units = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    self->patterns = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    self->gates = PyMem_Calloc(n ? n : 1, sizeof(Words));
    self->gated = PyMem_Calloc(n ? n : 1, sizeof(int));
    if (!self->units || !self->patterns || !self->gates || !self->gated) { PyErr_NoMemory(); goto fail; }
    self->n = n;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *rule = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyTuple_Check(rule) || PyTuple_GET_SIZE(rule) != 4 || !PyAnySet_Check(PyTuple_GET_ITEM(rule, 0))
            || !PyTuple_Check(PyTuple_GET_ITEM(rule, 1)) || !PyTuple_Check(PyTuple_GET_ITEM(rule, 3))) {
            PyErr_SetString(PyExc_TypeError, "each rule is (units: frozenset, cues: tuple, gate: tuple or None, patterns: tuple)");
            goto fail;
        }
        if (!(self->units[i] = PyFrozenSet_New(PyTuple_GET_ITEM(rule, 0)))) goto fail;
        self->patterns[i] = Py_NewRef(PyTuple_GET_ITEM(rule, 3));
        PyObject *gate = PyTuple_GET_ITEM(rule, 2);
        if (gate != Py_None) {
            self->gated[i] = 1;
            if (words_init(&self->gates[i], gate, "gate", 0) < 0) goto fail;
        }
        total += PyTuple_GET_SIZE(PyTuple_GET_ITEM(rule, 1));
    }
    self->cues = PyMem_Calloc(total ? total : 1, sizeof(Cue));
    if (!self->cues) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *cues = PyTuple_GET_ITEM(PySequence_Fast_GET_ITEM(fast, i), 1);
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(cues); k++) {
            PyObject *cue = PyTuple_GET_ITEM(cues, k);
            if (!PyUnicode_Check(cue) || PyUnicode_GET_LENGTH(cue) == 0) {
                PyErr_SetString(PyExc_TypeError, "cues must be non-empty str");
                goto fail;
            }
            Cue *c = &self->cues[self->n_cues];
            if (!(c->chars = PyUnicode_AsUCS4Copy(cue))) goto fail;
            c->len = PyUnicode_GET_LENGTH(cue);
            c->rule = i;
            self->n_cues++;
        }
    }
    qsort(self->cues, self->n_cues, sizeof(Cue), cue_cmp);
    Py_DECREF(fast);
    return (PyObject *)self;
fail:
    Py_DECREF(fast);
    Py_DECREF(self);
    return NULL;
}

/* the first rule (lowest index) among the eligible ones with a cue in where, or -1 */
static Py_ssize_t first_cued(const QuantityRules *self, const uint8_t *eligible, PyObject *where) {
    int kind = PyUnicode_KIND(where);
    const void *data = PyUnicode_DATA(where);
    Py_ssize_t n = PyUnicode_GET_LENGTH(where), first = -1;
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, j);
        Py_ssize_t lo = 0, hi = self->n_cues;
        while (lo < hi) {   /* the first cue starting with c */
            Py_ssize_t mid = (lo + hi) / 2;
            if (self->cues[mid].chars[0] < c) lo = mid + 1; else hi = mid;
        }
        for (Py_ssize_t k = lo; k < self->n_cues && self->cues[k].chars[0] == c; k++) {
            const Cue *cue = &self->cues[k];
            if ((first >= 0 && cue->rule >= first) || !eligible[cue->rule] || j + cue->len > n) continue;
            Py_ssize_t m = 1;
            while (m < cue->len && PyUnicode_READ(kind, data, j + m) == cue->chars[m]) m++;
            if (m == cue->len) first = cue->rule;
        }
    }
    return first;
}

static PyObject *quantity_rules_pick(PyObject *picker, PyObject *const *args, Py_ssize_t nargs) {
    QuantityRules *self = (QuantityRules *)picker;
    if (nargs != 3 || (args[0] != Py_None && !PyUnicode_Check(args[0])) || !PyUnicode_Check(args[1])
        || !PyUnicode_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "pick(subject or None, clause, unit): str");
        return NULL;
    }
    PyObject *unit = args[2];
    Py_ssize_t slash = PyUnicode_FindChar(unit, '/', 0, PyUnicode_GET_LENGTH(unit), 1);
    if (slash == -2) return NULL;
    PyObject *base = slash >= 0 ? PyUnicode_Substring(unit, 0, slash) : Py_NewRef(unit);
    if (!base) return NULL;
    /* per call, not in the object: a pattern's search may run Python code that picks again */
    uint8_t local[64], *eligible = self->n <= 64 ? local : PyMem_Malloc(self->n);
    if (!eligible) { Py_DECREF(base); return PyErr_NoMemory(); }
    PyObject *out = NULL;
    for (Py_ssize_t i = 0; i < self->n; i++) {
        int in = PySet_GET_SIZE(self->units[i]) == 0 ? 1 : PySet_Contains(self->units[i], base);
        if (in < 0) { Py_DECREF(base); goto done; }
        eligible[i] = (uint8_t)in;
    }
    Py_DECREF(base);
    /* the subject and the clause are held: a pattern's search cannot free them */
    PyObject *places[2] = {args[0], args[1]};
    for (int w = 0; w < 2; w++) {
        PyObject *where = places[w];
        if (where == Py_None || PyUnicode_GET_LENGTH(where) == 0) continue;
        Py_ssize_t first = first_cued(self, eligible, where);
        /* only a rule with patterns that comes before it can still win */
        for (Py_ssize_t i = 0; i < self->n && (first < 0 || i <= first); i++) {
            if (!eligible[i] || PyTuple_GET_SIZE(self->patterns[i]) == 0) continue;
            if (self->gated[i]
                && !holds_word(PyUnicode_KIND(where), PyUnicode_DATA(where), 0, PyUnicode_GET_LENGTH(where),
                               &self->gates[i]))
                continue;
            PyObject *patterns = Py_NewRef(self->patterns[i]);
            for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(patterns); k++) {
                PyObject *m = PyObject_CallMethod(PyTuple_GET_ITEM(patterns, k), "search", "O", where);
                if (!m) { Py_DECREF(patterns); goto done; }
                int found = m != Py_None;
                Py_DECREF(m);
                if (found) { Py_DECREF(patterns); out = PyLong_FromSsize_t(i); goto done; }
            }
            Py_DECREF(patterns);
        }
        if (first >= 0) { out = PyLong_FromSsize_t(first); goto done; }
    }
    out = Py_NewRef(Py_None);
done:
    if (eligible != local) PyMem_Free(eligible);
    return out;
}

static PyMethodDef quantity_rules_methods[] = {
    {"pick", (PyCFunction)(void (*)(void))quantity_rules_pick, METH_FASTCALL,
     "pick(subject or None, clause, unit) -> the index of the first quantity rule for the unit with a cue or pattern"
     " in the subject, else in the clause; or None"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject QuantityRulesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._quantities.QuantityRules",
    .tp_basicsize = sizeof(QuantityRules),
    .tp_dealloc = (destructor)quantity_rules_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the quantity rules of engine.quantities: QuantityRules(rules)",
    .tp_methods = quantity_rules_methods,
    .tp_new = quantity_rules_new,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "engine._quantities", "the numeral scan, readings and subjects of the quantity stage, compiled (see engine/core.py)",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__quantities(void) {
    if (PyType_Ready(&NumeralsType) < 0 || PyType_Ready(&SubjectsType) < 0 || PyType_Ready(&ReadingsType) < 0
        || PyType_Ready(&QuantityRulesType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Numerals", (PyObject *)&NumeralsType) < 0
        || PyModule_AddObjectRef(m, "Subjects", (PyObject *)&SubjectsType) < 0
        || PyModule_AddObjectRef(m, "Readings", (PyObject *)&ReadingsType) < 0
        || PyModule_AddObjectRef(m, "QuantityRules", (PyObject *)&QuantityRulesType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
