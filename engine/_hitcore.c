/* _hitcore: the per-hit loops of tifa, compiled.
 *
 * A document makes tens of thousands of hits per megabyte, and in Python each one costs a
 * few microseconds in every stage it passes (scanned, collected, sorted, grouped by
 * paragraph, filtered, scored, written out). This module does the same work in C, behind the
 * interfaces of the Python code it stands for; the Python code stays the reference, and the
 * tests compare the two (tests/test_hitcore.py). It is optional: where it cannot be built,
 * engine/core.py says so and tifa runs the Python code, with identical results.
 *
 *   Automaton(keys, owners, expands, gates, resolve=None)   all literal keys of a Matcher, Aho-Corasick
 *       .scan(view) -> (owned, expanded, places)
 *           owned: bytes, (start, end, owner) int32 triples of every occurrence of a phrase,
 *               and the hits of the finite patterns in `resolve` (see resolve_occurrences)
 *           expanded: {pattern: [(start, priority, length), ...]} of the other finite-pattern strings
 *           places: {key: [start, ...]} of keys that gate patterns
 *   merge(owned, extra, cls) -> sorted list of distinct cls(start, end, owner); cls None: the
 *       same as packed int32 triples (bytes), which by_paragraph, role_hits and filter also read
 *   enabled(places, key_gates, needed) -> the gated patterns whose every literal group was found
 *   windows(groups, places, lengths, width, n) -> the stretches a windowed pattern is searched in
 *       (Matcher._windows_python: match._merge around the rarest group, match._holding the others)
 *   search_windows(finditer, text, stretches, call, long_call, short_span, owner, hits): the
 *       searches of those stretches (Matcher.find's loop), and of the traps' paragraphs
 *   search_windowed(finditer, groups, places, lengths, width, text, call, long_call, short_span, owner,
 *       hits) -> whether it searched: the two above in one call, when the stretches are few
 *   by_paragraph(raw, starts, ends) -> the raw hits of each paragraph (packed raw hits: packed
 *       groups, (hits, offsets), see packed_groups)
 *   filter(groups, kinds, codes, rules, hit_cls, miss_cls, reasons, text, paragraphs, marks, unless[, packed])
 *       -> (kept, missed); packed: kept is a KeptHits, (start, end, rule) triples that read as the lists
 *   role_hits(groups, codes[, cls]) -> the hits of structure rules in each group (made cls(...)
 *       from packed groups)
 *   own_scores(hits) -> {theme: summed weight of the distinct rules}
 *   RuleTable(rules, groups, themes, weights, theme_names, fields, heads, tails)   found by rule address
 *       .own_scores(hits) -> the same as own_scores(hits)
 *       .evidence(hits, text) -> [evidence dict, ...]
 *       .evidence_json(hits, text) -> the JSON text orjson writes for .evidence(...), or None
 *       .slogans(hits) -> the same as quantities.slogan_bounds(hits); slogans(all hits, k): paragraph k's
 *       .label, .paragraphs_json and .slogans also take KeptHits, whose rule indices are table entries
 *       when the hits were kept with the table's own rules tuple
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ automaton --- */

typedef struct {
    uint32_t ch;
    int32_t next;
} Edge;

typedef struct {
    int32_t edge;            /* the edges of state s: edges[st[s].edge .. st[s+1].edge), sorted by ch */
    int32_t fail;
    int32_t key;             /* the key that ends at this state, or -1 */
    int32_t next;            /* the nearest state on the fail chain where a key ends, or -1 */
} State;

typedef struct {
    PyObject_HEAD
    PyObject *args;          /* the constructor's arguments, for pickling */
    State *st;               /* per state, in one record: a step reads one cache line, not four arrays */
    Edge *edges;
    int32_t *root;           /* root transitions of the BMP, dense (0 = none): most steps start there */
    int32_t *key_len;
    int32_t *own_start, *own_list;              /* owners of key k: own_list[own_start[k] .. own_start[k+1]) */
    int32_t *exp_start, *exp_pid, *exp_prio;    /* (pattern, priority) pairs of key k, likewise */
    uint8_t *gate;
    /* patterns whose expansions the scan resolves itself (resolve=): per pattern, its owner
     * (-1: reported in `expanded`) and its conditions (NULL: non-overlapping occurrences) */
    Py_ssize_t n_resolve;
    int32_t *res_owner;
    PyObject **res_cond;     /* borrowed from args */
} Automaton;

static void automaton_dealloc(Automaton *a) {
    /* also after a failed construction: tp_alloc zeroed the pointers not yet allocated */
    PyMem_Free(a->st); PyMem_Free(a->edges); PyMem_Free(a->root);
    PyMem_Free(a->key_len); PyMem_Free(a->own_start); PyMem_Free(a->own_list);
    PyMem_Free(a->exp_start); PyMem_Free(a->exp_pid); PyMem_Free(a->exp_prio); PyMem_Free(a->gate);
    PyMem_Free(a->res_owner); PyMem_Free(a->res_cond);
    Py_XDECREF(a->args);
    Py_TYPE(a)->tp_free((PyObject *)a);
}

static inline int32_t step(const Automaton *a, int32_t s, uint32_t ch) {
    if (s == 0) {
        if (ch < 65536) return a->root[ch];
    }
    int32_t lo = a->st[s].edge, hi = a->st[s + 1].edge;
    while (lo < hi) {
        int32_t mid = (lo + hi) >> 1;
        uint32_t c = a->edges[mid].ch;
        if (c == ch) return a->edges[mid].next;
        if (c < ch) lo = mid + 1; else hi = mid;
    }
    return 0;
}

/* trie construction: a growable list of (parent, ch, child) and an open-addressing table */
typedef struct { int32_t parent; uint32_t ch; int32_t child; } Triple;

static int triple_cmp(const void *x, const void *y) {
    const Triple *p = x, *q = y;
    if (p->parent != q->parent) return p->parent < q->parent ? -1 : 1;
    if (p->ch != q->ch) return p->ch < q->ch ? -1 : 1;
    return 0;
}

static inline uint64_t slot_of(int32_t parent, uint32_t ch, uint64_t mask) {
    uint64_t h = ((uint64_t)(uint32_t)parent * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)ch * 0xC2B2AE3D27D4EB4FULL);
    return (h ^ (h >> 29)) & mask;
}

/* a sequence of int sequences (width 1) or of int pairs (width 2) as a CSR index and its values;
 * NULL with an error set when they are not */
static int32_t *csr_ints(PyObject *seq, Py_ssize_t n, int width, int32_t **out_a, int32_t **out_b) {
    int32_t *start = PyMem_Malloc(sizeof(int32_t) * (n + 1));
    if (!start) { PyErr_NoMemory(); return NULL; }
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        Py_ssize_t m = PySequence_Length(item);
        if (m < 0) { PyMem_Free(start); return NULL; }
        start[k] = (int32_t)total;
        total += m;
    }
    start[n] = (int32_t)total;
    int32_t *a = PyMem_Malloc(sizeof(int32_t) * (total + 1));
    int32_t *b = width == 2 ? PyMem_Malloc(sizeof(int32_t) * (total + 1)) : NULL;
    if (!a || (width == 2 && !b)) { PyMem_Free(start); PyMem_Free(a); PyMem_Free(b); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PySequence_Fast(PySequence_Fast_GET_ITEM(seq, k), "owners and expansions must be sequences");
        if (!item) { PyMem_Free(start); PyMem_Free(a); PyMem_Free(b); return NULL; }
        if (PySequence_Fast_GET_SIZE(item) != start[k + 1] - start[k]) {   /* a sequence that changed length */
            PyErr_SetString(PyExc_ValueError, "owners and expansions changed while they were read");
            Py_DECREF(item); PyMem_Free(start); PyMem_Free(a); PyMem_Free(b); return NULL;
        }
        for (Py_ssize_t j = 0; j < PySequence_Fast_GET_SIZE(item); j++) {
            PyObject *x = PySequence_Fast_GET_ITEM(item, j);
            long v1, v2 = 0;
            if (width == 2) {
                if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != 2) {
                    PyErr_SetString(PyExc_TypeError, "expansions must be (pattern, priority) pairs");
                    v1 = -1;
                } else {
                    v1 = PyLong_AsLong(PyTuple_GET_ITEM(x, 0));
                    if (!PyErr_Occurred()) v2 = PyLong_AsLong(PyTuple_GET_ITEM(x, 1));
                }
            } else {
                v1 = PyLong_AsLong(x);
            }
            if (PyErr_Occurred()) { Py_DECREF(item); PyMem_Free(start); PyMem_Free(a); PyMem_Free(b); return NULL; }
            a[start[k] + j] = (int32_t)v1;
            if (width == 2) b[start[k] + j] = (int32_t)v2;
        }
        Py_DECREF(item);
    }
    *out_a = a;
    if (out_b) *out_b = b;
    return start;
}

/* one str tuple of a condition: checked once here, so that the scan reads it without checks */
static int str_tuple(PyObject *x) {
    if (!PyTuple_Check(x)) return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(x); i++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(x, i))) return 0;
    return 1;
}

/* resolve: per pattern, None or (owner, conditions); conditions: None or, per priority,
 * (not_before, not_after), tuples of str (Matcher._conditions) */
static int resolve_table(Automaton *a, PyObject *resolve) {
    Py_ssize_t n = PyTuple_GET_SIZE(resolve);
    a->res_owner = PyMem_Malloc(sizeof(int32_t) * (n + 1));
    a->res_cond = PyMem_Calloc(n + 1, sizeof(PyObject *));
    if (!a->res_owner || !a->res_cond) { PyErr_NoMemory(); return -1; }
    a->n_resolve = n;
    for (Py_ssize_t pid = 0; pid < n; pid++) {
        PyObject *entry = PyTuple_GET_ITEM(resolve, pid);
        a->res_owner[pid] = -1;
        if (entry == Py_None) continue;
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) goto bad;
        long owner = PyLong_AsLong(PyTuple_GET_ITEM(entry, 0));
        if (owner == -1 && PyErr_Occurred()) return -1;
        if (owner < 0 || owner > INT32_MAX) goto bad;
        PyObject *cond = PyTuple_GET_ITEM(entry, 1);
        if (cond != Py_None) {
            if (!PyTuple_Check(cond)) goto bad;
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(cond); j++) {
                PyObject *c = PyTuple_GET_ITEM(cond, j);
                if (!PyTuple_Check(c) || PyTuple_GET_SIZE(c) != 2 || !str_tuple(PyTuple_GET_ITEM(c, 0))
                    || !str_tuple(PyTuple_GET_ITEM(c, 1))) goto bad;
            }
            a->res_cond[pid] = cond;
        }
        a->res_owner[pid] = (int32_t)owner;
        continue;
    bad:
        PyErr_Format(PyExc_TypeError, "resolve[%zd] must be None or (owner, None or ((not_before, not_after), ...))", pid);
        return -1;
    }
    return 0;
}

static PyObject *automaton_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *keys_in, *owners_in, *expands_in, *gates_in, *resolve_in = Py_None;
    static char *kwlist[] = {"keys", "owners", "expands", "gates", "resolve", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO|O:Automaton", kwlist, &keys_in, &owners_in, &expands_in,
                                     &gates_in, &resolve_in))
        return NULL;
    Automaton *a = (Automaton *)type->tp_alloc(type, 0);
    if (!a) return NULL;
    PyObject *keys = NULL, *owners = NULL, *expands = NULL, *gates = NULL;
    Triple *triples = NULL;
    int32_t *table = NULL;
    int32_t *queue = NULL;
    keys = PySequence_Fast(keys_in, "keys must be a sequence of str");
    owners = keys ? PySequence_Fast(owners_in, "owners must be a sequence") : NULL;
    expands = owners ? PySequence_Fast(expands_in, "expands must be a sequence") : NULL;
    gates = expands ? PySequence_Fast(gates_in, "gates must be a sequence") : NULL;
    if (!gates) goto fail;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(keys);
    if (PySequence_Fast_GET_SIZE(owners) != n || PySequence_Fast_GET_SIZE(expands) != n || PySequence_Fast_GET_SIZE(gates) != n) {
        PyErr_SetString(PyExc_ValueError, "keys, owners, expands and gates must have the same length");
        goto fail;
    }
    if (n >= INT32_MAX / 2) { PyErr_SetString(PyExc_ValueError, "too many keys"); goto fail; }
    if (resolve_in != Py_None) {
        PyObject *resolve = PySequence_Tuple(resolve_in);
        if (!resolve) goto fail;
        a->args = PyTuple_Pack(5, keys, owners, expands, gates, resolve);
        Py_DECREF(resolve);
        if (!a->args || resolve_table(a, PyTuple_GET_ITEM(a->args, 4)) < 0) goto fail;
    } else {
        a->args = PyTuple_Pack(4, keys, owners, expands, gates);
        if (!a->args) goto fail;
    }

    Py_ssize_t chars = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *key = PySequence_Fast_GET_ITEM(keys, k);
        if (!PyUnicode_Check(key) || PyUnicode_GET_LENGTH(key) == 0) {
            PyErr_Format(PyExc_TypeError, "key %zd must be a non-empty str", k);
            goto fail;
        }
        chars += PyUnicode_GET_LENGTH(key);
    }
    if (chars >= INT32_MAX / 4) { PyErr_SetString(PyExc_ValueError, "keys too long"); goto fail; }
    int32_t cap = (int32_t)chars + 1;
    a->key_len = PyMem_Malloc(sizeof(int32_t) * (n + 1));
    a->st = PyMem_Malloc(sizeof(State) * (cap + 1));   /* at most one state per key character, and the root */
    a->gate = PyMem_Malloc(n + 1);
    triples = PyMem_Malloc(sizeof(Triple) * cap);
    uint64_t size = 16;
    while (size < (uint64_t)cap * 2) size <<= 1;
    uint64_t mask = size - 1;
    table = PyMem_Malloc(sizeof(int32_t) * size);   /* slot -> index into triples, -1 empty */
    if (!a->key_len || !a->st || !a->gate || !triples || !table) { PyErr_NoMemory(); goto fail; }
    memset(table, 0xff, sizeof(int32_t) * size);
    int32_t states = 1, n_triples = 0;
    a->st[0].key = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *key = PySequence_Fast_GET_ITEM(keys, k);
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        int32_t s = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            uint32_t ch = PyUnicode_READ(kind, data, i);
            uint64_t slot = slot_of(s, ch, mask);
            int32_t found = -1;
            while (table[slot] >= 0) {
                Triple *t = &triples[table[slot]];
                if (t->parent == s && t->ch == ch) { found = t->child; break; }
                slot = (slot + 1) & mask;
            }
            if (found < 0) {
                found = states++;
                a->st[found].key = -1;
                triples[n_triples] = (Triple){s, ch, found};
                table[slot] = n_triples++;
            }
            s = found;
        }
        if (a->st[s].key >= 0) {
            PyErr_Format(PyExc_ValueError, "key %zd repeats key %d", k, a->st[s].key);
            goto fail;
        }
        a->st[s].key = (int32_t)k;
        a->key_len[k] = (int32_t)len;
        int g = PyObject_IsTrue(PySequence_Fast_GET_ITEM(gates, k));
        if (g < 0) goto fail;
        a->gate[k] = (uint8_t)g;
    }
    PyMem_Free(table); table = NULL;
    qsort(triples, n_triples, sizeof(Triple), triple_cmp);
    a->edges = PyMem_Malloc(sizeof(Edge) * (n_triples + 1));
    a->root = PyMem_Calloc(65536, sizeof(int32_t));
    queue = PyMem_Malloc(sizeof(int32_t) * states);
    if (!a->edges || !a->root || !queue) { PyErr_NoMemory(); goto fail; }
    {
        int32_t t = 0;
        for (int32_t s = 0; s <= states; s++) {
            while (t < n_triples && triples[t].parent < s) t++;
            a->st[s].edge = t;
        }
        for (int32_t i = 0; i < n_triples; i++) {
            a->edges[i].ch = triples[i].ch;
            a->edges[i].next = triples[i].child;
            if (triples[i].parent == 0 && triples[i].ch < 65536) a->root[triples[i].ch] = triples[i].child;
        }
    }
    PyMem_Free(triples); triples = NULL;
    /* failure links and output links, breadth first */
    {
        int32_t head = 0, tail = 0;
        a->st[0].fail = 0;
        a->st[0].next = -1;
        for (int32_t e = a->st[0].edge; e < a->st[1].edge; e++) {
            int32_t c = a->edges[e].next;
            a->st[c].fail = 0;
            a->st[c].next = -1;
            queue[tail++] = c;
        }
        while (head < tail) {
            int32_t s = queue[head++];
            for (int32_t e = a->st[s].edge; e < a->st[s + 1].edge; e++) {
                uint32_t ch = a->edges[e].ch;
                int32_t c = a->edges[e].next;
                int32_t f = a->st[s].fail;
                int32_t g;
                while ((g = step(a, f, ch)) == 0 && f != 0) f = a->st[f].fail;
                a->st[c].fail = g;
                a->st[c].next = a->st[g].key >= 0 ? g : a->st[g].next;
                queue[tail++] = c;
            }
        }
    }
    PyMem_Free(queue); queue = NULL;
    a->own_start = csr_ints(owners, n, 1, &a->own_list, NULL);
    if (!a->own_start) goto fail;
    a->exp_start = csr_ints(expands, n, 2, &a->exp_pid, &a->exp_prio);
    if (!a->exp_start) goto fail;
    Py_DECREF(keys); Py_DECREF(owners); Py_DECREF(expands); Py_DECREF(gates);
    return (PyObject *)a;
