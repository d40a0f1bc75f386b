/* _numerals: the numeral scan of the quantity stage, compiled.
 *
 * engine/quantities.py finds numerals with one `regex` pattern over the whole document (an
 * Arabic or Chinese numeral, then optional words: vague-amount, multiplier, vague-amount,
 * counter, qualifier; or 百分之 and a numeral) and refuses most of them on their own shape
 * (a bare year, 一线). A megabyte holds some 8,000 such numerals and the scan and the refusals
 * cost ~50 ms/MB in Python. This module does the same scan in C. The regex stays the
 * reference (Extractor.numerals_python); tests/test_numerals.py compares the two.
 *
 *   Numerals(inside, mults, units, after, small_units, chars)
 *       inside, mults, units, after: the words of each optional group after a numeral
 *       small_units: counters a lone small Chinese numeral may take (一名 is a count)
 *       chars: dict of the character classes the regex is written with (see quantities.py)
 *   .scan(view) -> [((start, end, num_start, num_end, core_end), groups), ...]
 *       every numeral the regex finds and _refused keeps, in order; groups as
 *       m.group(pct, cnum, num, unit, mult, v1, v2, after); core_end is where the counter
 *       ends (the numeral's end without one)
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

enum { CN_FIRST = 1, CN_REST = 2, CN_BEHIND = 4, CN_DIGIT = 8, CN_WITHIN = 16 };

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
    Py_UCS4 percent[8];      /* 百分之 */
    Py_ssize_t percent_len;
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

static int words_init(Words *w, PyObject *seq, const char *what) {
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
    qsort(sorted, n, sizeof(PyObject *), by_length_desc);
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

/* the index of the longest word that stands at text[i:], or -1 */
static inline Py_ssize_t word_at(const Words *w, int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    for (Py_ssize_t k = 0; k < w->n; k++) {
        Py_ssize_t len = w->len[k];
        if (i + len > n) continue;
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
    if (words_init(&self->inside, inside, "inside") < 0 || words_init(&self->mults, mults, "mults") < 0
        || words_init(&self->units, units, "units") < 0 || words_init(&self->after, after, "after") < 0)
        goto fail;
    self->small_units = PyFrozenSet_New(small);
    if (!self->small_units) goto fail;
    if (flag_chars(self, chars, "cn_first", CN_FIRST) < 0 || flag_chars(self, chars, "cn_rest", CN_REST) < 0
        || flag_chars(self, chars, "cn_behind", CN_BEHIND) < 0 || flag_chars(self, chars, "cn_digits", CN_DIGIT) < 0
        || flag_chars(self, chars, "multiplier_within", CN_WITHIN) < 0)
        goto fail;
    PyObject *point = PyDict_GetItemString(chars, "point"), *percent = PyDict_GetItemString(chars, "percent");
    if (!point || !PyUnicode_Check(point) || PyUnicode_GET_LENGTH(point) != 1
        || !percent || !PyUnicode_Check(percent) || PyUnicode_GET_LENGTH(percent) < 1 || PyUnicode_GET_LENGTH(percent) > 8) {
        PyErr_SetString(PyExc_ValueError, "chars needs point (one character) and percent (1 to 8)");
        goto fail;
    }
    self->point = PyUnicode_READ_CHAR(point, 0);
    self->percent_len = PyUnicode_GET_LENGTH(percent);
    for (Py_ssize_t i = 0; i < self->percent_len; i++) self->percent[i] = PyUnicode_READ_CHAR(percent, i);
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static inline int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static inline uint8_t flags_of(const Numerals *self, Py_UCS4 c) { return c <= 0xFFFF ? self->cls[c] : 0; }

/* the end of \d+(?:,\d{3})*(?:\.\d+)? at text[i:] (text[i] is a decimal digit) */
static Py_ssize_t arabic_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
#define DEC(k) ((k) < n && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, (k))))
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

static PyObject *numerals_scan(Numerals *self, PyObject *text) {
    if (!PyUnicode_Check(text)) { PyErr_SetString(PyExc_TypeError, "scan() needs a str"); return NULL; }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_UCS4 prev = i ? PyUnicode_READ(kind, data, i - 1) : 0;
        int chinese = 0;
        Py_ssize_t num_end = -1;
        if (Py_UNICODE_ISDECIMAL(c)) {
            if (!(i && (Py_UNICODE_ISDECIMAL(prev) || prev == '.' || is_ascii_letter(prev))))
                num_end = arabic_end(kind, data, n, i);
        } else if (flags_of(self, c) & CN_FIRST) {
            if (!(i && (flags_of(self, prev) & CN_BEHIND))) {
                num_end = chinese_end(self, kind, data, n, i);
                chinese = 1;
            }
        }
        if (num_end < 0) {
            /* 百分之 and a numeral (no tail, never refused) */
            Py_ssize_t k = 0, p = self->percent_len;
            while (k < p && i + k < n && PyUnicode_READ(kind, data, i + k) == self->percent[k]) k++;
            Py_ssize_t at = i + p, end = -1;
            if (k == p && at < n) {
                Py_UCS4 d = PyUnicode_READ(kind, data, at);
                if (Py_UNICODE_ISDECIMAL(d)) end = arabic_end(kind, data, n, at);
                else if (flags_of(self, d) & CN_FIRST) end = chinese_end(self, kind, data, n, at);
            }
            if (end < 0) { i++; continue; }
            PyObject *pct = PyUnicode_Substring(text, at, end);
            PyObject *item = pct ? Py_BuildValue("((nnnnn)(NOOOOOOO))", i, end, at, end, end, pct, Py_None, Py_None,
                                                 Py_None, Py_None, Py_None, Py_None, Py_None) : NULL;
            if (!item || PyList_Append(out, item) < 0) { Py_XDECREF(item); goto fail; }
            Py_DECREF(item);
            i = end;
            continue;
        }
        Py_ssize_t j = num_end;
        PyObject *v1 = take(&self->inside, kind, data, n, &j);
        PyObject *mult = take(&self->mults, kind, data, n, &j);
        PyObject *v2 = take(&self->inside, kind, data, n, &j);
        PyObject *unit = take(&self->units, kind, data, n, &j);
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
        PyObject *item = num ? Py_BuildValue("((nnnnn)(ONNNNNNN))", i, end, i, num_end,
                                             unit != Py_None ? core_end : end, Py_None,
                                             chinese ? num : Py_NewRef(Py_None), chinese ? Py_NewRef(Py_None) : num,
                                             unit, mult, v1, v2, after) : NULL;
        if (!num) { Py_DECREF(v1); Py_DECREF(mult); Py_DECREF(v2); Py_DECREF(unit); Py_DECREF(after); goto fail; }
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
    .tp_name = "engine._numerals.Numerals",
    .tp_basicsize = sizeof(Numerals),
    .tp_dealloc = (destructor)numerals_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the numeral scan of engine.quantities: Numerals(inside, mults, units, after, small_units, chars)",
    .tp_methods = numerals_methods,
    .tp_new = numerals_new,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "engine._numerals", "the numeral scan of the quantity stage, compiled (see engine/core.py)",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__numerals(void) {
    if (PyType_Ready(&NumeralsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    Py_INCREF(&NumeralsType);
    if (PyModule_AddObject(m, "Numerals", (PyObject *)&NumeralsType) < 0) {
        Py_DECREF(&NumeralsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