fail:
    PyMem_Free(triples); PyMem_Free(table); PyMem_Free(queue);
    Py_XDECREF(keys); Py_XDECREF(owners); Py_XDECREF(expands); Py_XDECREF(gates);
    Py_DECREF(a);
    return NULL;
}

/* a growable array of int32 triples */
typedef struct { int32_t *v; Py_ssize_t n, cap; } Buf;

static int buf_push(Buf *b, int32_t x, int32_t y, int32_t z) {
    if (b->n + 3 > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap * 2 : 3 * 1024;
        int32_t *v = PyMem_Realloc(b->v, sizeof(int32_t) * cap);
        if (!v) { PyErr_NoMemory(); return -1; }
        b->v = v; b->cap = cap;
    }
    b->v[b->n++] = x; b->v[b->n++] = y; b->v[b->n++] = z;
    return 0;
}

static int append_to(PyObject *dict, int32_t key, PyObject *item) {
    /* dict[key].append(item), creating the list; steals item */
    if (!item) return -1;
    PyObject *k = PyLong_FromLong(key);
    if (!k) { Py_DECREF(item); return -1; }
    PyObject *list = PyDict_GetItemWithError(dict, k);
    int rc;
    if (list) {
        rc = PyList_Append(list, item);
    } else if (PyErr_Occurred()) {
        rc = -1;
    } else {
        list = PyList_New(1);
        if (!list) rc = -1;
        else {
            Py_INCREF(item);
            PyList_SET_ITEM(list, 0, item);
            rc = PyDict_SetItem(dict, k, list);
            Py_DECREF(list);
        }
    }
    Py_DECREF(k);
    Py_DECREF(item);
    return rc;
}

/* an occurrence of a string of an expanded pattern the scan resolves itself */
typedef struct { int32_t pid, start, priority, length; } Occurrence;
typedef struct { Occurrence *v; Py_ssize_t n, cap; } Occurrences;

static int occ_push(Occurrences *o, Occurrence x) {
    if (o->n == o->cap) {
        Py_ssize_t cap = o->cap ? o->cap * 2 : 256;
        Occurrence *v = PyMem_Realloc(o->v, sizeof(Occurrence) * cap);
        if (!v) { PyErr_NoMemory(); return -1; }
        o->v = v; o->cap = cap;
    }
    o->v[o->n++] = x;
    return 0;
}

static int occ_cmp(const void *x, const void *y) {
    const Occurrence *p = x, *q = y;
    if (p->pid != q->pid) return p->pid < q->pid ? -1 : 1;
    if (p->start != q->start) return p->start < q->start ? -1 : 1;
    if (p->priority != q->priority) return p->priority < q->priority ? -1 : 1;
    return (p->length > q->length) - (p->length < q->length);
}

/* whether the str `x` occurs in the text at `at` (match._ends_with_any, _starts_with_any) */
static int occurs_at(PyObject *x, int kind, const void *data, Py_ssize_t len, Py_ssize_t at) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(x);
    if (at < 0 || at + n > len) return 0;
    int xk = PyUnicode_KIND(x);
    const void *xd = PyUnicode_DATA(x);
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, data, at + i) != PyUnicode_READ(xk, xd, i)) return 0;
    return 1;
}

/* Matcher.find's loop over `expanded` for the patterns in the resolve table: with conditions,
 * each occurrence where no not_before string ends and no not_after string starts; without,
 * finditer's choice, the lowest priority at each start, left to right, none inside the last.
 * The hits join `owned`. */
static int resolve_occurrences(Automaton *a, Occurrences *occ, Buf *owned, int kind, const void *data,
                               Py_ssize_t len) {
    qsort(occ->v, occ->n, sizeof(Occurrence), occ_cmp);
    int32_t pid = -1, pos = -1;
    for (Py_ssize_t i = 0; i < occ->n; i++) {
        Occurrence o = occ->v[i];
        if (o.pid != pid) { pid = o.pid; pos = -1; }
        PyObject *cond = a->res_cond[pid];
        if (cond) {
            if (o.priority >= PyTuple_GET_SIZE(cond)) {
                PyErr_Format(PyExc_ValueError, "pattern %d has no condition for string %d", pid, o.priority);
                return -1;
            }
            PyObject *c = PyTuple_GET_ITEM(cond, o.priority);
            PyObject *before = PyTuple_GET_ITEM(c, 0), *after = PyTuple_GET_ITEM(c, 1);
            int skip = 0;
            for (Py_ssize_t j = 0; !skip && j < PyTuple_GET_SIZE(before); j++) {
                PyObject *x = PyTuple_GET_ITEM(before, j);
                skip = occurs_at(x, kind, data, len, o.start - PyUnicode_GET_LENGTH(x));
            }
            for (Py_ssize_t j = 0; !skip && j < PyTuple_GET_SIZE(after); j++)
                skip = occurs_at(PyTuple_GET_ITEM(after, j), kind, data, len, o.start + o.length);
            if (skip) continue;
        } else {
            if (o.start < pos) continue;
            pos = o.start + o.length;
        }
        if (buf_push(owned, o.start, o.start + o.length, a->res_owner[pid]) < 0) return -1;
    }
    return 0;
}

static PyObject *automaton_scan(Automaton *a, PyObject *text) {
    if (!PyUnicode_Check(text)) { PyErr_SetString(PyExc_TypeError, "scan() needs a str"); return NULL; }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    if (len >= INT32_MAX) { PyErr_SetString(PyExc_ValueError, "text too long"); return NULL; }
    Buf owned = {NULL, 0, 0};
    Occurrences occ = {NULL, 0, 0};
    PyObject *expanded = PyDict_New(), *places = PyDict_New(), *result = NULL;
    if (!expanded || !places) goto done;
    int32_t s = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        uint32_t ch = PyUnicode_READ(kind, data, i);
        int32_t next;
        while ((next = step(a, s, ch)) == 0 && s != 0) s = a->st[s].fail;
        s = next;
        if (s == 0) continue;
        for (int32_t t = a->st[s].key >= 0 ? s : a->st[s].next; t >= 0; t = a->st[t].next) {
            int32_t k = a->st[t].key;
            int32_t klen = a->key_len[k];
            int32_t start = (int32_t)i - klen + 1;
            for (int32_t j = a->own_start[k]; j < a->own_start[k + 1]; j++)
                if (buf_push(&owned, start, (int32_t)i + 1, a->own_list[j]) < 0) goto done;
            for (int32_t j = a->exp_start[k]; j < a->exp_start[k + 1]; j++) {
                int32_t pid = a->exp_pid[j];
                if (pid < a->n_resolve && a->res_owner[pid] >= 0) {
                    if (occ_push(&occ, (Occurrence){pid, start, a->exp_prio[j], klen}) < 0) goto done;
                } else if (append_to(expanded, pid, Py_BuildValue("(iii)", start, a->exp_prio[j], klen)) < 0) {
                    goto done;
                }
            }
            if (a->gate[k] && append_to(places, k, PyLong_FromLong(start)) < 0) goto done;
        }
    }
    if (occ.n && resolve_occurrences(a, &occ, &owned, kind, data, len) < 0) goto done;
    {
        PyObject *bytes = PyBytes_FromStringAndSize((const char *)owned.v, (Py_ssize_t)(owned.n * sizeof(int32_t)));
        if (!bytes) goto done;
        result = PyTuple_Pack(3, bytes, expanded, places);
        Py_DECREF(bytes);
    }
done:
    PyMem_Free(owned.v);
    PyMem_Free(occ.v);
    Py_XDECREF(expanded);
    Py_XDECREF(places);
    return result;
}

static PyObject *automaton_reduce(Automaton *a, PyObject *Py_UNUSED(ignored)) {
    return Py_BuildValue("(OO)", (PyObject *)Py_TYPE(a), a->args);
}

static PyMethodDef automaton_methods[] = {
    {"scan", (PyCFunction)automaton_scan, METH_O,
     "scan(view) -> (owned, expanded, places): every occurrence of every key, overlapping ones included"},
    {"__reduce__", (PyCFunction)automaton_reduce, METH_NOARGS, "rebuilt from its keys when unpickled"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject AutomatonType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._hitcore.Automaton",
    .tp_basicsize = sizeof(Automaton),
    .tp_dealloc = (destructor)automaton_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Aho-Corasick automaton over code points: Automaton(keys, owners, expands, gates)",
    .tp_methods = automaton_methods,
    .tp_new = automaton_new,
};

/* ---------------------------------------------------------------------- merge --- */

static int triple3_cmp(const void *x, const void *y) {
    const int32_t *p = x, *q = y;
    for (int i = 0; i < 3; i++)
        if (p[i] != q[i]) return p[i] < q[i] ? -1 : 1;
    return 0;
}

/* cls(a, b, c) for a tuple subclass, the way tuple.__new__(cls, (a, b, c)) builds it; steals a, b, c */
static PyObject *make3(PyTypeObject *cls, PyObject *x, PyObject *y, PyObject *z) {
    if (!x || !y || !z) { Py_XDECREF(x); Py_XDECREF(y); Py_XDECREF(z); return NULL; }
    PyObject *t = cls->tp_alloc(cls, 3);
    if (!t) { Py_DECREF(x); Py_DECREF(y); Py_DECREF(z); return NULL; }
    PyTuple_SET_ITEM(t, 0, x); PyTuple_SET_ITEM(t, 1, y); PyTuple_SET_ITEM(t, 2, z);
    return t;
}

static int check_tuple_class(PyObject *cls) {
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "the hit class must be a tuple subclass");
        return -1;
    }
    return 0;
}

static PyObject *merge(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer owned;
    PyObject *extra, *cls;
    if (!PyArg_ParseTuple(args, "y*OO:merge", &owned, &extra, &cls)) return NULL;
    PyObject *result = NULL, *fast = NULL;
    int32_t *v = NULL;
    if (cls != Py_None && check_tuple_class(cls) < 0) goto done;
    fast = PySequence_Fast(extra, "extra hits must be a sequence");
    if (!fast) goto done;
    Py_ssize_t n_owned = owned.len / (Py_ssize_t)(3 * sizeof(int32_t));
    Py_ssize_t n_extra = PySequence_Fast_GET_SIZE(fast);
    Py_ssize_t n = n_owned + n_extra;
    v = PyMem_Malloc(sizeof(int32_t) * 3 * (n + 1));
    if (!v) { PyErr_NoMemory(); goto done; }
    memcpy(v, owned.buf, sizeof(int32_t) * 3 * n_owned);
    for (Py_ssize_t i = 0; i < n_extra; i++) {
        PyObject *h = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyTuple_Check(h) || PyTuple_GET_SIZE(h) != 3) {
            PyErr_SetString(PyExc_TypeError, "extra hits must be (start, end, rule) tuples");
            goto done;
        }
        for (int j = 0; j < 3; j++) {
            long x = PyLong_AsLong(PyTuple_GET_ITEM(h, j));
            if (x == -1 && PyErr_Occurred()) goto done;
            v[3 * (n_owned + i) + j] = (int32_t)x;
        }
    }
    qsort(v, n, 3 * sizeof(int32_t), triple3_cmp);
    /* the distinct triples, kept in place */
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t *t = v + 3 * i;
        if (m && t[0] == v[3 * m - 3] && t[1] == v[3 * m - 2] && t[2] == v[3 * m - 1]) continue;
        memmove(v + 3 * m, t, 3 * sizeof(int32_t));
        m++;
    }
    if (cls == Py_None) {   /* packed, as bytes (by_paragraph, role_hits and filter read them) */
        result = PyBytes_FromStringAndSize((const char *)v, (Py_ssize_t)(m * 3 * sizeof(int32_t)));
        goto done;
    }
    result = PyList_New(m);
    if (!result) goto done;
    for (Py_ssize_t i = 0; i < m; i++) {
        int32_t *t = v + 3 * i;
        PyObject *hit = make3((PyTypeObject *)cls, PyLong_FromLong(t[0]), PyLong_FromLong(t[1]), PyLong_FromLong(t[2]));
        if (!hit) { Py_CLEAR(result); goto done; }
        PyList_SET_ITEM(result, i, hit);
    }
done:
    PyMem_Free(v);
    Py_XDECREF(fast);
    PyBuffer_Release(&owned);
    return result;
}

/* ------------------------------------------------------------------- gates --- */

/* enabled(places, key_gates, needed) -> {pattern, ...}: the gated patterns a document may hold a
 * match of (the gating loop of Matcher.find in C). places: {key id: [start, ...]} of the keys
 * found; key_gates[key id]: the (pattern, group) pairs the key stands for; needed[pattern]: how
 * many groups the pattern has, each of which must have a key among the places */
static PyObject *enabled(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *places, *key_gates, *needed;
    if (!PyArg_ParseTuple(args, "O!O!O!:enabled", &PyDict_Type, &places, &PyList_Type, &key_gates, &PyList_Type, &needed))
        return NULL;
    Py_ssize_t np = PyList_GET_SIZE(needed), nk = PyList_GET_SIZE(key_gates);
    uint32_t *mask = PyMem_Calloc((size_t)np + 1, sizeof(uint32_t));
    Py_ssize_t *touched = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)np + 1));
    PyObject *out = NULL;
    Py_ssize_t nt = 0, pos = 0;
    PyObject *kid, *starts;
    if (!mask || !touched) { PyErr_NoMemory(); goto done; }
    /* only exact ints are read below: no __index__ may run while the dict and lists are walked */
    while (PyDict_Next(places, &pos, &kid, &starts)) {
        if (!PyLong_Check(kid)) { PyErr_SetString(PyExc_TypeError, "key ids must be ints"); goto done; }
        Py_ssize_t k = PyLong_AsSsize_t(kid);
        if (k == -1 && PyErr_Occurred()) goto done;
        if (k < 0 || k >= nk) { PyErr_SetString(PyExc_IndexError, "key id out of range"); goto done; }
        PyObject *pairs = PyList_GET_ITEM(key_gates, k);
        if (!PyTuple_Check(pairs)) { PyErr_SetString(PyExc_TypeError, "key_gates must hold tuples of (pattern, group) pairs"); goto done; }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(pairs); j++) {
            PyObject *pair = PyTuple_GET_ITEM(pairs, j);
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyLong_Check(PyTuple_GET_ITEM(pair, 0))
                || !PyLong_Check(PyTuple_GET_ITEM(pair, 1))) {
                PyErr_SetString(PyExc_TypeError, "gates must be (pattern, group) pairs of ints");
                goto done;
            }
            Py_ssize_t pid = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
            Py_ssize_t group = pid == -1 && PyErr_Occurred() ? -1 : PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
            if (PyErr_Occurred()) goto done;
            if (pid < 0 || pid >= np || group < 0 || group >= 32) { PyErr_SetString(PyExc_IndexError, "pattern or group out of range"); goto done; }
            if (!mask[pid]) touched[nt++] = pid;
            mask[pid] |= (uint32_t)1 << group;
        }
    }
    out = PySet_New(NULL);
    for (Py_ssize_t t = 0; out && t < nt; t++) {
        Py_ssize_t pid = touched[t];
        PyObject *w = PyList_GET_ITEM(needed, pid);
        if (!PyLong_Check(w)) { PyErr_SetString(PyExc_TypeError, "needed must hold ints"); Py_CLEAR(out); break; }
        Py_ssize_t want = PyLong_AsSsize_t(w);
        if (want == -1 && PyErr_Occurred()) { Py_CLEAR(out); break; }
        uint32_t m = mask[pid];
        Py_ssize_t have = 0;
        for (; m; m &= m - 1) have++;
        if (have != want) continue;
        PyObject *x = PyLong_FromSsize_t(pid);
        if (!x || PySet_Add(out, x) < 0) Py_CLEAR(out);
        Py_XDECREF(x);
    }
done:
    PyMem_Free(mask);
    PyMem_Free(touched);
    return out;
}

/* ------------------------------------------------------------------ stretches --- */

static int pair_cmp(const void *x, const void *y) {
    const Py_ssize_t *p = x, *q = y;
    if (p[0] != q[0]) return p[0] < q[0] ? -1 : 1;
    return p[1] < q[1] ? -1 : p[1] > q[1];
}

/* the (start, end) of every occurrence of the keys `kids` (ints) whose starts are in the dict
 * places[kid] (absent: none), key kid of length lengths[kid]; sorted; *count set. NULL with an
 * error set on bad input */
static Py_ssize_t *group_spans(PyObject *kids, PyObject *places, PyObject *lengths, Py_ssize_t *count) {
    if (!PyTuple_Check(kids)) { PyErr_SetString(PyExc_TypeError, "a group must be a tuple of key ids"); return NULL; }
    /* only exact ints are read below: no __index__ may run while borrowed lists are held */
    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kids); k++) {
        if (!PyLong_Check(PyTuple_GET_ITEM(kids, k))) { PyErr_SetString(PyExc_TypeError, "key ids must be ints"); return NULL; }
        PyObject *starts = PyDict_GetItemWithError(places, PyTuple_GET_ITEM(kids, k));
        if (!starts) { if (PyErr_Occurred()) return NULL; continue; }
        if (!PyList_Check(starts)) { PyErr_SetString(PyExc_TypeError, "places must be lists of starts"); return NULL; }
        total += PyList_GET_SIZE(starts);
    }
    Py_ssize_t *v = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (total + 1));
    if (!v) { PyErr_NoMemory(); return NULL; }
    Py_ssize_t m = 0, nl = PySequence_Fast_GET_SIZE(lengths);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kids); k++) {
        PyObject *kid = PyTuple_GET_ITEM(kids, k);
        PyObject *starts = PyDict_GetItemWithError(places, kid);
        if (!starts) { if (PyErr_Occurred()) goto bad; continue; }
        Py_ssize_t i = PyLong_AsSsize_t(kid);
        if (i == -1 && PyErr_Occurred()) goto bad;
        if (i < 0 || i >= nl) { PyErr_SetString(PyExc_IndexError, "key id out of range"); goto bad; }
        PyObject *len_item = PySequence_Fast_GET_ITEM(lengths, i);
        if (!PyLong_Check(len_item)) { PyErr_SetString(PyExc_TypeError, "lengths must be ints"); goto bad; }
        Py_ssize_t length = PyLong_AsSsize_t(len_item);
        if (length == -1 && PyErr_Occurred()) goto bad;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(starts) && m < total; j++) {
            PyObject *item = PyList_GET_ITEM(starts, j);
            if (!PyLong_Check(item)) { PyErr_SetString(PyExc_TypeError, "starts must be ints"); goto bad; }
            Py_ssize_t start = PyLong_AsSsize_t(item);
            if (start == -1 && PyErr_Occurred()) goto bad;
            v[2 * m] = start;
            v[2 * m + 1] = start + length;
            m++;
        }
    }
    qsort(v, (size_t)m, 2 * sizeof(Py_ssize_t), pair_cmp);
    *count = m;
    return v;
bad:
    PyMem_Free(v);
    return NULL;
}

/* the disjoint stretches of a text of n characters that cover the sorted spans v[0..m) (clipped
 * to the text), those holding one whole span of each of the nr sorted arrays req[g][0..req_count[g]):
 * written as (a, b) pairs to out (room for m pairs), their number returned (-1: no memory) */
static Py_ssize_t merged(const Py_ssize_t *v, Py_ssize_t m, Py_ssize_t **req, const Py_ssize_t *req_count,
                         Py_ssize_t nr, Py_ssize_t n, Py_ssize_t *out) {
    Py_ssize_t *cursor = PyMem_Calloc((size_t)(nr + 1), sizeof(Py_ssize_t));
    if (!cursor) { PyErr_NoMemory(); return -1; }
    Py_ssize_t i = 0, k = 0;
    while (i < m) {
        Py_ssize_t a = v[2 * i], b = v[2 * i + 1];
        for (i++; i < m && v[2 * i] <= b; i++)
            if (v[2 * i + 1] > b) b = v[2 * i + 1];
        /* clipped to the text (the stretches are disjoint and sorted, so only the ends can reach out) */
        if (a < 0) a = 0;
        if (b > n) b = n;
        int holds = 1;
        for (Py_ssize_t g = 0; g < nr && holds; g++) {
            /* a cursor per group walks its spans once, as the stretches come in order */
            const Py_ssize_t *o = req[g];
            Py_ssize_t c = cursor[g];
            while (c < req_count[g] && o[2 * c] < a) c++;   /* starts before this stretch: before the next ones too */
            cursor[g] = c;
            holds = 0;
            for (; c < req_count[g] && o[2 * c] < b; c++)
                if (o[2 * c + 1] <= b) { holds = 1; break; }
        }
        if (!holds) continue;
        out[2 * k] = a;
        out[2 * k + 1] = b;
        k++;
    }
    PyMem_Free(cursor);
    return k;
}

/* The stretches of windows(...) as (a, b) pairs in a new array (*out, PyMem_Free'd by the
 * caller), their number returned; -1 with an error set on bad input */
static Py_ssize_t window_stretches(PyObject *groups, PyObject *places, PyObject *lengths, Py_ssize_t width,
                                   Py_ssize_t n, Py_ssize_t **out) {
    *out = NULL;
    if (!PyList_Check(lengths) && !PyTuple_Check(lengths)) { PyErr_SetString(PyExc_TypeError, "lengths must be a list"); return -1; }
    Py_ssize_t ng = PyTuple_GET_SIZE(groups);
    if (ng == 0) { PyErr_SetString(PyExc_ValueError, "a windowed pattern has at least one group"); return -1; }
    Py_ssize_t **spans = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t *));
    Py_ssize_t *count = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t));
    Py_ssize_t **req = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t *));
    Py_ssize_t *req_count = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t));
    Py_ssize_t found = -1;
    if (!spans || !count || !req || !req_count) { PyErr_NoMemory(); goto done; }
    Py_ssize_t rarest = 0;
    for (Py_ssize_t g = 0; g < ng; g++) {
        spans[g] = group_spans(PyTuple_GET_ITEM(groups, g), places, lengths, &count[g]);
        if (!spans[g]) goto done;
        if (count[g] < count[rarest]) rarest = g;
    }
    Py_ssize_t nr = 0;
    for (Py_ssize_t g = 0; g < ng; g++)
        if (g != rarest) { req[nr] = spans[g]; req_count[nr] = count[g]; nr++; }
    /* widen the rarest group's spans in place: same order, so still sorted */
    Py_ssize_t *v = spans[rarest];
    for (Py_ssize_t i = 0; i < count[rarest]; i++) { v[2 * i] -= width; v[2 * i + 1] += width; }
    *out = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)(count[rarest] + 1));
    if (!*out) { PyErr_NoMemory(); goto done; }
    found = merged(v, count[rarest], req, req_count, nr, n, *out);
done:
    if (spans) for (Py_ssize_t g = 0; g < ng; g++) PyMem_Free(spans[g]);
    PyMem_Free(spans);
    PyMem_Free(count);
    PyMem_Free(req);
    PyMem_Free(req_count);
    if (found < 0) { PyMem_Free(*out); *out = NULL; }
    return found;
}

/* windows(groups, places, lengths, width, n) -> [[a, b], ...]: where a windowed pattern is
 * searched (Matcher._windows_python in C). groups: tuples of key ids, one literal of each
 * needed by every match; places: {key id: [start, ...]} of the document; lengths[key id]. The
 * stretches around the group with the fewest places (the first such), kept when they hold a
 * whole occurrence of a key of each other group */
static PyObject *windows(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *groups, *places, *lengths;
    Py_ssize_t width, n, *v;
    if (!PyArg_ParseTuple(args, "O!O!Onn:windows", &PyTuple_Type, &groups, &PyDict_Type, &places, &lengths, &width, &n))
        return NULL;
    Py_ssize_t k = window_stretches(groups, places, lengths, width, n, &v);
    if (k < 0) return NULL;
    PyObject *out = PyList_New(k);
    for (Py_ssize_t i = 0; out && i < k; i++) {
        PyObject *pair = Py_BuildValue("[nn]", v[2 * i], v[2 * i + 1]);
        if (!pair) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i, pair);
    }
    PyMem_Free(v);
    return out;
}

/* search_windows(finditer, text, stretches, call, long_call, short_span, owner, hits): the loop of
 * Matcher.find over a windowed pattern's stretches (and of Extractor.trap_spans over a trap's
 * paragraphs): finditer(text, a, b, **kwargs) on each, with `call` as keywords, or `long_call`
 * on a stretch longer than short_span (patterns.call_for), and (start, end, owner) appended to
 * the list `hits` for each match that is not empty. An error of a search (a regex timeout)
 * propagates, with the hits found before it appended. */
static PyObject *s_span;   /* "span": a match's method, an evidence object's key */

/* one stretch text[a:b] of search_windows: 0, or -1 with the error set (the hits before it kept) */
static int search_stretch(PyObject *finditer, PyObject *text, PyObject *a, PyObject *b, PyObject *kwargs,
                          PyObject *owner, PyObject *hits) {
    PyObject *argv = PyTuple_Pack(3, text, a, b);
    if (!argv) return -1;
    PyObject *it = PyObject_Call(finditer, argv, PyDict_GET_SIZE(kwargs) ? kwargs : NULL);
    Py_DECREF(argv);
    if (!it) return -1;
    PyObject *m;
    while ((m = PyIter_Next(it))) {
        PyObject *span = PyObject_CallMethodNoArgs(m, s_span);
        Py_DECREF(m);
        if (!span) break;
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
            Py_DECREF(span);
            PyErr_SetString(PyExc_TypeError, "a match's span() must be a pair");
            break;
        }
        PyObject *ms = PyTuple_GET_ITEM(span, 0), *me = PyTuple_GET_ITEM(span, 1);
        int longer = PyObject_RichCompareBool(me, ms, Py_GT);
        int rc = longer;
        if (longer > 0) {
            PyObject *hit = PyTuple_Pack(3, ms, me, owner);
            rc = hit ? PyList_Append(hits, hit) : -1;
            Py_XDECREF(hit);
        }
        Py_DECREF(span);
        if (rc < 0) break;
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *search_windows(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *finditer, *text, *stretches, *call, *long_call, *hits, *owner;
    Py_ssize_t short_span;
    if (!PyArg_ParseTuple(args, "OUO!O!O!nOO!:search_windows", &finditer, &text, &PyList_Type, &stretches,
                          &PyDict_Type, &call, &PyDict_Type, &long_call, &short_span, &owner, &PyList_Type, &hits))
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(stretches); i++) {
        PyObject *stretch = PyList_GET_ITEM(stretches, i);
        if (!PyList_Check(stretch) || PyList_GET_SIZE(stretch) != 2) {
            PyErr_SetString(PyExc_TypeError, "stretches must be [a, b] lists");
            return NULL;
        }
        PyObject *a = PyList_GET_ITEM(stretch, 0), *b = PyList_GET_ITEM(stretch, 1);
        Py_ssize_t length = PyNumber_AsSsize_t(b, NULL) - PyNumber_AsSsize_t(a, NULL);
        if (PyErr_Occurred()) return NULL;
        if (search_stretch(finditer, text, a, b, length <= short_span ? call : long_call, owner, hits) < 0) return NULL;
    }
    Py_RETURN_NONE;
}

/* search_windowed(finditer, groups, places, lengths, width, text, call, long_call, short_span,
 * owner, hits) -> True: windows(...) and search_windows(...) in one call, the stretches kept in C,
 * when they are few (300 x their number under the text's length: a search has its own cost);
 * False, having searched nothing, when they are not (the caller searches the whole text) */
static PyObject *search_windowed(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *finditer, *groups, *places, *lengths, *text, *call, *long_call, *owner, *hits;
    Py_ssize_t width, short_span, *v;
    if (!PyArg_ParseTuple(args, "OO!O!OnUO!O!nOO!:search_windowed", &finditer, &PyTuple_Type, &groups, &PyDict_Type,
                          &places, &lengths, &width, &text, &PyDict_Type, &call, &PyDict_Type, &long_call, &short_span,
                          &owner, &PyList_Type, &hits))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t k = window_stretches(groups, places, lengths, width, n, &v);
    if (k < 0) return NULL;
    if (k * 300 >= n) { PyMem_Free(v); Py_RETURN_FALSE; }
    int rc = 0;
    for (Py_ssize_t i = 0; i < k && !rc; i++) {
        PyObject *a = PyLong_FromSsize_t(v[2 * i]), *b = PyLong_FromSsize_t(v[2 * i + 1]);
        rc = a && b ? search_stretch(finditer, text, a, b, v[2 * i + 1] - v[2 * i] <= short_span ? call : long_call,
                                     owner, hits) : -1;
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
    PyMem_Free(v);
    if (rc < 0) return NULL;
    Py_RETURN_TRUE;
}

/* --------------------------------------------------------------- by_paragraph --- */

/* start, end and rule of a hit (RawHit or Hit, borrowed); -1 with an error set when it is not
 * a (start, end, rule, ...) tuple */
static int hit_fields(PyObject *h, PyObject **start, PyObject **end, PyObject **rule) {
    if (!PyTuple_Check(h) || PyTuple_GET_SIZE(h) < 3) {
        PyErr_SetString(PyExc_TypeError, "hits must be (start, end, rule, ...) tuples");
        return -1;
    }
    *start = PyTuple_GET_ITEM(h, 0), *end = PyTuple_GET_ITEM(h, 1), *rule = PyTuple_GET_ITEM(h, 2);
    return 0;
}

/* the rule index of a raw hit (start, end, rule index), checked to be one of n_rules, with its
 * start and end (borrowed); -1 with an error set when it is not such a hit */
static long raw_hit_rule(PyObject *h, Py_ssize_t n_rules, PyObject **start, PyObject **end) {
    PyObject *rule;
    if (hit_fields(h, start, end, &rule) < 0) return -1;
    long r = PyLong_AsLong(rule);
    if (r == -1 && PyErr_Occurred()) return -1;
    if (r < 0 || r >= n_rules) { PyErr_SetString(PyExc_IndexError, "rule index out of range"); return -1; }
    return r;
}

/* start and end of a hit as C longs */
static int hit_span(PyObject *h, long *start, long *end) {
    PyObject *a, *b, *rule;
    if (hit_fields(h, &a, &b, &rule) < 0) return -1;
    *start = PyLong_AsLong(a);
    *end = PyLong_AsLong(b);
    return PyErr_Occurred() ? -1 : 0;
}

/* Packed groups: the raw hits of each paragraph without an object per hit, as the tuple
 * (hits, offsets) of two bytes objects: int32 (start, end, rule) triples, paragraph after
 * paragraph, and n + 1 int32 offsets (in triples), paragraph k's hits lying between offsets k
 * and k + 1. Checked here, so that the loops read them without checks. */
typedef struct { const int32_t *hits, *offsets; Py_ssize_t n; } Packed;

static int packed_groups(PyObject *groups, Packed *out) {
    if (!PyTuple_Check(groups) || PyTuple_GET_SIZE(groups) != 2 || !PyBytes_Check(PyTuple_GET_ITEM(groups, 0))
        || !PyBytes_Check(PyTuple_GET_ITEM(groups, 1))) {
        PyErr_SetString(PyExc_TypeError, "groups must be a list of lists of hits, or packed (hits, offsets) bytes");
        return -1;
    }
    PyObject *hits = PyTuple_GET_ITEM(groups, 0), *offsets = PyTuple_GET_ITEM(groups, 1);
    Py_ssize_t nh = PyBytes_GET_SIZE(hits), no = PyBytes_GET_SIZE(offsets);
    if (nh % (3 * sizeof(int32_t)) || no % sizeof(int32_t) || no == 0) goto bad;
    out->hits = (const int32_t *)PyBytes_AS_STRING(hits);
    out->offsets = (const int32_t *)PyBytes_AS_STRING(offsets);
    out->n = no / (Py_ssize_t)sizeof(int32_t) - 1;
    if (out->offsets[0] != 0 || out->offsets[out->n] != nh / (Py_ssize_t)(3 * sizeof(int32_t))) goto bad;
    for (Py_ssize_t k = 0; k < out->n; k++)
        if (out->offsets[k] > out->offsets[k + 1]) goto bad;
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "packed groups: the offsets do not fit the hits");
    return -1;
}

/* by_paragraph for the packed raw hits of merge(..., None): the packed groups */
static PyObject *by_paragraph_packed(PyObject *raw, PyObject *starts, PyObject *ends) {
    Py_ssize_t np = PyList_GET_SIZE(starts);
    Py_ssize_t nh = PyBytes_GET_SIZE(raw) / (Py_ssize_t)(3 * sizeof(int32_t));
    if (PyBytes_GET_SIZE(raw) % (3 * sizeof(int32_t))) { PyErr_SetString(PyExc_ValueError, "packed hits must be int32 triples"); return NULL; }
    const int32_t *v = (const int32_t *)PyBytes_AS_STRING(raw);
    PyObject *hits = PyBytes_FromStringAndSize(NULL, PyBytes_GET_SIZE(raw));
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (np + 1) * (Py_ssize_t)sizeof(int32_t));
    if (!hits || !offsets) goto fail;
    int32_t *out = (int32_t *)PyBytes_AS_STRING(hits), *off = (int32_t *)PyBytes_AS_STRING(offsets);
    Py_ssize_t lo = 0, m = 0;
    for (Py_ssize_t k = 0; k < np; k++) {
        long start = PyLong_AsLong(PyList_GET_ITEM(starts, k));
        long end = PyLong_AsLong(PyList_GET_ITEM(ends, k));
        if (PyErr_Occurred()) goto fail;
        off[k] = (int32_t)m;
        for (; lo < nh; lo++) {   /* as the list path below */
            const int32_t *t = v + 3 * lo;
            if (t[0] < start) continue;
            if (t[0] >= end) break;
            if (t[1] <= end) { memcpy(out + 3 * m, t, 3 * sizeof(int32_t)); m++; }
        }
    }
    off[np] = (int32_t)m;
    if (_PyBytes_Resize(&hits, m * 3 * (Py_ssize_t)sizeof(int32_t)) < 0) { hits = NULL; goto fail; }
    PyObject *result = PyTuple_Pack(2, hits, offsets);
    Py_DECREF(hits); Py_DECREF(offsets);
    return result;
fail:
    Py_XDECREF(hits); Py_XDECREF(offsets);
    return NULL;
}

static PyObject *by_paragraph(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *raw, *starts, *ends;
    if (!PyArg_ParseTuple(args, "OO!O!:by_paragraph", &raw, &PyList_Type, &starts, &PyList_Type, &ends))
        return NULL;
    if (PyList_GET_SIZE(ends) != PyList_GET_SIZE(starts)) { PyErr_SetString(PyExc_ValueError, "starts and ends differ in length"); return NULL; }
    if (PyBytes_Check(raw)) return by_paragraph_packed(raw, starts, ends);
    if (!PyList_Check(raw)) { PyErr_SetString(PyExc_TypeError, "raw hits must be a list or packed bytes"); return NULL; }
    Py_ssize_t np = PyList_GET_SIZE(starts), nh = PyList_GET_SIZE(raw);
    PyObject *groups = PyList_New(np);
    if (!groups) return NULL;
    Py_ssize_t lo = 0;
    for (Py_ssize_t k = 0; k < np; k++) {
        long start = PyLong_AsLong(PyList_GET_ITEM(starts, k));
        long end = PyLong_AsLong(PyList_GET_ITEM(ends, k));
        if (PyErr_Occurred()) { Py_DECREF(groups); return NULL; }
        PyObject *group = PyList_New(0);
        if (!group) { Py_DECREF(groups); return NULL; }
        PyList_SET_ITEM(groups, k, group);
        /* hits are sorted by start: skip those before the paragraph, take those that start in
         * it and end in it too (a hit across a line break belongs to no paragraph) */
        for (; lo < nh; lo++) {
            PyObject *h = PyList_GET_ITEM(raw, lo);
            long s, e;
            if (hit_span(h, &s, &e) < 0) { Py_DECREF(groups); return NULL; }
            if (s < start) continue;
            if (s >= end) break;
            if (e <= end && PyList_Append(group, h) < 0) { Py_DECREF(groups); return NULL; }
        }
    }
    return groups;
}

/* --------------------------------------------------------------------- filter --- */

/* What a rule's hits need (engine/match.py, FILTER_*): the low bits say where the rule counts
 * (any paragraph, headings only, or body text only); ROLE marks structure rules, the only ones
 * that count in page furniture; UNLESS marks rules with `unless` patterns, looked for in the
 * hit's sentence. Paragraph kinds likewise as codes. */
enum { PLAIN = 1, HEADING_ONLY = 2, BODY_ONLY = 3, WHERE_BITS = 3, ROLE = 4, UNLESS = 8 };
enum { BODY = 0, HEADING = 1, FURNITURE = 2, N_KINDS = 4 };

/* 1 when text[s:e] holds one of the strings of a tuple, 0 when it holds none, -1 on error */
static int holds_any(PyObject *text, PyObject *strings, Py_ssize_t s, Py_ssize_t e) {
    if (!PyTuple_Check(strings)) { PyErr_SetString(PyExc_TypeError, "unless strings must be a tuple"); return -1; }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(strings); i++) {
        Py_ssize_t at = PyUnicode_Find(text, PyTuple_GET_ITEM(strings, i), s, e, 1);
        if (at == -2) return -1;
        if (at >= 0) return 1;
    }
    return 0;
}

/* The reason (borrowed) of the first of a rule's unless checks that holds in text[s:e]; NULL
 * when none does, NULL with an exception set on error. A check is (reason, strings, groups,
 * search): a pattern that is a finite set of strings holds when one of them occurs; any other
 * is searched by search(text, s, e), only when every group of its required literals has one
 * in the sentence (Matcher.unless_checks). */
static PyObject *excluded(PyObject *text, PyObject *checks, Py_ssize_t s, Py_ssize_t e) {
    if (!PyTuple_Check(checks)) { PyErr_SetString(PyExc_TypeError, "unless checks must be a tuple"); return NULL; }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(checks); i++) {
        PyObject *check = PyTuple_GET_ITEM(checks, i);
        if (!PyTuple_Check(check) || PyTuple_GET_SIZE(check) != 4) {
            PyErr_SetString(PyExc_TypeError, "an unless check must be (reason, strings, groups, search)");
            return NULL;
        }
        PyObject *strings = PyTuple_GET_ITEM(check, 1), *groups = PyTuple_GET_ITEM(check, 2);
        int found;
        if (strings != Py_None) {
            found = holds_any(text, strings, s, e);
        } else {
            found = 1;
            if (!PyTuple_Check(groups)) { PyErr_SetString(PyExc_TypeError, "unless groups must be a tuple"); return NULL; }
            for (Py_ssize_t g = 0; found == 1 && g < PyTuple_GET_SIZE(groups); g++)
                found = holds_any(text, PyTuple_GET_ITEM(groups, g), s, e);
            if (found == 1) {
                PyObject *m = PyObject_CallFunction(PyTuple_GET_ITEM(check, 3), "Onn", text, s, e);
                if (!m) return NULL;
                found = PyObject_IsTrue(m);
                Py_DECREF(m);
            }
        }
        if (found < 0) return NULL;
        if (found) return PyTuple_GET_ITEM(check, 0);
    }
    return NULL;
}

/* The sentence-final marks, with a 64-bit summary of their low six bits: most characters of a
 * sentence (ideographs) are ruled out by one bit test, not a comparison with every mark. */
typedef struct { const Py_UCS4 *chars; Py_ssize_t n; uint64_t low_bits; } Marks;

static Marks marks_of(const Py_UCS4 *chars, Py_ssize_t n) {
    Marks m = {chars, n, 0};
    for (Py_ssize_t i = 0; i < n; i++) m.low_bits |= (uint64_t)1 << (chars[i] & 63);
    return m;
}

static int is_mark(Py_UCS4 ch, const Marks *marks) {
    if (!((marks->low_bits >> (ch & 63)) & 1)) return 0;
    for (Py_ssize_t i = 0; i < marks->n; i++)
        if (marks->chars[i] == ch) return 1;
    return 0;
}

/* [*s, *e) of the sentence of paragraph [ps, pe) that holds the hit [hs, he): from after the
 * last sentence-final mark before the hit through the first mark at or after its end
 * (segment.sentence_bounds) */
static void sentence_of(int kind, const void *data, const Marks *marks, Py_ssize_t ps,
                        Py_ssize_t pe, Py_ssize_t hs, Py_ssize_t he, Py_ssize_t *s, Py_ssize_t *e) {
    Py_ssize_t a = hs;
    while (a > ps && !is_mark(PyUnicode_READ(kind, data, a - 1), marks)) a--;
    Py_ssize_t b = he;
    while (b < pe && !is_mark(PyUnicode_READ(kind, data, b), marks)) b++;
    *s = a;
    *e = b < pe ? b + 1 : pe;
}

/* ------------------------------------------------------------------ kept hits --- */

/* KeptHits: the hits filter keeps (filter(..., packed=True), the pipeline's call), paragraph by
 * paragraph, as int32 (start, end, rule) triples: no object per hit. As a sequence it is the
 * list of Hit lists that filter gives otherwise, each paragraph's list made when it is asked
 * for (explain, stats and the Python loops read it so); the rule table's label,
 * paragraphs_json and slogans read the triples themselves. */
typedef struct {
    PyObject_HEAD
    PyObject *rules;        /* tuple: the rule object of each index */
    PyObject *cls;          /* the Hit class of the items */
    int32_t *hits;          /* the triples */
    Py_ssize_t *offsets;    /* n + 1: paragraph k's triples lie between offsets k and k + 1 */
    Py_ssize_t n;
} KeptHits;

static PyTypeObject KeptHitsType;

static void kept_dealloc(KeptHits *k) {
    Py_XDECREF(k->rules);
    Py_XDECREF(k->cls);
    PyMem_Free(k->hits);
    PyMem_Free(k->offsets);
    Py_TYPE(k)->tp_free((PyObject *)k);
}

static Py_ssize_t kept_length(KeptHits *k) {
    return k->n;
}

/* paragraph pi's kept hits as filter's list path makes them: cls(start, end, rule, pi) */
static PyObject *kept_item(KeptHits *k, Py_ssize_t pi) {
    if (pi < 0 || pi >= k->n) { PyErr_SetString(PyExc_IndexError, "paragraph index out of range"); return NULL; }
    Py_ssize_t lo = k->offsets[pi], hi = k->offsets[pi + 1];
    PyObject *out = PyList_New(hi - lo), *index = PyLong_FromSsize_t(pi);
    if (!out || !index) goto fail;
    for (Py_ssize_t j = lo; j < hi; j++) {
        const int32_t *t = k->hits + 3 * j;
        PyObject *item = ((PyTypeObject *)k->cls)->tp_alloc((PyTypeObject *)k->cls, 4);
        PyObject *a = PyLong_FromLong(t[0]), *z = PyLong_FromLong(t[1]);
        if (!item || !a || !z) { Py_XDECREF(item); Py_XDECREF(a); Py_XDECREF(z); goto fail; }
        PyTuple_SET_ITEM(item, 0, a);
        PyTuple_SET_ITEM(item, 1, z);
        PyTuple_SET_ITEM(item, 2, Py_NewRef(PyTuple_GET_ITEM(k->rules, t[2])));
        PyTuple_SET_ITEM(item, 3, Py_NewRef(index));
        PyList_SET_ITEM(out, j - lo, item);
    }
    Py_DECREF(index);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(index);
    return NULL;
}

/* all paragraphs' lists: what filter's list path returns */
static PyObject *kept_lists(KeptHits *k) {
    PyObject *out = PyList_New(k->n);
    for (Py_ssize_t pi = 0; out && pi < k->n; pi++) {
        PyObject *item = kept_item(k, pi);
        if (!item) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, pi, item);
    }
    return out;
}

/* equal to what equals its lists (a list of Hit lists, another KeptHits) */
static PyObject *kept_richcompare(KeptHits *k, PyObject *other, int op) {
    if (op != Py_EQ && op != Py_NE) Py_RETURN_NOTIMPLEMENTED;
    PyObject *mine = kept_lists(k), *theirs = NULL, *result = NULL;
    if (!mine) return NULL;
    if (Py_IS_TYPE(other, &KeptHitsType)) {
        theirs = kept_lists((KeptHits *)other);
        if (!theirs) goto done;
    } else {
        theirs = Py_NewRef(other);
    }
    result = PyObject_RichCompare(mine, theirs, op);
done:
    Py_DECREF(mine);
    Py_XDECREF(theirs);
    return result;
}

/* pickled as its lists: a KeptHits lives within one analysis, its rule indices within one matcher */
static PyObject *kept_reduce(KeptHits *k, PyObject *Py_UNUSED(ignored)) {
    PyObject *lists = kept_lists(k);
    return lists ? Py_BuildValue("(O(N))", (PyObject *)&PyList_Type, lists) : NULL;
}

static PySequenceMethods kept_as_sequence = {
    .sq_length = (lenfunc)kept_length,
    .sq_item = (ssizeargfunc)kept_item,
};

static PyMethodDef kept_methods[] = {
    {"__reduce__", (PyCFunction)kept_reduce, METH_NOARGS, "pickled as its list of Hit lists"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject KeptHitsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._hitcore.KeptHits",
    .tp_basicsize = sizeof(KeptHits),
    .tp_dealloc = (destructor)kept_dealloc,
    .tp_as_sequence = &kept_as_sequence,
    .tp_richcompare = (richcmpfunc)kept_richcompare,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "the kept hits of filter(..., packed=True): a sequence of each paragraph's Hit list, made when read",
    .tp_methods = kept_methods,
};

/* filter(groups, kinds, codes, rules, hit_cls, miss_cls, reasons, text, paragraphs, marks, unless
 * [, packed]) -> (kept, missed): the loop of match.filter_python, with the unless checks above;
 * packed: kept is a KeptHits */
static PyObject *filter(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *groups, *rules, *hit_cls, *miss_cls, *reasons, *text, *paragraphs, *marks, *unless;
    Py_buffer kinds, codes;
    int pack = 0;
    if (!PyArg_ParseTuple(args, "Oy*y*O!OOO!UO!UO!|p:filter", &groups, &kinds, &codes,
                          &PyTuple_Type, &rules, &hit_cls, &miss_cls, &PyTuple_Type, &reasons, &text,
                          &PyList_Type, &paragraphs, &marks, &PyTuple_Type, &unless, &pack))
        return NULL;
    PyObject *kept = NULL, *missed = NULL, *result = NULL;
    Buf kept_triples = {NULL, 0, 0};        /* pack: the kept hits' triples, */
    Py_ssize_t *kept_offsets = NULL;        /* and where each paragraph's start among them */
    Py_UCS4 *mark_chars = NULL;
    const uint8_t *kind_of = kinds.buf, *code_of = codes.buf;
    Py_ssize_t n_rules = PyTuple_GET_SIZE(rules);
    Packed packed = {NULL, NULL, 0};
    int is_packed = !PyList_Check(groups);
    if (is_packed && packed_groups(groups, &packed) < 0) goto done;
    Py_ssize_t np = is_packed ? packed.n : PyList_GET_SIZE(groups);
    int text_kind = PyUnicode_KIND(text);
    const void *text_data = PyUnicode_DATA(text);
    Py_ssize_t text_len = PyUnicode_GET_LENGTH(text);
    Py_ssize_t n_marks = PyUnicode_GET_LENGTH(marks);
    if (check_tuple_class(hit_cls) < 0 || check_tuple_class(miss_cls) < 0) goto done;
    if (kinds.len != np || PyList_GET_SIZE(paragraphs) != np || codes.len != n_rules
        || PyTuple_GET_SIZE(unless) != n_rules || PyTuple_GET_SIZE(reasons) != 2 * N_KINDS) {
        PyErr_SetString(PyExc_ValueError, "groups, kinds, paragraphs, codes, rules, unless and reasons do not agree");
        goto done;
    }
    mark_chars = PyUnicode_AsUCS4Copy(marks);
    if (!mark_chars) goto done;
    Marks sentence_marks = marks_of(mark_chars, n_marks);
    kept = pack ? NULL : PyList_New(np);
    kept_offsets = pack ? PyMem_Malloc(sizeof(Py_ssize_t) * (np + 1)) : NULL;
    missed = PyList_New(np);
    if ((pack ? !kept_offsets : !kept) || !missed) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto done; }
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        PyObject *good = pack ? NULL : PyList_New(0), *bad = PyList_New(0);
        if ((!pack && !good) || !bad) { Py_XDECREF(good); Py_XDECREF(bad); goto done; }
        if (pack) kept_offsets[pi] = kept_triples.n / 3;
        else PyList_SET_ITEM(kept, pi, good);
        PyList_SET_ITEM(missed, pi, bad);
        int kind = kind_of[pi];
        if (kind >= N_KINDS) { PyErr_SetString(PyExc_ValueError, "unknown paragraph kind code"); goto done; }
        PyObject *raw = NULL;
        Py_ssize_t nh;
        if (is_packed) {
            nh = packed.offsets[pi + 1] - packed.offsets[pi];
        } else {
            raw = PyList_GET_ITEM(groups, pi);
            if (!PyList_Check(raw)) { PyErr_SetString(PyExc_TypeError, "each group must be a list"); goto done; }
            nh = PyList_GET_SIZE(raw);
        }
        if (!nh) continue;
        /* the paragraph's bounds, read when a hit first asks for its sentence */
        Py_ssize_t p_start = 0, p_end = 0;
        int have_bounds = 0;
        PyObject *index_obj = PyLong_FromSsize_t(pi);
        if (!index_obj) goto done;
        for (Py_ssize_t j = 0; j < nh; j++) {
            PyObject *h_start = NULL, *h_end = NULL;   /* borrowed from the raw hit; packed: made when kept */
            const int32_t *t = NULL;
            long r;
            if (is_packed) {
                t = packed.hits + 3 * (packed.offsets[pi] + j);
                r = t[2];
                if (r < 0 || r >= n_rules) { PyErr_SetString(PyExc_IndexError, "rule index out of range"); goto fail; }
            } else {
                r = raw_hit_rule(PyList_GET_ITEM(raw, j), n_rules, &h_start, &h_end);
                if (r < 0) goto fail;
            }
            int code = code_of[r], where = code & WHERE_BITS;
            if (!where) { PyErr_SetString(PyExc_ValueError, "unknown filter code"); goto fail; }
            if (kind == FURNITURE && !(code & ROLE)) continue;   /* page furniture is no evidence of any theme */
            PyObject *why = NULL;
            if (where != PLAIN && (where == HEADING_ONLY) != (kind == HEADING)) {
                why = PyTuple_GET_ITEM(reasons, (where - HEADING_ONLY) * N_KINDS + kind);
            } else if (code & UNLESS) {
                Py_ssize_t hs, he, s, e;
                if (is_packed) {
                    hs = t[0], he = t[1];
                } else {
                    hs = PyLong_AsSsize_t(h_start), he = PyLong_AsSsize_t(h_end);
                    if ((hs == -1 || he == -1) && PyErr_Occurred()) goto fail;
                }
                if (!have_bounds) {
                    PyObject *p = PyList_GET_ITEM(paragraphs, pi);
                    if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) < 3) { PyErr_SetString(PyExc_TypeError, "paragraphs must be Paragraph tuples"); goto fail; }
                    p_start = PyLong_AsSsize_t(PyTuple_GET_ITEM(p, 1));
                    p_end = PyLong_AsSsize_t(PyTuple_GET_ITEM(p, 2));
                    if ((p_start == -1 || p_end == -1) && PyErr_Occurred()) goto fail;
                    have_bounds = 1;
                }
                if (!(0 <= p_start && p_start <= hs && hs <= he && he <= p_end && p_end <= text_len)) {
                    PyErr_SetString(PyExc_IndexError, "a hit outside its paragraph or the text");
                    goto fail;
                }
                sentence_of(text_kind, text_data, &sentence_marks, p_start, p_end, hs, he, &s, &e);
                why = excluded(text, PyTuple_GET_ITEM(unless, r), s, e);
                if (!why && PyErr_Occurred()) goto fail;
            }
            if (pack && !why) {
                int32_t hs, he;
                if (is_packed) {
                    hs = t[0], he = t[1];
                } else {
                    long x = PyLong_AsLong(h_start), y = PyLong_AsLong(h_end);
                    if ((x == -1 || y == -1) && PyErr_Occurred()) goto fail;
                    if (x < 0 || y < x || y > INT32_MAX) { PyErr_SetString(PyExc_ValueError, "hit span out of range"); goto fail; }
                    hs = (int32_t)x, he = (int32_t)y;
                }
                if (buf_push(&kept_triples, hs, he, (int32_t)r) < 0) goto fail;
                continue;
            }
            PyTypeObject *cls = (PyTypeObject *)(why ? miss_cls : hit_cls);
            PyObject *a0, *a1;
            if (is_packed) {
                a0 = PyLong_FromLong(t[0]);
                a1 = PyLong_FromLong(t[1]);
                if (!a0 || !a1) { Py_XDECREF(a0); Py_XDECREF(a1); goto fail; }
            } else {
                a0 = h_start, a1 = h_end;
                Py_INCREF(a0); Py_INCREF(a1);
            }
            PyObject *item = cls->tp_alloc(cls, why ? 5 : 4);
            if (!item) { Py_DECREF(a0); Py_DECREF(a1); goto fail; }
            PyObject *a2 = PyTuple_GET_ITEM(rules, r);
            Py_INCREF(a2); Py_INCREF(index_obj);
            PyTuple_SET_ITEM(item, 0, a0); PyTuple_SET_ITEM(item, 1, a1); PyTuple_SET_ITEM(item, 2, a2);
            PyTuple_SET_ITEM(item, 3, index_obj);
            if (why) {
                Py_INCREF(why);
                PyTuple_SET_ITEM(item, 4, why);
            }
            int rc = PyList_Append(why ? bad : good, item);
            Py_DECREF(item);
            if (rc < 0) goto fail;
        }
        Py_DECREF(index_obj);
        continue;
    fail:
        Py_DECREF(index_obj);
        goto done;
    }
    if (pack) {
        kept_offsets[np] = kept_triples.n / 3;
        KeptHits *k = PyObject_New(KeptHits, &KeptHitsType);
        if (!k) goto done;
        k->rules = Py_NewRef(rules);
        k->cls = Py_NewRef(hit_cls);
        k->hits = kept_triples.v;
        k->offsets = kept_offsets;
        k->n = np;
        kept_triples.v = NULL;
        kept_offsets = NULL;
        kept = (PyObject *)k;
    }
    result = PyTuple_Pack(2, kept, missed);
done:
    PyMem_Free(mark_chars);
    PyMem_Free(kept_triples.v);
    PyMem_Free(kept_offsets);
    Py_XDECREF(kept);
    Py_XDECREF(missed);
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&codes);
    return result;
}

/* role_hits(groups, codes[, cls]) -> the hits of each paragraph's group whose rule is a structure
 * rule (codes[rule] & ROLE): the few that decide paragraph kinds, without a Python loop over all
 * (from packed groups, made cls(start, end, rule)) */
static PyObject *role_hits(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *groups, *cls = Py_None, *out = NULL;
    Py_buffer codes;
    if (!PyArg_ParseTuple(args, "Oy*|O:role_hits", &groups, &codes, &cls)) return NULL;
    const uint8_t *code_of = codes.buf;
    Packed packed = {NULL, NULL, 0};
    int is_packed = !PyList_Check(groups);
    if (is_packed && (packed_groups(groups, &packed) < 0 || check_tuple_class(cls) < 0)) goto fail;
    Py_ssize_t np = is_packed ? packed.n : PyList_GET_SIZE(groups);
    out = PyList_New(np);
    if (!out) goto fail;
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        PyObject *picked = PyList_New(0);
        if (!picked) goto fail;
        PyList_SET_ITEM(out, pi, picked);
        if (is_packed) {   /* the hits of structure rules made cls(start, end, rule), the others not at all */
            for (int32_t j = packed.offsets[pi]; j < packed.offsets[pi + 1]; j++) {
                const int32_t *t = packed.hits + 3 * j;
                if (t[2] < 0 || t[2] >= codes.len) { PyErr_SetString(PyExc_IndexError, "rule index out of range"); goto fail; }
                if (!(code_of[t[2]] & ROLE)) continue;
                PyObject *h = make3((PyTypeObject *)cls, PyLong_FromLong(t[0]), PyLong_FromLong(t[1]), PyLong_FromLong(t[2]));
                if (!h || PyList_Append(picked, h) < 0) { Py_XDECREF(h); goto fail; }
                Py_DECREF(h);
            }
            continue;
        }
        PyObject *raw = PyList_GET_ITEM(groups, pi);
        if (!PyList_Check(raw)) { PyErr_SetString(PyExc_TypeError, "each group must be a list"); goto fail; }
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(raw); j++) {
            PyObject *h = PyList_GET_ITEM(raw, j), *h_start, *h_end;
            long r = raw_hit_rule(h, codes.len, &h_start, &h_end);
            if (r < 0) goto fail;
            if ((code_of[r] & ROLE) && PyList_Append(picked, h) < 0) goto fail;
        }
    }
    PyBuffer_Release(&codes);
    return out;
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&codes);
    return NULL;
}

/* ----------------------------------------------------------------- own_scores --- */

static PyObject *s_id, *s_theme, *s_weight, *s_rule, *s_text, *zero;

/* The rules a paragraph's hits came from, by address (a hash set sized for all its hits), and
 * their ids: a rule object seen before is skipped at once, and a new object counts only if no
 * rule with its id was seen (two rule objects with one id count once, as in the Python code). */
typedef struct { PyObject **slot; size_t mask; PyObject *ids; } Seen;

static int seen_init(Seen *seen, Py_ssize_t n) {
    size_t size = 16;
    while (size < (size_t)n * 2) size <<= 1;
    seen->mask = size - 1;
    seen->slot = PyMem_Calloc(size, sizeof(PyObject *));
    seen->ids = PySet_New(NULL);
    if (!seen->slot || !seen->ids) { PyMem_Free(seen->slot); Py_XDECREF(seen->ids); if (!PyErr_Occurred()) PyErr_NoMemory(); return -1; }
    return 0;
}

static void seen_clear(Seen *seen) {
    PyMem_Free(seen->slot);
    Py_DECREF(seen->ids);
}

/* 1 if this rule (or one with its id) was seen, 0 if it is new (now recorded), -1 on error */
static int seen_before(Seen *seen, PyObject *rule) {
    size_t i = ((size_t)rule >> 4) * 0x9E3779B97F4A7C15ULL & seen->mask;
    while (seen->slot[i]) {
        if (seen->slot[i] == rule) return 1;
        i = (i + 1) & seen->mask;
    }
    seen->slot[i] = rule;    /* borrowed: the hits list holds it for the whole call */
    PyObject *rid = PyObject_GetAttr(rule, s_id);
    if (!rid) return -1;
    int known = PySet_Contains(seen->ids, rid);
    if (known == 0 && PySet_Add(seen->ids, rid) < 0) known = -1;
    Py_DECREF(rid);
    return known;
}

static PyObject *own_scores(PyObject *Py_UNUSED(module), PyObject *hits) {
    if (!PyList_Check(hits)) { PyErr_SetString(PyExc_TypeError, "own_scores() needs a list of hits"); return NULL; }
    PyObject *scores = PyDict_New();
    Py_ssize_t n = PyList_GET_SIZE(hits);
    if (!scores || !n) return scores;
    /* each rule once, in the order of its first hit (the order the weights are summed in) */
    Seen seen;
    if (seen_init(&seen, n) < 0) { Py_DECREF(scores); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *start, *end, *rule;
        if (hit_fields(PyList_GET_ITEM(hits, i), &start, &end, &rule) < 0) goto fail;
        int known = seen_before(&seen, rule);
        if (known < 0) goto fail;
        if (known) continue;
        PyObject *theme = PyObject_GetAttr(rule, s_theme);
        if (!theme) goto fail;
        if (theme == Py_None) { Py_DECREF(theme); continue; }
        PyObject *weight = PyObject_GetAttr(rule, s_weight);
        PyObject *before = weight ? PyDict_GetItemWithError(scores, theme) : NULL;
        if (!weight || (!before && PyErr_Occurred())) { Py_DECREF(theme); Py_XDECREF(weight); goto fail; }
        PyObject *sum = PyNumber_Add(before ? before : zero, weight);
        Py_DECREF(weight);
        if (!sum || PyDict_SetItem(scores, theme, sum) < 0) { Py_DECREF(theme); Py_XDECREF(sum); goto fail; }
        Py_DECREF(theme);
        Py_DECREF(sum);
    }
    seen_clear(&seen);
    return scores;
fail:
    seen_clear(&seen);
    Py_DECREF(scores);
    return NULL;
}

/* ---------------------------------------------------------------- evidence JSON --- */

/* A growing byte buffer (Buf, above, holds int32 triples). */
typedef struct { char *data; size_t len, cap; } Bytes;

static int bytes_reserve(Bytes *b, size_t more) {
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) cap *= 2;
    char *data = PyMem_Realloc(b->data, cap);
    if (!data) { PyErr_NoMemory(); return -1; }
    b->data = data;
    b->cap = cap;
    return 0;
}

/* Writers into room reserved beforehand (bytes_reserve, once per evidence object): each
 * returns the new end of the text. */
static char *put(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}

#define INT_ROOM 21   /* the longest Py_ssize_t in decimal, with its sign */

static char *put_int(char *o, Py_ssize_t v) {
    char digits[INT_ROOM];
    int n = 0;
    size_t u = v < 0 ? (size_t)0 - (size_t)v : (size_t)v;
    do { digits[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *o++ = '-';
    while (n) *o++ = digits[--n];
    return o;
}

#define CHAR_ROOM 6   /* the longest JSON form of one character (\u00xx) */

/* text[a:e] as the inside of a JSON string, UTF-8, escaped as orjson (and json.dumps with
 * ensure_ascii=False) escape it: quote, backslash, \b \t \n \f \r, other controls as \u00xx.
 * NULL when the piece holds a surrogate (no valid UTF-8: the caller falls back). */
static char *put_json_text(char *o, int kind, const void *data, Py_ssize_t a, Py_ssize_t e) {
    static const char hex[] = "0123456789abcdef";
    for (Py_ssize_t i = a; i < e; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\') { *o++ = (char)c; continue; }
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\b': *o++ = 'b'; break;
            case '\t': *o++ = 't'; break;
            case '\n': *o++ = 'n'; break;
            case '\f': *o++ = 'f'; break;
            case '\r': *o++ = 'r'; break;
            default: *o++ = 'u'; *o++ = '0'; *o++ = '0'; *o++ = hex[c >> 4]; *o++ = hex[c & 15];
            }
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | (c >> 6)); *o++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) return NULL;
            *o++ = (char)(0xE0 | (c >> 12)); *o++ = (char)(0x80 | ((c >> 6) & 0x3F)); *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (c >> 18)); *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F)); *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    return o;
}

/* ----------------------------------------------------------------- rule table --- */

/* What the result needs of each rule of a rule set, in C arrays found by the rule object's
 * address: at 10,000 rules, reading id, theme and weight from the rule objects themselves
 * (attribute lookups in objects spread over the heap) cost more than the work done with them. */
typedef struct {
    PyObject_HEAD
    PyObject *rules;           /* tuple of the rule objects: alive as long as their addresses are keys */
    PyObject *theme_names;     /* tuple of str */
    PyObject *fields;          /* tuple: each rule's (id, "theme" or "role", its value, weight) */
    PyObject *heads, *tails;   /* tuples: each rule's evidence JSON before the span and after the text */
    Py_ssize_t n, n_themes;
    PyObject **slot_rule;      /* open addressing, rule address -> entry */
    Py_ssize_t *slot_entry;
    int shift;
    Py_ssize_t *group;         /* the first entry with the same id: rules are counted once per id */
    int *theme;                /* index into theme_names, -1 for a structure rule */
    double *weight;
    uint32_t *stamp, clock;    /* per group: the own_scores call that last counted it */
    double *sum;               /* per theme, during one own_scores call */
    int *order;
} RuleTable;

static void table_dealloc(RuleTable *t) {
    Py_XDECREF(t->rules); Py_XDECREF(t->theme_names); Py_XDECREF(t->fields); Py_XDECREF(t->heads); Py_XDECREF(t->tails);
    PyMem_Free(t->slot_rule); PyMem_Free(t->slot_entry); PyMem_Free(t->group); PyMem_Free(t->theme);
    PyMem_Free(t->weight); PyMem_Free(t->stamp); PyMem_Free(t->sum); PyMem_Free(t->order);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static size_t table_hash(const RuleTable *t, const PyObject *rule) {
    return (size_t)(((uint64_t)(uintptr_t)rule * 0x9E3779B97F4A7C15ULL) >> t->shift);
}

static Py_ssize_t table_find(const RuleTable *t, const PyObject *rule) {
    size_t mask = ((size_t)1 << (64 - t->shift)) - 1;
    for (size_t i = table_hash(t, rule); t->slot_rule[i]; i = (i + 1) & mask)
        if (t->slot_rule[i] == rule) return t->slot_entry[i];
    return -1;
}

/* RuleTable(rules, groups, themes, weights, theme_names, fields, heads, tails): one entry per rule */
static PyObject *table_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    PyObject *rules, *groups, *themes, *weights, *theme_names, *fields, *heads, *tails;
    static char *kwlist[] = {"rules", "groups", "themes", "weights", "theme_names", "fields", "heads", "tails", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!O!O!O!:RuleTable", kwlist, &PyTuple_Type, &rules,
                                     &PyTuple_Type, &groups, &PyTuple_Type, &themes, &PyTuple_Type, &weights,
                                     &PyTuple_Type, &theme_names, &PyTuple_Type, &fields, &PyTuple_Type, &heads,
                                     &PyTuple_Type, &tails))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(rules), k = PyTuple_GET_SIZE(theme_names);
    if (PyTuple_GET_SIZE(groups) != n || PyTuple_GET_SIZE(themes) != n || PyTuple_GET_SIZE(weights) != n
        || PyTuple_GET_SIZE(fields) != n || PyTuple_GET_SIZE(heads) != n || PyTuple_GET_SIZE(tails) != n) {
        PyErr_SetString(PyExc_ValueError, "RuleTable needs one group, theme, weight, fields, head and tail per rule");
        return NULL;
    }
    for (Py_ssize_t e = 0; e < n; e++) {
        PyObject *f = PyTuple_GET_ITEM(fields, e);
        if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 4) {
            PyErr_SetString(PyExc_TypeError, "fields must be (id, key, value, weight) tuples");
            return NULL;
        }
    }
    RuleTable *t = (RuleTable *)type->tp_alloc(type, 0);
    if (!t) return NULL;
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < n * 2) bits++;
    t->shift = 64 - bits;
    t->n = n;
    t->n_themes = k;
    Py_INCREF(rules); t->rules = rules;
    Py_INCREF(theme_names); t->theme_names = theme_names;
    Py_INCREF(fields); t->fields = fields;
    Py_INCREF(heads); t->heads = heads;
    Py_INCREF(tails); t->tails = tails;
    t->slot_rule = PyMem_Calloc((size_t)1 << bits, sizeof(PyObject *));
    t->slot_entry = PyMem_Calloc((size_t)1 << bits, sizeof(Py_ssize_t));
    t->group = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    t->theme = PyMem_Calloc((size_t)n + 1, sizeof(int));
    t->weight = PyMem_Calloc((size_t)n + 1, sizeof(double));
    t->stamp = PyMem_Calloc((size_t)n + 1, sizeof(uint32_t));
    t->sum = PyMem_Calloc((size_t)k + 1, sizeof(double));
    t->order = PyMem_Calloc((size_t)k + 1, sizeof(int));
    if (!t->slot_rule || !t->slot_entry || !t->group || !t->theme || !t->weight || !t->stamp || !t->sum || !t->order) {
        PyErr_NoMemory();
        goto fail;
    }
    size_t mask = ((size_t)1 << bits) - 1;
    for (Py_ssize_t e = 0; e < n; e++) {
        PyObject *rule = PyTuple_GET_ITEM(rules, e);
        Py_ssize_t g = PyLong_AsSsize_t(PyTuple_GET_ITEM(groups, e));
        long th = PyLong_AsLong(PyTuple_GET_ITEM(themes, e));
        double w = PyFloat_AsDouble(PyTuple_GET_ITEM(weights, e));
        if (PyErr_Occurred()) goto fail;
        if (g < 0 || g >= n || th < -1 || th >= k) {
            PyErr_SetString(PyExc_ValueError, "a group or theme index out of range");
            goto fail;
        }
        t->group[e] = g;
        t->theme[e] = (int)th;
        t->weight[e] = w;
        size_t i = table_hash(t, rule);
        while (t->slot_rule[i] && t->slot_rule[i] != rule) i = (i + 1) & mask;
        if (!t->slot_rule[i]) { t->slot_rule[i] = rule; t->slot_entry[i] = e; }   /* a repeated object: its first entry */
    }
    t->clock = 0;
    return (PyObject *)t;
fail:
    Py_DECREF(t);
    return NULL;
}

/* One own_scores call's sums: scores_begin, scores_add for each hit's entry, scores_dict. */
static void scores_begin(RuleTable *t) {
    if (++t->clock == 0) {   /* wrapped: old stamps could pass for this call's */
        memset(t->stamp, 0, (size_t)t->n * sizeof(uint32_t));
        t->clock = 1;
    }
}

static void scores_add(RuleTable *t, Py_ssize_t e, Py_ssize_t *counted) {
    Py_ssize_t g = t->group[e];
    if (t->stamp[g] == t->clock) return;
    t->stamp[g] = t->clock;
    int th = t->theme[e];
    if (th < 0) return;
    Py_ssize_t c = 0;
    while (c < *counted && t->order[c] != th) c++;
    if (c == *counted) t->order[(*counted)++] = th;
    t->sum[th] += t->weight[e];   /* 0.0 + w1 + w2 ...: the sums the Python code makes */
}

/* the dict of the sums (NULL: only clears them, after an error); the sums start at zero in the
 * next call, however this one ends */
static PyObject *scores_dict(RuleTable *t, Py_ssize_t counted, int ok) {
    PyObject *scores = ok ? PyDict_New() : NULL;
    for (Py_ssize_t c = 0; scores && c < counted; c++) {
        PyObject *sum = PyFloat_FromDouble(t->sum[t->order[c]]);
        if (!sum || PyDict_SetItem(scores, PyTuple_GET_ITEM(t->theme_names, t->order[c]), sum) < 0)
            Py_CLEAR(scores);
        Py_XDECREF(sum);
    }
    for (Py_ssize_t c = 0; c < counted; c++) t->sum[t->order[c]] = 0.0;
    return scores;
}

/* own_scores(hits) with the weights and themes of the table; a hit of a rule object the table
 * does not hold sends the whole call to the module's own_scores, which reads the objects */
static PyObject *table_own_scores(RuleTable *t, PyObject *hits) {
    if (!PyList_Check(hits)) { PyErr_SetString(PyExc_TypeError, "own_scores() needs a list of hits"); return NULL; }
    Py_ssize_t n = PyList_GET_SIZE(hits), counted = 0;
    scores_begin(t);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *start, *end, *rule;
        if (hit_fields(PyList_GET_ITEM(hits, i), &start, &end, &rule) < 0) return scores_dict(t, counted, 0);
        Py_ssize_t e = table_find(t, rule);
        if (e < 0) {
            scores_dict(t, counted, 0);
            return own_scores(NULL, hits);
        }
        scores_add(t, e, &counted);
    }
    return scores_dict(t, counted, 1);
}

/* The table entry of rule index r of kept hits: r itself when the hits were kept with the
 * table's own rules tuple (the pipeline's case), else found by the rule's address (-1: none). */
static inline Py_ssize_t kept_entry(const RuleTable *t, const KeptHits *k, int32_t r) {
    return k->rules == t->rules ? r : table_find(t, PyTuple_GET_ITEM(k->rules, r));
}

/* own_scores of paragraph pi of kept hits */
static PyObject *table_own_scores_kept(RuleTable *t, KeptHits *k, Py_ssize_t pi) {
    Py_ssize_t counted = 0;
    scores_begin(t);
    for (Py_ssize_t j = k->offsets[pi]; j < k->offsets[pi + 1]; j++) {
        Py_ssize_t e = kept_entry(t, k, k->hits[3 * j + 2]);
        if (e < 0) {   /* a rule the table does not hold: read the objects, as for a list */
            scores_dict(t, counted, 0);
            PyObject *list = kept_item(k, pi), *scores = list ? own_scores(NULL, list) : NULL;
            Py_XDECREF(list);
            return scores;
        }
        scores_add(t, e, &counted);
    }
    return scores_dict(t, counted, 1);
}

/* hits as the table's label, paragraphs_json and slogans take them: a list of Hit lists or KeptHits */
static int hits_sequence(PyObject *hits, Py_ssize_t *n) {
    if (Py_IS_TYPE(hits, &KeptHitsType)) { *n = ((KeptHits *)hits)->n; return 0; }
    if (PyList_Check(hits)) { *n = PyList_GET_SIZE(hits); return 0; }
    PyErr_SetString(PyExc_TypeError, "hits must be a list of lists of hits, or KeptHits");
    return -1;
}

/* ------------------------------------------------------------------- labels --- */

/* The themes of `names` (a list) sorted by their place in the taxonomy (`order`: name ->
 * index), repeats dropped, as a tuple. 1 when a name has no place (classify.label's sort
 * would fail or compare otherwise: the caller runs it), -1 on an error. */
static int themes_in_order(PyObject *names, PyObject *order, PyObject **out) {
    Py_ssize_t n = PyList_GET_SIZE(names);
    Py_ssize_t place[64];
    PyObject *item[64];
    if (n > 64) return 1;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        PyObject *at = PyDict_GetItemWithError(order, name);
        if (!at) return PyErr_Occurred() ? -1 : 1;
        Py_ssize_t v = PyLong_AsSsize_t(at);
        if (v == -1 && PyErr_Occurred()) return -1;
        Py_ssize_t j = k;
        while (j > 0 && place[j - 1] > v) j--;
        if (j > 0 && place[j - 1] == v) continue;   /* the same theme twice (own and inherited) */
        memmove(place + j + 1, place + j, (size_t)(k - j) * sizeof *place);
        memmove(item + j + 1, item + j, (size_t)(k - j) * sizeof *item);
        place[j] = v;
        item[j] = name;
        k++;
    }
    PyObject *t = PyTuple_New(k);
    if (!t) return -1;
    for (Py_ssize_t i = 0; i < k; i++) PyTuple_SET_ITEM(t, i, Py_NewRef(item[i]));
    *out = t;
    return 0;
}

/* The themes of `scores` whose score is at least `threshold`, appended to `own` */
static int themes_over(PyObject *scores, PyObject *threshold, PyObject *own) {
    Py_ssize_t pos = 0;
    PyObject *theme, *score;
    while (PyDict_Next(scores, &pos, &theme, &score)) {
        int over = PyObject_RichCompareBool(score, threshold, Py_GE);
        if (over < 0 || (over && PyList_Append(own, theme) < 0)) return -1;
    }
    return 0;
}

/* label(paragraphs, hits, extra, order, threshold, heading_threshold, summary_min_score,
 * summary_themes, labelled_cls) -> classify.label's list of Labelled, or None where a theme
 * has no place in `order` (classify.label runs then). classify.label is the reference: the
 * same comparisons (rich compares, against the settings' own objects) and the same sums. */
static PyObject *table_label(RuleTable *t, PyObject *args) {
    PyObject *paragraphs, *hits, *extra, *order, *threshold, *heading_threshold, *summary_min, *summary_themes, *cls;
    if (!PyArg_ParseTuple(args, "O!OOO!OOOOO:label", &PyList_Type, &paragraphs, &hits, &extra,
                          &PyDict_Type, &order, &threshold, &heading_threshold, &summary_min, &summary_themes, &cls))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(paragraphs), n_hits;
    if (hits_sequence(hits, &n_hits) < 0) return NULL;
    int kept = Py_IS_TYPE(hits, &KeptHitsType);
    if (n_hits != n || (extra != Py_None && (!PyList_Check(extra) || PyList_GET_SIZE(extra) != n))) {
        PyErr_SetString(PyExc_ValueError, "one list of hits (and of extra scores) per paragraph");
        return NULL;
    }
    if (check_tuple_class(cls) < 0) return NULL;
    int with_extra = extra != Py_None && n > 0;
    PyObject *out = PyList_New(n), *heading_themes = PyDict_New(), *own = PyList_New(0), *empty = PyTuple_New(0);
    PyObject *scores = NULL, *themes = NULL;
    int rc = (!out || !heading_themes || !own || !empty) ? -1 : 0;
    for (Py_ssize_t i = 0; !rc && i < n; i++) {
        PyObject *p = PyList_GET_ITEM(paragraphs, i);
        if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) < 5 || !PyUnicode_Check(PyTuple_GET_ITEM(p, 3))) {
            PyErr_SetString(PyExc_TypeError, "paragraphs must be Paragraph tuples");
            rc = -1;
            break;
        }
        scores = kept ? table_own_scores_kept(t, (KeptHits *)hits, i) : table_own_scores(t, PyList_GET_ITEM(hits, i));
        if (!scores) { rc = -1; break; }
        /* an overview is judged on its phrases, before the quantities' evidence is added */
        Py_ssize_t hit_themes = 0, pos = 0;
        PyObject *theme, *score;
        while (!rc && PyDict_Next(scores, &pos, &theme, &score)) {
            int strong = PyObject_RichCompareBool(score, summary_min, Py_GE);
            if (strong < 0) rc = -1;
            hit_themes += strong > 0;
        }
        if (!rc && with_extra) {
            PyObject *more = PyList_GET_ITEM(extra, i);
            if (!PyDict_Check(more)) { PyErr_SetString(PyExc_TypeError, "extra scores must be dicts"); rc = -1; }
            pos = 0;
            while (!rc && PyDict_Next(more, &pos, &theme, &score)) {
                PyObject *before = PyDict_GetItemWithError(scores, theme);
                if (!before && PyErr_Occurred()) { rc = -1; break; }
                PyObject *sum = PyNumber_Add(before ? before : zero, score);
                if (!sum || PyDict_SetItem(scores, theme, sum) < 0) rc = -1;
                Py_XDECREF(sum);
            }
        }
        if (rc) break;
        PyObject *kind = PyTuple_GET_ITEM(p, 3), *section = PyTuple_GET_ITEM(p, 4), *inherited = empty;
        int summary = 0, heading = !PyUnicode_CompareWithASCIIString(kind, "heading");
        if (PyList_SetSlice(own, 0, PyList_GET_SIZE(own), NULL) < 0) { rc = -1; break; }
        if (!PyUnicode_CompareWithASCIIString(kind, "boilerplate") || !PyUnicode_CompareWithASCIIString(kind, "closing")) {
            /* no theme */
        } else if (heading) {
            if (themes_over(scores, heading_threshold, own) < 0) { rc = -1; break; }
        } else {
            if (themes_over(scores, threshold, own) < 0) { rc = -1; break; }
            PyObject *count = PyLong_FromSsize_t(hit_themes);
            int overview = count ? PyObject_RichCompareBool(count, summary_themes, Py_GE) : -1;
            Py_XDECREF(count);
            if (overview < 0) { rc = -1; break; }
            if (overview) {
                summary = 1;
                if (PyList_SetSlice(own, 0, PyList_GET_SIZE(own), NULL) < 0) { rc = -1; break; }
            }
            if (section != Py_None) {
                inherited = PyDict_GetItemWithError(heading_themes, section);
                if (!inherited) {
                    if (PyErr_Occurred()) { rc = -1; break; }
                    inherited = empty;
                }
            }
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(inherited) && !rc; j++)
            rc = PyList_Append(own, PyTuple_GET_ITEM(inherited, j)) < 0 ? -1 : 0;
        if (rc || (rc = themes_in_order(own, order, &themes))) break;
        /* a heading's themes (it inherits none) are those of its section */
        if (heading && PyDict_SetItem(heading_themes, PyTuple_GET_ITEM(p, 0), themes) < 0) { rc = -1; break; }
        PyObject *item = ((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 5);
        if (!item) { rc = -1; break; }
        PyTuple_SET_ITEM(item, 0, Py_NewRef(p));
        PyTuple_SET_ITEM(item, 1, themes);
        PyTuple_SET_ITEM(item, 2, scores);
        PyTuple_SET_ITEM(item, 3, Py_NewRef(inherited));
        PyTuple_SET_ITEM(item, 4, Py_NewRef(summary ? Py_True : Py_False));
        themes = scores = NULL;
        PyList_SET_ITEM(out, i, item);
    }
    Py_XDECREF(scores);
    Py_XDECREF(themes);
    Py_XDECREF(heading_themes);
    Py_XDECREF(own);
    Py_XDECREF(empty);
    if (rc) {
        Py_XDECREF(out);
        return rc < 0 ? NULL : Py_NewRef(Py_None);
    }
    return out;
}

/* evidence(hits, text) -> one evidence object per hit, as pipeline.evidence_python builds it */
static PyObject *table_evidence(RuleTable *t, PyObject *args) {
    PyObject *hits, *text;
    if (!PyArg_ParseTuple(args, "O!U:evidence", &PyList_Type, &hits, &text)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(hits);
    PyObject *out = PyList_New(n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *start, *end, *rule;
        if (hit_fields(PyList_GET_ITEM(hits, i), &start, &end, &rule) < 0) goto fail;
        Py_ssize_t e = table_find(t, rule);
        if (e < 0) { PyErr_SetString(PyExc_KeyError, "a hit's rule is not in the table"); goto fail; }
        PyObject *f = PyTuple_GET_ITEM(t->fields, e);
        Py_ssize_t a = PyLong_AsSsize_t(start), b = PyLong_AsSsize_t(end);
        if (PyErr_Occurred()) goto fail;
        PyObject *d = PyDict_New();
        PyObject *span = PyList_New(2);
        PyObject *piece = PyUnicode_Substring(text, a, b);
        if (!d || !span || !piece) { Py_XDECREF(d); Py_XDECREF(span); Py_XDECREF(piece); goto fail; }
        Py_INCREF(start); Py_INCREF(end);
        PyList_SET_ITEM(span, 0, start); PyList_SET_ITEM(span, 1, end);
        /* the key order of the Python dict display: rule, theme|role, span, text, weight */
        int rc = PyDict_SetItem(d, s_rule, PyTuple_GET_ITEM(f, 0)) < 0
            || PyDict_SetItem(d, PyTuple_GET_ITEM(f, 1), PyTuple_GET_ITEM(f, 2)) < 0
            || PyDict_SetItem(d, s_span, span) < 0 || PyDict_SetItem(d, s_text, piece) < 0
            || PyDict_SetItem(d, s_weight, PyTuple_GET_ITEM(f, 3)) < 0;
        Py_DECREF(span); Py_DECREF(piece);
        if (rc) { Py_DECREF(d); goto fail; }
        PyList_SET_ITEM(out, i, d);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* one evidence object of put_evidence, rule entry e at text[a:z], a comma before it unless
 * `first`; 0, 1 or -1 as put_evidence returns */
static int put_one_evidence(RuleTable *t, Bytes *b, Py_ssize_t e, Py_ssize_t a, Py_ssize_t z, int first, int kind,
                            const void *data, Py_ssize_t length) {
    PyObject *head = PyTuple_GET_ITEM(t->heads, e), *tail = PyTuple_GET_ITEM(t->tails, e);
    if (!PyBytes_Check(head) || !PyBytes_Check(tail)) return 1;
    if (a < 0 || z < a || z > length) { PyErr_SetString(PyExc_IndexError, "hit span outside the text"); return -1; }
    /* ,head<a>,<z>],"text":"<text>"tail, with room for the closing ] */
    size_t head_len = (size_t)PyBytes_GET_SIZE(head), tail_len = (size_t)PyBytes_GET_SIZE(tail);
    if (bytes_reserve(b, 1 + head_len + 2 * INT_ROOM + 11 + CHAR_ROOM * (size_t)(z - a) + 1 + tail_len + 1) < 0)
        return -1;
    char *o = b->data + b->len;
    if (!first) *o++ = ',';
    o = put(o, PyBytes_AS_STRING(head), head_len);
    o = put_int(o, a);
    *o++ = ',';
    o = put_int(o, z);
    o = put(o, "],\"text\":\"", 10);
    o = put_json_text(o, kind, data, a, z);
    if (!o) return 1;
    *o++ = '"';
    o = put(o, PyBytes_AS_STRING(tail), tail_len);
    b->len = (size_t)(o - b->data);
    return 0;
}

/* Appends the JSON text of evidence(hits, text) to b as orjson writes it, without building the
 * objects, from each rule's head ('{"rule":..,"theme":..,"span":[') and tail (',"weight":..}').
 * 1 when a piece of text holds a surrogate (not UTF-8) or a rule has no head (its weight is
 * beyond what orjson writes): the caller builds the objects then; -1 on an error. */
static int put_evidence(RuleTable *t, Bytes *b, PyObject *hits, int kind, const void *data, Py_ssize_t length) {
    Py_ssize_t n = PyList_GET_SIZE(hits);
    if (bytes_reserve(b, 2) < 0) return -1;
    b->data[b->len++] = '[';
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *start, *end, *rule;
        if (hit_fields(PyList_GET_ITEM(hits, i), &start, &end, &rule) < 0) return -1;
        Py_ssize_t e = table_find(t, rule);
        if (e < 0) { PyErr_SetString(PyExc_KeyError, "a hit's rule is not in the table"); return -1; }
        Py_ssize_t a = PyLong_AsSsize_t(start), z = PyLong_AsSsize_t(end);
        if (PyErr_Occurred()) return -1;
        int rc = put_one_evidence(t, b, e, a, z, i == 0, kind, data, length);
        if (rc) return rc;
    }
    b->data[b->len++] = ']';   /* room left by the last reserve */
    return 0;
}

/* put_evidence for paragraph pi of kept hits */
static int put_evidence_kept(RuleTable *t, Bytes *b, KeptHits *k, Py_ssize_t pi, int kind, const void *data,
                             Py_ssize_t length) {
    if (bytes_reserve(b, 2) < 0) return -1;
    b->data[b->len++] = '[';
    for (Py_ssize_t j = k->offsets[pi]; j < k->offsets[pi + 1]; j++) {
        const int32_t *h = k->hits + 3 * j;
        Py_ssize_t e = kept_entry(t, k, h[2]);
        if (e < 0) { PyErr_SetString(PyExc_KeyError, "a hit's rule is not in the table"); return -1; }
        int rc = put_one_evidence(t, b, e, h[0], h[1], j == k->offsets[pi], kind, data, length);
        if (rc) return rc;
    }
    b->data[b->len++] = ']';   /* room left by the last reserve */
    return 0;
}

/* evidence_json(hits, text) -> the JSON text of their evidence objects, or None (put_evidence) */
static PyObject *table_evidence_json(RuleTable *t, PyObject *args) {
    PyObject *hits, *text;
    if (!PyArg_ParseTuple(args, "O!U:evidence_json", &PyList_Type, &hits, &text)) return NULL;
    Bytes b = {NULL, 0, 0};
    int rc = put_evidence(t, &b, hits, PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text));
    PyObject *out = rc < 0 ? NULL : rc > 0 ? Py_NewRef(Py_None) : PyBytes_FromStringAndSize(b.data, (Py_ssize_t)b.len);
    PyMem_Free(b.data);
    return out;
}

/* Writers of the parts of a paragraph's result object: 0, or 1 when the value is not of the
 * exact type the result holds or orjson would write it otherwise (the caller falls back to
 * the objects), -1 on an error. */
static int put_str(Bytes *b, PyObject *s) {
    if (!PyUnicode_CheckExact(s)) return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (bytes_reserve(b, 2 + CHAR_ROOM * (size_t)n) < 0) return -1;
    char *o = b->data + b->len;
    *o++ = '"';
    o = put_json_text(o, PyUnicode_KIND(s), PyUnicode_DATA(s), 0, n);
    if (!o) return 1;
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    return 0;
}

static int put_raw(Bytes *b, const char *s, size_t n) {
    if (bytes_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

static int put_exact_int(Bytes *b, PyObject *v) {
    if (!PyLong_CheckExact(v)) return 1;
    Py_ssize_t x = PyLong_AsSsize_t(v);
    if (x == -1 && PyErr_Occurred()) { PyErr_Clear(); return 1; }   /* beyond 64 bits: the object path says what */
    if (bytes_reserve(b, INT_ROOM) < 0) return -1;
    b->len = (size_t)(put_int(b->data + b->len, x) - b->data);
    return 0;
}

/* a tuple of str as a JSON array */
static int put_strings(Bytes *b, PyObject *items) {
    if (!PyTuple_Check(items)) return 1;
    if (put_raw(b, "[", 1) < 0) return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
        int rc = (i && put_raw(b, ",", 1) < 0) ? -1 : put_str(b, PyTuple_GET_ITEM(items, i));
        if (rc) return rc;
    }
    return put_raw(b, "]", 1);
}

/* A score as the result shows it: round(x, 3) (the float method itself), written as orjson
 * writes a float. repr and orjson agree (shortest round trip, ".0" on whole numbers) except
 * where repr takes an exponent (5e-05: orjson writes 0.00005) or a name (nan, inf: orjson
 * writes null): those fall back, and so does a negative zero (the Python path's memo of
 * rounded scores holds one entry for 0.0 and -0.0, which compare equal). Scores are sums of
 * a few rule weights, so a handful of values recur: each is rounded and written once, into a
 * direct-mapped memo keyed by the value's bits (rounding costs ~2,000 instructions). */
static PyObject *s_round, *three;

#define SCORE_MEMO_BITS 9
typedef struct { uint64_t bits; char state; char len; char text[30]; } ScoreText;   /* state: 0 empty, 1 text, 2 falls back */
static ScoreText score_memo[1 << SCORE_MEMO_BITS];

static int score_text(PyObject *x, ScoreText *out) {
    PyObject *r = PyObject_CallMethodObjArgs(x, s_round, three, NULL);
    if (!r) return -1;
    double v = PyFloat_AsDouble(r);
    Py_DECREF(r);
    if (v == -1.0 && PyErr_Occurred()) return -1;
    char *text = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!text) return -1;
    size_t n = strlen(text);
    out->state = 2;
    if (!strpbrk(text, "eEn") && strcmp(text, "-0.0") && n <= sizeof out->text) { out->state = 1; out->len = (char)n; memcpy(out->text, text, n); }
    PyMem_Free(text);
    return 0;
}

static int put_score(Bytes *b, PyObject *x) {
    if (!PyFloat_CheckExact(x)) return 1;
    double v = PyFloat_AS_DOUBLE(x);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    ScoreText *memo = &score_memo[(bits * 0x9E3779B97F4A7C15ULL) >> (64 - SCORE_MEMO_BITS)];
    if (memo->state == 0 || memo->bits != bits) {
        ScoreText fresh = {bits, 0, 0, {0}};
        if (score_text(x, &fresh) < 0) return -1;
        *memo = fresh;
    }
    return memo->state == 1 ? put_raw(b, memo->text, (size_t)memo->len) : 1;
}

/* a paragraph's own scores: {theme: score} with the themes in code point order */
static int put_scores(Bytes *b, PyObject *scores) {
    if (!PyDict_CheckExact(scores)) return 1;
    PyObject *keys = PyDict_Keys(scores);
    if (!keys) return -1;
    int rc = PyList_Sort(keys);
    if (rc < 0 && PyErr_ExceptionMatches(PyExc_TypeError)) { PyErr_Clear(); rc = 1; }   /* not all str */
    if (!rc) rc = put_raw(b, "{", 1);
    for (Py_ssize_t i = 0; !rc && i < PyList_GET_SIZE(keys); i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        rc = (i && put_raw(b, ",", 1) < 0) ? -1 : put_str(b, key);
        if (!rc) rc = put_raw(b, ":", 1);
        PyObject *score = rc ? NULL : PyDict_GetItemWithError(scores, key);
        if (!rc) rc = score ? put_score(b, score) : -1;
    }
    Py_DECREF(keys);
    return rc ? rc : put_raw(b, "}", 1);
}

/* One paragraph's result object, as Classifier._paragraph builds it and orjson writes it:
 * {"index","span","kind","section","themes","hits"} then "scores", "inherited" and
 * "summary" when they are not empty. */
static int put_paragraph(RuleTable *t, Bytes *b, PyObject *item, PyObject *all_hits, Py_ssize_t i, int kind,
                         const void *data, Py_ssize_t length) {
    int kept = Py_IS_TYPE(all_hits, &KeptHitsType);
    PyObject *hits = kept ? NULL : PyList_GET_ITEM(all_hits, i);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 5 || (!kept && !PyList_Check(hits))) return 1;
    PyObject *p = PyTuple_GET_ITEM(item, 0), *themes = PyTuple_GET_ITEM(item, 1), *scores = PyTuple_GET_ITEM(item, 2);
    PyObject *inherited = PyTuple_GET_ITEM(item, 3), *summary = PyTuple_GET_ITEM(item, 4);
    if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) != 5 || !PyDict_CheckExact(scores) || !PyTuple_Check(inherited)
        || !PyBool_Check(summary))
        return 1;
    int rc;
    if ((rc = put_raw(b, "{\"index\":", 9)) || (rc = put_exact_int(b, PyTuple_GET_ITEM(p, 0)))
        || (rc = put_raw(b, ",\"span\":[", 9)) || (rc = put_exact_int(b, PyTuple_GET_ITEM(p, 1)))
        || (rc = put_raw(b, ",", 1)) || (rc = put_exact_int(b, PyTuple_GET_ITEM(p, 2)))
        || (rc = put_raw(b, "],\"kind\":", 9)) || (rc = put_str(b, PyTuple_GET_ITEM(p, 3)))
        || (rc = put_raw(b, ",\"section\":", 11)))
        return rc;
    PyObject *section = PyTuple_GET_ITEM(p, 4);
    if ((rc = section == Py_None ? put_raw(b, "null", 4) : put_exact_int(b, section))
        || (rc = put_raw(b, ",\"themes\":", 10)) || (rc = put_strings(b, themes))
        || (rc = put_raw(b, ",\"hits\":", 8))
        || (rc = kept ? put_evidence_kept(t, b, (KeptHits *)all_hits, i, kind, data, length)
                      : put_evidence(t, b, hits, kind, data, length)))
        return rc;
    if (PyDict_GET_SIZE(scores) && ((rc = put_raw(b, ",\"scores\":", 10)) || (rc = put_scores(b, scores))))
        return rc;
    if (PyTuple_GET_SIZE(inherited) && ((rc = put_raw(b, ",\"inherited\":", 13)) || (rc = put_strings(b, inherited))))
        return rc;
    if (summary == Py_True && (rc = put_raw(b, ",\"summary\":true", 15)))
        return rc;
    return put_raw(b, "}", 1);
}

/* paragraphs_json(labelled, hits, text) -> the JSON text of the result's "paragraphs" (the
 * objects of Classifier._paragraph, as orjson writes them), or None where a value would be
 * written otherwise (put_paragraph): the caller builds the objects then. */
static PyObject *table_paragraphs_json(RuleTable *t, PyObject *args) {
    PyObject *labelled, *hits, *text;
    if (!PyArg_ParseTuple(args, "O!OU:paragraphs_json", &PyList_Type, &labelled, &hits, &text))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(labelled), n_hits;
    if (hits_sequence(hits, &n_hits) < 0) return NULL;
    if (n_hits != n) { PyErr_SetString(PyExc_ValueError, "one list of hits per paragraph"); return NULL; }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    Bytes b = {NULL, 0, 0};
    int rc = put_raw(&b, "[", 1);
    for (Py_ssize_t i = 0; !rc && i < n; i++) {
        rc = i ? put_raw(&b, ",", 1) : 0;
        if (!rc) rc = put_paragraph(t, &b, PyList_GET_ITEM(labelled, i), hits, i, kind, data, length);
    }
    if (!rc) rc = put_raw(&b, "]", 1);
    PyObject *out = rc < 0 ? NULL : rc > 0 ? Py_NewRef(Py_None) : PyBytes_FromStringAndSize(b.data, (Py_ssize_t)b.len);
    PyMem_Free(b.data);
    return out;
}

/* slogans of paragraph pi of kept hits (none beyond the last paragraph) */
static PyObject *table_slogans_kept(RuleTable *t, KeptHits *k, Py_ssize_t pi) {
    PyObject *starts = PyList_New(0), *reach = PyList_New(0), *farthest = NULL;
    if (!starts || !reach) goto fail;
    int32_t far = INT32_MIN;
    for (Py_ssize_t j = pi < k->n ? k->offsets[pi] : 0; pi < k->n && j < k->offsets[pi + 1]; j++) {
        const int32_t *h = k->hits + 3 * j;
        Py_ssize_t e = kept_entry(t, k, h[2]);
        if (e < 0) { PyErr_SetString(PyExc_KeyError, "a hit's rule is not in the table"); goto fail; }
        if (t->theme[e] < 0) continue;
        if (!farthest || h[1] > far) {
            far = h[1];
            Py_XSETREF(farthest, PyLong_FromLong(far));
            if (!farthest) goto fail;
        }
        PyObject *start = PyLong_FromLong(h[0]);
        int rc = start ? PyList_Append(starts, start) : -1;
        Py_XDECREF(start);
        if (rc < 0 || PyList_Append(reach, farthest) < 0) goto fail;
    }
    Py_XDECREF(farthest);
    return Py_BuildValue("(NN)", starts, reach);
fail:
    Py_XDECREF(farthest);
    Py_XDECREF(starts);
    Py_XDECREF(reach);
    return NULL;
}

/* slogans(hits) or slogans(all hits, paragraph) -> ([start, ...], [reach, ...]) of the hits of
 * theme rules (not structure rules), reach being the farthest end among them so far: the quantity
 * stage's test of whether a slogan holds a number (quantities.slogan_bounds, in Python, reads the
 * objects) */
static PyObject *table_slogans(RuleTable *t, PyObject *args) {
    PyObject *hits;
    Py_ssize_t pi = -1;
    if (!PyArg_ParseTuple(args, "O|n:slogans", &hits, &pi)) return NULL;
    if (pi >= 0) {   /* slogans(all hits, pi): paragraph pi's, none beyond the last paragraph */
        Py_ssize_t n;
        if (hits_sequence(hits, &n) < 0) return NULL;
        if (Py_IS_TYPE(hits, &KeptHitsType)) return table_slogans_kept(t, (KeptHits *)hits, pi);
        hits = pi < n ? PyList_GET_ITEM(hits, pi) : NULL;
        if (!hits) return Py_BuildValue("([][])");
    }
    if (!PyList_Check(hits)) { PyErr_SetString(PyExc_TypeError, "slogans() needs a list of hits"); return NULL; }
    PyObject *starts = PyList_New(0), *reach = PyList_New(0), *farthest = NULL;
    Py_ssize_t far = PY_SSIZE_T_MIN;
    if (!starts || !reach) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hits); i++) {
        PyObject *start, *end, *rule;
        if (hit_fields(PyList_GET_ITEM(hits, i), &start, &end, &rule) < 0) goto fail;
        Py_ssize_t e = table_find(t, rule);
        if (e < 0) { PyErr_SetString(PyExc_KeyError, "a hit's rule is not in the table"); goto fail; }
        if (t->theme[e] < 0) continue;
        Py_ssize_t z = PyLong_AsSsize_t(end);
        if (z == -1 && PyErr_Occurred()) goto fail;
        if (!farthest || z > far) { far = z; farthest = end; }
        if (PyList_Append(starts, start) < 0 || PyList_Append(reach, farthest) < 0) goto fail;
    }
    return Py_BuildValue("(NN)", starts, reach);
fail:
    Py_XDECREF(starts);
    Py_XDECREF(reach);
    return NULL;
}

static PyObject *table_reduce(RuleTable *t, PyObject *Py_UNUSED(ignored)) {
    PyErr_SetString(PyExc_TypeError, "a RuleTable is keyed by object addresses: rebuild it, do not pickle it");
    return NULL;
}

static PyMethodDef table_methods[] = {
    {"own_scores", (PyCFunction)table_own_scores, METH_O, "own_scores(hits) -> {theme: summed weight of the distinct rules}"},
    {"evidence", (PyCFunction)table_evidence, METH_VARARGS, "evidence(hits, text) -> one evidence dict per hit"},
    {"evidence_json", (PyCFunction)table_evidence_json, METH_VARARGS,
     "evidence_json(hits, text) -> the JSON text (bytes) orjson writes for their evidence objects, or None"},
    {"label", (PyCFunction)table_label, METH_VARARGS,
     "label(paragraphs, hits, extra, order, threshold, heading_threshold, summary_min_score, summary_themes, "
     "labelled_cls) -> classify.label's labels, or None"},
    {"paragraphs_json", (PyCFunction)table_paragraphs_json, METH_VARARGS,
     "paragraphs_json(labelled, hits, text) -> the JSON text (bytes) of the result's paragraphs, or None"},
    {"slogans", (PyCFunction)table_slogans, METH_VARARGS,
     "slogans(hits) or slogans(all hits, paragraph) -> (starts, reach) of the hits of theme rules, reach the "
     "farthest end so far"},
    {"__reduce__", (PyCFunction)table_reduce, METH_NOARGS, "not picklable"},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject RuleTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine._hitcore.RuleTable",
    .tp_basicsize = sizeof(RuleTable),
    .tp_dealloc = (destructor)table_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "RuleTable(rules, groups, themes, weights, theme_names, fields, heads, tails): rule address -> scores and evidence",
    .tp_methods = table_methods,
    .tp_new = table_new,
};

/* --------------------------------------------------------------------- module --- */

static PyMethodDef module_methods[] = {
    {"merge", merge, METH_VARARGS, "merge(owned, extra, cls) -> sorted distinct cls(start, end, rule) hits (cls None: packed bytes)"},
    {"enabled", enabled, METH_VARARGS, "enabled(places, key_gates, needed) -> {pattern, ...} whose every literal group has a key among the places"},
    {"windows", windows, METH_VARARGS, "windows(groups, places, lengths, width, n) -> [[a, b], ...] where a windowed pattern is searched"},
    {"search_windows", search_windows, METH_VARARGS,
     "search_windows(finditer, text, stretches, call, long_call, short_span, owner, hits): each stretch's matches appended"},
    {"search_windowed", search_windowed, METH_VARARGS,
     "search_windowed(finditer, groups, places, lengths, width, text, call, long_call, short_span, owner, hits) -> "
     "True having searched the windows, False (nothing searched) when they are too many"},
    {"by_paragraph", by_paragraph, METH_VARARGS, "by_paragraph(raw, starts, ends) -> the hits of each paragraph (packed hits: packed groups)"},
    {"filter", filter, METH_VARARGS,
     "filter(groups, kinds, codes, rules, hit_cls, miss_cls, reasons, text, paragraphs, marks, unless) -> (kept, missed)"},
    {"role_hits", role_hits, METH_VARARGS, "role_hits(groups, codes[, cls]) -> the hits of structure rules of each group"},
    {"own_scores", own_scores, METH_O, "own_scores(hits) -> {theme: summed weight of the distinct rules}"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "engine._hitcore", "tifa's per-hit loops, compiled (see engine/core.py)", -1, module_methods,
};

PyMODINIT_FUNC PyInit__hitcore(void) {
    if (PyType_Ready(&AutomatonType) < 0 || PyType_Ready(&RuleTableType) < 0 || PyType_Ready(&KeptHitsType) < 0)
        return NULL;
    s_id = PyUnicode_InternFromString("id");
    s_theme = PyUnicode_InternFromString("theme");
    s_weight = PyUnicode_InternFromString("weight");
    s_rule = PyUnicode_InternFromString("rule");
    s_round = PyUnicode_InternFromString("__round__");
    three = PyLong_FromLong(3);
    s_span = PyUnicode_InternFromString("span");
    s_text = PyUnicode_InternFromString("text");
    zero = PyFloat_FromDouble(0.0);
    if (!s_id || !s_theme || !s_weight || !s_rule || !s_span || !s_text || !zero || !s_round || !three) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    Py_INCREF(&AutomatonType);
    Py_INCREF(&RuleTableType);
    Py_INCREF(&KeptHitsType);
    if (PyModule_AddObject(m, "Automaton", (PyObject *)&AutomatonType) < 0
        || PyModule_AddObject(m, "RuleTable", (PyObject *)&RuleTableType) < 0
        || PyModule_AddObject(m, "KeptHits", (PyObject *)&KeptHitsType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
